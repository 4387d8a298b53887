/* The attestation domain's TPM command allow-list: see filter.h. */
#include "filter.h"

#define TPM_ST_NO_SESSIONS 0x8001u
#define TPM_ST_SESSIONS    0x8002u
#define TPM_CC_CREATE_PRIMARY 0x131u
#define TPM_RH_PLATFORM 0x4000000cu

/* TPM 2.0 Part 2 command codes; every one only reads state or uses a key it loaded. */
static const uint32_t allowed[] = {
	0x131, /* CreatePrimary (EK, SRK; not in the platform hierarchy, see below) */
	0x147, /* ActivateCredential */
	0x14e, /* NV_Read (the EK certificate) */
	0x151, /* PolicySecret (the EK's policy) */
	0x153, /* Create (the AK) */
	0x157, /* Load */
	0x158, /* Quote */
	0x161, /* ContextLoad */
	0x162, /* ContextSave */
	0x165, /* FlushContext */
	0x169, /* NV_ReadPublic */
	0x173, /* ReadPublic */
	0x176, /* StartAuthSession */
	0x17a, /* GetCapability */
	0x17b, /* GetRandom */
	0x17c, /* GetTestResult */
	0x17e, /* PCR_Read */
	0x181, /* ReadClock */
	0x189, /* PolicyGetDigest */
	0x18a, /* TestParms */
#ifdef FUZZ_PLANTED_BUG /* PCR_Reset allowed (fuzz/planted.sh) */
	0x13d, /* PCR_Reset */
#endif
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum filter_verdict filter_check(const uint8_t *cmd, size_t len, uint32_t *cc)
{
	uint32_t tag;
	*cc = 0;
	if (len < TPM_HDR_SIZE)
		return FILTER_SHORT;
	if (len > TPM_CMD_MAX)
		return FILTER_TOO_LONG;
	tag = (uint32_t)cmd[0] << 8 | cmd[1];
	if (be32(cmd + 2) != len)
		return FILTER_SIZE;
	if (tag != TPM_ST_NO_SESSIONS && tag != TPM_ST_SESSIONS)
		return FILTER_TAG;
	*cc = be32(cmd + 6);
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i] != *cc)
			continue;
		/* A primary key under the platform seed is the firmware's business. */
		if (*cc == TPM_CC_CREATE_PRIMARY &&
		    (len < TPM_HDR_SIZE + 4 || be32(cmd + TPM_HDR_SIZE) == TPM_RH_PLATFORM))
			return FILTER_HIERARCHY;
		return FILTER_PASS;
	}
	return FILTER_COMMAND;
}

const char *filter_reason(enum filter_verdict v)
{
	switch (v) {
	case FILTER_PASS:
		return "allowed";
	case FILTER_SHORT:
		return "shorter than a TPM command header";
	case FILTER_TOO_LONG:
		return "longer than 4096 bytes";
	case FILTER_SIZE:
		return "header size differs from the frame length";
	case FILTER_TAG:
		return "tag is neither TPM_ST_NO_SESSIONS nor TPM_ST_SESSIONS";
	case FILTER_COMMAND:
		return "command not allowed (it could change PCRs, hierarchies, NV or the TPM's state)";
	case FILTER_HIERARCHY:
		return "CreatePrimary in the platform hierarchy";
	}
	return "?";
}
