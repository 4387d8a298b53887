/*
 * The attestation channel (tessera/attest.h) as a TCTI, so ESYS runs over it: transmit
 * sends one 0x01 frame, receive reads one 0x81 (or 0xff) frame. The peer is hostile:
 * every frame header is checked (magic, type, length against the maximum) before its
 * payload is read, every read and write is bounded in time, and after any protocol
 * error the channel is closed so no later byte is taken for a frame boundary.
 * A refusal (0xff) becomes a TPM response carrying the refusal's code, so the ESYS
 * call fails with it; socktcti_error() gives the domain's text.
 */
#include "tool.h"
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <tessera/attest.h>
#include <time.h>
#include <unistd.h>

#define SOCKTCTI_MAGIC 0x5465737361747400ULL /* "Tessatt" */
#define TPM_HEADER_SIZE 10

enum sock_state { SOCK_IDLE, SOCK_SENT, SOCK_READY, SOCK_BROKEN };

struct socktcti {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;
	int fd;
	unsigned timeout_ms;
	enum sock_state state;
	uint8_t rsp[TESSERA_ATTEST_TPM_MAX];
	size_t rsp_len;
	char error[256];
};

static struct socktcti *cast(TSS2_TCTI_CONTEXT *ctx)
{
	struct socktcti *s = (struct socktcti *)ctx;
	return s && s->common.v1.magic == SOCKTCTI_MAGIC ? s : NULL;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Marks the channel broken: a stream that lost sync is never read again. */
__attribute__((format(printf, 2, 3))) static TSS2_RC broken(struct socktcti *s,
							     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	s->state = SOCK_BROKEN;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return TSS2_TCTI_RC_IO_ERROR;
}

/* Moves n bytes, waiting at most until deadline; -1 with s->error on failure. */
static int io_full(struct socktcti *s, uint8_t *buf, size_t n, bool out, int64_t deadline,
		   const char *what)
{
	size_t done = 0;
	while (done < n) {
		int64_t left = deadline - now_ms();
		struct pollfd p = { .fd = s->fd, .events = out ? POLLOUT : POLLIN };
		if (left <= 0) {
			broken(s, "timed out %s the attestation channel (%zu of %zu bytes of %s)",
			       out ? "writing to" : "reading from", done, n, what);
			return -1;
		}
		int rc = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			broken(s, "poll on the attestation channel: %s", strerror(errno));
			return -1;
		}
		if (!rc)
			continue;
		ssize_t got = out ? send(s->fd, buf + done, n - done, MSG_NOSIGNAL) :
				    recv(s->fd, buf + done, n - done, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0) {
			broken(s, "attestation channel: %s", strerror(errno));
			return -1;
		}
		if (!got) {
			broken(s, "short read: the attestation channel closed after %zu of %zu bytes of %s",
			       done, n, what);
			return -1;
		}
		done += (size_t)got;
	}
	return 0;
}

static int send_frame(struct socktcti *s, uint8_t type, const uint8_t *payload, size_t len)
{
	uint8_t hdr[TESSERA_ATTEST_HDR_SIZE];
	int64_t deadline = now_ms() + s->timeout_ms;

	memcpy(hdr, TESSERA_ATTEST_MAGIC, TESSERA_ATTEST_MAGIC_SIZE);
	hdr[4] = type;
	put_be32(hdr + 5, (uint32_t)len);
	if (io_full(s, hdr, sizeof(hdr), true, deadline, "a frame header") ||
	    (len && io_full(s, (uint8_t *)payload, len, true, deadline, "a request")))
		return -1;
	return 0;
}

/*
 * Reads one frame header answering request `req`: returns the type (the expected
 * response or a refusal) and *len, checked against max for that type; -1 otherwise.
 */
