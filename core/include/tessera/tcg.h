/*
 * The TCG event log the core writes and the verifier reads: the crypto-agile format of
 * the TCG PC Client Platform Firmware Profile (a TCG_PCClientPCREvent header, SHA-1
 * format, whose data is the "Spec ID Event03" TCG_EfiSpecIdEvent; then TCG_PCR_EVENT2
 * records). All fields are little-endian and unaligned; the structs below describe
 * the fixed parts byte for byte (packed), the variable parts are in the comments.
 */
#ifndef TESSERA_TCG_H
#define TESSERA_TCG_H
#include <stdint.h>

#define TCG_PCR_COUNT 24 /* PC Client PCRs 0-23 */

/* Event types (PC Client PFP, "Events"). */
#define TCG_EV_PREBOOT_CERT            0x00000000u /* deprecated */
#define TCG_EV_POST_CODE               0x00000001u
#define TCG_EV_UNUSED                  0x00000002u /* reserved */
#define TCG_EV_NO_ACTION               0x00000003u /* logged, never extended */
#define TCG_EV_SEPARATOR               0x00000004u
#define TCG_EV_ACTION                  0x00000005u
#define TCG_EV_EVENT_TAG               0x00000006u
#define TCG_EV_S_CRTM_CONTENTS         0x00000007u
#define TCG_EV_S_CRTM_VERSION          0x00000008u
#define TCG_EV_CPU_MICROCODE           0x00000009u
#define TCG_EV_PLATFORM_CONFIG_FLAGS   0x0000000au
#define TCG_EV_TABLE_OF_DEVICES        0x0000000bu
#define TCG_EV_COMPACT_HASH            0x0000000cu
#define TCG_EV_IPL                     0x0000000du
#define TCG_EV_IPL_PARTITION_DATA      0x0000000eu
#define TCG_EV_NONHOST_CODE            0x0000000fu
#define TCG_EV_NONHOST_CONFIG          0x00000010u
#define TCG_EV_NONHOST_INFO            0x00000011u
#define TCG_EV_OMIT_BOOT_DEVICE_EVENTS 0x00000012u
#define TCG_EV_EFI_VARIABLE_DRIVER_CONFIG    0x80000001u
#define TCG_EV_EFI_VARIABLE_BOOT             0x80000002u
#define TCG_EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define TCG_EV_EFI_BOOT_SERVICES_DRIVER      0x80000004u
#define TCG_EV_EFI_RUNTIME_SERVICES_DRIVER   0x80000005u
#define TCG_EV_EFI_GPT_EVENT                 0x80000006u
#define TCG_EV_EFI_ACTION                    0x80000007u
#define TCG_EV_EFI_PLATFORM_FIRMWARE_BLOB    0x80000008u
#define TCG_EV_EFI_HANDOFF_TABLES            0x80000009u
#define TCG_EV_EFI_PLATFORM_FIRMWARE_BLOB2   0x8000000au
#define TCG_EV_EFI_HANDOFF_TABLES2           0x8000000bu
#define TCG_EV_EFI_VARIABLE_BOOT2            0x8000000cu
#define TCG_EV_EFI_HCRTM_EVENT               0x80000010u
#define TCG_EV_EFI_VARIABLE_AUTHORITY        0x800000e0u
#define TCG_EV_EFI_SPDM_FIRMWARE_BLOB        0x800000e1u
#define TCG_EV_EFI_SPDM_FIRMWARE_CONFIG      0x800000e2u

/*
 * What the Tessera core emits (the verifier's strict profile allows only these):
 *   EV_NO_ACTION   the Spec ID header, nothing else
 *   EV_IPL         a measured component (policy, boot configuration, domain image);
 *                  the data is its printable description, the digest that of its bytes
 *   EV_ACTION      a printable fact that is not a component (e.g. the boot path)
 *   EV_SEPARATOR   the end of a phase: data and digested bytes are 4 zero bytes
 */
#define TCG_SEPARATOR_SIZE 4

/* TPM_ALG_ID of the hash algorithms a log may carry, and their digest sizes. */
#define TCG_ALG_SHA1   0x0004u
#define TCG_ALG_SHA256 0x000bu
#define TCG_ALG_SHA384 0x000cu
#define TCG_ALG_SHA512 0x000du
#define TCG_SHA1_SIZE   20
#define TCG_SHA256_SIZE 32
#define TCG_SHA384_SIZE 48
#define TCG_SHA512_SIZE 64

/*
 * TCG_PCClientPCREvent: the log's first record, in the old SHA-1 format.
 * Followed by event_size bytes of data.
 */
struct tcg_pcr_event {
	uint32_t pcr_index;  /* 0 for the header */
	uint32_t event_type; /* TCG_EV_NO_ACTION for the header */
	uint8_t digest[TCG_SHA1_SIZE]; /* zeros for the header */
	uint32_t event_size;
} __attribute__((packed));

/*
 * TCG_EfiSpecIdEvent, the header's data. Followed by number_of_algorithms
 * struct tcg_spec_id_alg, then uint8_t vendor_info_size and that many bytes.
 */
#define TCG_SPEC_ID_SIGNATURE "Spec ID Event03" /* 16 bytes with its NUL */
#define TCG_SPEC_ID_SIGNATURE_SIZE 16
#define TCG_SPEC_ID_VERSION_MAJOR 2
#define TCG_SPEC_ID_VERSION_MINOR 0
#define TCG_SPEC_ID_ERRATA        0
#define TCG_SPEC_ID_UINTN_32      1 /* uintn_size: UINTN fields are 32-bit */
#define TCG_SPEC_ID_UINTN_64      2 /* ... 64-bit */
#define TCG_PLATFORM_CLIENT       0
struct tcg_spec_id_event {
	uint8_t signature[TCG_SPEC_ID_SIGNATURE_SIZE];
	uint32_t platform_class;
	uint8_t spec_version_minor;
	uint8_t spec_version_major;
	uint8_t spec_errata;
	uint8_t uintn_size;
	uint32_t number_of_algorithms;
} __attribute__((packed));

struct tcg_spec_id_alg {
	uint16_t algorithm_id;
	uint16_t digest_size;
} __attribute__((packed));

/*
 * TCG_PCR_EVENT2: every record after the header. Followed by digest_count
 * TPMT_HA (uint16_t algorithm id, then its digest), then uint32_t event_size and
 * that many bytes of event data.
 */
struct tcg_pcr_event2_head {
	uint32_t pcr_index;
	uint32_t event_type;
	uint32_t digest_count;
} __attribute__((packed));

/*
 * An EV_NO_ACTION record at PCR 0 with this data (signature, then one byte) says
 * which locality ran TPM2_Startup: PCR 0 then starts as that value (last byte), not 0.
 */
#define TCG_STARTUP_LOCALITY_SIGNATURE "StartupLocality" /* 16 bytes with its NUL */
#define TCG_STARTUP_LOCALITY_SIZE 17

_Static_assert(sizeof(struct tcg_pcr_event) == 32, "TCG_PCClientPCREvent header");
_Static_assert(sizeof(struct tcg_spec_id_event) == 28, "TCG_EfiSpecIdEvent fixed part");
_Static_assert(sizeof(struct tcg_spec_id_alg) == 4, "TCG_EfiSpecIdEventAlgorithmSize");
_Static_assert(sizeof(struct tcg_pcr_event2_head) == 12, "TCG_PCR_EVENT2 fixed part");
#endif
