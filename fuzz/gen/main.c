/* build/fuzz/gen DIR: every target's seeds and dictionary (gen.h). */
#include "gen.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *out;

void put8(struct buf *s, uint8_t v)
{
	putb(s, &v, 1);
}

void put16(struct buf *s, uint16_t v)
{
	putb(s, &v, 2); /* little-endian host */
}

void put32(struct buf *s, uint32_t v)
{
	putb(s, &v, 4);
}

void put64(struct buf *s, uint64_t v)
{
	putb(s, &v, 8);
}

void putb(struct buf *s, const void *p, size_t n)
{
	if (!n)
		return;
	if (n > sizeof(s->b) - s->n) {
		fprintf(stderr, "gen: seed too long\n");
		exit(1);
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static FILE *open_in(const char *target, const char *name, const char *mode)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", out, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s%s", out, target, name);
	f = fopen(path, mode);
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

void seed(const char *target, const char *name, const void *p, size_t n)
{
	char rel[256];
	FILE *f;
	snprintf(rel, sizeof(rel), "/%s", name);
	f = open_in(target, rel, "wb");
	if (fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(name);
		exit(1);
	}
}

/* AFL and libFuzzer dictionary syntax: name="\xNN..." */
void dict(const char *target, const char *name, const void *p, size_t n)
{
	FILE *f = open_in(target, ".dict", "a");
	const uint8_t *b = p;
	fprintf(f, "%s=\"", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\\x%02x", b[i]);
	fprintf(f, "\"\n");
	fclose(f);
}

void dict_str(const char *target, const char *s)
{
	char name[64];
	size_t k = 0;
	for (const char *p = s; *p && k < sizeof(name) - 1; p++)
		name[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
	name[k] = 0;
	dict(target, name, s, strlen(s));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out = argv[1];
	/* A target's dictionary is rewritten from scratch (dict appends). */
	gen_hcall();
	gen_boot();
	gen_misc();
	return 0;
}
