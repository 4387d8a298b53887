/*
 * The TPM's command response buffer (CRB) interface at locality 0 (PTP "CRB
 * Interface"): request the locality, cmdReady, the command into the buffer, start,
 * wait for start to clear (cancel on timeout), the response out, goIdle. The
 * buffers must lie in locality 0's own page: an address the TPM reports elsewhere
 * (RAM, the core) is refused, never written.
 */
#include "tpm_hw.h"

#define LOC_STATE 0x00u
#define LOC_STATE_ASSIGNED 0x02u
#define LOC_STATE_ACTIVE_MASK 0x1cu /* the active locality, bits 4:2 */
#define LOC_STATE_VALID 0x80u
#define LOC_CTRL 0x08u
#define LOC_CTRL_REQUEST 0x01u
#define LOC_CTRL_RELINQUISH 0x02u
#define LOC_STS 0x0cu
#define LOC_STS_GRANTED 0x01u
#define CTRL_REQ 0x40u
#define CTRL_REQ_READY 0x01u
#define CTRL_REQ_IDLE 0x02u
#define CTRL_STS 0x44u
#define CTRL_STS_FATAL 0x01u
#define CTRL_STS_IDLE 0x02u
#define CTRL_CANCEL 0x48u
#define CTRL_START 0x4cu
#define CMD_SIZE 0x58u
#define CMD_LADDR 0x5cu
#define CMD_HADDR 0x60u
#define RSP_SIZE 0x64u
#define RSP_ADDR 0x68u /* 64 bits */
#define DATA 0x80u
#define HDR_LEN 10u

/* The buffers as offsets into locality 0's page. */
static uint32_t cmd_off, cmd_size, rsp_off, rsp_size;

static int fail(const char **why, const char *msg, int rc)
{
	*why = msg;
	return rc;
}

static bool ready(void)
{
	tpm_hw_wr(CTRL_REQ, 4, CTRL_REQ_READY);
	return tpm_hw_wait(CTRL_REQ, 4, CTRL_REQ_READY, 0, TPM_HW_WAIT_MS) &&
	       !(tpm_hw_rd(CTRL_STS, 4) & (CTRL_STS_FATAL | CTRL_STS_IDLE));
}

static bool go_idle(void)
{
	tpm_hw_wr(CTRL_REQ, 4, CTRL_REQ_IDLE);
	return tpm_hw_wait(CTRL_REQ, 4, CTRL_REQ_IDLE, 0, TPM_HW_WAIT_MS);
}

/* [pa, pa + size) inside locality 0's page, after its registers: as an offset, or 0. */
static uint32_t buffer(uint64_t pa, uint32_t size)
{
	uint64_t end;
	if (size < HDR_LEN || !range_add_ok(pa, size, &end) || pa < TPM_HW_BASE + DATA ||
	    end > TPM_HW_BASE + TPM_HW_PAGE)
		return 0;
	return (uint32_t)(pa - TPM_HW_BASE);
}

static int run(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
	       const char **why)
{
	uint32_t size;
	if (len < HDR_LEN || len > cmd_size)
		return fail(why, "command does not fit the CRB buffer", -TESSERA_EINVAL);
	if (!ready())
		return fail(why, "not ready for a command (cmdReady)", -TESSERA_EBUSY);
	for (uint32_t i = 0; i < len; i++)
		tpm_hw_wr(cmd_off + i, 1, cmd[i]);
	tpm_hw_wr(CTRL_START, 4, 1);
	if (!tpm_hw_wait(CTRL_START, 4, 1, 0, TPM_HW_CMD_MS)) {
		tpm_hw_wr(CTRL_CANCEL, 4, 1);
		tpm_hw_wait(CTRL_START, 4, 1, 0, TPM_HW_WAIT_MS);
		tpm_hw_wr(CTRL_CANCEL, 4, 0);
		return fail(why, "no response in time; command cancelled", -TESSERA_EBUSY);
	}
	if (tpm_hw_rd(CTRL_STS, 4) & CTRL_STS_FATAL)
		return fail(why, "the TPM reports a fatal error (CRB tpmSts)", -TESSERA_EINVAL);
	for (uint32_t i = 0; i < HDR_LEN; i++)
		rsp[i] = (uint8_t)tpm_hw_rd(rsp_off + i, 1);
	size = tpm_hw_be32(rsp + 2);
	if (size < HDR_LEN || size > rsp_size || size > max)
		return fail(why, "response size field out of range", -TESSERA_EINVAL);
	for (uint32_t i = HDR_LEN; i < size; i++)
		rsp[i] = (uint8_t)tpm_hw_rd(rsp_off + i, 1);
	*got = size;
	return 0;
}

static int crb_xfer(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
		    const char **why)
{
	int rc = run(cmd, len, rsp, max, got, why);
	if (!go_idle() && !rc)
		rc = fail(why, "did not go idle after the command", -TESSERA_EBUSY);
	return rc;
}

static void crb_close(void)
{
	tpm_hw_wr(LOC_CTRL, 4, LOC_CTRL_RELINQUISH);
}

static const struct tpm_ops crb_ops = { "crb", crb_xfer, crb_close };

const struct tpm_ops *tpm_crb_open(const char **why)
{
	uint32_t state = tpm_hw_rd(LOC_STATE, 4);
	uint64_t cmd, rsp;
	if (state == 0xffffffffu || !(state & LOC_STATE_VALID)) {
		*why = "no TPM answers at 0xfed40000";
		return NULL;
	}
	if ((tpm_hw_rd(TPM_HW_INTF_ID, 4) & 0xf) != TPM_HW_INTF_CRB) {
		*why = "the TPM2 table says CRB but the TPM's interface is not";
		return NULL;
	}
	tpm_hw_wr(LOC_CTRL, 4, LOC_CTRL_REQUEST);
	if (!tpm_hw_wait(LOC_STS, 4, LOC_STS_GRANTED, LOC_STS_GRANTED, TPM_HW_WAIT_MS) ||
	    !tpm_hw_wait(LOC_STATE, 4, LOC_STATE_VALID | LOC_STATE_ASSIGNED | LOC_STATE_ACTIVE_MASK,
			 LOC_STATE_VALID | LOC_STATE_ASSIGNED, TPM_HW_WAIT_MS)) {
		*why = "locality 0 not granted";
		goto fail;
	}
	if (!ready()) {
		*why = "not ready for a command (cmdReady)";
		goto fail;
	}
	cmd = (uint64_t)tpm_hw_rd(CMD_HADDR, 4) << 32 | tpm_hw_rd(CMD_LADDR, 4);
	rsp = (uint64_t)tpm_hw_rd(RSP_ADDR + 4, 4) << 32 | tpm_hw_rd(RSP_ADDR, 4);
	cmd_size = tpm_hw_rd(CMD_SIZE, 4);
	rsp_size = tpm_hw_rd(RSP_SIZE, 4);
	cmd_off = buffer(cmd, cmd_size);
	rsp_off = buffer(rsp, rsp_size);
	if (!go_idle()) {
		*why = "did not go idle";
		goto fail;
	}
	if (!cmd_off || !rsp_off) {
		*why = "CRB buffers not inside locality 0's page at 0xfed40080-0xfed40fff";
		goto fail;
	}
	tpm_env_note(TPM_ENV_PREFIX "CRB at 0x%lx, buffers %u and %u bytes, locality 0\n",
		(unsigned long)TPM_HW_BASE, cmd_size, rsp_size);
	return &crb_ops;
fail:
	crb_close();
	return NULL;
}
