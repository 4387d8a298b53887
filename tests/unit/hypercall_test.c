/* The hypercall dispatcher and every handler, on a real domain made from an ELF image. */
#include "util.h"
#include <core/console.h>
#include <core/frame.h>
#include <core/hypercall.h>
#include <tessera/errno.h>

#define MEM (4ULL << 20)

static struct domain *setup(void)
{
	machine_frames_init();
	struct domain *d = make_domain("alpha", MEM);
	sim_console_reset();
	return d;
}

/* Put bytes into guest-physical memory of d. */
static void poke(struct domain *d, uint64_t gpa, const void *p, size_t n)
{
	CHECK(gpa <= d->mem_size && n <= d->mem_size - gpa);
	memcpy(d->mem + gpa, p, n);
}

TEST(hcall_number_past_table_is_enosys)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_COUNT, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_COUNT + 1, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
}

TEST(hcall_number_all_ones_is_enosys)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, ~0ULL, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
	CHECK_EQ(hcall(&d->vcpu, 1ULL << 63, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
}

/* RAX is 64 bits: 2^32 + n must not alias call n. */
TEST(hcall_number_is_not_truncated_to_32_bits)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, 1ULL << 32, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
	CHECK_EQ(hcall(&d->vcpu, (1ULL << 32) + TESSERA_HC_exit, 5, 0, 0, 0, 0), -TESSERA_ENOSYS);
	CHECK_EQ(d->state, DOMAIN_RUNNING);
}

TEST(hcall_table_has_handler_name_and_arity_for_every_number)
{
	static const struct {
		const char *name;
		unsigned nargs;
	} want[] = {
#define HCALL(num, name, nargs, cls, perm, target, doc) [num] = { #name, nargs },
#include <tessera/hypercall.def>
#undef HCALL
	};
	CHECK_EQ(sizeof(want) / sizeof(want[0]), TESSERA_HC_COUNT);
	for (uint64_t nr = 0; nr < TESSERA_HC_COUNT; nr++) {
		const struct hcall_entry *e = hcall_lookup(nr);
		CHECK(e != NULL);
		CHECK(e->fn != NULL);
		CHECK(e->name != NULL);
		CHECK_STREQ(e->name, want[nr].name);
		CHECK_EQ(e->nargs, want[nr].nargs);
		CHECK(e->nargs <= TESSERA_HCALL_MAX_ARGS);
	}
	CHECK(hcall_lookup(TESSERA_HC_COUNT) == NULL);
	CHECK(hcall_lookup(~0ULL) == NULL);
}

TEST(hcall_version_returns_abi_version)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_version, 0, 0, 0, 0, 0), TESSERA_ABI_VERSION);
	CHECK_EQ(TESSERA_ABI_VERSION, (TESSERA_ABI_MAJOR << 16) | TESSERA_ABI_MINOR);
}

TEST(hcall_preserves_every_register_but_rax)
{
	struct domain *d = setup();
	struct vcpu *v = &d->vcpu;
	struct vcpu_regs before;
	poke(d, 0x200000, "x", 1);
	v->regs = (struct vcpu_regs){ .rax = TESSERA_HC_console_write, .rbx = 0xb, .rcx = 0xc,
				      .rdx = 0xd, .rsi = 1, .rdi = 0x200000, .rbp = 0xbb,
				      .r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12,
				      .r13 = 13, .r14 = 14, .r15 = 15, .rip = 0x100020,
				      .rsp = 0x1ff000, .rflags = 0x202 };
	before = v->regs;
	hypercall_dispatch(v);
	CHECK_EQ(v->regs.rax, 1);
	before.rax = 1;
	CHECK(!memcmp(&before, &v->regs, sizeof(before)));
}

/* Arguments come from RDI, RSI (then RDX, R10, R8), nothing else. */
TEST(hcall_arguments_come_from_abi_registers)
{
	struct domain *d = setup();
	struct vcpu *v = &d->vcpu;
	poke(d, 0x200000, "abc", 3);
	v->regs = (struct vcpu_regs){ .rax = TESSERA_HC_console_write, .rdi = 0x200000, .rsi = 2,
				      .rbx = 0x200001, .rcx = 3, .rdx = ~0ULL, .r10 = ~0ULL,
				      .r8 = ~0ULL };
	hypercall_dispatch(v);
	CHECK_EQ(v->regs.rax, 2);
	CHECK_STREQ(sim_console(), "[alpha] ab");
}

