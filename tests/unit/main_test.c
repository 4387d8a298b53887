/*
 * The whole portable boot path: Multiboot2 information and domain images in
 * simulated memory -> mb2_parse -> core_main -> domains -> scheduler -> halt.
 */
#include "util.h"
#include "policy_build.h"
#include <core/frame.h>
#include <core/main.h>
#include <tessera/errno.h>
#include <stdlib.h>

#define MiB (1ULL << 20)
#define INFO_PA 0x10000ULL
#define MOD_PA(i) (0x800000ULL + (i) * 0x10000ULL)
#define GREETING "hi from guest\n"

#define POLICY_PA 0x700000ULL

static uint8_t *info;
/* The policy module boot() appends (allow-all unless a test sets its own; NULL: none). */
static const uint8_t *policy_bin;
static size_t policy_size;
static bool no_policy;
static uint32_t off, nmods;
static struct boot_info bi;

static void put32(uint32_t at, uint32_t v)
{
	memcpy(info + at, &v, 4);
}

static uint32_t tag(uint32_t type, uint32_t size)
{
	uint32_t at = off;
	put32(at, type);
	put32(at + 4, size);
	off += (size + 7) & ~7u;
	return at + 8;
}

static void begin(const char *cmdline, uint64_t ram_end)
{
	const uint64_t map[][3] = { { 0, 0x9fc00, BOOT_MEM_AVAILABLE },
				    { 0x9fc00, MiB - 0x9fc00, BOOT_MEM_RESERVED },
				    { MiB, ram_end - MiB, BOOT_MEM_AVAILABLE } };
	info = sim_phys(INFO_PA, 0x10000);
	off = 8;
	nmods = 0;
	uint32_t p = tag(1, 8 + (uint32_t)strlen(cmdline) + 1);
	memcpy(info + p, cmdline, strlen(cmdline) + 1);
	p = tag(6, 16 + 24 * 3);
	put32(p, 24);
	for (uint32_t i = 0; i < 3; i++) {
		memcpy(info + p + 8 + i * 24, &map[i][0], 8);
		memcpy(info + p + 8 + i * 24 + 8, &map[i][1], 8);
		put32(p + 8 + i * 24 + 16, (uint32_t)map[i][2]);
	}
}

/* A module at pa holding the default image, with GREETING at the start of its data. */
static void module_at(uint64_t pa, const char *cmdline)
{
	static struct img im;
	img_default(&im);
	memcpy(im.b + IMG_DATA_OFF, GREETING, strlen(GREETING));
	if (pa + im.size <= SIM_MEM_SIZE)
		memcpy(sim_phys(pa, im.size), im.b, im.size);
	uint32_t p = tag(3, 16 + (uint32_t)strlen(cmdline) + 1);
	put32(p, (uint32_t)pa);
	put32(p + 4, (uint32_t)(pa + im.size));
	memcpy(info + p + 8, cmdline, strlen(cmdline) + 1);
	nmods++;
}

static void module(const char *cmdline)
{
	module_at(MOD_PA(nmods), cmdline);
}

static void policy_module(const uint8_t *bin, size_t size, const char *cmdline)
{
	memcpy(sim_phys(POLICY_PA, size), bin, size);
	uint32_t p = tag(3, 16 + (uint32_t)strlen(cmdline) + 1);
	put32(p, (uint32_t)POLICY_PA);
	put32(p + 4, (uint32_t)(POLICY_PA + size));
	memcpy(info + p + 8, cmdline, strlen(cmdline) + 1);
	nmods++;
}

static void boot_core(void *arg)
{
	(void)arg;
	core_main(&bi, MiB, 2 * MiB);
}

/* Parse the info as the arch layer would and run the core until it halts. */
static int boot(void)
{
	const char *why = NULL;
	if (!no_policy) {
		if (!policy_bin)
			policy_bin = pb_allow_all(&policy_size);
		policy_module(policy_bin, policy_size, "policy.bin kind=policy");
	}
	tag(0, 8);
	put32(0, off);
	if (mb2_parse(INFO_PA, &bi, &why))
		test_fail(__FILE__, __LINE__, "mb2_parse: %s", why);
	return sim_catch_halt(boot_core, NULL);
}