static int read_header(struct socktcti *s, uint8_t req, uint32_t max, uint32_t *len,
		       int64_t deadline)
{
	uint8_t hdr[TESSERA_ATTEST_HDR_SIZE];
	uint8_t want = (uint8_t)(req | 0x80);

	if (io_full(s, hdr, sizeof(hdr), false, deadline, "a frame header"))
		return -1;
	if (memcmp(hdr, TESSERA_ATTEST_MAGIC, TESSERA_ATTEST_MAGIC_SIZE)) {
		broken(s, "bad frame magic %02x%02x%02x%02x, expected \"TATT\"",
		       hdr[0], hdr[1], hdr[2], hdr[3]);
		return -1;
	}
	*len = get_be32(hdr + 5);
	if (hdr[4] == TESSERA_ATTEST_RSP_REFUSED) {
		if (*len < 4 || *len > TESSERA_ATTEST_REFUSAL_MAX) {
			broken(s, "refusal frame of %u bytes (expected 4 to %u)", *len,
			       TESSERA_ATTEST_REFUSAL_MAX);
			return -1;
		}
		return hdr[4];
	}
	if (hdr[4] != want) {
		broken(s, "response type 0x%02x to a 0x%02x request (expected 0x%02x or 0xff)", hdr[4],
		       req, want);
		return -1;
	}
	if (*len > max) {
		broken(s, "response of %u bytes to a 0x%02x request exceeds the maximum of %u", *len,
		       req, max);
		return -1;
	}
	return hdr[4];
}

/* Reads a refusal's payload: its code, and its text into s->error. */
static int read_refusal(struct socktcti *s, uint32_t len, int64_t deadline, uint32_t *code)
{
	uint8_t buf[TESSERA_ATTEST_REFUSAL_MAX];
	if (io_full(s, buf, len, false, deadline, "a refusal"))
		return -1;
	*code = get_be32(buf);
	size_t n = 0;
	for (uint32_t i = 4; i < len && n + 1 < sizeof(s->error); i++)
		s->error[n++] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '?';
	s->error[n] = 0;
	return 0;
}

static TSS2_RC transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct socktcti *s = cast(ctx);
	if (!s || (!cmd && size))
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (s->state == SOCK_BROKEN)
		return TSS2_TCTI_RC_IO_ERROR;
	if (s->state != SOCK_IDLE)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	if (size < TPM_HEADER_SIZE || size > TESSERA_ATTEST_TPM_MAX)
		return TSS2_TCTI_RC_BAD_VALUE;
	s->error[0] = 0;
	if (send_frame(s, TESSERA_ATTEST_REQ_TPM, cmd, size))
		return TSS2_TCTI_RC_IO_ERROR;
	s->state = SOCK_SENT;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC read_response(struct socktcti *s)
{
	int64_t deadline = now_ms() + s->timeout_ms;
	uint32_t len, code;
	int type = read_header(s, TESSERA_ATTEST_REQ_TPM, TESSERA_ATTEST_TPM_MAX, &len, deadline);

	if (type < 0)
		return TSS2_TCTI_RC_IO_ERROR;
	if (type == TESSERA_ATTEST_RSP_REFUSED) {
		if (read_refusal(s, len, deadline, &code))
			return TSS2_TCTI_RC_IO_ERROR;
		if (!code)
			return broken(s, "refusal with response code 0 (success)");
		/* A bare TPM response (TPM_ST_NO_SESSIONS) with the domain's code. */
		s->rsp[0] = 0x80;
		s->rsp[1] = 0x01;
		put_be32(s->rsp + 2, TPM_HEADER_SIZE);
		put_be32(s->rsp + 6, code);
		s->rsp_len = TPM_HEADER_SIZE;
	} else {
		if (io_full(s, s->rsp, len, false, deadline, "a TPM response"))
			return TSS2_TCTI_RC_IO_ERROR;
		if (len < TPM_HEADER_SIZE || get_be32(s->rsp + 2) != len)
			return broken(s, "TPM response of %u bytes whose header says %u", len,
				      len >= TPM_HEADER_SIZE ? get_be32(s->rsp + 2) : 0);
		s->rsp_len = len;
	}
	s->state = SOCK_READY;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *rsp, int32_t timeout)
{
	struct socktcti *s = cast(ctx);
	TSS2_RC rc;
	(void)timeout; /* s->timeout_ms bounds every wait, whatever the caller asks */

	if (!s || !size)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (s->state == SOCK_BROKEN)
		return TSS2_TCTI_RC_IO_ERROR;
	if (s->state == SOCK_IDLE)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	if (s->state == SOCK_SENT && (rc = read_response(s)))
		return rc;
	if (!rsp) { /* a size query: the response stays for the next call */
		*size = s->rsp_len;
		return TSS2_RC_SUCCESS;
	}
	if (*size < s->rsp_len)
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	memcpy(rsp, s->rsp, s->rsp_len);
	*size = s->rsp_len;
	s->state = SOCK_IDLE;
	return TSS2_RC_SUCCESS;
}

