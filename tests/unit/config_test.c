/* Domain and core command lines. */
#include "util.h"
#include <core/config.h>
#include <tessera/errno.h>

static struct domain_config dc;
static struct core_config cc;
static const char *why;

static int dom(const char *s)
{
	why = NULL;
	memset(&dc, 0x5a, sizeof(dc));
	return config_parse_domain(s, &dc, &why);
}

static int core(const char *s)
{
	why = NULL;
	return config_parse_core(s, &cc, &why);
}

#define DOM_REJECTS(s, msg)                                                           \
	do {                                                                          \
		CHECK_EQ(dom(s), -TESSERA_EINVAL);                                    \
		CHECK_STREQ(why, msg);                                                \
	} while (0)

#define MEM_MSG "mem must be a multiple of 2M from 2M to 1G"
#define NAME_MSG "domain name must be 1-15 of [a-z0-9_-]"

TEST(config_domain_line_with_file_name_is_parsed)
{
	CHECK_EQ(dom("/boot/hello.elf domain=hello mem=4M"), 0);
	CHECK_STREQ(dc.name, "hello");
	CHECK_EQ(dc.mem, 4ULL << 20);
	CHECK_EQ(dc.vcpus, 1);
	for (size_t i = strlen("hello"); i < sizeof(dc.name); i++)
		CHECK_EQ(dc.name[i], 0);
}

TEST(config_domain_line_without_file_name_is_parsed)
{
	CHECK_EQ(dom("mem=2M domain=a_b-9"), 0);
	CHECK_STREQ(dc.name, "a_b-9");
	CHECK_EQ(dc.mem, 2ULL << 20);
}

TEST(config_words_may_be_separated_by_tabs_and_runs_of_spaces)
{
	CHECK_EQ(dom("  \tx.elf\t\tdomain=t   mem=2M  vcpus=1 \t"), 0);
	CHECK_STREQ(dc.name, "t");
	CHECK_EQ(dc.vcpus, 1);
}

TEST(config_mem_accepts_k_m_g_and_bytes)
{
	CHECK_EQ(dom("domain=a mem=1G"), 0);
	CHECK_EQ(dc.mem, 1ULL << 30);
	CHECK_EQ(dom("domain=a mem=4194304"), 0);
	CHECK_EQ(dc.mem, 4ULL << 20);
	CHECK_EQ(dom("domain=a mem=6144K"), 0);
	CHECK_EQ(dc.mem, 6ULL << 20);
}

TEST(config_mem_not_multiple_of_2m_is_rejected)
{
	DOM_REJECTS("domain=a mem=3M", MEM_MSG);
	DOM_REJECTS("domain=a mem=2049K", MEM_MSG);
	DOM_REJECTS("domain=a mem=2097153", MEM_MSG);
}

TEST(config_mem_too_small_is_rejected)
{
	DOM_REJECTS("domain=a mem=0", MEM_MSG);
	DOM_REJECTS("domain=a mem=0M", MEM_MSG);
	DOM_REJECTS("domain=a mem=1M", MEM_MSG);
}

TEST(config_mem_too_big_is_rejected)
{
	DOM_REJECTS("domain=a mem=1026M", MEM_MSG);
	DOM_REJECTS("domain=a mem=2G", MEM_MSG);
}

/* Huge numbers must not wrap around into a valid size. */
TEST(config_mem_overflowing_number_is_rejected)
{
	/* 2^64 + 4 MiB in bytes, and a count of G that overflows on multiplication */
	DOM_REJECTS("domain=a mem=18446744073713745920", MEM_MSG);
	DOM_REJECTS("domain=a mem=17179869184G", MEM_MSG);
	DOM_REJECTS("domain=a mem=999999999999G", MEM_MSG);
	DOM_REJECTS("domain=a mem=0000000000002M", MEM_MSG);
}

TEST(config_mem_with_junk_is_rejected)
{
	DOM_REJECTS("domain=a mem=4MB", MEM_MSG);
	DOM_REJECTS("domain=a mem=4m", MEM_MSG);
	DOM_REJECTS("domain=a mem=0x400000", MEM_MSG);
	DOM_REJECTS("domain=a mem=-4M", MEM_MSG);
	DOM_REJECTS("domain=a mem=4 M", "unexpected word without '='");
	DOM_REJECTS("domain=a mem=M", MEM_MSG);
	DOM_REJECTS("domain=a mem=", MEM_MSG);
	DOM_REJECTS("domain=a mem=4M=", MEM_MSG);
}

TEST(config_vcpus_other_than_1_is_rejected)
{
	CHECK_EQ(dom("domain=a mem=2M vcpus=1"), 0);
	DOM_REJECTS("domain=a mem=2M vcpus=2", "vcpus must be 1 (SMP domains are not supported yet)");
	DOM_REJECTS("domain=a mem=2M vcpus=0", "vcpus must be 1 (SMP domains are not supported yet)");
	DOM_REJECTS("domain=a mem=2M vcpus=", "vcpus must be 1 (SMP domains are not supported yet)");
	DOM_REJECTS("domain=a mem=2M vcpus=1K", "vcpus must be 1 (SMP domains are not supported yet)");
}

TEST(config_unknown_key_is_rejected_and_named)
{
	DOM_REJECTS("domain=a mem=2M memory=4M", "unknown option 'memory'");
	DOM_REJECTS("domain=a mem=2M =x", "unknown option ''");
	DOM_REJECTS("domain=a Mem=2M", "unknown option 'Mem'");
}

TEST(config_repeated_key_is_rejected)
{
	DOM_REJECTS("domain=a mem=2M domain=b", "option 'domain' given twice");
	DOM_REJECTS("domain=a mem=2M mem=2M", "option 'mem' given twice");
}

