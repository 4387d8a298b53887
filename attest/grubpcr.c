/*
 * GRUB EFI's PCR 8 and 9 computed from grub.cfg and the files it names (grubpcr.h).
 * grub.cfg is run through a small interpreter of the subset mkiso.sh writes: it keeps
 * what GRUB keeps (the menu entries, `default`, which modules are loaded, whether tpm
 * is), and records an event wherever GRUB's tpm verifier would. Anything outside the
 * subset is refused, never guessed.
 */
#include "grubpcr.h"
#include <fcntl.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WORDS 64
#define MAX_MODULES 64
#define MAX_PATH 1024
#define GUARD "if [ \"$grub_platform\" = \"efi\" ]; then"

struct words {
	char *w[MAX_WORDS];
	size_t n;
	char *buf; /* the unquoted words, NUL-separated */
};

struct entry {
	char *title;
	size_t block, block_len; /* offset and length of the raw text between the braces */
	unsigned line;
};

struct st {
	const char *cfg, *root;
	size_t len;
	struct grubpcr *out;
	char *err;
	unsigned line;
	bool measuring;
	char *loaded[MAX_MODULES]; /* GRUB modules loaded so far */
	size_t nloaded;
	char *def;
	struct entry ent[GRUBPCR_MAX_ENTRIES];
};

/* Which module provides a command the model knows (NULL: GRUB's kernel). */
static const struct {
	const char *cmd, *module;
} providers[] = {
	{ "insmod", NULL }, { "set", NULL }, { "menuentry", "normal" }, { "setparams", "normal" },
	{ "terminal_input", "terminal" }, { "terminal_output", "terminal" }, { "[", "test" },
	{ "serial", "serial" }, { "multiboot2", "multiboot2" }, { "module2", "multiboot2" },
};

