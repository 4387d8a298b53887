/*
 * A DRTM launch replayed into swtpm, and attest/drtm.c checked against it
 * (tests/attest/drtm.sh drives it). The launch side does not use drtm.c's hashing:
 * SINIT's events come from the caller (the H-CRTM digest, lcp2_mlehash's MLE hash), and
 * tboot's measurements are hashed by the TPM itself (TPM2_Hash, hash sequences), then
 * extended at tboot's locality 2, as tboot's "agile" extend policy does.
 *
 *   drtm-replay launch TCTI SPEC...    SINIT's events at locality 3, tboot's at 2
 *   drtm-replay check TCTI SPEC...     read PCRs 17-19 (sha1, sha256), drtm_check each
 *   drtm-replay extend TCTI LOC PCR ALG HEX   one PCR_Extend; prints the TPM's code
 *   drtm-replay mlehash ALG ELF CMDLINE | policy legacy|da   digests, in hex
 * SPEC: --tboot ELF --tboot-cmdline S --map legacy|da --tboot-alg sha1|sha256|all
 *       --sinit PCR:ALG:HEX (repeatable) --module FILE CMDLINE (repeatable, core first)
 */
#include "../../attest/drtm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define SINIT_MAX 16
#define BANKS 2
static const uint16_t banks[BANKS] = { DRTM_ALG_SHA1, DRTM_ALG_SHA256 };

struct spec {
	struct drtm_launch l;
	struct drtm_module mod[DRTM_MODULES_MAX];
	struct sinit_ev { uint32_t pcr; uint16_t alg; uint8_t d[DRTM_DIGEST_MAX]; } sinit[SINIT_MAX];
	size_t nsinit;
	uint8_t *tboot;
};

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "drtm-replay: %s\n", what);
	exit(2);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long len;
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(p = malloc((size_t)len + 1)) || fread(p, 1, (size_t)len, f) != (size_t)len)
		die(path);
	fclose(f);
	*n = (size_t)len;
	return p;
}

static uint16_t alg_of(const char *s)
{
	if (!strcmp(s, "sha1"))
		return DRTM_ALG_SHA1;
	if (!strcmp(s, "sha256"))
		return DRTM_ALG_SHA256;
	if (!strcmp(s, "all"))
		return 0;
	die("algorithm: sha1, sha256 or all");
}

static void unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		die("digest of the wrong length");
	for (size_t i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			die("digest is not hex");
}

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void parse(struct spec *s, int argc, char **argv)
{
	memset(s, 0, sizeof(*s));
	s->l.tboot_alg = DRTM_ALG_SHA256;
	s->l.modules = s->mod;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			die("option without a value");
		if (!strcmp(a, "--tboot"))
			s->tboot = slurp(v, &s->l.tboot_size), s->l.tboot = s->tboot;
		else if (!strcmp(a, "--tboot-cmdline"))
			s->l.tboot_cmdline = v;
		else if (!strcmp(a, "--map"))
			s->l.map = !strcmp(v, "da") ? DRTM_MAP_DA : DRTM_MAP_LEGACY;
		else if (!strcmp(a, "--tboot-alg"))
			s->l.tboot_alg = alg_of(v);
		else if (!strcmp(a, "--sinit") && s->nsinit < SINIT_MAX) {
			struct sinit_ev *e = &s->sinit[s->nsinit++];
			char alg[8], dig[2 * DRTM_DIGEST_MAX + 1];
			if (sscanf(v, "%u:%7[a-z0-9]:%128s", &e->pcr, alg, dig) != 3)
				die("--sinit PCR:ALG:HEX");
			e->alg = alg_of(alg);
			unhex(dig, e->d, drtm_digest_size(e->alg));
		} else if (!strcmp(a, "--module") && i + 2 < argc && s->l.nmodules < DRTM_MODULES_MAX) {
			struct drtm_module *m = &s->mod[s->l.nmodules++];
			m->image = slurp(v, &m->size);
			m->cmdline = argv[++i + 1];
		} else {
			die(a);
		}
		i++;
	}
}

