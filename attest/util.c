/* Files, hex and randomness for tessera-attest. */
#include "tool.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *att_read_file(const char *path, size_t max, size_t *len)
{
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		if (n == cap) {
			/* One byte more than max, so an over-long file is seen as such. */
			size_t want = cap ? cap * 2 : 4096;
			if (want > max + 1)
				want = max + 1;
			if (want <= cap) {
				errno = EFBIG;
				goto fail;
			}
			uint8_t *more = realloc(buf, want);
			if (!more)
				goto fail;
			buf = more;
			cap = want;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (!got)
			break;
		n += (size_t)got;
	}
	close(fd);
	*len = n;
	if (!buf)
		buf = malloc(1); /* an empty file is a valid, empty buffer */
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

int att_write_file(const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	const uint8_t *p = buf;
	int fd, n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (len) {
		ssize_t put = write(fd, p, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			goto fail;
		p += put;
		len -= (size_t)put;
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

void att_hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int att_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
	if (hexlen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int att_random(void *p, size_t n)
{
	uint8_t *b = p;
	while (n) {
		ssize_t got = getrandom(b, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		b += got;
		n -= (size_t)got;
	}
	return 0;
}

int att_rng(void *ctx, unsigned char *p, size_t n)
{
	(void)ctx;
	return att_random(p, n) ? -1 : 0;
}