static int fail(struct st *s, int code, const char *fmt, ...)
{
	va_list ap;
	int n = s->line ? snprintf(s->err, GRUBPCR_ERROR_MAX, "grubpcr: grub.cfg line %u: ", s->line) :
			  snprintf(s->err, GRUBPCR_ERROR_MAX, "grubpcr: grub.cfg: ");
	va_start(ap, fmt);
	if (n > 0 && n < GRUBPCR_ERROR_MAX)
		vsnprintf(s->err + n, GRUBPCR_ERROR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* --- hashing in every bank --------------------------------------------------------- */
struct hashes {
	mbedtls_sha1_context s1;
	mbedtls_sha256_context s256;
	mbedtls_sha512_context s384, s512;
};

static int hashes_start(struct hashes *h)
{
	mbedtls_sha1_init(&h->s1);
	mbedtls_sha256_init(&h->s256);
	mbedtls_sha512_init(&h->s384);
	mbedtls_sha512_init(&h->s512);
	return mbedtls_sha1_starts_ret(&h->s1) || mbedtls_sha256_starts_ret(&h->s256, 0) ||
	       mbedtls_sha512_starts_ret(&h->s384, 1) || mbedtls_sha512_starts_ret(&h->s512, 0);
}

static int hashes_update(struct hashes *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	return mbedtls_sha1_update_ret(&h->s1, b, n) || mbedtls_sha256_update_ret(&h->s256, b, n) ||
	       mbedtls_sha512_update_ret(&h->s384, b, n) || mbedtls_sha512_update_ret(&h->s512, b, n);
}

static int hashes_finish(struct hashes *h, uint8_t d[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX])
{
	int r;
	memset(d, 0, GRUBPCR_BANKS * GRUBPCR_DIGEST_MAX);
	r = mbedtls_sha1_finish_ret(&h->s1, d[0]) || mbedtls_sha256_finish_ret(&h->s256, d[1]) ||
	    mbedtls_sha512_finish_ret(&h->s384, d[2]) || mbedtls_sha512_finish_ret(&h->s512, d[3]);
	mbedtls_sha1_free(&h->s1);
	mbedtls_sha256_free(&h->s256);
	mbedtls_sha512_free(&h->s384);
	mbedtls_sha512_free(&h->s512);
	return r;
}

/* The digests of one buffer in every bank. */
static int digest_all(const void *p, size_t n, uint8_t d[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX])
{
	struct hashes h;
	int r = hashes_start(&h);
	if (!r)
		r = hashes_update(&h, p, n);
	return hashes_finish(&h, d) || r;
}

/* --- events ------------------------------------------------------------------------ */
static int add_event(struct st *s, enum grubpcr_kind k, const char *text, size_t tlen,
		     uint8_t d[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX])
{
	struct grubpcr *g = s->out;
	struct grubpcr_event *e;
	if (g->n >= GRUBPCR_MAX_EVENTS)
		return fail(s, GRUBPCR_E_TOO_BIG, "more than %u events", GRUBPCR_MAX_EVENTS);
	if (g->n % 64 == 0) {
		e = realloc(g->ev, (g->n + 64) * sizeof(*e));
		if (!e)
			return fail(s, GRUBPCR_E_NOMEM, "out of memory");
		g->ev = e;
	}
	e = &g->ev[g->n];
	e->text = malloc(tlen + 1);
	if (!e->text)
		return fail(s, GRUBPCR_E_NOMEM, "out of memory");
	memcpy(e->text, text, tlen);
	e->text[tlen] = '\0';
	e->kind = k;
	e->pcr = k == GRUBPCR_FILE ? GRUBPCR_PCR_FILES : GRUBPCR_PCR_STRINGS;
	memcpy(e->digest, d, sizeof(e->digest));
	g->n++;
	return 0;
}

/* A string event: the digest is of the text, without prefix or NUL. */
static int measure_string(struct st *s, enum grubpcr_kind k, const char *text, size_t tlen)
{
	uint8_t d[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX];
	if (digest_all(text, tlen, d))
		return fail(s, GRUBPCR_E_HASH, "hashing failed");
	return add_event(s, k, text, tlen, d);
}

static bool compressed(const uint8_t *b, size_t n)
{
	return (n >= 2 && !memcmp(b, "\x1f\x8b", 2)) || (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6)) ||
	       (n >= 9 && !memcmp(b, "\x89LZO\0\r\n\x1a\n", 9));
}

/* A path GRUB resolves on the boot device: absolute, no device, no . or .. parts. */
static int check_path(struct st *s, const char *p)
{
	const char *c = p;
	if (p[0] != '/' || strlen(p) >= MAX_PATH || strchr(p, '('))
		return fail(s, GRUBPCR_E_PATH, "file '%s': not an absolute path on the boot device", p);
	while (*c) {
		size_t n = strcspn(++c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return fail(s, GRUBPCR_E_PATH, "file '%s': empty, . or .. part", p);
		c += n;
	}
	return 0;
}

/* A file event: the digest is of the file's bytes, as GRUB's verifier reads them. */
static int measure_file(struct st *s, const char *path)
{
	char full[2 * MAX_PATH];
	uint8_t buf[65536], d[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX];
	struct hashes h;
	struct stat sb;
	unsigned long long total = 0;
	int fd, r = check_path(s, path), herr;
	if (r)
		return r;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", s->root, path) >= sizeof(full))
		return fail(s, GRUBPCR_E_PATH, "file '%s': path too long", path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		r = fail(s, GRUBPCR_E_IO, "file '%s': cannot read %s", path, full);
		goto out;
	}
	if ((unsigned long long)sb.st_size > GRUBPCR_MAX_FILE) {
		r = fail(s, GRUBPCR_E_TOO_BIG, "file '%s': over %llu bytes", path, GRUBPCR_MAX_FILE);
		goto out;
	}
	herr = hashes_start(&h);
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0 || total + (unsigned long long)got > GRUBPCR_MAX_FILE) {
			r = fail(s, got < 0 ? GRUBPCR_E_IO : GRUBPCR_E_TOO_BIG, "file '%s': read failed or grew",
				 path);
			hashes_finish(&h, d);
			goto out;
		}
		if (got == 0)
			break;
		if (total == 0 && compressed(buf, (size_t)got)) {
			r = fail(s, GRUBPCR_E_UNSUPPORTED, "file '%s' is compressed: GRUB would decompress it",
				 path);
			hashes_finish(&h, d);
			goto out;
		}
		herr |= hashes_update(&h, buf, (size_t)got);
		total += (unsigned long long)got;
	}
	if (hashes_finish(&h, d) || herr)
		r = fail(s, GRUBPCR_E_HASH, "hashing failed");
	else
		r = add_event(s, GRUBPCR_FILE, path, strlen(path), d);
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* --- words and commands ------------------------------------------------------------ */
static bool plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("_-=.,:/+@%^[]", c));
}