TEST(core_boots_domains_runs_them_and_halts_when_all_ended)
{
	begin("/boot/tessera.elf debug_exit=on", 64 * MiB);
	module("/boot/hello.elf domain=alpha mem=4M");
	module("/boot/hello.elf domain=beta mem=2M");
	module("/boot/hello.elf domain=Bad mem=2M");
	sim_script_hcall(0, TESSERA_HC_console_write, IMG_DATA, strlen(GREETING), 0);
	sim_script_hcall(0, TESSERA_HC_yield, 0, 0, 0);
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	sim_script_hcall(1, TESSERA_HC_version, 0, 0, 0);
	sim_script_exit(1, VEXIT_NESTED_FAULT, 4 * MiB, NULL);

	CHECK_EQ(boot(), ARCH_HALT_DONE);
	const char *c = sim_console();
	CHECK_HAS(c, "tessera: core ABI 0.1, booted by multiboot2, 3 memory regions, 4 modules\n");
	CHECK_HAS(c, "tessera: policy loaded: ");
	CHECK_HAS(c, "tessera: virtualization backend sim\n");
	CHECK_HAS(c, "tessera: domain alpha (id 0) created: 4 MiB, core overhead ");
	CHECK_HAS(c, "tessera: domain beta (id 1) created: 2 MiB, core overhead ");
	CHECK_HAS(c, "tessera: module 2 rejected: domain name must be 1-15 of [a-z0-9_-]\n");
	CHECK_HAS(c, "[alpha] hi from guest\n");
	CHECK_HAS(c, "tessera: domain beta (id 1) destroyed: nested page fault at gpa 0x400000");
	CHECK_HAS(c, "tessera: domain alpha (id 0) exited with code 0\n");
	CHECK_HAS(c, "tessera: all domains ended\n");
	CHECK(strstr(c, "[alpha] hi") < strstr(c, "beta (id 1) destroyed"));
	CHECK(strstr(c, "beta (id 1) destroyed") < strstr(c, "alpha (id 0) exited"));
	CHECK(sim_debug_exit());
	CHECK(domain_get(2) == NULL);
	/* Everything went back: RAM above 1 MiB minus the core, three 3-frame modules and the policy. */
	CHECK_EQ(frame_free_count(), (63 * MiB - MiB) / PAGE_SIZE - 9 - 1);
}

TEST(core_debug_exit_is_off_unless_asked_for)
{
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	arch_set_debug_exit(true);
	CHECK_EQ(boot(), ARCH_HALT_DONE);
	CHECK(!sim_debug_exit());
}