/* The SINIT events of one bank, in order, as drtm_launch wants them. */
static void sinit_of(const struct spec *s, uint16_t alg, struct drtm_event *ev, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < s->nsinit; i++)
		if (s->sinit[i].alg == alg) {
			ev[*n].pcr = s->sinit[i].pcr;
			memcpy(ev[(*n)++].digest, s->sinit[i].d, DRTM_DIGEST_MAX);
		}
}

static ESYS_CONTEXT *esys;
static TSS2_TCTI_CONTEXT *tcti;

static void tpm_open(const char *conf, uint8_t locality)
{
	if (Tss2_TctiLdr_Initialize(conf, &tcti) || Tss2_Tcti_SetLocality(tcti, locality) ||
	    Esys_Initialize(&esys, tcti, NULL))
		die("cannot reach the TPM");
}

static void locality(uint8_t loc)
{
	if (Tss2_Tcti_SetLocality(tcti, loc))
		die("cannot set the locality");
}

static TSS2_RC extend(uint32_t pcr, uint16_t alg, const uint8_t *d)
{
	TPML_DIGEST_VALUES v = { .count = 1 };
	v.digests[0].hashAlg = alg;
	memcpy(&v.digests[0].digest, d, drtm_digest_size(alg));
	return Esys_PCR_Extend(esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v);
}

/* The TPM hashes p[0..n) with alg into out. */
static void tpm_hash(uint16_t alg, const uint8_t *p, size_t n, uint8_t *out)
{
	TPM2B_AUTH none = { 0 };
	TPM2B_MAX_BUFFER b;
	TPM2B_DIGEST *res = NULL;
	TPMT_TK_HASHCHECK *tk = NULL;
	ESYS_TR seq;
	if (Esys_HashSequenceStart(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &none, alg, &seq))
		die("HashSequenceStart");
	do {
		b.size = (UINT16)(n < sizeof(b.buffer) ? n : sizeof(b.buffer));
		memcpy(b.buffer, p, b.size);
		p += b.size, n -= b.size;
		if (n && Esys_SequenceUpdate(esys, seq, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &b))
			die("SequenceUpdate");
	} while (n);
	if (Esys_SequenceComplete(esys, seq, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &b,
				  ESYS_TR_RH_NULL, &res, &tk) || res->size != drtm_digest_size(alg))
		die("SequenceComplete");
	memcpy(out, res->buffer, res->size);
	Esys_Free(res);
	Esys_Free(tk);
}

/* H(a || b) by the TPM: tboot's module measurement and its policy measurement. */
static void tpm_hash2(uint16_t alg, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
		      uint8_t *out)
{
	uint8_t buf[2 * DRTM_DIGEST_MAX + 4];
	memcpy(buf, a, an);
	memcpy(buf + an, b, bn);
	tpm_hash(alg, buf, an + bn, out);
}

static void launch(const struct spec *s)
{
	uint8_t d[DRTM_DIGEST_MAX], c[DRTM_DIGEST_MAX], policy[DRTM_POLICY_SIZE];
	bool da = s->l.map == DRTM_MAP_DA;
	locality(3); /* SINIT */
	for (size_t i = 0; i < s->nsinit; i++)
		if (extend(s->sinit[i].pcr, s->sinit[i].alg, s->sinit[i].d))
			die("SINIT's PCR_Extend at locality 3");
	locality(2); /* tboot */
	drtm_default_policy(s->l.map, policy);
	for (int b = 0; b < BANKS; b++) {
		uint16_t alg = banks[b], inner = s->l.tboot_alg ? s->l.tboot_alg : DRTM_ALG_SHA256;
		size_t n = drtm_digest_size(alg);
		if (s->l.tboot_alg && s->l.tboot_alg != alg)
			continue;
		tpm_hash(inner, policy, sizeof(policy), c);
		tpm_hash2(alg, policy + 3, 4, c, drtm_digest_size(inner), d);
		if (extend(17, alg, d) || (da && extend(18, alg, d)))
			die("tboot's policy PCR_Extend at locality 2");
		for (size_t i = 0; i < s->l.nmodules; i++) {
			const struct drtm_module *m = &s->mod[i];
			tpm_hash(alg, (const uint8_t *)m->cmdline, strlen(m->cmdline), c);
			tpm_hash(alg, m->image, m->size, d);
			tpm_hash2(alg, c, n, d, n, d);
			if (extend(da ? 17 : i ? 19 : 18, alg, d))
				die("tboot's module PCR_Extend at locality 2");
		}
	}
}

