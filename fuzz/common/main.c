/*
 * The entry every target links unless libFuzzer brings its own: built with
 * afl-clang-fast it is AFL++'s persistent loop over shared-memory test cases;
 * built with plain clang (replay, coverage) it runs each file named on the
 * command line once and says which one it is at, so a crash names its input.
 * Either way each input is copied into a buffer of exactly its size, so reading
 * past the end is AddressSanitizer's to see.
 */
#define _DEFAULT_SOURCE /* read(), which __AFL_FUZZ_INIT uses */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define INPUT_MAX (1u << 20)

#ifdef __AFL_FUZZ_TESTCASE_LEN
#pragma clang diagnostic ignored "-Wconversion" /* AFL++'s own macros below */
__AFL_FUZZ_INIT();
#endif

static void run(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
}

static int run_file(const char *path)
{
	static uint8_t buf[INPUT_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fprintf(stderr, "input %s (%zu bytes)\n", path, n);
	run(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;
	LLVMFuzzerInitialize(&argc, &argv);
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		__AFL_INIT();
		const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(100000))
			run(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
		return 0;
	}
#endif
	for (int i = 1; i < argc; i++)
		rc |= run_file(argv[i]);
	return rc;
}
