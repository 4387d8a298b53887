/*
 * Diagnostics. Errors print at once; warnings are collected and printed
 * sorted by location, so check's output does not depend on the order of
 * its passes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler.h"

struct diag_warn {
	struct loc at;
	uint32_t seq;
	char *text;
};

static char **diag_files;
static uint32_t diag_nfiles, diag_files_cap;
static unsigned diag_nerrors;
static struct diag_warn *diag_warns;
static uint32_t diag_nwarns, diag_warns_cap;

uint32_t diag_add_file(const char *name)
{
	diag_files = mem_grow(diag_files, &diag_files_cap, diag_nfiles + 1, sizeof(*diag_files));
	diag_files[diag_nfiles] = mem_strndup(name, strlen(name));
	return diag_nfiles++;
}

const char *diag_file_name(uint32_t file)
{
	return file < diag_nfiles ? diag_files[file] : "?";
}

static void diag_vprint(const char *what, const struct loc *at, const char *fmt, va_list ap)
{
	fprintf(stderr, LOC_FMT ": %s: ", LOC_ARGS(*at), what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void diag_error(const struct loc *at, const char *fmt, ...)
{
	va_list ap;
	/* A hostile file could make a million; a hundred say enough. */
	if (++diag_nerrors > TPC_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	diag_vprint("error", at, fmt, ap);
	va_end(ap);
	if (diag_nerrors == TPC_ERRORS_MAX)
		fprintf(stderr, "tessera-policy: too many errors, stopping\n");
}

void diag_path_error(const char *path, const char *fmt, ...)
{
	va_list ap;
	diag_nerrors++;
	fprintf(stderr, "%s: error: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

unsigned diag_errors(void)
{
	return diag_nerrors;
}

void diag_warning(const struct loc *at, const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	diag_warns = mem_grow(diag_warns, &diag_warns_cap, diag_nwarns + 1, sizeof(*diag_warns));
	diag_warns[diag_nwarns] = (struct diag_warn){ *at, diag_nwarns, mem_strndup(buf, strlen(buf)) };
	diag_nwarns++;
}

static int diag_warn_cmp(const void *a, const void *b)
{
	const struct diag_warn *x = a, *y = b;
	if (x->at.file != y->at.file)
		return x->at.file < y->at.file ? -1 : 1;
	if (x->at.line != y->at.line)
		return x->at.line < y->at.line ? -1 : 1;
	if (x->at.col != y->at.col)
		return x->at.col < y->at.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

unsigned diag_flush_warnings(void)
{
	if (diag_nwarns)
		qsort(diag_warns, diag_nwarns, sizeof(*diag_warns), diag_warn_cmp);
	for (uint32_t i = 0; i < diag_nwarns; i++) {
		fprintf(stderr, LOC_FMT ": warning: %s\n", LOC_ARGS(diag_warns[i].at), diag_warns[i].text);
		free(diag_warns[i].text);
	}
	unsigned n = diag_nwarns;
	diag_nwarns = 0;
	return n;
}

/* Untrusted text for a message: printable ASCII as is, other bytes as \xNN, long text cut. */
const char *diag_quote(struct quote *q, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;
	for (i = 0; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			q->s[o++] = (char)c;
		} else {
			q->s[o++] = '\\';
			q->s[o++] = 'x';
			q->s[o++] = hex[c >> 4];
			q->s[o++] = hex[c & 15];
		}
	}
	if (i < n) {
		memcpy(q->s + o, "...", 3);
		o += 3;
	}
	q->s[o] = 0;
	return q->s;
}