/* Splits [p, end) into words, removing single quotes; refuses what GRUB would expand. */
static int split(struct st *s, const char *p, const char *end, struct words *w)
{
	char *o;
	w->n = 0;
	w->buf = o = malloc((size_t)(end - p) + 1);
	if (!o)
		return fail(s, GRUBPCR_E_NOMEM, "out of memory");
	while (p < end) {
		const char *start = o;
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (w->n == MAX_WORDS)
			return fail(s, GRUBPCR_E_TOO_BIG, "more than %d words", MAX_WORDS);
		while (p < end && *p != ' ' && *p != '\t') {
			if (*p == '\'') {
				const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));
				if (!q)
					return fail(s, GRUBPCR_E_SYNTAX, "unterminated single quote");
				if (q == p + 1)
					return fail(s, GRUBPCR_E_UNSUPPORTED, "empty quoted word");
				memcpy(o, p + 1, (size_t)(q - p - 1));
				o += q - p - 1;
				p = q + 1;
			} else if (plain(*p)) {
				*o++ = *p++;
			} else {
				return fail(s, GRUBPCR_E_UNSUPPORTED,
					    "'%c' outside single quotes (expansion, escape or operator)", *p);
			}
		}
		*o++ = '\0';
		w->w[w->n++] = (char *)start;
	}
	return 0;
}

static bool is_loaded(struct st *s, const char *m)
{
	for (size_t i = 0; i < s->nloaded; i++)
		if (!strcmp(s->loaded[i], m))
			return true;
	return false;
}

static int load(struct st *s, const char *m)
{
	if (is_loaded(s, m))
		return 0;
	if (s->measuring)
		return fail(s, GRUBPCR_E_MODULE, "module %s would load after tpm (measured into PCR 9; "
				"not modelled: insmod it before tpm)", m);
	if (s->nloaded == MAX_MODULES)
		return fail(s, GRUBPCR_E_TOO_BIG, "more than %d modules", MAX_MODULES);
	if (!(s->loaded[s->nloaded] = strdup(m)))
		return fail(s, GRUBPCR_E_NOMEM, "out of memory");
	s->nloaded++;
	return 0;
}

