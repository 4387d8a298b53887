/* Domain creation and destruction over the simulated backend. */
#include "util.h"
#include <core/frame.h>
#include <core/hypercall.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

#define MEM (4ULL << 20)

TEST(domain_create_loads_image_and_enters_at_elf_entry)
{
	machine_frames_init();
	struct domain *d = make_domain("alpha", MEM);
	CHECK_EQ(d->state, DOMAIN_RUNNING);
	CHECK_EQ(d->id, 0);
	CHECK_STREQ(d->name, "alpha");
	CHECK_EQ(d->mem_size, MEM);
	CHECK(d->vcpu.dom == d);
	CHECK_EQ(d->vcpu.regs.rip, IMG_ENTRY);
	CHECK_EQ(sim_virt.last_entry, IMG_ENTRY);
	CHECK_EQ(sim_virt.guest_setups, 1);
	CHECK(d->mem == (uint8_t *)sim_phys(d->mem_pa, MEM));
	for (uint64_t i = 0; i < IMG_TEXT_SIZE; i++)
		CHECK_EQ(d->mem[IMG_TEXT + i], img_byte(0, i));
	for (uint64_t i = 0; i < IMG_DATA_FILESZ; i++)
		CHECK_EQ(d->mem[IMG_DATA + i], img_byte(1, i));
	for (uint64_t i = IMG_DATA_FILESZ; i < IMG_DATA_MEMSZ; i++)
		CHECK_EQ(d->mem[IMG_DATA + i], 0);
	CHECK(domain_get(0) == d);
	CHECK(domain_get(1) == NULL);
	CHECK(domain_get(DOMAIN_MAX) == NULL);
	CHECK(domain_get(~0u) == NULL);
}

/* Free RAM may hold anything (firmware, an earlier boot); a domain starts from zeroes. */
TEST(domain_memory_starts_zeroed_even_if_ram_was_dirty)
{
	machine_frames_init();
	memset(sim_phys(CORE_END, SIM_MEM_SIZE - CORE_END), 0xdd, SIM_MEM_SIZE - CORE_END);
	struct domain *d = make_domain("alpha", MEM);
	for (uint64_t i = 0; i < MEM; i++) {
		bool text = i >= IMG_TEXT && i < IMG_TEXT + IMG_TEXT_SIZE;
		bool data = i >= IMG_DATA && i < IMG_DATA + IMG_DATA_FILESZ;
		if (!text && !data && d->mem[i])
			test_fail(__FILE__, __LINE__, "byte 0x%llx of a new domain is 0x%02x",
				  (unsigned long long)i, d->mem[i]);
	}
}

TEST(domain_memory_is_aligned_and_outside_core_and_low_memory)
{
	machine_frames_init();
	struct domain *a = make_domain("a", MEM);
	struct domain *b = make_domain("b", 2ULL << 20);
	struct domain *c = make_domain("c", 6ULL << 20);
	const struct domain *all[] = { a, b, c };
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(all[i]->mem_pa % TESSERA_DOMAIN_MEM_ALIGN, 0);
		CHECK(all[i]->mem_pa >= FRAME_LOW_RESERVED);
		CHECK(!ranges_overlap(all[i]->mem_pa, all[i]->mem_size, CORE_START, CORE_END - CORE_START));
		CHECK(all[i]->mem_pa + all[i]->mem_size <= SIM_MEM_SIZE);
		for (unsigned j = 0; j < i; j++)
			CHECK(!ranges_overlap(all[i]->mem_pa, all[i]->mem_size, all[j]->mem_pa,
					      all[j]->mem_size));
	}
	CHECK_EQ(b->id, 1);
	CHECK_EQ(c->id, 2);
	CHECK_EQ(domain_live_count(), 3);
}

TEST(domain_create_with_bad_image_uses_no_memory_and_no_slot)
{
	static struct img im;
	struct domain *d = NULL;
	const char *why;
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	img_default(&im);
	img_eh(&im)->e_machine = EM_386;
	CHECK_EQ(try_domain("alpha", MEM, &im, &d, &why), -TESSERA_ENOEXEC);
	CHECK(why != NULL);
	CHECK(d == NULL);
	CHECK_EQ(frame_free_count(), free_before);
	CHECK(domain_get(0) == NULL);
	CHECK_EQ(sim_virt.domain_inits, 0);
	/* the slot is still there for the next domain */
	d = make_domain("beta", MEM);
	CHECK_EQ(d->id, 0);
}

TEST(domain_create_without_memory_is_enomem_and_leaks_nothing)
{
	static struct img im;
	struct domain *d = NULL;
	const char *why;
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	img_default(&im);
	/* 62 MiB are free in 2 MiB-aligned blocks except [1M, 2M): 1 GiB cannot fit. */
	CHECK_EQ(try_domain("big", 1ULL << 30, &im, &d, &why), -TESSERA_ENOMEM);
	CHECK_STREQ(why, "out of memory for the domain");
	CHECK_EQ(frame_free_count(), free_before);
	CHECK(domain_get(0) == NULL);
	CHECK_EQ(domain_live_count(), 0);
}

