/*
 * The verifier's DRTM profile: what PCRs 17, 18 and 19 must hold after tboot launched
 * the core with Intel TXT, computed from the artifacts, and the check of quoted values
 * against it (SECURITY.md "tboot"). Facts from tboot 1.10 (Debian 12 ships 1.10.5):
 *
 *  - A dynamic launch (the CPU's _TPM_Hash_Start at locality 4) resets PCRs 17-22 to
 *    zero; without one, they keep the value TPM2_Startup gave them: all ones.
 *  - SINIT (the ACM, locality 3) extends PCR 17 with its own measurements (the MLE
 *    Developer's Guide: the ACM, its policy, platform details; platform-specific, so
 *    given here as events) and, in tboot's default "legacy" PCR mapping, PCR 18 with
 *    the MLE hash: tboot's loaded image from the MLE header's start to end offset, with
 *    tboot's command line in its command line area (what lcp2_mlehash computes).
 *  - tboot (locality 2, tboot/common/policy.c verify_all_modules, integrity.c
 *    extend_pcrs) then extends, in its one hash algorithm (extpol, default sha256 since
 *    1.10; agile/embedded: every bank, the policy hashed with sha256 inside):
 *      PCR 17: H(policy_control (4 bytes LE) || H(policy)), the default "vl" policy
 *              (36 bytes, drtm_default_policy) since no policy is in TPM NV;
 *      PCR 18: module 0 (the core), H(H(cmdline) || H(image));
 *      PCR 19: modules 1..n (every other module but SINIT and LCP data), in order,
 *              each H(H(cmdline) || H(image)).
 *    Command lines as GRUB passes them (no file name), without the final NUL; the core's
 *    before tboot appends "tboot=0x...". With pcr_map=da, module 0 and the others go to
 *    PCR 17, the policy digest to 17 and 18, and SINIT's 18 is its authorities.
 *  - Assumption: SINIT extends the MLE hash into every active bank, in that bank's
 *    algorithm; the platform's SINIT events come from its TXT event log or enrolment.
 */
#ifndef ATTEST_DRTM_H
#define ATTEST_DRTM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DRTM_ALG_SHA1 0x0004
#define DRTM_ALG_SHA256 0x000b
#define DRTM_ALG_SHA384 0x000c
#define DRTM_ALG_SHA512 0x000d
#define DRTM_DIGEST_MAX 64
#define DRTM_POLICY_SIZE 36
#define DRTM_MODULES_MAX 128 /* tboot's policy numbers modules up to 127 */

enum drtm_pcr_map { DRTM_MAP_LEGACY, DRTM_MAP_DA };

struct drtm_module {
	const uint8_t *image;
	size_t size;
	const char *cmdline;
};

/* One measurement SINIT made, in the bank being computed. */
struct drtm_event {
	uint32_t pcr; /* 17 or 18 */
	uint8_t digest[DRTM_DIGEST_MAX];
};

struct drtm_launch {
	const uint8_t *tboot; /* tboot's ELF image (tboot.gz uncompressed) */
	size_t tboot_size;
	const char *tboot_cmdline;
	const struct drtm_module *modules; /* [0] is the core */
	size_t nmodules;
	enum drtm_pcr_map map;
	uint16_t tboot_alg; /* the bank tboot extends (extpol=sha256|sha1|...); 0: every bank */
	const struct drtm_event *sinit; /* SINIT's events, in order, in the bank computed */
	size_t nsinit;
};

/* Bytes of one digest of alg, 0 for an algorithm we do not know. */
size_t drtm_digest_size(uint16_t alg);
/* tboot's default policy for a TPM 2.0 (what verify_g_policy hashes). */
void drtm_default_policy(enum drtm_pcr_map map, uint8_t out[DRTM_POLICY_SIZE]);
/* The MLE hash SINIT measures. 0, or -1 and why (the image is hostile: bounded). */
int drtm_mle_hash(const uint8_t *elf, size_t size, const char *cmdline, uint16_t alg,
		  uint8_t *out, char *why, size_t whylen);
/* tboot's measurement of a module in a bank: H(H(cmdline) || H(image)). */
int drtm_module_digest(const struct drtm_module *m, uint16_t alg, uint8_t *out);
/* Expected PCR 17, 18 and 19 (out[i] for PCR 17 + i) in bank alg. 0 or -1 and why. */
int drtm_expected(const struct drtm_launch *l, uint16_t alg, uint8_t out[3][DRTM_DIGEST_MAX],
		  char *why, size_t whylen);
/*
 * Quoted PCRs 17-19 of bank alg against the expected ones: 0 if they match, else -1
 * and why names the first PCR that differs, or says no dynamic launch happened
 * (PCR 17 at its reset value: tboot fell back to an unmeasured launch, or no TXT).
 */
int drtm_check(const struct drtm_launch *l, uint16_t alg, const uint8_t quoted[3][DRTM_DIGEST_MAX],
	       char *why, size_t whylen);
#endif
