/*
 * The attestation domain: after boot it owns the TPM's locality 0 (tpm=1 on its
 * module line, allowed by the policy) and answers a remote verifier over its
 * virtio-console (frames of tessera/attest.h): TPM commands that pass filter.c,
 * the event log of the core's measurements (eventlog_read), and a few facts.
 * It never extends, resets or reconfigures anything: the filter refuses every
 * command that could. Serves until the machine stops.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <tessera/attest.h>
#include "../../core/arch/x86/tpm_hw.h"
#include "filter.h"
#include <rt/vcons.h>

#define LOG_MAX (48u * 1024)
#define RC_FAILURE 0x101u      /* TPM_RC_FAILURE: the TPM did not answer */
#define RC_COMMAND_CODE 0x143u /* TPM_RC_COMMAND_CODE: not a command we pass on */
#define RC_VALUE 0x084u        /* TPM_RC_VALUE: a frame we cannot take */

static uint8_t log_buf[LOG_MAX];
static uint32_t log_len;
static uint8_t in[TESSERA_ATTEST_HDR_SIZE + TESSERA_ATTEST_TPM_MAX];
static struct vcons_stream stream = { in, sizeof(in), 0 };
static uint8_t rsp[TESSERA_ATTEST_TPM_MAX];
static const struct tpm_ops *tpm;
static unsigned long passed, refused;

static void reply(uint8_t type, const void *p, uint32_t n)
{
	uint8_t h[TESSERA_ATTEST_HDR_SIZE] = { 'T', 'A', 'T', 'T', type, (uint8_t)(n >> 24),
					       (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
	if (vcons_write(h, sizeof(h)) < 0 || vcons_write(p, n) < 0)
		rt_printf("attest: the channel stopped taking replies\n");
}

static void refuse(uint32_t code, const char *why)
{
	static uint8_t r[4 + 128];
	uint32_t n = 4;
	r[0] = (uint8_t)(code >> 24), r[1] = (uint8_t)(code >> 16), r[2] = (uint8_t)(code >> 8);
	r[3] = (uint8_t)code;
	while (*why && n < sizeof(r))
		r[n++] = (uint8_t)*why++;
	refused++;
	reply(TESSERA_ATTEST_RSP_REFUSED, r, n);
}

static void tpm_command(const uint8_t *cmd, uint32_t len)
{
	const char *why = NULL;
	uint32_t cc, got = 0;
	enum filter_verdict v = filter_check(cmd, len, &cc);
	if (v != FILTER_PASS) {
		rt_printf("attest: TPM command 0x%x refused: %s\n", cc, filter_reason(v));
		refuse(v == FILTER_COMMAND || v == FILTER_HIERARCHY ? RC_COMMAND_CODE : RC_VALUE,
		       filter_reason(v));
		return;
	}
	if (!tpm || tpm->xfer(cmd, len, rsp, sizeof(rsp), &got, &why)) {
		refuse(RC_FAILURE, tpm ? why : "no TPM");
		return;
	}
	passed++;
	reply(TESSERA_ATTEST_RSP_TPM, rsp, got);
}

/* The boot path the core recorded in the log (its first event's data), or "unknown". */
static void info(void)
{
	static const char key[] = "tessera:boot-path:";
	static char text[128];
	uint32_t n = 0, i, k;
	const char *p = "boot-path=";
	while (*p)
		text[n++] = *p++;
	for (i = 0; i + sizeof(key) - 1 <= log_len; i++)
		if (!rt_strncmp((const char *)log_buf + i, key, sizeof(key) - 1))
			break;
	if (i + sizeof(key) - 1 > log_len) {
		for (p = "unknown"; *p;)
			text[n++] = *p++;
	} else {
		for (k = i + sizeof(key) - 1; k < log_len && n < 60 && log_buf[k] >= 'a' &&
					      log_buf[k] <= 'z'; k++)
			text[n++] = (char)log_buf[k];
		while (k < log_len && n < 60 && log_buf[k] >= '0' && log_buf[k] <= '9')
			text[n++] = (char)log_buf[k++];
	}
	for (p = "\ntpm="; *p;)
		text[n++] = *p++;
	for (p = tpm ? tpm->name : "none"; *p;)
		text[n++] = *p++;
	text[n++] = '\n';
	reply(TESSERA_ATTEST_RSP_INFO, text, n);
}

/* One whole frame in `in`: answer it. */
static void serve(uint8_t type, const uint8_t *p, uint32_t len)
{
	if (type == TESSERA_ATTEST_REQ_TPM)
		tpm_command(p, len);
	else if (type == TESSERA_ATTEST_REQ_LOG && !len)
		log_len ? reply(TESSERA_ATTEST_RSP_LOG, log_buf, log_len) : refuse(RC_FAILURE, "no event log: the boot was not measured");
	else if (type == TESSERA_ATTEST_REQ_INFO && !len)
		info();
	else
		refuse(RC_VALUE, "unknown request");
}

/* One frame at the start of p[0, n): its size once it is whole; bad magic or length: < 0. */
static long take(const uint8_t *p, uint32_t n)
{
	uint32_t len;
	if (n < TESSERA_ATTEST_HDR_SIZE)
		return 0;
	len = (uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
	if (rt_strncmp((const char *)p, TESSERA_ATTEST_MAGIC, TESSERA_ATTEST_MAGIC_SIZE) ||
	    len > TESSERA_ATTEST_TPM_MAX) {
		refuse(RC_VALUE, "bad frame (magic or length): input discarded");
		return -1;
	}
	if (n < TESSERA_ATTEST_HDR_SIZE + len)
		return 0;
	serve(p[4], p + TESSERA_ATTEST_HDR_SIZE, len);
	return TESSERA_ATTEST_HDR_SIZE + len;
}

int main(void)
{
	const char *why = "";
	long n, port;
	if (rt_events_init() < 0 || vcons_init(0, 1) < 0)
		return 1;
	while (log_len < LOG_MAX &&
	       (n = tessera_eventlog_read(RT_GPA(log_buf + log_len), LOG_MAX - log_len, log_len)) > 0)
		log_len += (uint32_t)n;
	if ((tpm_hw_rd(TPM_HW_INTF_ID, 4) & 0xf) == TPM_HW_INTF_CRB)
		tpm = tpm_crb_open(&why);
	else
		tpm = tpm_tis_open(&why);
	if (!tpm)
		rt_printf("attest: no TPM (%s): only the log is served\n", why);
	rt_printf("attest: serving the verifier: event log %u bytes\n", log_len);
	port = vcons_irq_port();
	for (;;) {
		if (port >= 0)
			rt_event_poll((uint32_t)port);
		if (vcons_pump(&stream, take))
			continue;
		if (port >= 0) /* the device's interrupt wakes us */
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		else
			tessera_yield();
	}
}
