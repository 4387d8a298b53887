/*
 * Source files: the main file and its includes. A file is known by its real
 * path: one already read is skipped, one still being read is a cycle.
 * Diagnostics name a file by its path as the user would type it from here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "compiler.h"

struct src_file {
	char *real;
	bool reading;
};

static struct src_file *src_files;
static uint32_t src_nfiles, src_files_cap;

/* Read and parse one file; site is the include statement's path token (NULL: the main file). */
static bool src_read(struct model *m, const char *path, const struct token *site, uint32_t depth)
{
	struct quote q;
	char *real = realpath(path, NULL), *buf;
	size_t len;
	uint32_t f;
	int rc;
	bool ok;
	if (real) {
		for (f = 0; f < src_nfiles; f++) {
			if (strcmp(src_files[f].real, real))
				continue;
			free(real);
			if (!src_files[f].reading)
				return true;
			diag_error(&site->at, "include cycle: '%s' is already being read",
				   diag_quote(&q, site->text, site->len));
			return false;
		}
		rc = src_nfiles >= TPC_FILES_MAX ? -EMFILE : file_read(path, TPC_FILE_MAX, &buf, &len);
	} else {
		rc = -errno;
	}
	if (rc) {
		free(real);
		if (!site && rc == -EFBIG)
			diag_path_error(path, "larger than 1 MiB");
		else if (!site)
			diag_path_error(path, "cannot read: %s", strerror(-rc));
		else if (rc == -EFBIG)
			diag_error(&site->at, "'%s' is larger than 1 MiB", diag_quote(&q, site->text, site->len));
		else if (rc == -EMFILE)
			diag_error(&site->at, "too many files (the limit is %u)", TPC_FILES_MAX);
		else
			diag_error(&site->at, "cannot open '%s': %s", diag_quote(&q, site->text, site->len),
				   strerror(-rc));
		return false;
	}
	f = diag_add_file(path);
	src_files = mem_grow(src_files, &src_files_cap, src_nfiles + 1, sizeof(*src_files));
	src_files[src_nfiles++] = (struct src_file){ real, true };
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
