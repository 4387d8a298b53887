/*
 * The attestation domain's TPM command filter (driver-domains/attest/filter.c).
 * Its verdict must be consistent with the frame, and nothing it passes may be a
 * command that changes PCRs, hierarchies, NV, persistent objects or the TPM's
 * state: a deny list written here from TPM 2.0 Part 2, independent of its allow list.
 */
#include "../../driver-domains/attest/filter.h"
#include <stdlib.h>

static const uint32_t never[] = {
	0x11f, /* NV_UndefineSpaceSpecial */ 0x120, /* EvictControl */ 0x121, /* HierarchyControl */
	0x122, /* NV_UndefineSpace */ 0x124, /* ChangeEPS */ 0x125, /* ChangePPS */
	0x126, /* Clear */ 0x127, /* ClearControl */ 0x128, /* ClockSet */
	0x129, /* HierarchyChangeAuth */ 0x12a, /* NV_DefineSpace */ 0x12b, /* PCR_Allocate */
	0x12c, /* PCR_SetAuthPolicy */ 0x12d, /* PP_Commands */ 0x12e, /* SetPrimaryPolicy */
	0x12f, /* FieldUpgradeStart */ 0x130, /* ClockRateAdjust */ 0x132, /* NV_GlobalWriteLock */
	0x134, /* NV_Increment */ 0x135, /* NV_SetBits */ 0x136, /* NV_Extend */
	0x137, /* NV_Write */ 0x138, /* NV_WriteLock */ 0x139, /* DictionaryAttackLockReset */
	0x13a, /* DictionaryAttackParameters */ 0x13b, /* NV_ChangeAuth */ 0x13c, /* PCR_Event */
	0x13d, /* PCR_Reset */ 0x13e, /* SequenceComplete */ 0x13f, /* SetAlgorithmSet */
	0x140, /* SetCommandCodeAuditStatus */ 0x141, /* FieldUpgradeData */ 0x143, /* SelfTest */
	0x144, /* Startup */ 0x145, /* Shutdown */ 0x182, /* PCR_Extend */
	0x183, /* PCR_SetAuthValue */ 0x185, /* EventSequenceComplete */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t cc = 0;
	enum filter_verdict v = filter_check(data, size, &cc);
	if (!filter_reason(v))
		abort();
	if (v != FILTER_PASS)
		return 0;
	if (size < TPM_HDR_SIZE || size > TPM_CMD_MAX || be32(data + 2) != size || cc != be32(data + 6) ||
	    (be32(data) >> 16 != 0x8001 && be32(data) >> 16 != 0x8002))
		abort();
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (cc == never[i])
			abort();
	if (cc == 0x131 && be32(data + 10) == 0x4000000c)
		abort(); /* CreatePrimary under the platform seed */
	return 0;
}
