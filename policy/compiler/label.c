/* Labels: domain names, numeric ranges, PCI addresses, and the rules on duplicates and overlaps. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "compiler.h"

static const char *const label_kinds[] = {
	[TPOL_LABEL_CORE] = "core",
	[TPOL_LABEL_DOMAIN] = "domain",
	[TPOL_LABEL_DOMAIN_DEFAULT] = "domain",
	[TPOL_LABEL_DEVICE] = "device",
	[TPOL_LABEL_IOPORT] = "ioport",
	[TPOL_LABEL_IOMEM] = "iomem",
	[TPOL_LABEL_IRQ] = "irq",
};

/* [a-z0-9_-]{1,15}, as the core's boot configuration accepts. */
bool label_domain_name(const char *s, size_t n)
{
	if (n < 1 || n > TPC_DOMAIN_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static int label_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x-hex. 1: bad syntax, 2: does not fit in 64 bits. */
static int label_number(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, base = 10;
	size_t i = 0;
	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		base = 16;
		i = 2;
	}
	if (i == n)
		return 1;
	for (; i < n; i++) {
		int d = base == 16 ? label_hex_digit(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return 1;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return 2;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* A hex field of 1..maxlen digits. */
static bool label_hex_field(const char *s, size_t n, size_t maxlen, uint64_t *out)
{
	uint64_t v = 0;
	if (n < 1 || n > maxlen)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = label_hex_digit(s[i]);
		if (d < 0)
			return false;
		v = v * 16 + (uint64_t)d;
	}
	*out = v;
	return true;
}

/* [SSSS:]BB:DD.F -> seg << 16 | bus << 8 | dev << 3 | fn. */
static bool label_pci(const char *s, size_t n, uint64_t *out, char *why, size_t whysz)
{
	struct quote q;
	const char *dot = memchr(s, '.', n), *start = s, *field[3];
	size_t len[3], nf = 0;
	uint64_t seg = 0, bus, dev, fn;
	if (!dot)
		goto bad;
	for (const char *p = s; p < dot; p++) {
		if (*p != ':')
			continue;
		if (nf == 2)
			goto bad;
		field[nf] = start;
		len[nf++] = (size_t)(p - start);
		start = p + 1;
	}
	field[nf] = start;
	len[nf++] = (size_t)(dot - start);
	if (nf < 2 || (nf == 3 && !label_hex_field(field[0], len[0], 4, &seg)) ||
	    !label_hex_field(field[nf - 2], len[nf - 2], 2, &bus) ||
	    !label_hex_field(field[nf - 1], len[nf - 1], 2, &dev) ||
	    !label_hex_field(dot + 1, (size_t)(s + n - dot - 1), 1, &fn))
		goto bad;
	/* The binary has 8 bits for the segment (TPOL_DEVICE_MAX); more would be refused by the core. */
	if (seg > TPOL_DEVICE_MAX >> 16) {
		snprintf(why, whysz, "PCI segment in '%s' is above 0x%x", diag_quote(&q, s, n), TPOL_DEVICE_MAX >> 16);
		return false;
	}
	if (dev > 0x1f) {
		snprintf(why, whysz, "PCI device number in '%s' is above 0x1f", diag_quote(&q, s, n));
		return false;
	}
	if (fn > 7) {
		snprintf(why, whysz, "PCI function number in '%s' is above 7", diag_quote(&q, s, n));
		return false;
	}
	*out = seg << 16 | bus << 8 | dev << 3 | fn;
	return true;
bad:
	snprintf(why, whysz, "bad PCI address '%s' (expected [SSSS:]BB:DD.F in hex)", diag_quote(&q, s, n));
	return false;
}

static bool label_value(uint32_t kind, const char *s, size_t n, uint64_t *v, char *why, size_t whysz)
{
	struct quote q;
	int rc;
	if (kind == TPOL_LABEL_DEVICE)
		return label_pci(s, n, v, why, whysz);
	rc = label_number(s, n, v);
	if (rc) {
		snprintf(why, whysz, rc == 1 ? "bad number '%s'" : "number '%s' is too large", diag_quote(&q, s, n));
		return false;
	}
	if (kind == TPOL_LABEL_IOPORT && *v > TPOL_IOPORT_MAX) {
		snprintf(why, whysz, "ioport '%s' is above 0xffff", diag_quote(&q, s, n));
		return false;
	}
	if (kind == TPOL_LABEL_IRQ && *v > TPOL_IRQ_MAX) {
		snprintf(why, whysz, "irq '%s' is above 255", diag_quote(&q, s, n));
		return false;
	}
	return true;
}

/* LO or LO-HI, inclusive; a single iomem address means its whole page. */
bool label_range(uint32_t kind, const char *s, size_t n, uint64_t *lo, uint64_t *hi, char *why, size_t whysz)
{
	struct quote q;
	const char *dash = memchr(s, '-', n);
	size_t lon = dash ? (size_t)(dash - s) : n;
	if (!label_value(kind, s, lon, lo, why, whysz))
		return false;
	*hi = *lo;
	if (dash && !label_value(kind, dash + 1, n - lon - 1, hi, why, whysz))
		return false;
	if (*hi < *lo) {
		snprintf(why, whysz, "range '%s' ends below its start", diag_quote(&q, s, n));
		return false;
	}
	if (kind != TPOL_LABEL_IOMEM)
		return true;
	if (*lo & 0xfff) {
		snprintf(why, whysz, "iomem range '%s' does not start on a page boundary", diag_quote(&q, s, n));
		return false;
	}
	if (!dash)
		*hi = *lo + 0xfff;
	if (*hi == UINT64_MAX) {
		snprintf(why, whysz, "iomem range '%s' reaches the end of the address space", diag_quote(&q, s, n));
		return false;
	}
	if ((*hi & 0xfff) != 0xfff) {
		snprintf(why, whysz, "iomem range '%s' does not end at the end of a page", diag_quote(&q, s, n));
		return false;
	}
	return true;
}

static int label_value_text(uint32_t kind, uint64_t v, char *buf, size_t n)
{
	if (kind == TPOL_LABEL_DEVICE)
		return snprintf(buf, n, "%04x:%02x:%02x.%x", (unsigned)(v >> 16 & 0xffff), (unsigned)(v >> 8 & 0xff),
				(unsigned)(v >> 3 & 0x1f), (unsigned)(v & 7));
	if (kind == TPOL_LABEL_IRQ)
		return snprintf(buf, n, "%" PRIu64, v);
	return snprintf(buf, n, "0x%" PRIx64, v);
}

/* "0x60-0x64", "4", "0000:00:1f.3": what a range label reads back as. */
static void label_range_text(uint32_t kind, uint64_t lo, uint64_t hi, char *buf, size_t n)
{
	int k = label_value_text(kind, lo, buf, n);
	if ((lo != hi || kind == TPOL_LABEL_IOMEM) && k > 0 && (size_t)k + 1 < n) {
		buf[k] = '-';
		label_value_text(kind, hi, buf + k + 1, n - (size_t)k - 1);
	}
}

/* Record a label; duplicates and overlaps name the earlier statement. */
bool label_add(struct model *m, const struct label *l)
{
	for (uint32_t i = 0; i < m->nlabels; i++) {
		const struct label *o = &m->labels[i];
		char a[64], b[64];
		if (o->kind != l->kind)
			continue;
		if (l->kind == TPOL_LABEL_CORE) {
			diag_error(&l->at, "duplicate core label (first at " LOC_FMT ")", LOC_ARGS(o->at));
			return false;
		}
		if (l->kind == TPOL_LABEL_DOMAIN_DEFAULT) {
			diag_error(&l->at, "duplicate default domain label (first at " LOC_FMT ")", LOC_ARGS(o->at));
			return false;
		}
		if (l->kind == TPOL_LABEL_DOMAIN) {
			if (!strcmp(o->name, l->name)) {
				diag_error(&l->at, "duplicate label for domain '%s' (first at " LOC_FMT ")", l->name,
					   LOC_ARGS(o->at));
				return false;
			}
			continue;
		}
		if (l->lo <= o->hi && o->lo <= l->hi) {
			label_range_text(l->kind, l->lo, l->hi, a, sizeof(a));
			label_range_text(o->kind, o->lo, o->hi, b, sizeof(b));
			diag_error(&l->at, "%s %s overlaps %s at " LOC_FMT, label_kinds[l->kind], a, b,
				   LOC_ARGS(o->at));
			return false;
		}
	}
	if (m->nlabels >= TPOL_LABELS_MAX) {
		diag_error(&l->at, "too many labels (the limit is %u)", TPOL_LABELS_MAX);
		m->fatal = true;
		return false;
	}
	m->labels = mem_grow(m->labels, &m->labels_cap, m->nlabels + 1, sizeof(*m->labels));
	m->labels[m->nlabels++] = *l;
	return true;
}

/* A binary label as a statement that compiles back to it. */
int label_format(const struct tpol_label *l, const char *name, const char *type, char *buf, size_t n)
{
	char r[64];
	switch (l->kind) {
	case TPOL_LABEL_CORE:
		return snprintf(buf, n, "label core %s;", type);
	case TPOL_LABEL_DOMAIN:
		return snprintf(buf, n, "label domain %s %s;", name, type);
	case TPOL_LABEL_DOMAIN_DEFAULT:
		return snprintf(buf, n, "label domain * %s;", type);
	case TPOL_LABEL_DEVICE:
	case TPOL_LABEL_IOPORT:
	case TPOL_LABEL_IOMEM:
	case TPOL_LABEL_IRQ:
		label_range_text(l->kind, l->lo, l->hi, r, sizeof(r));
		return snprintf(buf, n, "label %s %s %s;", label_kinds[l->kind], r, type);
	default:
		return -1;
	}
}
