/*
 * golden's DRTM part (--tboot ...): the PCRs 17-19 a TXT launch by tboot must leave,
 * computed by attest/drtm.c from tboot's image, the core and the modules, and put in
 * the manifest as external PCRs (the core's log has no events for them), quoted with
 * the rest. SINIT's own measurements are platform-specific: --sinit gives them.
 */
#include "drtm.h"
#include "tool.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SINIT_MAX 16

struct golden_drtm {
	const char *tboot, *tboot_cmdline, *core, *core_cmdline;
	uint16_t tboot_alg; /* 0: every bank (extpol=agile) */
	struct { uint32_t pcr; uint16_t alg; uint8_t d[DRTM_DIGEST_MAX]; } sinit[SINIT_MAX];
	size_t nsinit;
};

static struct golden_drtm g = { .tboot_alg = DRTM_ALG_SHA256 };

static uint16_t alg_of(const char *s)
{
	return !strcmp(s, "sha1") ? DRTM_ALG_SHA1 : !strcmp(s, "sha256") ? DRTM_ALG_SHA256 :
	       !strcmp(s, "sha384") ? DRTM_ALG_SHA384 : !strcmp(s, "sha512") ? DRTM_ALG_SHA512 : 0;
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* One of golden's DRTM options at argv[*i]: 1 taken, 0 not ours, -1 bad. */
int golden_drtm_option(int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--tboot") && *i + 1 < argc) {
		g.tboot = argv[++*i];
	} else if (!strcmp(a, "--tboot-cmdline") && *i + 1 < argc) {
		g.tboot_cmdline = argv[++*i];
	} else if (!strcmp(a, "--tboot-core") && *i + 2 < argc) {
		g.core = argv[++*i];
		g.core_cmdline = argv[++*i];
	} else if (!strcmp(a, "--tboot-alg") && *i + 1 < argc) {
		const char *v = argv[++*i];
		g.tboot_alg = strcmp(v, "all") ? alg_of(v) : 0;
		if (strcmp(v, "all") && !g.tboot_alg)
			return -1;
	} else if (!strcmp(a, "--sinit") && *i + 1 < argc && g.nsinit < SINIT_MAX) {
		char alg[8], hex[2 * DRTM_DIGEST_MAX + 1];
		unsigned pcr;
		if (sscanf(argv[++*i], "%u:%7[a-z0-9]:%128s", &pcr, alg, hex) != 3 || (pcr != 17 && pcr != 18))
			return -1;
		g.sinit[g.nsinit].pcr = pcr;
		g.sinit[g.nsinit].alg = alg_of(alg);
		if (!g.sinit[g.nsinit].alg ||
		    unhex(hex, g.sinit[g.nsinit].d, drtm_digest_size(g.sinit[g.nsinit].alg)))
			return -1;
		g.nsinit++;
	} else {
		return 0;
	}
	return 1;
}

/* With --tboot: PCRs 17-19 of every bank into m, external and quoted. 0, or -1 (said why). */
int golden_drtm_apply(struct manifest *m, const char *const *files, const char *const *cmdlines,
		      unsigned n)
{
	static struct drtm_module mods[DRTM_MODULES_MAX];
	static const uint16_t algs[] = { DRTM_ALG_SHA1, DRTM_ALG_SHA256, DRTM_ALG_SHA384, DRTM_ALG_SHA512 };
	struct drtm_event ev[SINIT_MAX];
	struct drtm_launch l = { 0 };
	uint8_t out[3][DRTM_DIGEST_MAX];
	uint8_t *tboot = NULL, *bufs[DRTM_MODULES_MAX] = { 0 };
	char why[200];
	int rc = -1;
	if (!g.tboot)
		return g.core || g.nsinit ? fprintf(stderr, "golden: --tboot-core and --sinit need --tboot\n"), -1 : 0;
	if (strcmp(m->boot_path, "tboot") || !g.core || n + 1 > DRTM_MODULES_MAX) {
		fprintf(stderr, "golden: --tboot needs --boot-path tboot and --tboot-core FILE CMDLINE\n");
		return -1;
	}
	tboot = att_read_file(g.tboot, 64u << 20, &l.tboot_size);
	bufs[0] = att_read_file(g.core, 64u << 20, &mods[0].size);
	for (unsigned k = 0; k < n; k++)
		bufs[k + 1] = att_read_file(files[k], 1u << 30, &mods[k + 1].size);
	for (unsigned k = 0; k <= n; k++)
		if (!bufs[k]) {
			fprintf(stderr, "golden: cannot read a module for the DRTM profile\n");
			goto out;
		}
	if (!tboot) {
		fprintf(stderr, "golden: cannot read %s\n", g.tboot);
		goto out;
	}
	mods[0].image = bufs[0];
	mods[0].cmdline = g.core_cmdline;
	for (unsigned k = 0; k < n; k++) {
		mods[k + 1].image = bufs[k + 1];
		mods[k + 1].cmdline = cmdlines[k];
	}
	l.tboot = tboot;
	l.tboot_cmdline = g.tboot_cmdline ? g.tboot_cmdline : "";
	l.modules = mods;
	l.nmodules = n + 1;
	l.tboot_alg = g.tboot_alg;
	for (unsigned b = 0; b < 4; b++) {
		int mb = man_bank(algs[b]);
		l.nsinit = 0;
		for (size_t k = 0; k < g.nsinit; k++)
			if (g.sinit[k].alg == algs[b]) {
				ev[l.nsinit].pcr = g.sinit[k].pcr;
				memcpy(ev[l.nsinit++].digest, g.sinit[k].d, DRTM_DIGEST_MAX);
			}
		l.sinit = ev;
		if (mb < 0 || drtm_expected(&l, algs[b], out, why, sizeof(why))) {
			fprintf(stderr, "golden: DRTM profile: %s\n", mb < 0 ? "unknown bank" : why);
			goto out;
		}
		for (unsigned p = 0; p < 3; p++)
			memcpy(m->pcr[mb][17 + p], out[p], drtm_digest_size(algs[b]));
	}
	m->pcr_set |= 7u << 17;
	m->quote_pcrs |= 7u << 17;
	m->external |= 7u << 17;
	rc = 0;
out:
	free(tboot);
	for (unsigned k = 0; k <= n && k < DRTM_MODULES_MAX; k++)
		free(bufs[k]);
	return rc;
}
