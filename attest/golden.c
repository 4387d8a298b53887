/*
 * tessera-attest golden: the events the core will log for a set of built artifacts,
 * computed from tessera/measure.h (order, PCRs, event data) with mbedTLS, and the
 * final PCR values they lead to in every bank. Same inputs, same bytes.
 */
#include "grubpcr.h"
#include "tool.h"
#include "eventlog.h"
#include <errno.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/measure.h>

#define GOLDEN_MAX_MODULES 72    /* BOOT_MAX_MODULES in the core */
#define GOLDEN_CMDLINE_MAX 255   /* BOOT_CMDLINE_MAX without the NUL */
#define GOLDEN_FILE_MAX (1u << 30)

struct module {
	const char *file, *cmdline;
	bool policy;
	char label[64];
};

static int digest_all(const void *p, size_t n, uint8_t out[MAN_BANKS][64])
{
	memset(out, 0, MAN_BANKS * 64);
	return mbedtls_sha1_ret(p, n, out[0]) || mbedtls_sha256_ret(p, n, out[1], 0) ||
	       mbedtls_sha512_ret(p, n, out[2], 1) || mbedtls_sha512_ret(p, n, out[3], 0);
}

/* Printable text for "what=": control bytes become '?'. */
static void printable(char *out, size_t n, const char *in)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = 0;
}

/*
 * The core's rule (core/config.c): a module is the policy if a word of its command
 * line (after an optional file name) is kind=policy, and then it has no other option.
 * Its label for messages: its domain=NAME word, or the policy's.
 */
static int classify(struct module *m, unsigned index, struct att_report *r)
{
	char copy[GOLDEN_CMDLINE_MAX + 1], *save = NULL;
	unsigned words = 0;
	bool first = true, kind = false;

	if (strlen(m->cmdline) > GOLDEN_CMDLINE_MAX)
		return att_fail(r, ATT_USAGE, "module %u: command line over %u bytes", index,
				GOLDEN_CMDLINE_MAX);
	strcpy(copy, m->cmdline);
	snprintf(m->label, sizeof(m->label), "no domain name");
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save), first = false) {
		if (first && !strchr(w, '='))
			continue;
		words++;
		if (!strcmp(w, "kind=policy"))
			kind = true;
		else if (!strncmp(w, "kind=", 5))
			return att_fail(r, ATT_USAGE, "module %u: kind must be policy", index);
		if (!strncmp(w, "domain=", 7)) {
			char name[48];
			printable(name, sizeof(name), w);
			snprintf(m->label, sizeof(m->label), "%s", name);
		}
	}
	if (kind && words != 1)
		return att_fail(r, ATT_USAGE, "module %u: a policy module takes no other options", index);
	m->policy = kind;
	if (kind)
		snprintf(m->label, sizeof(m->label), "kind=policy");
	return 0;
}

static struct man_event *add(struct manifest *m, uint32_t pcr, uint32_t type, const char *data)
{
	struct man_event *e = &m->ev[m->nevents++];
	memset(e, 0, sizeof(*e));
	e->pcr = pcr;
	e->type = type;
	snprintf(e->data, sizeof(e->data), "%s", data);
	return e;
}

static int add_file(struct manifest *m, uint32_t pcr, const char *data, const char *file,
		    struct att_report *r)
{
	size_t len;
	uint8_t *buf = att_read_file(file, GOLDEN_FILE_MAX, &len);
	if (!buf)
		return att_fail(r, ATT_INPUT, "cannot read %s: %s", file, strerror(errno));
	struct man_event *e = add(m, pcr, TCG_EV_IPL, data);
	int rc = digest_all(buf, len, e->digest);
	free(buf);
	return rc ? att_fail(r, ATT_INPUT, "hashing %s failed", file) : 0;
}

/* The final values: every PCR starts at zero and is extended by its events in order. */
static int replay(struct manifest *m)
{
	memset(m->pcr, 0, sizeof(m->pcr));
	m->pcr_set = m->quote_pcrs;
	for (unsigned i = 0; i < m->nevents; i++) {
		const struct man_event *e = &m->ev[i];
		m->pcr_set |= 1u << e->pcr;
		for (int b = 0; b < MAN_BANKS; b++) {
			uint8_t in[128], *pcr = m->pcr[b][e->pcr];
			size_t n = eventlog_alg_size(man_alg[b]);
			memcpy(in, pcr, n);
			memcpy(in + n, e->digest[b], n);
			int bad = b == 0 ? mbedtls_sha1_ret(in, 2 * n, pcr) :
				  b == 1 ? mbedtls_sha256_ret(in, 2 * n, pcr, 0) :
					   mbedtls_sha512_ret(in, 2 * n, pcr, b == 2);
			if (bad)
				return -1;
		}
	}
	return 0;
}