TEST(console_write_longer_than_max_is_einval)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, TESSERA_CONSOLE_MAX + 1, 0, 0, 0),
		 -TESSERA_EINVAL);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, ~0ULL, 0, 0, 0), -TESSERA_EINVAL);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 1ULL << 32, 0, 0, 0),
		 -TESSERA_EINVAL);
	CHECK_STREQ(sim_console(), "");
}

TEST(console_write_of_exactly_max_is_accepted)
{
	struct domain *d = setup();
	uint8_t buf[TESSERA_CONSOLE_MAX];
	memset(buf, 'q', sizeof(buf));
	poke(d, 0x200000, buf, sizeof(buf));
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, TESSERA_CONSOLE_MAX, 0, 0, 0),
		 TESSERA_CONSOLE_MAX);
	CHECK_EQ(strlen(sim_console()), strlen("[alpha] ") + TESSERA_CONSOLE_MAX);
	CHECK_EQ(count_of(sim_console(), "q"), TESSERA_CONSOLE_MAX);
}

TEST(console_write_running_past_memory_end_is_efault)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, MEM - 2, 3, 0, 0, 0), -TESSERA_EFAULT);
	CHECK_STREQ(sim_console(), "");
}

TEST(console_write_at_memory_end_is_efault)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, MEM, 1, 0, 0, 0), -TESSERA_EFAULT);
	/* ... and the last byte is fine. */
	d->mem[MEM - 1] = 'z';
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, MEM - 1, 1, 0, 0, 0), 1);
	CHECK_STREQ(sim_console(), "[alpha] z");
}

TEST(console_write_wrapping_range_is_efault)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, ~0ULL - 1, 16, 0, 0, 0), -TESSERA_EFAULT);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, ~0ULL, 1, 0, 0, 0), -TESSERA_EFAULT);
	CHECK_STREQ(sim_console(), "");
}

/* A host-physical address (where another domain or the core lives) is not guest memory. */
TEST(console_write_of_address_beyond_domain_is_efault)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, d->mem_pa + MEM, 8, 0, 0, 0),
		 -TESSERA_EFAULT);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000000ULL, 8, 0, 0, 0),
		 -TESSERA_EFAULT);
}

TEST(console_write_of_zero_bytes_succeeds_and_prints_nothing)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 0, 0, 0, 0), 0);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, MEM, 0, 0, 0, 0), 0);
	CHECK_STREQ(sim_console(), "");
}

TEST(console_write_output_is_prefixed_with_domain_name)
{
	struct domain *d = setup();
	poke(d, 0x200000, "hello\nworld\n", 12);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 12, 0, 0, 0), 12);
	CHECK_STREQ(sim_console(), "[alpha] hello\n[alpha] world\n");
}

TEST(console_write_prefix_only_at_start_of_line)
{
	struct domain *d = setup();
	poke(d, 0x200000, "ab", 2);
	poke(d, 0x200010, "c\n", 2);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 2, 0, 0, 0), 2);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200010, 2, 0, 0, 0), 2);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 2, 0, 0, 0), 2);
	CHECK_STREQ(sim_console(), "[alpha] abc\n[alpha] ab");
}

/* Escape sequences could forge core output or reprogram the terminal. */
TEST(console_write_escapes_control_characters_and_esc)
{
	struct domain *d = setup();
	static const uint8_t s[] = { 0x1b, '[', '2', 'J', 0x01, '\r', 0x7f, 0x80, 0xff, 0x00, '~' };
	poke(d, 0x200000, s, sizeof(s));
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, sizeof(s), 0, 0, 0), sizeof(s));
	CHECK_STREQ(sim_console(), "[alpha] \\x1b[2J\\x01\\x0d\\x7f\\x80\\xff\\x00~");
	CHECK(!strchr(sim_console(), 0x1b));
	CHECK(!strchr(sim_console(), '\r'));
}

/* A literal backslash is escaped too, so "\x1b" typed by a guest is not ambiguous. */
TEST(console_write_escapes_backslash)
{
	struct domain *d = setup();
	poke(d, 0x200000, "a\\x1b", 5);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 5, 0, 0, 0), 5);
	CHECK_STREQ(sim_console(), "[alpha] a\\x5cx1b");
}

/* A guest cannot make its line look like a core message. */
TEST(console_write_cannot_forge_core_line)
{
	struct domain *d = setup();
	const char *s = "x\rtessera: domain beta destroyed\n";
	poke(d, 0x200000, s, strlen(s));
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, strlen(s), 0, 0, 0),
		 (int64_t)strlen(s));
	CHECK_STREQ(sim_console(), "[alpha] x\\x0dtessera: domain beta destroyed\n");
}

/* An open line taken over by another writer is ended first: "[b] tessera: ..." can
 * never start a line without its prefix, and a core line always starts at column 0. */
