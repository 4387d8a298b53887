/*
 * Which TPM commands the attestation domain passes on (portable: also built on
 * the host for tests/attest and the fuzzers). An allow-list of what enrolment
 * and quoting need and nothing that can extend, reset or reallocate PCRs, change
 * a hierarchy or its authorization, write NV or persistent objects, or restart
 * the TPM: the measurements the core made must stay what the TPM reports.
 */
#ifndef ATTEST_FILTER_H
#define ATTEST_FILTER_H
#include <stddef.h>
#include <stdint.h>

#define TPM_CMD_MAX 4096u
#define TPM_HDR_SIZE 10u

/* Why a command is refused (the refusal frame carries it), 0 if it may pass. */
enum filter_verdict {
	FILTER_PASS = 0,
	FILTER_SHORT,      /* fewer than 10 bytes */
	FILTER_TOO_LONG,   /* more than TPM_CMD_MAX */
	FILTER_SIZE,       /* the header's size is not the frame's length */
	FILTER_TAG,        /* neither TPM_ST_NO_SESSIONS nor TPM_ST_SESSIONS */
	FILTER_COMMAND,    /* not on the allow-list */
	FILTER_HIERARCHY,  /* CreatePrimary in the platform hierarchy */
};

enum filter_verdict filter_check(const uint8_t *cmd, size_t len, uint32_t *cc);
const char *filter_reason(enum filter_verdict v);
#endif
