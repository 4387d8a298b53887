/*
 * The DRTM profile (drtm.h has the facts and their sources): tboot's measurements
 * recomputed from the artifacts, SINIT's taken as given, replayed into PCRs 17-19.
 * The tboot image is hostile input: every offset in its ELF and MLE headers is checked
 * before use, and the image it expands to is bounded.
 */
#include "drtm.h"
#include <mbedtls/md.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MLE_IMAGE_MAX (256u << 20) /* tboot 1.10.5 expands to 37 MiB */
#define MLE_HDR_SIZE 52
/* MLE_HDR_UUID {9082ac5a-476f-74a7-5c0f-55a2cb51b642}, as tboot stores it (include/mle.h). */
static const uint8_t mle_uuid[16] = { 0x5a, 0xac, 0x82, 0x90, 0x6f, 0x47, 0xa7, 0x74,
				      0x0f, 0x5c, 0x55, 0xa2, 0xcb, 0x51, 0xb6, 0x42 };

__attribute__((format(printf, 3, 4))) static int fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const mbedtls_md_info_t *md_of(uint16_t alg)
{
	switch (alg) {
	case DRTM_ALG_SHA1: return mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
	case DRTM_ALG_SHA256: return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	case DRTM_ALG_SHA384: return mbedtls_md_info_from_type(MBEDTLS_MD_SHA384);
	case DRTM_ALG_SHA512: return mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
	default: return NULL;
	}
}

size_t drtm_digest_size(uint16_t alg)
{
	const mbedtls_md_info_t *md = md_of(alg);
	return md ? mbedtls_md_get_size(md) : 0;
}

static int hash(uint16_t alg, const void *p, size_t n, uint8_t *out)
{
	const mbedtls_md_info_t *md = md_of(alg);
	return md && !mbedtls_md(md, p, n, out) ? 0 : -1;
}

/* a := H(a || b): a PCR extend, and tboot's extend_hash. */
static int extend(uint16_t alg, uint8_t *a, const uint8_t *b)
{
	uint8_t buf[2 * DRTM_DIGEST_MAX];
	size_t n = drtm_digest_size(alg);
	memcpy(buf, a, n);
	memcpy(buf + n, b, n);
	return hash(alg, buf, 2 * n, a);
}

void drtm_default_policy(enum drtm_pcr_map map, uint8_t out[DRTM_POLICY_SIZE])
{
	/* tb_policy_t v2: CONT_NON_FATAL, hash_alg SHA256, EXTEND_PCR17, three entries of
	 * {mod_num, pcr, hash_type ANY, nv_index (4), num_hashes 0}: module 0 to no PCR,
	 * any other module to PCR 19 (17 with DA), the geo-tag NV index 0x40000010 to 22. */
	static const uint8_t policy[DRTM_POLICY_SIZE] = {
		2, 0, 0x0b, 1, 0, 0, 0, 0, 0, 0, 0, 3,
		0, 255, 0, 0, 0, 0, 0, 0,
		129, 19, 0, 0, 0, 0, 0, 0,
		131, 22, 0, 0x10, 0, 0, 0x40, 0,
	};
	memcpy(out, policy, sizeof(policy));
	if (map == DRTM_MAP_DA)
		out[21] = 17;
}

/* The policy digest tboot extends into PCR 17 in bank alg. */
static int policy_digest(const struct drtm_launch *l, uint16_t alg, uint8_t *out)
{
	uint8_t policy[DRTM_POLICY_SIZE], buf[4 + DRTM_DIGEST_MAX];
	uint16_t inner = l->tboot_alg ? l->tboot_alg : DRTM_ALG_SHA256;
	drtm_default_policy(l->map, policy);
	memcpy(buf, policy + 3, 4); /* policy_control */
	if (hash(inner, policy, sizeof(policy), buf + 4))
		return -1;
	return hash(alg, buf, 4 + drtm_digest_size(inner), out);
}

int drtm_module_digest(const struct drtm_module *m, uint16_t alg, uint8_t *out)
{
	uint8_t img[DRTM_DIGEST_MAX];
	const char *c = m->cmdline ? m->cmdline : "";
	if (hash(alg, c, strlen(c), out) || hash(alg, m->image, m->size, img))
		return -1;
	return extend(alg, out, img);
}

/*
 * lcp2_mlehash's way: PT_LOAD segments one after another (file bytes, then zeros), the
 * MLE header found at a 16-byte step, the command line area zero-filled and given the
 * command line (truncated to fit with its NUL, as tboot's g_cmdline), the MLE hashed.
 */
