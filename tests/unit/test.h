/*
 * A tiny unit test runner. TEST(name) { ... } registers a test; CHECK*
 * macros stop the test at the first failed check. Every test runs in its
 * own forked process, so the core's static state (domain table, frame
 * bitmap, scheduler cursor) starts fresh and a crash fails only that test.
 * A sanitizer report or a memory leak (checked after each test) fails it too.
 * Arguments to the binary select tests whose names contain any of them.
 */
#ifndef UNIT_TEST_H
#define UNIT_TEST_H
#include <stdint.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
	struct test *next;
};

void test_register(struct test *t);
_Noreturn void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                                 \
	static void test_##name(void);                                             \
	static struct test test_rec_##name = { #name, test_##name, 0 };            \
	__attribute__((constructor)) static void test_reg_##name(void)             \
	{                                                                          \
		test_register(&test_rec_##name);                                   \
	}                                                                          \
	static void test_##name(void)

#define CHECK(e)                                                                   \
	do {                                                                       \
		if (!(e))                                                          \
			test_fail(__FILE__, __LINE__, "%s", #e);                   \
	} while (0)

/* Integer comparison that shows both values when it fails. */
#define CHECK_EQ(a, b)                                                             \
	do {                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                \
		if (a_ != b_)                                                      \
			test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld, 0x%llx != 0x%llx)", \
				  #a, #b, a_, b_, (unsigned long long)a_,          \
				  (unsigned long long)b_);                         \
	} while (0)

#define CHECK_STREQ(a, b)                                                          \
	do {                                                                       \
		const char *a_ = (a), *b_ = (b);                                   \
		if (!a_ || !b_ || strcmp(a_, b_))                                  \
			test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b, \
				  a_ ? a_ : "(null)", b_ ? b_ : "(null)");         \
	} while (0)

/* The string s contains sub. */
#define CHECK_HAS(s, sub)                                                          \
	do {                                                                       \
		const char *s_ = (s), *sub_ = (sub);                               \
		if (!s_ || !strstr(s_, sub_))                                      \
			test_fail(__FILE__, __LINE__, "%s contains \"%s\" (is \"%s\")", #s, sub_, \
				  s_ ? s_ : "(null)");                             \
	} while (0)

#define CHECK_NOT_HAS(s, sub)                                                      \
	do {                                                                       \
		const char *s_ = (s), *sub_ = (sub);                               \
		if (!s_ || strstr(s_, sub_))                                       \
			test_fail(__FILE__, __LINE__, "%s lacks \"%s\" (is \"%s\")", #s, sub_, \
				  s_ ? s_ : "(null)");                             \
	} while (0)
#endif
