/*
 * tessera-policy: compile, check, dump and explain Tessera MAC policies.
 * See policy/LANGUAGE.md for the language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <core/policy.h>
#include "compiler.h"

static const char usage[] =
	"usage: tessera-policy COMMAND ...\n"
	"  compile MAIN.tpol -o OUT.bin   compile a policy (reproducibly) to the binary the core loads\n"
	"  check MAIN.tpol                everything compile checks, plus warnings (unused names, empty\n"
	"                                 attributes, rules that grant nothing or nothing new)\n"
	"  dump POLICY.bin                validate a binary as the core does; print it as policy text\n"
	"  explain LOG [--policy P.bin]   explain the denials in a console log, propose rules\n"
	"  allow LOG                      print only the proposed rules\n"
	"  vocabulary                     the classes and permissions, as a Markdown table\n"
	"  help                           this text\n";

/* Read, resolve, expand and encode: what compile and check share. */
static int main_build(const char *path, const char *out, bool check)
{
	struct model m = { 0 };
	struct av_map av = { 0 };
	struct policy loaded;
	const char *why = NULL;
	bool *covered = NULL;
	uint8_t *bin = NULL;
	size_t len;
	int rc = 1, e;
	if (!src_parse(&m, path) || diag_errors() || !sym_resolve(&m))
		goto out;
	covered = check ? mem_zalloc(m.nrules + 1) : NULL;
	if (!expand_allow(&m, &av, covered) || !expand_neverallow(&m, &av) || !emit_policy(&m, &av, &bin, &len))
		goto out;
	/* Never write a binary the core would refuse: run its own validator first (bin is calloc'd, so aligned). */
	if (policy_load(&loaded, bin, len, &why)) {
		diag_path_error(out ? out : path, "internal: the core would refuse this policy: %s", why);
		goto out;
	}
	if (check) {
		check_warn(&m, covered);
		rc = diag_flush_warnings() ? 1 : 0;
	} else if (!strcmp(out, "-")) {
		rc = fwrite(bin, 1, len, stdout) == len && !fflush(stdout) ? 0 : 1;
		if (rc)
			diag_path_error(out, "cannot write");
	} else if ((e = file_write(out, bin, len))) {
		diag_path_error(out, "cannot write: %s", strerror(-e));
	} else {
		rc = 0;
	}
out:
	free(bin);
	free(covered);
	av_free(&av);
	sym_free(&m);
	return rc;
}

static int main_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tessera-policy: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	if (!cmd)
		return main_usage_error("%s", "no command");
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "compile")) {
		const char *in = NULL, *out = NULL;
		for (int i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "-o") && i + 1 < argc && !out)
				out = argv[++i];
			else if (argv[i][0] != '-' && !in)
				in = argv[i];
			else
				return main_usage_error("compile: unexpected argument '%s'", argv[i]);
		}
		if (!in || !out)
			return main_usage_error("%s", "compile needs MAIN.tpol and -o OUT.bin");
		return main_build(in, out, false);
	}
	if (!strcmp(cmd, "check")) {
		if (argc != 3)
			return main_usage_error("%s", "check needs exactly one MAIN.tpol");
		return main_build(argv[2], NULL, true);
	}
	if (!strcmp(cmd, "dump")) {
		if (argc != 3)
			return main_usage_error("%s", "dump needs exactly one POLICY.bin");
		return dump_main(argv[2]);
	}
	if (!strcmp(cmd, "explain")) {
		if (argc == 3)
			return audit_main(argv[2], NULL, true);
		if (argc == 5 && !strcmp(argv[3], "--policy"))
			return audit_main(argv[2], argv[4], true);
		if (argc == 5 && !strcmp(argv[2], "--policy"))
			return audit_main(argv[4], argv[3], true);
		return main_usage_error("%s", "explain needs LOG [--policy POLICY.bin]");
	}
	if (!strcmp(cmd, "allow")) {
		if (argc != 3)
			return main_usage_error("%s", "allow needs exactly one LOG");
		return audit_main(argv[2], NULL, false);
	}
	if (!strcmp(cmd, "vocabulary") && argc == 2) {
		vocab_print_table();
		return 0;
	}
	return main_usage_error("unknown command '%s'", cmd);
}