static void finalize(TSS2_TCTI_CONTEXT *ctx)
{
	struct socktcti *s = cast(ctx);
	if (s && s->fd >= 0)
		close(s->fd);
	if (s)
		s->fd = -1;
}

static TSS2_RC not_implemented(TSS2_TCTI_CONTEXT *ctx)
{
	(void)ctx;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC no_poll(TSS2_TCTI_CONTEXT *ctx, TSS2_TCTI_POLL_HANDLE *h, size_t *n)
{
	(void)ctx, (void)h, (void)n;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC no_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	(void)ctx, (void)locality;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC no_sticky(TSS2_TCTI_CONTEXT *ctx, TPM2_HANDLE *h, uint8_t sticky)
{
	(void)ctx, (void)h, (void)sticky;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

TSS2_RC socktcti_open(const char *path, unsigned timeout_ms, TSS2_TCTI_CONTEXT **out,
		      char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct socktcti *s;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return TSS2_TCTI_RC_BAD_VALUE;
	}
	strcpy(sa.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return TSS2_TCTI_RC_MEMORY;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return TSS2_TCTI_RC_IO_ERROR;
	}
	s->common.v1.magic = SOCKTCTI_MAGIC;
	s->common.v1.version = 2;
	s->common.v1.transmit = transmit;
	s->common.v1.receive = receive;
	s->common.v1.finalize = finalize;
	s->common.v1.cancel = not_implemented;
	s->common.v1.getPollHandles = no_poll;
	s->common.v1.setLocality = no_locality;
	s->common.makeSticky = no_sticky;
	s->timeout_ms = timeout_ms;
	*out = (TSS2_TCTI_CONTEXT *)s;
	return TSS2_RC_SUCCESS;
}

int socktcti_request(TSS2_TCTI_CONTEXT *ctx, uint8_t type, uint8_t **buf, size_t *len,
		     char *err, size_t errlen)
{
	struct socktcti *s = cast(ctx);
	uint32_t n, code, max = type == TESSERA_ATTEST_REQ_LOG ? TESSERA_ATTEST_LOG_MAX :
								 TESSERA_ATTEST_INFO_MAX;
	int64_t deadline;
	int rt;

	*buf = NULL;
	if (!s || s->state != SOCK_IDLE) {
		snprintf(err, errlen, "attestation channel not ready: %s", s ? s->error : "no channel");
		return -1;
	}
	if (send_frame(s, type, NULL, 0))
		goto io;
	deadline = now_ms() + s->timeout_ms;
	rt = read_header(s, type, max, &n, deadline);
	if (rt < 0)
		goto io;
	if (rt == TESSERA_ATTEST_RSP_REFUSED) {
		if (read_refusal(s, n, deadline, &code))
			goto io;
		snprintf(err, errlen, "the attestation domain refused request 0x%02x (code 0x%x): %s",
			 type, code, s->error);
		return -1;
	}
	*buf = malloc(n + 1u); /* +1: info text is used as a string */
	if (!*buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (io_full(s, *buf, n, false, deadline, type == TESSERA_ATTEST_REQ_LOG ? "the log" : "info")) {
		free(*buf);
		*buf = NULL;
		goto io;
	}
	(*buf)[n] = 0;
	*len = n;
	return 0;
io:
	snprintf(err, errlen, "%s", s->error);
	return -1;
}

const char *socktcti_error(TSS2_TCTI_CONTEXT *ctx)
{
	struct socktcti *s = cast(ctx);
	return s ? s->error : "";
}
