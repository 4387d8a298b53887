/*
 * What tests/unit/util.c and policy_build.c expect of the unit-test runner, for
 * the fuzzers that reuse them: a failed check there is a broken harness, abort().
 * And the initialiser of a target that needs none (a target's own one wins).
 */
#include "../../tests/unit/test.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void test_register(struct test *t)
{
	(void)t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