TEST(console_line_left_open_cannot_be_used_to_forge_core_lines)
{
	machine_frames_init();
	struct domain *a = make_domain("forge", MEM);
	struct domain *b = make_domain("beta", MEM);
	const char *fake = "tessera: domain beta (id 1) destroyed\n";
	sim_console_reset();
	poke(a, 0x200000, "x", 1);
	poke(a, 0x200100, fake, strlen(fake));
	poke(b, 0x200000, "hi\n", 3);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_console_write, 0x200000, 1, 0, 0, 0), 1);
	CHECK_EQ(hcall(&b->vcpu, TESSERA_HC_console_write, 0x200000, 3, 0, 0, 0), 3);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_console_write, 0x200100, strlen(fake), 0, 0, 0),
		 (int64_t)strlen(fake));
	CHECK_STREQ(sim_console(), "[forge] x\n[beta] hi\n[forge] tessera: domain beta (id 1) destroyed\n");
}

TEST(console_core_message_after_open_domain_line_starts_a_new_line)
{
	struct domain *d = setup();
	poke(d, 0x200000, "partial", 7);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 7, 0, 0, 0), 7);
	kprintf("tessera: real\n");
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 7, 0, 0, 0), 7);
	CHECK_STREQ(sim_console(), "[alpha] partial\ntessera: real\n[alpha] partial");
}

/* The same domain may finish its own line across writes. */
TEST(console_domain_continues_its_own_open_line)
{
	struct domain *d = setup();
	poke(d, 0x200000, "ab\n", 3);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 2, 0, 0, 0), 2);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200001, 2, 0, 0, 0), 2);
	CHECK_STREQ(sim_console(), "[alpha] abb\n");
}

/* The longest possible expansion (every byte escaped, with newlines) is printed whole. */
TEST(console_write_fully_escaped_max_write_is_printed_whole)
{
	struct domain *d = setup();
	uint8_t buf[TESSERA_CONSOLE_MAX];
	char want[8192], *w = want;
	bool midline = false;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i % 37 == 36 ? '\n' : i % 5 == 0 ? '\\' : 0x01 + i % 30);
	for (unsigned i = 0; i < sizeof(buf); i++) {
		if (!midline) {
			w += sprintf(w, "[alpha] ");
			midline = true;
		}
		if (buf[i] == '\n') {
			*w++ = '\n';
			midline = false;
		} else if (buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '\\') {
			*w++ = (char)buf[i];
		} else {
			w += sprintf(w, "\\x%02x", buf[i]);
		}
	}
	*w = '\0';
	poke(d, 0x200000, buf, sizeof(buf));
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, sizeof(buf), 0, 0, 0),
		 sizeof(buf));
	CHECK_STREQ(sim_console(), want);
}

/*
 * Every line length, with the longest name and every byte escaped: the core's
 * line buffer must flush in time (ASan sees an overflow, the comparison a loss).
 */
TEST(console_write_long_name_and_every_line_length_is_printed_whole)
{
	machine_frames_init();
	struct domain *d = make_domain("abcdefghijklmno", MEM);
	for (unsigned len = 1; len <= 140; len++) {
		uint8_t buf[TESSERA_CONSOLE_MAX];
		static char want[8192];
		char *w = want;
		bool midline = false;
		for (unsigned i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(i % (len + 1) == len ? '\n' : i % 3 ? 0x7f : 'p');
		for (unsigned i = 0; i < sizeof(buf); i++) {
			if (!midline) {
				w += sprintf(w, "[abcdefghijklmno] ");
				midline = true;
			}
			if (buf[i] == '\n') {
				*w++ = '\n';
				midline = false;
			} else if (buf[i] == 'p') {
				*w++ = 'p';
			} else {
				w += sprintf(w, "\\x%02x", buf[i]);
			}
		}
		*w = '\0';
		kprintf("%s", ""); /* ends the open line, as any other writer would */
		sim_console_reset();
		memcpy(d->mem + 0x200000, buf, sizeof(buf));
		CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, sizeof(buf), 0, 0, 0),
			 sizeof(buf));
		if (strcmp(sim_console(), want))
			test_fail(__FILE__, __LINE__, "line length %u: got \"%s\"", len, sim_console());
	}
}

