/*
 * The golden manifest as text (attest/README.md "Manifest"): one fact a line, fields
 * in a fixed order, so the same inputs give the same bytes and a diff reads well.
 *   tessera-attest golden 1
 *   boot-path multiboot2
 *   quote sha256 11,12,13
 *   [external 8,9]       (PCRs whose values only the pcr lines give: GRUB's)
 *   event PCR TYPE data=HEX sha1=HEX sha256=HEX sha384=HEX sha512=HEX what=TEXT
 *   pcr BANK INDEX HEX
 * The reader accepts exactly what the writer produces.
 */
#include "tool.h"
#include "eventlog.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAN_FILE_MAX (1u << 20)

const uint16_t man_alg[MAN_BANKS] = { TCG_ALG_SHA1, TCG_ALG_SHA256, TCG_ALG_SHA384,
				      TCG_ALG_SHA512 };

int man_bank(uint16_t alg)
{
	for (int b = 0; b < MAN_BANKS; b++)
		if (man_alg[b] == alg)
			return b;
	return -1;
}

static const uint32_t core_types[] = { TCG_EV_ACTION, TCG_EV_IPL, TCG_EV_SEPARATOR };

static void put_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* "8,9,11\n" */
static void put_pcrs(FILE *f, uint32_t set)
{
	for (unsigned i = 0, first = 1; i < TCG_PCR_COUNT; i++)
		if (set & (1u << i)) {
			fprintf(f, "%s%u", first ? "" : ",", i);
			first = 0;
		}
	fprintf(f, "\n");
}

int man_write(const struct manifest *m, FILE *f)
{
	fprintf(f, "tessera-attest golden 1\nboot-path %s\nquote %s ", m->boot_path,
		eventlog_alg_name(m->quote_alg));
	put_pcrs(f, m->quote_pcrs);
	if (m->external) {
		fprintf(f, "external ");
		put_pcrs(f, m->external);
	}
	for (unsigned i = 0; i < m->nevents; i++) {
		const struct man_event *e = &m->ev[i];
		fprintf(f, "event %u %s data=", e->pcr, eventlog_type_name(e->type));
		if (e->type == TCG_EV_SEPARATOR)
			fprintf(f, "00000000");
		else
			put_hex(f, (const uint8_t *)e->data, strlen(e->data));
		for (int b = 0; b < MAN_BANKS; b++) {
			fprintf(f, " %s=", eventlog_alg_name(man_alg[b]));
			put_hex(f, e->digest[b], eventlog_alg_size(man_alg[b]));
		}
		fprintf(f, " what=%s\n", e->what);
	}
	for (int b = 0; b < MAN_BANKS; b++)
		for (unsigned i = 0; i < TCG_PCR_COUNT; i++)
			if (m->pcr_set & (1u << i)) {
				fprintf(f, "pcr %s %u ", eventlog_alg_name(man_alg[b]), i);
				put_hex(f, m->pcr[b][i], eventlog_alg_size(man_alg[b]));
				fprintf(f, "\n");
			}
	return ferror(f) ? -1 : 0;
}

static int bank_by_name(const char *s, size_t n)
{
	for (int b = 0; b < MAN_BANKS; b++) {
		const char *name = eventlog_alg_name(man_alg[b]);
		if (strlen(name) == n && !memcmp(s, name, n))
			return b;
	}
	return -1;
}

/* "NAME=HEX" of exactly size bytes at *p, then a space or the end. */
static int hex_field(char **p, const char *name, uint8_t *out, size_t size)
{
	size_t k = strlen(name);
	char *end;
	if (strncmp(*p, name, k) || (*p)[k] != '=')
		return -1;
	*p += k + 1;
	end = strchr(*p, ' ');
	if (!end || att_unhex(out, size, *p, (size_t)(end - *p)))
		return -1;
	*p = end + 1;
	return 0;
}