/* Runs a command as GRUB's script engine does: measure its words, then find it. */
static int command(struct st *s, char *const *w, size_t n)
{
	size_t i, len = 0;
	int r = 0;
	for (i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	if (s->measuring) {
		char *t = malloc(len), *o = t;
		if (!t)
			return fail(s, GRUBPCR_E_NOMEM, "out of memory");
		for (i = 0; i < n; i++)
			o += sprintf(o, "%s%s", i ? " " : "", w[i]);
		r = measure_string(s, GRUBPCR_COMMAND, t, (size_t)(o - t));
		free(t);
	}
	for (i = 0; !r && i < sizeof(providers) / sizeof(providers[0]); i++)
		if (!strcmp(providers[i].cmd, w[0]))
			return providers[i].module ? load(s, providers[i].module) : 0;
	return r ? r : fail(s, GRUBPCR_E_UNSUPPORTED, "command '%s' is not modelled", w[0]);
}

/* The command line multiboot2/module2 pass (lib/cmdline.c), measured as PCR 8. */
static int measure_cmdline(struct st *s, enum grubpcr_kind k, char *const *w, size_t n)
{
	size_t i, len = 1;
	char *t, *o;
	int r;
	for (i = 0; i < n; i++)
		len += 2 * strlen(w[i]) + 3;
	o = t = malloc(len);
	if (!t)
		return fail(s, GRUBPCR_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		bool space = strchr(w[i], ' ') != NULL;
		if (i)
			*o++ = ' ';
		if (space)
			*o++ = '"';
		for (const char *c = w[i]; *c; c++) {
			if (*c == '\\' || *c == '\'' || *c == '"')
				*o++ = '\\';
			*o++ = *c;
		}
		if (space)
			*o++ = '"';
	}
	r = measure_string(s, k, t, (size_t)(o - t));
	free(t);
	return r;
}

/* --- grub.cfg ---------------------------------------------------------------------- */
/* The next line at *pos: [*b, *e) without the newline; false at the end. */
static bool next_line(struct st *s, size_t *pos, const char **b, const char **e)
{
	const char *nl;
	if (*pos >= s->len)
		return false;
	*b = s->cfg + *pos;
	nl = memchr(*b, '\n', s->len - *pos);
	*e = nl ? nl : s->cfg + s->len;
	*pos = (size_t)(*e - s->cfg) + (nl != NULL);
	s->line++;
	return true;
}

static const char *skip_blanks(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static bool line_is(const char *p, const char *e, const char *lit)
{
	return (size_t)(e - p) == strlen(lit) && !memcmp(p, lit, (size_t)(e - p));
}

/* menuentry TITLE {, the block to the line "}"; defined (and measured) here. */
static int menuentry(struct st *s, struct words *w, const char *e, size_t *pos)
{
	struct grubpcr *g = s->out;
	struct entry *en = &s->ent[g->entries];
	const char *b, *le, *p;
	char *t;
	unsigned line = s->line;
	int r;
	if (w->n != 3 || strcmp(w->w[2], "{") || e[-1] != '{')
		return fail(s, GRUBPCR_E_UNSUPPORTED, "menuentry must be \"menuentry TITLE {\" (no options)");
	if (g->entries == GRUBPCR_MAX_ENTRIES)
		return fail(s, GRUBPCR_E_TOO_BIG, "more than %d menu entries", GRUBPCR_MAX_ENTRIES);
	en->block = (size_t)(e - s->cfg);
	for (;;) {
		struct words bw = { 0 };
		if (!next_line(s, pos, &b, &le))
			return s->line = line, fail(s, GRUBPCR_E_SYNTAX, "menuentry without its closing }");
		if (line_is(b, le, "}"))
			break;
		p = skip_blanks(b, le);
		if (p == le || *p == '#' || memchr(p, '{', (size_t)(le - p)) || memchr(p, '}', (size_t)(le - p)))
			return fail(s, GRUBPCR_E_UNSUPPORTED, "a menu entry holds only command lines");
		r = split(s, p, le, &bw);
		free(bw.buf);
		if (r)
			return r;
	}
	en->block_len = (size_t)(b - s->cfg) - en->block;
	en->line = line;
	en->title = strdup(w->w[1]);
	if (!en->title)
		return fail(s, GRUBPCR_E_NOMEM, "out of memory");
	g->entries++;
	if (!s->measuring)
		return command(s, w->w, 1);
	/* The block argument is "{" + raw text + "}" (script/execute.c, TYPE_BLOCK). */
	t = malloc(strlen(en->title) + en->block_len + 4);
	if (!t)
		return fail(s, GRUBPCR_E_NOMEM, "out of memory");
	sprintf(t, "%s {%.*s}", en->title, (int)en->block_len, s->cfg + en->block);
	w->w[1] = t;
	w->n = 2;
	r = command(s, w->w, w->n);
	free(t);
	return r;
}

static int top_command(struct st *s, struct words *w, const char *e, size_t *pos)
{
	const char *c = w->w[0];
	if (!strcmp(c, "menuentry"))
		return menuentry(s, w, e, pos);
	if (!strcmp(c, "insmod")) {
		int r;
		if (w->n != 2 || strspn(w->w[1], "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(w->w[1]))
			return fail(s, GRUBPCR_E_UNSUPPORTED, "insmod takes one module name");
		r = command(s, w->w, w->n);
		if (!r)
			r = load(s, w->w[1]);
		if (!r && !strcmp(w->w[1], "tpm"))
			s->measuring = true, s->out->measured = 1;
		return r;
	}
	if (!strcmp(c, "set")) {
		const char *eq = w->n == 2 ? strchr(w->w[1], '=') : NULL;
		if (!eq || eq == w->w[1])
			return fail(s, GRUBPCR_E_UNSUPPORTED, "set takes one NAME=VALUE");
		if (!strncmp(w->w[1], "default=", 8)) {
			free(s->def);
			if (!(s->def = strdup(eq + 1)))
				return fail(s, GRUBPCR_E_NOMEM, "out of memory");
		}
		return command(s, w->w, w->n);
	}
	if (!strcmp(c, "serial") || !strcmp(c, "terminal_input") || !strcmp(c, "terminal_output"))
		return command(s, w->w, w->n);
	return fail(s, GRUBPCR_E_UNSUPPORTED, "command '%s' is not modelled%s", c,
		    !strcmp(c, "multiboot2") || !strcmp(c, "module2") ? " outside a menu entry" : "");
}

/* Runs grub.cfg's top level: the guard, commands, menu entry definitions. */
static int run_cfg(struct st *s)
{
	size_t pos = 0;
	const char *b, *e, *p;
	bool in_if = false;
	int r = 0;
	for (size_t i = 0; i < s->len; i++) {
		unsigned char ch = (unsigned char)s->cfg[i];
		if (ch != '\n' && ch != '\t' && (ch < 0x20 || ch > 0x7e))
			return s->line++, fail(s, GRUBPCR_E_SYNTAX, "byte 0x%02x (only printable ASCII and tabs)", ch);
		s->line += ch == '\n';
	}
	s->line = 0;
	while (!r && next_line(s, &pos, &b, &e)) {
		struct words w = { 0 };
		p = skip_blanks(b, e);
		if (p == e || *p == '#')
			continue;
		if (line_is(p, e, "fi") && in_if) {
			in_if = false;
			continue;
		}
		if (!strncmp(p, "if", 2) && (e - p == 2 || p[2] == ' ' || p[2] == '\t')) {
			if (in_if || !line_is(p, e, GUARD))
				return fail(s, GRUBPCR_E_UNSUPPORTED, "the only if is: " GUARD);
			in_if = true;
			char *t[] = { "[", "efi", "=", "efi", "]" };
			r = command(s, t, 5);
			continue;
		}
		/* A menu entry's block opens with "{" ending the line, after a blank. */
		bool brace = !strncmp(p, "menuentry", 9) && e - p >= 2 && e[-1] == '{' &&
			     (e[-2] == ' ' || e[-2] == '\t');
		r = split(s, p, brace ? e - 1 : e, &w);
		if (!r && brace)
			r = w.n < MAX_WORDS ? (w.w[w.n++] = (char *)"{", 0) :
					      fail(s, GRUBPCR_E_TOO_BIG, "more than %d words", MAX_WORDS);
		if (!r && w.n)
			r = in_if && !strcmp(w.w[0], "menuentry") ?
				    fail(s, GRUBPCR_E_UNSUPPORTED, "menuentry inside if") :
				    top_command(s, &w, e, &pos);
		free(w.buf);
	}
	if (!r && in_if)
		r = fail(s, GRUBPCR_E_SYNTAX, "if without fi");
	return r;
}

/* Boots entry n: setparams, then its multiboot2/module2 lines. */
static int run_entry(struct st *s, unsigned n)
{
	const struct entry *en = &s->ent[n];
	size_t pos = en->block + 1, end = en->block + en->block_len; /* past the newline after { */
	const char *b, *e;
	bool kernel = false;
	int r = 0;
	char *sp[] = { "setparams", en->title };
	s->line = en->line;
	if (s->measuring)
		r = command(s, sp, 2);
	while (!r && pos < end && next_line(s, &pos, &b, &e)) {
		struct words w = { 0 };
		r = split(s, skip_blanks(b, e), e, &w);
		if (r || !w.n) {
			free(w.buf);
			break;
		}
		bool mb = !strcmp(w.w[0], "multiboot2"), mod = !strcmp(w.w[0], "module2");
		if (!mb && !mod)
			r = fail(s, GRUBPCR_E_UNSUPPORTED, "command '%s' in a menu entry is not modelled", w.w[0]);
		else if (w.n < 2 || w.w[1][0] == '-')
			r = fail(s, GRUBPCR_E_UNSUPPORTED, "%s takes FILE [ARGS] (no options)", w.w[0]);
		else if (mod && !kernel)
			r = fail(s, GRUBPCR_E_UNSUPPORTED, "module2 before multiboot2");
		else
			r = command(s, w.w, w.n);
		kernel |= mb;
		/* The file is opened (PCR 9) before its command line is made (PCR 8). */
		if (!r && s->measuring)
			r = measure_file(s, w.w[1]);
		if (!r && s->measuring)
			r = measure_cmdline(s, mb ? GRUBPCR_KERNEL_CMDLINE : GRUBPCR_MODULE_CMDLINE, w.w + 2,
					    w.n - 2);
		free(w.buf);
	}
	if (!r && !kernel)
		r = fail(s, GRUBPCR_E_UNSUPPORTED, "menu entry %u loads no kernel: GRUB would not boot", n);
	return r;
}

static int pick_entry(struct st *s, int entry, unsigned *n)
{
	unsigned long v = 0;
	s->line = 0;
	if (entry >= 0) {
		v = (unsigned long)entry;
	} else if (s->def) {
		char *end;
		v = strtoul(s->def, &end, 10);
		if (!s->def[0] || *end || s->def[0] == '-' || s->def[0] == '+')
			return fail(s, GRUBPCR_E_UNSUPPORTED, "default=%s is not an entry number", s->def);
	}
	if (v >= s->out->entries)
		return fail(s, GRUBPCR_E_ENTRY, "no menu entry %lu (%u defined)", v, s->out->entries);
	*n = (unsigned)v;
	return 0;
}

static int replay(struct st *s)
{
	for (size_t i = 0; i < s->out->n; i++) {
		const struct grubpcr_event *ev = &s->out->ev[i];
		unsigned p = ev->pcr == GRUBPCR_PCR_FILES;
		for (unsigned b = 0; b < GRUBPCR_BANKS; b++) {
			uint8_t in[2 * GRUBPCR_DIGEST_MAX], d[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX];
			size_t n = grubpcr_bank_size(b);
			memcpy(in, s->out->pcr[p][b], n);
			memcpy(in + n, ev->digest[b], n);
			if (digest_all(in, 2 * n, d))
				return fail(s, GRUBPCR_E_HASH, "hashing failed");
			memcpy(s->out->pcr[p][b], d[b], n);
		}
	}
	return 0;
}

int grubpcr_compute(const char *cfg, size_t len, const char *root, int entry,
		    struct grubpcr *out, char err[GRUBPCR_ERROR_MAX])
{
	struct st *s;
	unsigned n = 0;
	int r;
	if (!out)
		return GRUBPCR_E_ARG;
	memset(out, 0, sizeof(*out));
	if (!err || !cfg || !root || strlen(root) >= MAX_PATH) {
		if (err)
			snprintf(err, GRUBPCR_ERROR_MAX, "grubpcr: bad arguments");
		return GRUBPCR_E_ARG;
	}
	err[0] = '\0';
	if (len > GRUBPCR_MAX_CFG) {
		snprintf(err, GRUBPCR_ERROR_MAX, "grubpcr: grub.cfg over %u bytes", GRUBPCR_MAX_CFG);
		return GRUBPCR_E_TOO_BIG;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, GRUBPCR_ERROR_MAX, "grubpcr: out of memory");
		return GRUBPCR_E_NOMEM;
	}
	*s = (struct st){ .cfg = cfg, .len = len, .root = root, .out = out, .err = err };
	/* Normal mode runs grub.cfg: normal.mod and its dependencies are in. */
	r = load(s, "normal");
	if (!r)
		r = load(s, "terminal");
	if (!r)
		r = run_cfg(s);
	if (!r)
		r = pick_entry(s, entry, &n);
	if (!r) {
		out->entry = n;
		r = run_entry(s, n);
	}
	if (!r)
		r = replay(s);
	for (size_t i = 0; i < s->nloaded; i++)
		free(s->loaded[i]);
	for (unsigned i = 0; i < out->entries; i++)
		free(s->ent[i].title);
	free(s->def);
	free(s);
	return r;
}

int grubpcr_compute_tree(const char *root, int entry, struct grubpcr *out,
			 char err[GRUBPCR_ERROR_MAX])
{
	char path[2 * MAX_PATH], *cfg = NULL;
	FILE *f = NULL;
	size_t n = 0;
	int r = GRUBPCR_E_IO;
	if (!out || !err || !root) {
		if (out)
			memset(out, 0, sizeof(*out));
		return GRUBPCR_E_ARG;
	}
	memset(out, 0, sizeof(*out));
	if ((size_t)snprintf(path, sizeof(path), "%s/boot/grub/grub.cfg", root) >= sizeof(path)) {
		snprintf(err, GRUBPCR_ERROR_MAX, "grubpcr: root path too long");
		return GRUBPCR_E_ARG;
	}
	cfg = malloc(GRUBPCR_MAX_CFG + 1);
	f = fopen(path, "rb");
	if (!cfg || !f) {
		snprintf(err, GRUBPCR_ERROR_MAX, "grubpcr: cannot read %.200s", path);
		r = cfg ? GRUBPCR_E_IO : GRUBPCR_E_NOMEM;
		goto out;
	}
	n = fread(cfg, 1, GRUBPCR_MAX_CFG + 1, f);
	if (ferror(f))
		snprintf(err, GRUBPCR_ERROR_MAX, "grubpcr: cannot read %.200s", path);
	else
		r = grubpcr_compute(cfg, n, root, entry, out, err);
out:
	if (f)
		fclose(f);
	free(cfg);
	return r;
}

void grubpcr_free(struct grubpcr *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->ev[i].text);
	free(g->ev);
	g->ev = NULL;
	g->n = 0;
}

static const struct {
	uint16_t alg;
	size_t size;
	const char *name;
} banks[GRUBPCR_BANKS] = {
	{ 0x0004, 20, "sha1" }, { 0x000b, 32, "sha256" }, { 0x000c, 48, "sha384" }, { 0x000d, 64, "sha512" },
};

uint16_t grubpcr_bank_alg(unsigned bank) { return bank < GRUBPCR_BANKS ? banks[bank].alg : 0; }
size_t grubpcr_bank_size(unsigned bank) { return bank < GRUBPCR_BANKS ? banks[bank].size : 0; }
const char *grubpcr_bank_name(unsigned bank) { return bank < GRUBPCR_BANKS ? banks[bank].name : NULL; }

const char *grubpcr_prefix(enum grubpcr_kind k)
{
	switch (k) {
	case GRUBPCR_COMMAND: return "grub_cmd: ";
	case GRUBPCR_KERNEL_CMDLINE: return "kernel_cmdline: ";
	case GRUBPCR_MODULE_CMDLINE: return "module_cmdline: ";
	case GRUBPCR_FILE: return "";
	}
	return NULL;
}
