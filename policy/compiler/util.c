/* Allocation that cannot fail (running out of memory ends the tool) and bounded file I/O. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compiler.h"

static void *mem_check(void *p)
{
	if (!p) {
		fprintf(stderr, "tessera-policy: error: out of memory\n");
		exit(1);
	}
	return p;
}

void *mem_zalloc(size_t n)
{
	return mem_check(calloc(1, n ? n : 1));
}

/* Make room for need elements; capacity doubles, so appends are amortised O(1). */
void *mem_grow(void *p, uint32_t *cap, uint32_t need, size_t elem)
{
	size_t c = *cap;
	if (need <= c)
		return p;
	if (c < 16)
		c = 16;
	while (c < need)
		c *= 2;
	if (c > UINT32_MAX || c > SIZE_MAX / elem)
		mem_check(NULL);
	p = mem_check(realloc(p, c * elem));
	memset((char *)p + (size_t)*cap * elem, 0, (c - *cap) * elem);
	*cap = (uint32_t)c;
	return p;
}

char *mem_strndup(const char *s, size_t n)
{
	char *d = mem_zalloc(n + 1);
	memcpy(d, s, n);
	return d;
}

/*
 * Sources: a FIFO would block the open (or the read) forever and a terminal
 * would wait for input, so open without blocking or taking a controlling
 * terminal, then refuse anything but a regular file before reading a byte.
 */
int file_open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st)) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -FILE_NOT_REGULAR;
	}
	return fd;
}

/* Read fd (closed here) to its end, at most max bytes: 0, -errno, or -EFBIG for more. NUL-terminated. */
int file_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = mem_zalloc(cap + 1);
	for (;;) {
		ssize_t r;
		if (n == cap) {
			if (cap > max) {
				free(b);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			b = mem_check(realloc(b, cap + 1));
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(b);
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(b);
		return -EFBIG;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

/* Read a file named on the command line (any kind but a directory), at most max bytes. */
int file_read(const char *path, size_t max, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	return file_read_fd(fd, max, buf, len);
}

/* Write through a temporary file and rename, so a failed run leaves no half binary. */
int file_write(const char *path, const void *buf, size_t len)
{
	size_t plen = strlen(path);
	char *tmp = mem_zalloc(plen + 32);
	const char *p = buf;
	int fd, e = 0;
	snprintf(tmp, plen + 32, "%s.tmp%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		free(tmp);
		return -e;
	}
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) && !e)
		e = errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return -e;
}