int man_parse_pcrs(const char *s, uint32_t *set)
{
	char *end;
	*set = 0;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v >= TCG_PCR_COUNT || (*set & (1u << v)))
			return -1;
		*set |= 1u << v;
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static int parse_event(char *line, struct man_event *e)
{
	char *p = line, *end, type[32];
	unsigned long pcr = strtoul(p, &end, 10);
	uint8_t data[MAN_DATA_MAX];
	size_t dlen;

	memset(e, 0, sizeof(*e));
	if (end == p || *end != ' ' || pcr >= TCG_PCR_COUNT)
		return -1;
	e->pcr = (uint32_t)pcr;
	p = end + 1;
	end = strchr(p, ' ');
	if (!end || (size_t)(end - p) >= sizeof(type))
		return -1;
	memcpy(type, p, (size_t)(end - p));
	type[end - p] = 0;
	e->type = UINT32_MAX;
	for (size_t i = 0; i < sizeof(core_types) / sizeof(core_types[0]); i++)
		if (!strcmp(type, eventlog_type_name(core_types[i])))
			e->type = core_types[i];
	p = end + 1;
	end = strchr(p, ' ');
	if (e->type == UINT32_MAX || strncmp(p, "data=", 5) || !end)
		return -1;
	dlen = (size_t)(end - p - 5) / 2;
	if (dlen >= sizeof(e->data) || att_unhex(data, dlen, p + 5, (size_t)(end - p - 5)))
		return -1;
	/* Event data is kept as a string: the separator's 4 zero bytes are the exception. */
	if (e->type == TCG_EV_SEPARATOR ? dlen != TCG_SEPARATOR_SIZE || data[0] || data[1] ||
						  data[2] || data[3] :
					  memchr(data, 0, dlen) != NULL)
		return -1;
	if (e->type != TCG_EV_SEPARATOR)
		memcpy(e->data, data, dlen);
	p = end + 1;
	for (int b = 0; b < MAN_BANKS; b++)
		if (hex_field(&p, eventlog_alg_name(man_alg[b]), e->digest[b],
			      eventlog_alg_size(man_alg[b])))
			return -1;
	if (strncmp(p, "what=", 5) || strlen(p + 5) >= sizeof(e->what))
		return -1;
	strcpy(e->what, p + 5);
	return 0;
}

static int parse_pcr(char *line, struct manifest *m)
{
	char *sp = strchr(line, ' '), *end;
	int b = sp ? bank_by_name(line, (size_t)(sp - line)) : -1;
	unsigned long i;
	if (b < 0)
		return -1;
	i = strtoul(sp + 1, &end, 10);
	if (end == sp + 1 || *end != ' ' || i >= TCG_PCR_COUNT ||
	    att_unhex(m->pcr[b][i], eventlog_alg_size(man_alg[b]), end + 1, strlen(end + 1)))
		return -1;
	if (b == 0)
		m->pcr_set |= 1u << i;
	else if (!(m->pcr_set & (1u << i))) /* every bank lists the same PCRs, sha1 first */
		return -1;
	return 0;
}

int man_read(const char *path, struct manifest *m, struct att_report *r)
{
	size_t len;
	char *text = (char *)att_read_file(path, MAN_FILE_MAX, &len), *p, *nl;
	unsigned lineno = 0, stage = 0;

	memset(m, 0, sizeof(*m));
	if (!text)
		return att_fail(r, ATT_INPUT, "cannot read manifest %s: %s", path, strerror(errno));
	if (len && text[len - 1] != '\n')
		goto bad;
	if (memchr(text, 0, len))
		goto bad;
	for (p = text; p < text + len; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = 0;
		lineno++;
		if (stage == 0 && !strcmp(p, "tessera-attest golden 1")) {
			stage = 1;
		} else if (stage == 1 && !strncmp(p, "boot-path ", 10) &&
			   strlen(p + 10) < sizeof(m->boot_path) && p[10]) {
			strcpy(m->boot_path, p + 10);
			stage = 2;
		} else if (stage == 2 && !strncmp(p, "quote sha256 ", 13)) {
			if (man_parse_pcrs(p + 13, &m->quote_pcrs))
				goto bad;
			m->quote_alg = TCG_ALG_SHA256;
			stage = 3;
		} else if (stage == 3 && !m->nevents && !m->external && !strncmp(p, "external ", 9)) {
			if (man_parse_pcrs(p + 9, &m->external) || (m->external & ~m->quote_pcrs))
				goto bad;
		} else if (stage == 3 && !strncmp(p, "event ", 6)) {
			if (m->nevents >= MAN_MAX_EVENTS || parse_event(p + 6, &m->ev[m->nevents]))
				goto bad;
			m->nevents++;
		} else if (stage >= 3 && !strncmp(p, "pcr ", 4)) {
			if (parse_pcr(p + 4, m))
				goto bad;
			stage = 4;
		} else {
			goto bad;
		}
	}
	if (stage != 4)
		goto bad;
	free(text);
	return 0;
bad:
	free(text);
	memset(m, 0, sizeof(*m));
	return att_fail(r, ATT_INPUT, "manifest %s: line %u is not what `tessera-attest golden` writes",
			path, lineno ? lineno : 1);
}
