/*
 * The TPM's FIFO (TIS) interface at locality 0 (PTP "FIFO Interface"), and
 * arch_tpm_open, which picks it or CRB. Every register read is checked before it
 * is believed (an absent device reads all ones), every wait is bounded, and the
 * command is handed over byte by byte within the burst count the TPM grants.
 */
#include "tpm_hw.h"

#define ACCESS 0x00u /* 8 bits */
#define ACCESS_REQUEST 0x02u
#define ACCESS_ACTIVE 0x20u
#define ACCESS_RESERVED 0x40u
#define ACCESS_VALID 0x80u
#define STS 0x18u
#define STS_EXPECT 0x08u
#define STS_DATA_AVAIL 0x10u
#define STS_GO 0x20u
#define STS_READY 0x40u
#define STS_VALID 0x80u
#define STS_FAMILY(s) ((s) >> 26 & 3u)
#define STS_FAMILY_20 1u
#define FIFO 0x24u
#define DID_VID 0xf00u
#define HDR_LEN 10u

static int fail(const char **why, const char *msg, int rc)
{
	*why = msg;
	return rc;
}

/* The burst count once the TPM grants one (0: it never did). */
static uint32_t burst(void)
{
	for (uint32_t i = 0; i <= TPM_HW_WAIT_MS * 100; i++) {
		uint32_t s = tpm_hw_rd(STS, 4) >> 8 & 0xffff;
		if (s)
			return s;
		tpm_env_delay_10us();
	}
	return 0;
}

static int send(const uint8_t *cmd, uint32_t len, const char **why)
{
	uint32_t sent = 0, n;
	tpm_hw_wr(STS, 1, STS_READY);
	if (!tpm_hw_wait(STS, 4, STS_READY, STS_READY, TPM_HW_WAIT_MS))
		return fail(why, "not ready for a command", -TESSERA_EBUSY);
	/* All but the last byte, then the last one alone: Expect must drop exactly then. */
	while (sent < len - 1) {
		n = burst();
		if (!n)
			return fail(why, "burst count stayed 0 while sending", -TESSERA_EBUSY);
		for (n = n < len - 1 - sent ? n : len - 1 - sent; n; n--)
			tpm_hw_wr(FIFO, 1, cmd[sent++]);
	}
	if (!tpm_hw_wait(STS, 4, STS_VALID | STS_EXPECT, STS_VALID | STS_EXPECT, TPM_HW_WAIT_MS))
		return fail(why, "TPM stopped expecting command bytes early", -TESSERA_EINVAL);
	tpm_hw_wr(FIFO, 1, cmd[sent]);
	if (!tpm_hw_wait(STS, 4, STS_VALID | STS_EXPECT, STS_VALID, TPM_HW_WAIT_MS))
		return fail(why, "TPM expects more command bytes than were sent", -TESSERA_EINVAL);
	tpm_hw_wr(STS, 1, STS_GO);
	return 0;
}

/* n response bytes, within the bursts the TPM grants while it says data is there. */
static int read_fifo(uint8_t *p, uint32_t n, const char **why)
{
	while (n) {
		uint32_t b = burst();
		if (!b || !(tpm_hw_rd(STS, 4) & STS_DATA_AVAIL))
			return fail(why, "response shorter than its size field", -TESSERA_EINVAL);
		for (b = b < n ? b : n; b; b--, n--)
			*p++ = (uint8_t)tpm_hw_rd(FIFO, 1);
	}
	return 0;
}

static int receive(uint8_t *rsp, uint32_t max, uint32_t *got, const char **why)
{
	uint32_t size;
	int rc;
	if (!tpm_hw_wait(STS, 4, STS_VALID | STS_DATA_AVAIL, STS_VALID | STS_DATA_AVAIL, TPM_HW_CMD_MS))
		return fail(why, "no response in time", -TESSERA_EBUSY);
	rc = read_fifo(rsp, HDR_LEN, why);
	if (rc)
		return rc;
	size = tpm_hw_be32(rsp + 2);
	if (size < HDR_LEN || size > max)
		return fail(why, "response size field out of range", -TESSERA_EINVAL);
	rc = read_fifo(rsp + HDR_LEN, size - HDR_LEN, why);
	if (rc)
		return rc;
	if (!tpm_hw_wait(STS, 4, STS_VALID, STS_VALID, TPM_HW_WAIT_MS) ||
	    tpm_hw_rd(STS, 4) & STS_DATA_AVAIL)
		return fail(why, "response longer than its size field", -TESSERA_EINVAL);
	*got = size;
	return 0;
}

static int tis_xfer(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
		    const char **why)
{
	int rc = len < HDR_LEN ? fail(why, "command shorter than its header", -TESSERA_EINVAL) :
				 send(cmd, len, why);
	if (!rc)
		rc = receive(rsp, max, got, why);
	tpm_hw_wr(STS, 1, STS_READY); /* back to idle; aborts a command that is still running */
	return rc;
}

static void tis_close(void)
{
	tpm_hw_wr(ACCESS, 1, ACCESS_ACTIVE); /* writing activeLocality relinquishes it */
}

static const struct tpm_ops tis_ops = { "tis", tis_xfer, tis_close };

const struct tpm_ops *tpm_tis_open(const char **why)
{
	uint32_t access = tpm_hw_rd(ACCESS, 1), id = tpm_hw_rd(DID_VID, 4);
	uint32_t type = tpm_hw_rd(TPM_HW_INTF_ID, 4) & 0xf;
	if (!(access & ACCESS_VALID) || access & ACCESS_RESERVED || !id || id == 0xffffffffu) {
		*why = "no TPM answers at 0xfed40000";
		return NULL;
	}
	if (type != TPM_HW_INTF_FIFO && type != TPM_HW_INTF_TIS13) {
		*why = "the TPM2 table says FIFO (TIS) but the TPM's interface is not";
		return NULL;
	}
	if (!(access & ACCESS_ACTIVE)) {
		tpm_hw_wr(ACCESS, 1, ACCESS_REQUEST);
		if (!tpm_hw_wait(ACCESS, 1, ACCESS_VALID | ACCESS_ACTIVE, ACCESS_VALID | ACCESS_ACTIVE,
				 TPM_HW_WAIT_MS)) {
			*why = "locality 0 not granted";
			return NULL;
		}
	}
	if (STS_FAMILY(tpm_hw_rd(STS, 4)) != STS_FAMILY_20) {
		tis_close();
		*why = "not a TPM 2.0 (TIS status register)";
		return NULL;
	}
	tpm_env_note(TPM_ENV_PREFIX "TIS at 0x%lx, DID_VID 0x%x, locality 0\n",
		(unsigned long)TPM_HW_BASE, id);
	return &tis_ops;
}
