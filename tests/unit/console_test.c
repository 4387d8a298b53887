/* The core's printf and panic. */
#include "util.h"
#include <core/console.h>

static char buf[256];
static const char *volatile null_str; /* hidden from the compiler's format check */

TEST(ksnprintf_formats_integers)
{
	ksnprintf(buf, sizeof(buf), "%d %d %u %x %lx %ld %lu", 42, -7, 3000000000u, 0xbeefu,
		  0xfedcba9876543210UL, -9000000000L, 18446744073709551615UL);
	CHECK_STREQ(buf, "42 -7 3000000000 beef fedcba9876543210 -9000000000 18446744073709551615");
	ksnprintf(buf, sizeof(buf), "%d %ld", -2147483647 - 1, -9223372036854775807L - 1);
	CHECK_STREQ(buf, "-2147483648 -9223372036854775808");
	ksnprintf(buf, sizeof(buf), "%zu %u %x", (size_t)12, 0u, 0u);
	CHECK_STREQ(buf, "12 0 0");
}

TEST(ksnprintf_pads_to_width)
{
	ksnprintf(buf, sizeof(buf), "[%02x][%08lx][%5u][%3s][%1d]", 0xau, 0x1234UL, 42u, "ab", 123);
	CHECK_STREQ(buf, "[0a][00001234][   42][ ab][123]");
}

TEST(ksnprintf_formats_strings_and_chars)
{
	ksnprintf(buf, sizeof(buf), "%s|%.*s|%c|%%|%s", "abc", 2, "xyz", 'Q', null_str);
	CHECK_STREQ(buf, "abc|xy|Q|%|(null)");
	ksnprintf(buf, sizeof(buf), "%.*s|", 0, "xyz");
	CHECK_STREQ(buf, "|");
}

TEST(ksnprintf_truncates_and_returns_full_length)
{
	char small[8];
	memset(small, 'z', sizeof(small));
	CHECK_EQ(ksnprintf(small, sizeof(small), "%s", "0123456789"), 10);
	CHECK_STREQ(small, "0123456");
	CHECK_EQ(ksnprintf(small, 1, "abc"), 3);
	CHECK_STREQ(small, "");
	small[0] = 'z';
	CHECK_EQ(ksnprintf(small, 0, "abc"), 3);
	CHECK_EQ(small[0], 'z');
}

/* A line cut short still ends: the next core line must not be glued onto it. */
TEST(kprintf_truncates_long_lines_to_its_buffer_and_ends_them)
{
	char big[600];
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kprintf("%s", big);
	CHECK_EQ(strlen(sim_console()), 383);
	CHECK_EQ(sim_console()[382], '\n');
	kprintf("next\n");
	CHECK_HAS(sim_console(), "m\nnext\n");
}

/* The longest denial record (63-character types, 15-character names) fits on its line. */
TEST(kprintf_holds_the_longest_denial_record)
{
	char t[64];
	memset(t, 't', 63);
	t[63] = '\0';
	kprintf("tessera: avc: denied { %s } hcall=%s sdom=%u sname=%s scontext=%s "
		"tdom=%u tname=%s tcontext=%s tclass=%s permissive=%u\n",
		"create", "domain_lookup", 4294967295u, "aaaaaaaaaaaaaaa", t, 4294967295u,
		"bbbbbbbbbbbbbbb", t, "domain", 1u);
	CHECK_HAS(sim_console(), " permissive=1\n");
}

static void do_panic(void *arg)
{
	panic("broken %s %d", (const char *)arg, 3);
}

TEST(panic_prints_message_and_halts_with_panic_code)
{
	CHECK_EQ(sim_catch_halt(do_panic, "thing"), ARCH_HALT_PANIC);
	CHECK_STREQ(sim_console(), "PANIC: broken thing 3\n");
}