TEST(domain_create_backend_failure_returns_memory)
{
	static struct img im;
	struct domain *d = NULL;
	const char *why;
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	img_default(&im);
	sim_virt.fail_domain_init = -TESSERA_ENOMEM;
	CHECK_EQ(try_domain("alpha", MEM, &im, &d, &why), -TESSERA_ENOMEM);
	CHECK(why != NULL);
	CHECK_EQ(frame_free_count(), free_before);
	CHECK(domain_get(0) == NULL);
	CHECK_EQ(domain_live_count(), 0);
}

TEST(domain_create_vcpu_failure_tears_down_and_returns_memory)
{
	static struct img im;
	struct domain *d = NULL;
	const char *why;
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	img_default(&im);
	sim_virt.fail_vcpu_init = -TESSERA_EINVAL;
	CHECK_EQ(try_domain("alpha", MEM, &im, &d, &why), -TESSERA_EINVAL);
	CHECK_EQ(sim_virt.domain_inits, 1);
	CHECK_EQ(sim_virt.domain_teardowns, 1);
	CHECK_EQ(sim_virt.teardown_errors, 0);
	CHECK_EQ(frame_free_count(), free_before);
	CHECK(domain_get(0) == NULL);
}

/* No data passes between domains through reused memory. */
TEST(domain_memory_is_zero_when_reused_by_next_domain)
{
	machine_frames_init();
	struct domain *a = make_domain("alpha", MEM);
	uint64_t pa = a->mem_pa;
	memset(a->mem + 0x200000, 'S', 0x1000);
	hcall(&a->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0);
	struct domain *b = make_domain("beta", MEM);
	CHECK_EQ(b->mem_pa, pa);
	CHECK(b != a);
	for (uint64_t i = 0x200000; i < 0x201000; i++)
		CHECK_EQ(b->mem[i], 0);
}

TEST(domain_crash_reports_reason_and_destroys)
{
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	struct domain *d = make_domain("alpha", MEM);
	sim_console_reset();
	domain_crash(d, "bad thing %d", 42);
	CHECK_STREQ(sim_console(), "tessera: domain alpha (id 0) destroyed: bad thing 42\n");
	CHECK_EQ(d->state, DOMAIN_DEAD);
	CHECK_EQ(d->exit_code, -1);
	CHECK_EQ(frame_free_count(), free_before);
}

TEST(domain_destroy_twice_frees_once)
{
	machine_frames_init();
	uint64_t free_before = frame_free_count();
	struct domain *d = make_domain("alpha", MEM);
	domain_destroy(d);
	CHECK_EQ(frame_free_count(), free_before);
	domain_destroy(d);
	CHECK_EQ(frame_free_count(), free_before);
	CHECK_EQ(sim_virt.domain_teardowns, 1);
	CHECK_EQ(d->state, DOMAIN_DEAD);
}

TEST(domain_core_overhead_counts_domain_and_backend)
{
	machine_frames_init();
	struct domain *d = make_domain("alpha", MEM);
	CHECK_EQ(domain_core_overhead(d), sizeof(struct domain) + SIM_DOMAIN_OVERHEAD);
}

/* Names are kept whole and NUL-terminated (15 characters is the limit). */
TEST(domain_name_of_maximum_length_is_kept)
{
	machine_frames_init();
	struct domain *d = make_domain("abcdefghijklmno", MEM);
	CHECK_STREQ(d->name, "abcdefghijklmno");
	sim_console_reset();
	d->mem[0x200000] = 'x';
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_console_write, 0x200000, 1, 0, 0, 0), 1);
	CHECK_STREQ(sim_console(), "[abcdefghijklmno] x");
}

TEST(domain_name_is_free_again_once_its_domain_is_gone)
{
	machine_frames_init();
	struct domain *a = make_domain("alpha", MEM), *b = NULL;
	const char *why = NULL;
	struct img im;
	img_default(&im);
	CHECK_EQ(try_domain("alpha", MEM, &im, &b, &why), -TESSERA_EEXIST);
	CHECK_STREQ(why, "a domain with this name is already running");
	domain_destroy(a);
	CHECK_EQ(try_domain("alpha", MEM, &im, &b, &why), 0);
	CHECK_EQ(b->state, DOMAIN_RUNNING);
}

/* The simulated machine has one CPU: a domain pinned to another is refused. */
TEST(domain_on_a_cpu_that_is_not_online_is_rejected)
{
	machine_frames_init();
	uint64_t before = frame_free_count();
	struct domain_config dc = { .name = "far", .mem = MEM, .vcpus = 1, .cpu = 1 };
	struct domain *d = NULL;
	const char *why = NULL;
	struct img im;
	img_default(&im);
	CHECK_EQ(domain_create(&dc, im.b, im.size, &d, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "its cpu is not online");
	CHECK_EQ(frame_free_count(), before);
	CHECK(domain_get(0) == NULL);
}
