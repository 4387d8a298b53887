/*
 * Source files: the main file and its includes. A file is known by its
 * device and inode, however it is named (hard links and symlinks included):
 * one already read is skipped, one still being read is a cycle. Includes
 * must stay inside the main file's directory (by real path, so neither '..'
 * nor a symlink leads out of it) and be regular files: never a FIFO or a
 * device, which could block the tool forever. Diagnostics name a file by its
 * path as the user would type it from here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compiler.h"

struct src_file {
	dev_t dev;
	ino_t ino;
	bool reading;
};

static struct src_file *src_files;
static uint32_t src_nfiles, src_files_cap;
static char *src_root; /* real path of the main file's directory */
static size_t src_bytes;

/* Is the real path real inside the main file's directory? */
static bool src_inside(const char *real)
{
	size_t n = strlen(src_root);
	if (!strcmp(src_root, "/"))
		return true;
	return !strncmp(real, src_root, n) && real[n] == '/';
}

static void src_error(const char *path, const struct token *site, const char *what, int rc)
{
	struct quote q;
	char why[96];
	if (rc == -EFBIG)
		snprintf(why, sizeof(why), "larger than %u MiB", TPC_FILE_MAX >> 20);
	else if (rc == -FILE_NOT_REGULAR)
		snprintf(why, sizeof(why), "not a regular file");
	else
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	if (!site)
		diag_path_error(path, "%s%s", rc == -EFBIG || rc == -FILE_NOT_REGULAR ? "" : "cannot read: ", why);
	else if (rc == -EFBIG || rc == -FILE_NOT_REGULAR)
		diag_error(&site->at, "'%s' is %s", diag_quote(&q, site->text, site->len), why);
	else
		diag_error(&site->at, "cannot %s '%s': %s", what, diag_quote(&q, site->text, site->len), why);
}

/* The real path of the directory of path, as the main file's tree. */
static char *src_dir_real(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real;
	int e;
	if (!slash)
		return realpath(".", NULL);
	dir = mem_strndup(path, slash == path ? 1 : (size_t)(slash - path));
	real = realpath(dir, NULL);
	e = errno;
	free(dir);
	errno = e;
	return real;
}

/* Read and parse one file; site is the include statement's path token (NULL: the main file). */
static bool src_read(struct model *m, const char *path, const struct token *site, uint32_t depth)
{
	struct quote q;
	struct stat st;
	char *buf;
	size_t len;
	uint32_t f;
	int fd, rc;
	bool ok;
	if (site) {
		char *real = realpath(path, NULL);
		if (!real) {
			src_error(path, site, "open", -errno);
			return false;
		}
		ok = src_inside(real);
		free(real);
		if (!ok) {
			diag_error(&site->at, "'%s' is outside the main file's directory",
				   diag_quote(&q, site->text, site->len));
			return false;
		}
	} else if (!(src_root = src_dir_real(path))) {
		src_error(path, NULL, "read", -errno);
		return false;
	}
	fd = file_open_regular(path, &st);
	if (fd < 0) {
		src_error(path, site, "open", fd);
		return false;
	}
	for (f = 0; f < src_nfiles; f++) {
		if (src_files[f].dev != st.st_dev || src_files[f].ino != st.st_ino)
			continue;
		close(fd);
		if (!src_files[f].reading)
			return true;
		diag_error(&site->at, "include cycle: '%s' is already being read", diag_quote(&q, site->text, site->len));
		return false;
	}
	if (src_nfiles >= TPC_FILES_MAX) {
		close(fd);
		diag_error(&site->at, "too many files (the limit is %u)", TPC_FILES_MAX);
		return false;
	}
	rc = file_read_fd(fd, TPC_FILE_MAX, &buf, &len);
	if (rc) {
		src_error(path, site, "read", rc);
		return false;
	}
	if (len > TPC_INPUT_MAX - src_bytes) {
		diag_error(&site->at, "'%s' makes the policy's files larger than %u MiB in all",
			   diag_quote(&q, site->text, site->len), TPC_INPUT_MAX >> 20);
		free(buf);
		m->fatal = true;
		return false;
	}
	src_bytes += len;
	f = diag_add_file(path);
	src_files = mem_grow(src_files, &src_files_cap, src_nfiles + 1, sizeof(*src_files));
	src_files[src_nfiles++] = (struct src_file){ st.st_dev, st.st_ino, true };
	if (f == 0)
		m->start = (struct loc){ 0, 1, 1 };
	ok = parse_file(m, buf, len, f, depth);
	src_files[f].reading = false;
	free(buf);
	return ok;
}

bool src_parse(struct model *m, const char *path)
{
	return src_read(m, path, NULL, 0);
}

/* Paths are relative to the including file, so a policy tree can move as a whole. */
bool src_include(struct model *m, const struct token *path, uint32_t depth)
{
	const char *from = diag_file_name(path->at.file), *slash = strrchr(from, '/');
	size_t dirlen = slash ? (size_t)(slash - from) + 1 : 0;
	char *full;
	bool ok;
	if (!path->len) {
		diag_error(&path->at, "empty include path");
		return false;
	}
	if (path->text[0] == '/') {
		diag_error(&path->at, "include path must be relative");
		return false;
	}
	if (path->len > TPC_PATH_MAX) {
		diag_error(&path->at, "include path is longer than %u characters", TPC_PATH_MAX);
		return false;
	}
	if (depth + 1 > TPC_INCLUDE_DEPTH) {
		diag_error(&path->at, "includes nested more than %u deep", TPC_INCLUDE_DEPTH);
		return false;
	}
	full = mem_zalloc(dirlen + path->len + 1);
	memcpy(full, from, dirlen);
	memcpy(full + dirlen, path->text, path->len);
	ok = src_read(m, full, path, depth + 1);
	free(full);
	return ok;
}