static int build(struct manifest *m, const char *boot_path, const char *core_cmdline,
		 struct module *mods, unsigned nmods, struct att_report *r)
{
	static const uint8_t separator[TCG_SEPARATOR_SIZE];
	static const uint32_t separator_pcrs[] = { TESSERA_PCR_CONFIG, TESSERA_PCR_POLICY,
						   TESSERA_PCR_IMAGES };
	char data[MAN_DATA_MAX];
	struct man_event *e;
	int policy = -1;

	for (unsigned i = 0; i < nmods; i++) {
		if (classify(&mods[i], i, r))
			return r->code;
		if (mods[i].policy && policy >= 0)
			return att_fail(r, ATT_USAGE, "modules %d and %u are both kind=policy (the core "
					"starts no domain then)", policy, i);
		if (mods[i].policy)
			policy = (int)i;
	}
	/* 1. the boot path, as EV_ACTION: the digest is that of the event data itself */
	snprintf(data, sizeof(data), TESSERA_EV_BOOT_PATH "%s", boot_path);
	e = add(m, TESSERA_PCR_CONFIG, TCG_EV_ACTION, data);
	snprintf(e->what, sizeof(e->what), "boot path (%s)", boot_path);
	digest_all(data, strlen(data), e->digest);
	/* 2, 3. command lines, without their NUL */
	e = add(m, TESSERA_PCR_CONFIG, TCG_EV_IPL, TESSERA_EV_CMDLINE_CORE);
	snprintf(e->what, sizeof(e->what), "core command line");
	digest_all(core_cmdline, strlen(core_cmdline), e->digest);
	for (unsigned i = 0; i < nmods; i++) {
		snprintf(data, sizeof(data), TESSERA_EV_CMDLINE_MODULE "%u", i);
		e = add(m, TESSERA_PCR_CONFIG, TCG_EV_IPL, data);
		snprintf(e->what, sizeof(e->what), "command line of module %u (%s)", i, mods[i].label);
		digest_all(mods[i].cmdline, strlen(mods[i].cmdline), e->digest);
	}
	/* 4. the policy, 5. every other module's image */
	if (policy >= 0) {
		if (add_file(m, TESSERA_PCR_POLICY, TESSERA_EV_POLICY, mods[policy].file, r))
			return r->code;
		snprintf(m->ev[m->nevents - 1].what, MAN_WHAT_MAX, "policy (module %d)", policy);
	}
	for (unsigned i = 0; i < nmods; i++) {
		if (mods[i].policy)
			continue;
		snprintf(data, sizeof(data), TESSERA_EV_IMAGE_MODULE "%u", i);
		if (add_file(m, TESSERA_PCR_IMAGES, data, mods[i].file, r))
			return r->code;
		snprintf(m->ev[m->nevents - 1].what, MAN_WHAT_MAX, "domain image of module %u (%s)", i,
			 mods[i].label);
	}
	/* 6. the separators, even for a phase that measured nothing */
	for (size_t i = 0; i < sizeof(separator_pcrs) / sizeof(separator_pcrs[0]); i++) {
		e = add(m, separator_pcrs[i], TCG_EV_SEPARATOR, "");
		snprintf(e->what, sizeof(e->what), "separator of PCR %u", separator_pcrs[i]);
		digest_all(separator, sizeof(separator), e->digest);
	}
	return replay(m) ? att_fail(r, ATT_INPUT, "hashing failed") : 0;
}

/* GRUB EFI's PCR 8 and 9 from the ISO's tree (attest/grubpcr.h), quoted with the rest. */
static int add_grub(struct manifest *m, const char *root, int entry, const char *boot_path)
{
	static struct grubpcr g;
	char err[GRUBPCR_ERROR_MAX];
	if (strcmp(boot_path, "multiboot2-efi")) {
		fprintf(stderr, "golden: --grub-efi needs --boot-path multiboot2-efi\n");
		return -1;
	}
	if (grubpcr_compute_tree(root, entry, &g, err)) {
		fprintf(stderr, "golden: GRUB's PCR 8 and 9: %s\n", err);
		grubpcr_free(&g);
		return -1;
	}
	for (unsigned k = 0; k < 2; k++) {
		unsigned pcr = k ? GRUBPCR_PCR_FILES : GRUBPCR_PCR_STRINGS;
		for (unsigned b = 0; b < GRUBPCR_BANKS; b++) {
			int mb = man_bank(grubpcr_bank_alg(b));
			if (mb >= 0)
				memcpy(m->pcr[mb][pcr], g.pcr[k][b], grubpcr_bank_size(b));
		}
		m->pcr_set |= 1u << pcr;
		m->quote_pcrs |= 1u << pcr;
		m->external |= 1u << pcr;
	}
	grubpcr_free(&g);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: tessera-attest golden --core-cmdline TEXT\n"
			"         [--boot-path multiboot1|multiboot2|multiboot2-efi|tboot] [--module FILE CMDLINE]...\n"
			"         [--quote-pcrs 11,12,13[,N...]] [--grub-efi ISO-TREE [--grub-entry N]]\n"
			"         [--tboot TBOOT-ELF [--tboot-cmdline TEXT] --tboot-core FILE CMDLINE\n"
			"          [--tboot-alg sha1|sha256|sha384|sha512|all] [--sinit PCR:ALG:HEX]...] [-o FILE]\n");
	return ATT_USAGE;
}