TEST(config_domain_name_too_long_is_rejected)
{
	CHECK_EQ(dom("domain=abcdefghijklmno mem=2M"), 0);
	CHECK_STREQ(dc.name, "abcdefghijklmno");
	DOM_REJECTS("domain=abcdefghijklmnop mem=2M", NAME_MSG);
}

TEST(config_domain_name_with_bad_characters_is_rejected)
{
	DOM_REJECTS("domain=Hello mem=2M", NAME_MSG);
	DOM_REJECTS("domain=a.b mem=2M", NAME_MSG);
	DOM_REJECTS("domain=a/b mem=2M", NAME_MSG);
	DOM_REJECTS("domain=a=b mem=2M", NAME_MSG);
	DOM_REJECTS("domain=\x1b[0m mem=2M", NAME_MSG);
	DOM_REJECTS("domain=caf\xc3\xa9 mem=2M", NAME_MSG);
}

TEST(config_empty_domain_name_is_rejected)
{
	DOM_REJECTS("domain= mem=2M", NAME_MSG);
}

TEST(config_missing_mem_is_rejected)
{
	DOM_REJECTS("x.elf domain=a", "mem=SIZE is required");
}

TEST(config_missing_domain_is_rejected)
{
	DOM_REJECTS("x.elf mem=2M", "not a domain module (no domain=NAME)");
	DOM_REJECTS("", "not a domain module (no domain=NAME)");
	DOM_REJECTS("x.elf", "not a domain module (no domain=NAME)");
}

TEST(config_word_without_equals_after_first_is_rejected)
{
	DOM_REJECTS("x.elf domain=a mem=2M extra", "unexpected word without '='");
	DOM_REJECTS("x.elf y.elf domain=a mem=2M", "unexpected word without '='");
}

TEST(config_more_than_16_options_is_rejected)
{
	DOM_REJECTS("domain=a mem=2M a1=1 a2=1 a3=1 a4=1 a5=1 a6=1 a7=1 a8=1 a9=1 b1=1 b2=1 b3=1 "
		    "b4=1 b5=1 b6=1",
		    "too many options");
}

TEST(config_core_debug_exit_on_and_off)
{
	CHECK_EQ(core("/boot/tessera.elf debug_exit=on"), 0);
	CHECK(cc.debug_exit);
	CHECK_EQ(core("debug_exit=off"), 0);
	CHECK(!cc.debug_exit);
	CHECK_EQ(core(""), 0);
	CHECK(!cc.debug_exit);
	CHECK_EQ(core("tessera.elf"), 0);
	CHECK(!cc.debug_exit);
	CHECK_EQ(core("debug_exit=on"), 0);
	CHECK_EQ(cc.debug_exit, DEBUG_EXIT_QEMU);
	CHECK_EQ(core("debug_exit=bochs"), 0);
	CHECK_EQ(cc.debug_exit, DEBUG_EXIT_BOCHS);
}

TEST(config_core_debug_exit_bad_value_is_rejected)
{
	const char *bad[] = { "debug_exit=yes", "debug_exit=1", "debug_exit=", "debug_exit=onn",
			      "debug_exit=ON", "debug_exit=o" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(core(bad[i]), -TESSERA_EINVAL);
		CHECK_STREQ(why, "debug_exit must be on, bochs or off");
	}
	CHECK_EQ(core("debug_exit=on debug_exit=off"), -TESSERA_EINVAL);
	CHECK_STREQ(why, "option 'debug_exit' given twice");
}

TEST(config_core_unknown_key_is_rejected)
{
	CHECK_EQ(core("tessera.elf debug_exit=on console=ttyS0"), -TESSERA_EINVAL);
	CHECK_STREQ(why, "unknown option 'console'");
	CHECK_EQ(core("tessera.elf debug_exit=on quiet"), -TESSERA_EINVAL);
	CHECK_STREQ(why, "unexpected word without '='");
}

TEST(config_core_valid_options_apply_even_when_another_is_bad)
{
	CHECK_EQ(core("bogus=1 debug_exit=on"), -TESSERA_EINVAL);
	CHECK_STREQ(why, "unknown option 'bogus'");
	CHECK(cc.debug_exit);
	CHECK_EQ(core("debug_exit=on selftest=boom bogus=1"), -TESSERA_EINVAL);
	CHECK_STREQ(why, "selftest must be trap");
	CHECK(cc.debug_exit);
	CHECK(!cc.selftest_trap);
}

TEST(config_core_selftest_trap)
{
	CHECK_EQ(core("selftest=trap"), 0);
	CHECK(cc.selftest_trap);
	CHECK_EQ(core(""), 0);
	CHECK(!cc.selftest_trap);
}

TEST(config_cpu_places_the_vcpu_and_defaults_to_0)
{
	CHECK_EQ(dom("domain=a mem=2M"), 0);
	CHECK_EQ(dc.cpu, 0);
	CHECK_EQ(dom("domain=a mem=2M cpu=7"), 0);
	CHECK_EQ(dc.cpu, 7);
}

TEST(config_cpu_out_of_range_or_malformed_is_rejected)
{
	const char *bad[] = { "cpu=8", "cpu=", "cpu=-1", "cpu=1K", "cpu=99999999999999", "cpu=x" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "domain=a mem=2M %s", bad[i]);
		DOM_REJECTS(line, "cpu must be a CPU number from 0 to 7");
	}
	DOM_REJECTS("domain=a mem=2M cpu=1 cpu=1", "option 'cpu' given twice");
}
