/*
 * tessera-attest: remote attestation of a Tessera host (attest/README.md).
 *   enroll   trust the EK, make and prove an AK          (--state DIR)
 *   golden   expected measurements from built artifacts  (-o MANIFEST)
 *   nonce    issue a nonce                               (--state DIR)
 *   quote    collect evidence without judging it         (--evidence-out FILE)
 *   verify   the verdict: trusted, or which check failed and what differs
 */
#include "tool.h"
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr, "usage: tessera-attest enroll|golden|nonce|quote|verify [OPTIONS]\n"
			"       (`tessera-attest COMMAND --help` for a command's options; attest/README.md)\n");
	return ATT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "enroll", cmd_enroll }, { "golden", cmd_golden }, { "nonce", cmd_nonce },
		{ "quote", cmd_quote },   { "verify", cmd_verify },
	};
	/* ESYS logs every TPM error on stderr; our own message says it once, with context. */
	setenv("TSS2_LOG", "all+NONE", 0);
	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	return usage();
}