TEST(self_info_describes_the_calling_domain)
{
	machine_frames_init();
	struct domain *a = make_domain("alpha", MEM);
	struct domain *b = make_domain("beta-2", 2ULL << 20);
	struct tessera_self_info si;
	CHECK_EQ(hcall(&b->vcpu, TESSERA_HC_self_info, 0x100800, 0, 0, 0, 0), 0);
	memcpy(&si, b->mem + 0x100800, sizeof(si));
	CHECK_EQ(si.abi_version, TESSERA_ABI_VERSION);
	CHECK_EQ(si.domid, b->id);
	CHECK_EQ(si.domid, 1);
	CHECK_EQ(si.mem_bytes, 2ULL << 20);
	CHECK_EQ(si.vcpus, 1);
	CHECK_EQ(si.reserved, 0);
	CHECK_STREQ(si.name, "beta-2");
	/* and nothing was written into the other domain */
	for (uint64_t i = 0x100800; i < 0x100800 + sizeof(si); i++)
		CHECK_EQ(a->mem[i], 0);
}

TEST(self_info_running_past_memory_end_is_efault_and_writes_nothing)
{
	struct domain *d = setup();
	uint64_t gpa = MEM - sizeof(struct tessera_self_info) + 1;
	memset(d->mem + gpa, 0xa5, MEM - gpa);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_self_info, gpa, 0, 0, 0, 0), -TESSERA_EFAULT);
	for (uint64_t i = gpa; i < MEM; i++)
		CHECK_EQ(d->mem[i], 0xa5);
}

TEST(self_info_at_last_fitting_address_succeeds)
{
	struct domain *d = setup();
	uint64_t gpa = MEM - sizeof(struct tessera_self_info);
	struct tessera_self_info si;
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_self_info, gpa, 0, 0, 0, 0), 0);
	memcpy(&si, d->mem + gpa, sizeof(si));
	CHECK_EQ(si.mem_bytes, MEM);
	CHECK_STREQ(si.name, "alpha");
}

TEST(self_info_wrapping_address_is_efault)
{
	struct domain *d = setup();
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_self_info, ~0ULL - 8, 0, 0, 0, 0), -TESSERA_EFAULT);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_self_info, MEM, 0, 0, 0, 0), -TESSERA_EFAULT);
}

TEST(exit_destroys_domain_and_returns_its_memory)
{
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	struct domain *d = make_domain("alpha", MEM);
	uint64_t pa = d->mem_pa;
	CHECK(frame_free_count() < free_before);
	CHECK(!frame_is_free(pa));
	CHECK_EQ(domain_live_count(), 1);
	hcall(&d->vcpu, TESSERA_HC_exit, 7, 0, 0, 0, 0);
	CHECK_EQ(d->state, DOMAIN_DEAD);
	CHECK_EQ(d->exit_code, 7);
	CHECK(d->mem == NULL);
	CHECK_EQ(domain_live_count(), 0);
	CHECK_EQ(frame_free_count(), free_before);
	CHECK(frame_is_free(pa));
	CHECK(frame_is_free(pa + MEM - PAGE_SIZE));
	CHECK_EQ(sim_virt.domain_teardowns, 1);
	CHECK_EQ(sim_virt.teardown_errors, 0);
	CHECK_HAS(sim_console(), "tessera: domain alpha (id 0) exited with code 7\n");
}

TEST(exit_scrubs_domain_memory)
{
	machine_frames_init();
	struct domain *d = make_domain("alpha", MEM);
	uint64_t pa = d->mem_pa;
	memset(d->mem + 0x300000, 's', 4096);
	d->mem[MEM - 1] = 's';
	hcall(&d->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0);
	const uint8_t *m = sim_phys(pa, MEM);
	for (uint64_t i = 0; i < MEM; i++)
		if (m[i])
			test_fail(__FILE__, __LINE__, "byte 0x%llx of a dead domain not scrubbed",
				  (unsigned long long)i);
}

TEST(exit_code_is_signed)
{
	struct domain *d = setup();
	hcall(&d->vcpu, TESSERA_HC_exit, (uint64_t)-3, 0, 0, 0, 0);
	CHECK_EQ(d->exit_code, -3);
	CHECK_HAS(sim_console(), "exited with code -3\n");
}

TEST(exit_code_keeps_all_64_bits)
{
	struct domain *d = setup();
	hcall(&d->vcpu, TESSERA_HC_exit, 0x100000005ULL, 0, 0, 0, 0);
	CHECK_EQ(d->exit_code, 0x100000005LL);
	CHECK_HAS(sim_console(), "exited with code 4294967301\n");
}

TEST(yield_sets_yielded_and_returns_zero)
{
	struct domain *d = setup();
	CHECK(!d->vcpu.yielded);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_yield, 0, 0, 0, 0, 0), 0);
	CHECK(d->vcpu.yielded);
	CHECK_EQ(d->state, DOMAIN_RUNNING);
}
