/*
 * bench/attest.sh's measuring program: the verifier's checks on one saved evidence
 * file, N times in a loop on one core (no TPM, no state changes, no verdict): what
 * verifying a quote costs. Prints "attest-bench: N verifications in S s: R per second".
 *   attest-bench STATE-DIR MANIFEST EVIDENCE N
 */
#include "tool.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	static struct att_enrollment en;
	static struct manifest m;
	static struct evidence ev;
	static struct att_report r;
	struct timespec a, b;
	long n = argc == 5 ? strtol(argv[4], NULL, 10) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: attest-bench STATE-DIR MANIFEST EVIDENCE N\n");
		return ATT_USAGE;
	}
	if (state_load_enrollment(argv[1], &en, &r) || man_read(argv[2], &m, &r) ||
	    evidence_read(argv[3], &ev, &r)) {
		fprintf(stderr, "attest-bench: %s\n", r.reason);
		return r.code;
	}
	struct verify_input in = { .en = &en, .man = &m, .ev = &ev, .expected_nonce = ev.nonce,
				   .nonce_state = NONCE_ISSUED };
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		if (verify_evidence(&in, &r)) {
			fprintf(stderr, "attest-bench: the evidence does not verify: %s\n", r.reason);
			return r.code;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("attest-bench: %ld verifications in %.3f s: %.0f per second\n", n, s, (double)n / s);
	evidence_free(&ev);
	return 0;
}
