/*
 * grubpcr-tool: what GRUB EFI measures when it boots an ISO tree (attest/grubpcr.h),
 * for tests/attest/grub.sh.
 *
 *   grubpcr-tool [--cfg FILE] [--entry N] ROOT
 *
 * ROOT is the ISO's tree (boot/grub/grub.cfg and the files it names); --cfg reads
 * grub.cfg from FILE instead. Prints "entry N of M", one line per event
 * ("event I pcr P KIND sha256 HEX TEXT", newlines in TEXT as \n), then "pcr P BANK HEX"
 * for PCRs 8 and 9 in every bank. Exit 0, or 1 with the error (and its code) on stderr.
 */
#include "grubpcr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = { "command", "kernel_cmdline", "module_cmdline", "file" };

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

int main(int argc, char **argv)
{
	const char *cfgfile = NULL, *root = NULL;
	char err[GRUBPCR_ERROR_MAX], *cfg = NULL;
	struct grubpcr g;
	int entry = -1, r, i;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cfg") && i + 1 < argc)
			cfgfile = argv[++i];
		else if (!strcmp(argv[i], "--entry") && i + 1 < argc)
			entry = atoi(argv[++i]);
		else if (!root && argv[i][0] != '-')
			root = argv[i];
		else
			root = NULL, i = argc;
	}
	if (!root) {
		fprintf(stderr, "usage: grubpcr-tool [--cfg FILE] [--entry N] ROOT\n");
		return 2;
	}
	if (cfgfile) {
		FILE *f = fopen(cfgfile, "rb");
		size_t n = 0;
		cfg = malloc(GRUBPCR_MAX_CFG + 1);
		if (!f || !cfg) {
			fprintf(stderr, "grubpcr-tool: cannot read %s\n", cfgfile);
			return 1;
		}
		n = fread(cfg, 1, GRUBPCR_MAX_CFG + 1, f);
		fclose(f);
		r = grubpcr_compute(cfg, n, root, entry, &g, err);
	} else {
		r = grubpcr_compute_tree(root, entry, &g, err);
	}
	free(cfg);
	if (r) {
		fprintf(stderr, "%s (%d)\n", err, r);
		grubpcr_free(&g);
		return 1;
	}
	printf("entry %u of %u%s\n", g.entry, g.entries, g.measured ? "" : " (tpm never loaded)");
	for (size_t e = 0; e < g.n; e++) {
		printf("event %zu pcr %u %s sha256 ", e + 1, g.ev[e].pcr, kinds[g.ev[e].kind]);
		hex(g.ev[e].digest[1], grubpcr_bank_size(1));
		putchar(' ');
		for (const char *c = g.ev[e].text; *c; c++)
			fputs(*c == '\n' ? "\\n" : *c == '\t' ? "\\t" : (char[]){ *c, 0 }, stdout);
		putchar('\n');
	}
	for (unsigned p = 0; p < 2; p++)
		for (unsigned b = 0; b < GRUBPCR_BANKS; b++) {
			printf("pcr %u %s ", p ? GRUBPCR_PCR_FILES : GRUBPCR_PCR_STRINGS, grubpcr_bank_name(b));
			hex(g.pcr[p][b], grubpcr_bank_size(b));
			putchar('\n');
		}
	grubpcr_free(&g);
	return 0;
}