int cmd_golden(int argc, char **argv)
{
	static struct manifest m;
	static struct module mods[GOLDEN_MAX_MODULES];
	static struct att_report r;
	const char *core = NULL, *boot_path = "multiboot2", *out = NULL, *pcrs = "11,12,13";
	const uint32_t need = 1u << TESSERA_PCR_POLICY | 1u << TESSERA_PCR_CONFIG |
			      1u << TESSERA_PCR_IMAGES;
	unsigned nmods = 0;
	int rc;
	const char *grub_root = NULL;
	int grub_entry = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--module") && i + 2 < argc) {
			if (nmods == GOLDEN_MAX_MODULES) {
				fprintf(stderr, "golden: more than %u modules\n", GOLDEN_MAX_MODULES);
				return ATT_USAGE;
			}
			mods[nmods].file = argv[++i];
			mods[nmods++].cmdline = argv[++i];
		} else if (!strcmp(a, "--core-cmdline") && i + 1 < argc) {
			core = argv[++i];
		} else if (!strcmp(a, "--boot-path") && i + 1 < argc) {
			boot_path = argv[++i];
		} else if (!strcmp(a, "--quote-pcrs") && i + 1 < argc) {
			pcrs = argv[++i];
		} else if (!strcmp(a, "--grub-efi") && i + 1 < argc) {
			grub_root = argv[++i];
		} else if (!strcmp(a, "--grub-entry") && i + 1 < argc) {
			grub_entry = atoi(argv[++i]);
		} else if ((rc = golden_drtm_option(argc, argv, &i)) != 0) {
			if (rc < 0)
				return usage();
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else {
			return usage();
		}
	}
	if (!core || strlen(core) > GOLDEN_CMDLINE_MAX)
		return usage();
	if (strcmp(boot_path, "multiboot1") && strcmp(boot_path, "multiboot2") &&
	    strcmp(boot_path, "multiboot2-efi") && strcmp(boot_path, "tboot")) {
		fprintf(stderr, "golden: boot path must be multiboot1, multiboot2, multiboot2-efi or tboot\n");
		return ATT_USAGE;
	}
	memset(&m, 0, sizeof(m));
	snprintf(m.boot_path, sizeof(m.boot_path), "%s", boot_path);
	m.quote_alg = TCG_ALG_SHA256;
	if (man_parse_pcrs(pcrs, &m.quote_pcrs) || (m.quote_pcrs & need) != need) {
		fprintf(stderr, "golden: --quote-pcrs must list distinct PCRs 0-23, 11, 12 and 13 among them\n");
		return ATT_USAGE;
	}
	if (build(&m, boot_path, core, mods, nmods, &r)) {
		fprintf(stderr, "golden: %s\n", r.reason);
		return r.code;
	}
	if (grub_root && add_grub(&m, grub_root, grub_entry, boot_path))
		return ATT_INPUT;
	{
		const char *files[GOLDEN_MAX_MODULES], *lines[GOLDEN_MAX_MODULES];
		for (unsigned k = 0; k < nmods; k++)
			files[k] = mods[k].file, lines[k] = mods[k].cmdline;
		if (golden_drtm_apply(&m, files, lines, nmods))
			return ATT_INPUT;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f || man_write(&m, f) || fclose(f)) {
		fprintf(stderr, "golden: out of memory\n");
		return ATT_INPUT;
	}
	rc = out ? att_write_file(out, text, len) : (fwrite(text, 1, len, stdout) == len ? 0 : -1);
	free(text);
	if (rc) {
		fprintf(stderr, "golden: cannot write %s: %s\n", out ? out : "stdout", strerror(errno));
		return ATT_INPUT;
	}
	return 0;
}
