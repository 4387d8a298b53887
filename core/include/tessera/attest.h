/*
 * The attestation channel: how a remote verifier (attest/, tessera-attest --socket)
 * talks to the attestation domain that owns the TPM after boot. In tests the channel
 * is a QEMU serial port on a unix socket; any reliable byte stream works.
 *
 * Every message, in both directions, is one frame:
 *   "TATT" (4 bytes) | type (1 byte) | length (4 bytes, big-endian) | payload
 * The verifier sends a request and reads exactly one response before the next.
 *
 *   request                          response
 *   0x01 raw TPM command (<= 4096)   0x81 raw TPM response (<= 4096), or 0xff
 *   0x02 event log (empty payload)   0x82 the TCG event log the core wrote, or 0xff
 *   0x03 info (empty payload)        0x83 key=value lines, e.g. "boot-path=multiboot2"
 *   any other                        0xff
 *
 * 0xff (refusal): a 4-byte big-endian TPM-style response code, then a text saying
 * why (e.g. TPM_RC_COMMAND_CODE | "TPM2_PCR_Extend is not allowed"). The domain
 * refuses every TPM command that could extend, reset or reconfigure PCRs or
 * hierarchies. Lengths over the maxima below are protocol errors: the peer closes.
 */
#ifndef TESSERA_ATTEST_H
#define TESSERA_ATTEST_H

#define TESSERA_ATTEST_MAGIC      "TATT"
#define TESSERA_ATTEST_MAGIC_SIZE 4
#define TESSERA_ATTEST_HDR_SIZE   9 /* magic, type, length */

#define TESSERA_ATTEST_REQ_TPM  0x01
#define TESSERA_ATTEST_REQ_LOG  0x02
#define TESSERA_ATTEST_REQ_INFO 0x03
#define TESSERA_ATTEST_RSP_TPM     0x81
#define TESSERA_ATTEST_RSP_LOG     0x82
#define TESSERA_ATTEST_RSP_INFO    0x83
#define TESSERA_ATTEST_RSP_REFUSED 0xff

#define TESSERA_ATTEST_TPM_MAX  4096u      /* a TPM command or response (TPM2 PTP) */
#define TESSERA_ATTEST_LOG_MAX  (1u << 20) /* the core's log is a few KiB */
#define TESSERA_ATTEST_INFO_MAX 4096u
#define TESSERA_ATTEST_REFUSAL_MAX 4096u  /* code and text */

/* info keys */
#define TESSERA_ATTEST_INFO_BOOT_PATH "boot-path" /* multiboot1, multiboot2 or tboot */
#endif