static int check(struct spec *s)
{
	TPML_PCR_SELECTION sel = { .count = BANKS };
	TPML_PCR_SELECTION *got = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	int bad = 0;
	for (int b = 0; b < BANKS; b++) {
		sel.pcrSelections[b].hash = banks[b];
		sel.pcrSelections[b].sizeofSelect = 3;
		sel.pcrSelections[b].pcrSelect[2] = 0x0e; /* 17, 18, 19 */
	}
	if (Esys_PCR_Read(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter, &got, &vals) ||
	    vals->count != 3 * BANKS)
		die("PCR_Read of PCRs 17-19");
	for (int b = 0; b < BANKS; b++) {
		uint8_t q[3][DRTM_DIGEST_MAX] = { { 0 } };
		struct drtm_event ev[SINIT_MAX];
		char why[256];
		for (int i = 0; i < 3; i++)
			memcpy(q[i], vals->digests[3 * b + i].buffer, vals->digests[3 * b + i].size);
		sinit_of(s, banks[b], ev, &s->l.nsinit);
		s->l.sinit = ev;
		if (drtm_check(&s->l, banks[b], (const uint8_t(*)[DRTM_DIGEST_MAX])q, why, sizeof(why))) {
			printf("%s differs: %s\n", banks[b] == DRTM_ALG_SHA1 ? "sha1" : "sha256", why);
			bad = 1;
		} else {
			printf("%s matches\n", banks[b] == DRTM_ALG_SHA1 ? "sha1" : "sha256");
		}
	}
	Esys_Free(got);
	Esys_Free(vals);
	return bad;
}

int main(int argc, char **argv)
{
	static struct spec s;
	uint8_t d[DRTM_DIGEST_MAX];
	char why[256];
	int rc = 0;
	if (argc == 5 && !strcmp(argv[1], "mlehash")) {
		size_t n;
		uint8_t *elf = slurp(argv[3], &n);
		uint16_t alg = alg_of(argv[2]);
		if (drtm_mle_hash(elf, n, argv[4], alg, d, why, sizeof(why)))
			die(why);
		hex(d, drtm_digest_size(alg));
		free(elf);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "policy")) {
		uint8_t p[DRTM_POLICY_SIZE];
		drtm_default_policy(!strcmp(argv[2], "da") ? DRTM_MAP_DA : DRTM_MAP_LEGACY, p);
		hex(p, sizeof(p));
		return 0;
	}
	if (argc == 7 && !strcmp(argv[1], "extend")) {
		uint16_t alg = alg_of(argv[5]);
		tpm_open(argv[2], (uint8_t)atoi(argv[3]));
		unhex(argv[6], d, drtm_digest_size(alg));
		printf("0x%x\n", extend((uint32_t)atoi(argv[4]), alg, d));
	} else if (argc >= 3 && (!strcmp(argv[1], "launch") || !strcmp(argv[1], "check"))) {
		parse(&s, argc - 3, argv + 3);
		tpm_open(argv[2], 0);
		if (!strcmp(argv[1], "launch"))
			launch(&s);
		else
			rc = check(&s);
	} else {
		die("usage: see tests/attest/drtm_replay.c");
	}
	Esys_Finalize(&esys);
	Tss2_TctiLdr_Finalize(&tcti);
	free(s.tboot);
	for (size_t i = 0; i < s.l.nmodules; i++)
		free((void *)s.mod[i].image);
	return rc;
}