int drtm_mle_hash(const uint8_t *elf, size_t size, const char *cmdline, uint16_t alg,
		  uint8_t *out, char *why, size_t whylen)
{
	uint8_t *img = NULL;
	uint64_t total = 0;
	uint32_t phoff, phentsize, phnum, start, end, cstart, cend;
	size_t at = 0, hdr;
	int rc = -1;
	if (size < 52 || memcmp(elf, "\177ELF\1\1\1", 7) || elf[16] != 2 || elf[18] != 3)
		return fail(why, whylen, "tboot image: not a 32-bit little-endian x86 ELF executable");
	phoff = le32(elf + 28);
	phentsize = (uint32_t)elf[42] | (uint32_t)elf[43] << 8;
	phnum = (uint32_t)elf[44] | (uint32_t)elf[45] << 8;
	if (phentsize < 32 || phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		return fail(why, whylen, "tboot image: program headers outside the file");
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < phnum; i++) {
			const uint8_t *ph = elf + phoff + (size_t)i * phentsize;
			uint32_t off = le32(ph + 4), filesz = le32(ph + 16), memsz = le32(ph + 20);
			if (le32(ph) != 1) /* PT_LOAD */
				continue;
			if (filesz > memsz || off > size || filesz > size - off)
				return fail(why, whylen, "tboot image: segment %u outside the file", i);
			if (!pass) {
				total += memsz;
				continue;
			}
			memcpy(img + at, elf + off, filesz);
			at += memsz; /* the rest stays zero (calloc) */
		}
		if (!pass && (total < MLE_HDR_SIZE || total > MLE_IMAGE_MAX))
			return fail(why, whylen, "tboot image: loads %llu bytes", (unsigned long long)total);
		if (!pass && !(img = calloc(1, total)))
			return fail(why, whylen, "tboot image: out of memory");
	}
	for (hdr = 0; hdr + MLE_HDR_SIZE <= total && memcmp(img + hdr, mle_uuid, 16); hdr += 16)
		;
	if (hdr + MLE_HDR_SIZE > total) {
		fail(why, whylen, "tboot image: no MLE header");
		goto out;
	}
	start = le32(img + hdr + 32), end = le32(img + hdr + 36);
	cstart = le32(img + hdr + 44), cend = le32(img + hdr + 48);
	if (le32(img + hdr + 20) < 0x00020001 || start >= end || end > total || cstart > cend ||
	    cend > total) {
		fail(why, whylen, "tboot image: MLE header version or offsets invalid");
		goto out;
	}
	if (cend > cstart) {
		size_t n = cmdline ? strlen(cmdline) : 0, room = cend - cstart - 1;
		memset(img + cstart, 0, cend - cstart);
		memcpy(img + cstart, cmdline ? cmdline : "", n < room ? n : room);
	}
	rc = hash(alg, img + start, end - start, out);
	if (rc)
		fail(why, whylen, "hash algorithm 0x%04x unknown", alg);
out:
	free(img);
	return rc;
}

int drtm_expected(const struct drtm_launch *l, uint16_t alg, uint8_t out[3][DRTM_DIGEST_MAX],
		  char *why, size_t whylen)
{
	uint8_t d[DRTM_DIGEST_MAX];
	bool da = l->map == DRTM_MAP_DA;
	if (!drtm_digest_size(alg) || (l->tboot_alg && !drtm_digest_size(l->tboot_alg)))
		return fail(why, whylen, "hash algorithm unknown");
	if (!l->nmodules || l->nmodules > DRTM_MODULES_MAX)
		return fail(why, whylen, "%zu modules: tboot needs the core and at most %d in all",
			    l->nmodules, DRTM_MODULES_MAX);
	memset(out, 0, 3 * DRTM_DIGEST_MAX); /* the dynamic launch reset them */
	for (size_t i = 0; i < l->nsinit; i++) {
		if (l->sinit[i].pcr != 17 && l->sinit[i].pcr != 18)
			return fail(why, whylen, "SINIT event %zu extends PCR %u, not 17 or 18", i,
				    l->sinit[i].pcr);
		if (extend(alg, out[l->sinit[i].pcr - 17], l->sinit[i].digest))
			return fail(why, whylen, "hash failed");
	}
	if (!da) {
		if (drtm_mle_hash(l->tboot, l->tboot_size, l->tboot_cmdline, alg, d, why, whylen))
			return -1;
		if (extend(alg, out[1], d))
			return fail(why, whylen, "hash failed");
	}
	if (l->tboot_alg && l->tboot_alg != alg)
		return 0; /* tboot extends one bank (extpol); this one has SINIT's part only */
	if (policy_digest(l, alg, d) || extend(alg, out[0], d) || (da && extend(alg, out[1], d)))
		return fail(why, whylen, "hash failed");
	for (size_t i = 0; i < l->nmodules; i++) {
		if (drtm_module_digest(&l->modules[i], alg, d) ||
		    extend(alg, out[da ? 0 : i ? 2 : 1], d))
			return fail(why, whylen, "hash failed");
	}
	return 0;
}

int drtm_check(const struct drtm_launch *l, uint16_t alg, const uint8_t quoted[3][DRTM_DIGEST_MAX],
	       char *why, size_t whylen)
{
	uint8_t want[3][DRTM_DIGEST_MAX], ones[DRTM_DIGEST_MAX];
	size_t n = drtm_digest_size(alg);
	memset(ones, 0xff, sizeof(ones));
	if (n && !memcmp(quoted[0], ones, n))
		return fail(why, whylen, "no dynamic launch: PCR 17 holds its reset value (tboot fell "
			    "back to an unmeasured launch, or the platform has no TXT)");
	if (drtm_expected(l, alg, want, why, whylen))
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!memcmp(quoted[i], want[i], n))
			continue;
		return fail(why, whylen, "PCR %d differs from the DRTM profile: %s", 17 + i,
			    i == 0 ? (l->map == DRTM_MAP_DA ? "SINIT, tboot's policy, the core or a module"
							    : "SINIT or tboot's policy")
			    : i == 1 ? (l->map == DRTM_MAP_DA ? "SINIT's authorities or tboot's policy"
							      : "tboot (the MLE) or the core")
			    : "a module after the core (policy or domain image, or a command line)");
	}
	return 0;
}