TEST(core_rejects_bad_core_command_line_before_anything_runs)
{
	begin("/boot/tessera.elf debug_exit=maybe", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	CHECK_EQ(boot(), ARCH_HALT_BAD_BOOT);
	CHECK_HAS(sim_console(), "tessera: core command line rejected: debug_exit must be on, bochs or off\n");
	CHECK_EQ(sim_trace_len(), 0);
	CHECK_EQ(sim_virt.domain_inits, 0);
}

TEST(core_rejects_module_overlapping_the_core)
{
	begin("", 64 * MiB);
	module_at(2 * MiB - 0x1000, "hello.elf domain=alpha mem=2M");
	CHECK_EQ(boot(), ARCH_HALT_BAD_BOOT);
	CHECK_HAS(sim_console(), "tessera: boot information rejected: module 0 overlaps the core image\n");
	CHECK_EQ(sim_virt.domain_inits, 0);
}

TEST(core_halts_with_no_domains_when_every_module_is_rejected)
{
	begin("", 64 * MiB);
	module("hello.elf mem=2M");
	module("hello.elf domain=toobig mem=1G");
	CHECK_EQ(boot(), ARCH_HALT_NO_DOMAINS);
	CHECK_HAS(sim_console(), "module 0 rejected: not a domain module (no domain=NAME)\n");
	CHECK_HAS(sim_console(), "module 1 rejected: out of memory for the domain\n");
	CHECK_HAS(sim_console(), "tessera: no domain to run\n");
}

TEST(core_halts_with_no_domains_without_virtualization)
{
	begin("", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	sim_virt.fail_init = -1;
	CHECK_EQ(boot(), ARCH_HALT_NO_DOMAINS);
	CHECK_HAS(sim_console(), "tessera: no usable virtualization backend\n");
	CHECK_EQ(sim_virt.domain_inits, 0);
}

TEST(core_panics_without_usable_memory)
{
	begin("", MiB + 0x800); /* available RAM ends inside the first frame above 1 MiB */
	no_policy = true;
	CHECK_EQ(boot(), ARCH_HALT_PANIC);
	CHECK_HAS(sim_console(), "PANIC: no usable memory\n");
}

/* RAM the map reports but the core cannot address is refused per module, not fatally. */
TEST(core_skips_module_it_cannot_address)
{
	begin("", 128 * MiB);
	module_at(100 * MiB, "far.elf domain=far mem=2M");
	module("hello.elf domain=near mem=2M");
	sim_script_hcall(0, TESSERA_HC_exit, 3, 0, 0);
	CHECK_EQ(boot(), ARCH_HALT_DONE);
	CHECK_HAS(sim_console(), "module 0 rejected: image not addressable\n");
	CHECK_HAS(sim_console(), "domain near (id 0) exited with code 3\n");
}

/* Options that are valid still apply when another is bad: the test machine asked
 * for debug_exit, so it must learn that the core refused to start. */
TEST(core_reports_rejected_command_line_through_debug_exit)
{
	begin("/boot/tessera.elf bogus=1 debug_exit=on", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	CHECK_EQ(boot(), ARCH_HALT_BAD_BOOT);
	CHECK_HAS(sim_console(), "tessera: core command line rejected: unknown option 'bogus'\n");
	CHECK(sim_debug_exit());
	CHECK_EQ(sim_virt.domain_inits, 0);
}

TEST(core_selftest_trap_faults_before_any_domain_is_created)
{
	begin("/boot/tessera.elf debug_exit=on selftest=trap", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	CHECK_EQ(boot(), ARCH_HALT_EXCEPTION);
	CHECK_EQ(sim_virt.domain_inits, 0);
}

/* An empty file given as a module is that module's problem, not the boot's. */
TEST(core_rejects_empty_module_and_runs_the_others)
{
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	const char *line = "empty domain=e mem=2M";
	uint32_t p = tag(3, 16 + (uint32_t)strlen(line) + 1);
	put32(p, (uint32_t)MOD_PA(1));
	put32(p + 4, (uint32_t)MOD_PA(1));
	memcpy(info + p + 8, line, strlen(line) + 1);
	nmods++;
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	CHECK_EQ(boot(), ARCH_HALT_DONE);
	CHECK_HAS(sim_console(), "tessera: module 1 rejected: image shorter than an ELF header\n");
	CHECK_HAS(sim_console(), "tessera: domain alpha (id 0) exited with code 0\n");
}

/* Names label console lines (and later policy): a second "alpha" is refused. */
TEST(core_rejects_second_domain_with_the_same_name)
{
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	module("hello.elf domain=alpha mem=4M");
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	CHECK_EQ(boot(), ARCH_HALT_DONE);
	CHECK_HAS(sim_console(), "tessera: module 1 rejected: a domain with this name is already running\n");
	CHECK_EQ(count_of(sim_console(), "created"), 1);
}

/* Fail closed: without a valid policy not one domain starts, and the console says why. */
TEST(core_without_a_policy_module_starts_no_domain)
{
	begin("/boot/tessera.elf debug_exit=on", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	no_policy = true;
	CHECK_EQ(boot(), ARCH_HALT_NO_POLICY);
	CHECK_HAS(sim_console(), "tessera: no policy module (kind=policy); no domain will start\n");
	CHECK_EQ(sim_virt.domain_inits, 0);
}

TEST(core_with_a_corrupt_policy_starts_no_domain)
{
	size_t size;
	uint8_t *bin = pb_allow_all(&size);
	bin[size - 9] ^= 1; /* a byte of the strings: a type name no longer sorts or parses */
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	policy_bin = bin;
	policy_size = size;
	CHECK_EQ(boot(), ARCH_HALT_NO_POLICY);
	CHECK_HAS(sim_console(), "tessera: policy rejected: ");
	CHECK_HAS(sim_console(), "; no domain will start\n");
	CHECK_EQ(sim_virt.domain_inits, 0);
	free(bin);
}

TEST(core_with_a_truncated_policy_starts_no_domain)
{
	size_t size;
	uint8_t *bin = pb_allow_all(&size);
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	policy_bin = bin;
	policy_size = size - 8;
	CHECK_EQ(boot(), ARCH_HALT_NO_POLICY);
	CHECK_HAS(sim_console(), "tessera: policy rejected: header or total size does not match the module; "
				 "no domain will start\n");
	CHECK_EQ(sim_virt.domain_inits, 0);
	free(bin);
}

TEST(core_with_two_policy_modules_starts_no_domain)
{
	size_t size;
	uint8_t *bin = pb_allow_all(&size);
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	module_at(0x600000, "second.bin kind=policy");
	policy_bin = bin;
	policy_size = size;
	CHECK_EQ(boot(), ARCH_HALT_NO_POLICY);
	CHECK_HAS(sim_console(), "tessera: policy rejected: more than one policy module; no domain will start\n");
	CHECK_EQ(sim_virt.domain_inits, 0);
	free(bin);
}

/* A domain the policy gives no type (no label of its own, no default) is refused. */
TEST(core_refuses_a_domain_the_policy_does_not_label)
{
	static struct pb b;
	size_t size;
	pb_init(&b);
	uint32_t a = pb_type(&b, "alpha_t", 0), core = pb_type(&b, "core_t", 0);
	pb_label(&b, TPOL_LABEL_CORE, core, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, a, "alpha", 0, 0);
	pb_allow(&b, a, a, TESSERA_CLASS_domain, TESSERA_PERM(domain, exit));
	uint8_t *bin = pb_emit(&b, &size);
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	module("hello.elf domain=beta mem=2M");
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	policy_bin = bin;
	policy_size = size;
	CHECK_EQ(boot(), ARCH_HALT_DONE);
	CHECK_HAS(sim_console(), "domain alpha (id 0) created: 2 MiB, core overhead ");
	CHECK_HAS(sim_console(), ", label alpha_t\n");
	CHECK_HAS(sim_console(), "tessera: module 1 rejected: the policy has no label for it (label domain NAME TYPE;)\n");
	CHECK_EQ(count_of(sim_console(), "created"), 1);
	free(bin);
}

TEST(core_rejects_a_module_with_an_unknown_kind)
{
	begin("/boot/tessera.elf", 64 * MiB);
	module("hello.elf domain=alpha mem=2M");
	module("x.bin kind=polcy");
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	CHECK_EQ(boot(), ARCH_HALT_DONE);
	CHECK_HAS(sim_console(), "tessera: module 1 rejected: kind must be policy (domains need no kind)\n");
}
