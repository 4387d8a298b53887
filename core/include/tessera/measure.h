/*
 * What the core measures, where, and how each event names its component: the one
 * description the core (when it measures at boot) and the verifier (attest/, when it
 * computes the golden manifest and replays a log) share. SECURITY.md "PCR layout".
 *
 * Order, before any domain runs (every event EV_IPL unless said otherwise; digests
 * in every active bank the core can hash, other active banks capped):
 *   1. PCR 12  "tessera:boot-path:<path>" as EV_ACTION, digest of that string:
 *              path is "multiboot1", "multiboot2" (a loader on BIOS firmware: no
 *              firmware or loader measurements to expect), "multiboot2-efi" (the
 *              loader passed an EFI system table: GRUB EFI measures into PCRs 8, 9)
 *              or "tboot" (what loaded the core)
 *   2. PCR 12  "tessera:cmdline:core"          digest of the core's command line
 *   3. PCR 12  "tessera:cmdline:module:<i>"    digest of module i's command line,
 *              for every module i in boot order (the policy's included)
 *   4. PCR 11  "tessera:policy"                digest of the policy module's bytes
 *   5. PCR 13  "tessera:image:module:<i>"      digest of module i's bytes, for every
 *              module that is not the policy, in boot order
 *   6. EV_SEPARATOR on PCR 12, then 11, then 13 (4 zero bytes)
 * Command lines are measured as the bytes the loader passed, without the final NUL.
 * A component that is absent (no policy module) is not measured; the separators
 * are still made, so a verifier sees the phase ended.
 */
#ifndef TESSERA_MEASURE_H
#define TESSERA_MEASURE_H

#define TESSERA_PCR_POLICY 11
#define TESSERA_PCR_CONFIG 12
#define TESSERA_PCR_IMAGES 13

#define TESSERA_EV_BOOT_PATH      "tessera:boot-path:"
#define TESSERA_EV_CMDLINE_CORE   "tessera:cmdline:core"
#define TESSERA_EV_CMDLINE_MODULE "tessera:cmdline:module:"
#define TESSERA_EV_POLICY         "tessera:policy"
#define TESSERA_EV_IMAGE_MODULE   "tessera:image:module:"
#endif
