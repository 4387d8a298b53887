/* The core's log (core/klog.c): reading it, handing the serial port over and taking it back. */
#include "util.h"
#include <core/console.h>
#include <core/frame.h>
#include <core/hypercall.h>
#include <core/klog.h>
#include <tessera/errno.h>
#include <string.h>

#define MEM (2ULL << 20)
#define BUF 0x1f0000ULL

static struct domain *a, *b;

static void boot(void)
{
	machine_frames_init();
	a = make_domain("a", MEM);
	b = make_domain("b", MEM);
	/* A bound pair of ports 0, as the claim needs one of the caller's own. */
	a->ports[0] = (struct evtchn_port){ EVTCHN_BOUND, 0, b->id };
	b->ports[0] = (struct evtchn_port){ EVTCHN_BOUND, 0, a->id };
	sim_console_reset();
}

static int64_t rd(struct domain *d, uint64_t len, uint64_t seq)
{
	return hcall(&d->vcpu, TESSERA_HC_console_read, BUF, len, seq, 0, 0);
}

static const struct tessera_klog_chunk *chunk(struct domain *d)
{
	return (const struct tessera_klog_chunk *)(d->mem + BUF);
}

static const char *data(struct domain *d)
{
	return (const char *)d->mem + BUF + sizeof(struct tessera_klog_chunk);
}

/* The log's head now, as a read of nothing new tells it. */
static uint64_t head_now(void)
{
	CHECK(rd(a, sizeof(struct tessera_klog_chunk), 0) >= 0);
	return chunk(a)->head;
}

TEST(klog_read_returns_what_the_core_printed_from_a_sequence)
{
	boot();
	uint64_t h = head_now();
	kprintf("tessera: one\n");
	kprintf("tessera: two\n");
	CHECK_EQ(rd(a, 4096, h), 26);
	CHECK_EQ(chunk(a)->first, h);
	CHECK_EQ(chunk(a)->head, h + 26);
	CHECK(!memcmp(data(a), "tessera: one\ntessera: two\n", 26));
	/* Part of it: len counts the header too. */
	CHECK_EQ(rd(a, 16 + 5, h + 13), 5);
	CHECK_EQ(chunk(a)->first, h + 13);
	CHECK(!memcmp(data(a), "tesse", 5));
	/* Nothing new. */
	CHECK_EQ(rd(a, 4096, h + 26), 0);
	CHECK_EQ(chunk(a)->first, h + 26);
	/* The core printed it too: no console domain has the port. */
	CHECK_HAS(sim_console(), "tessera: one\ntessera: two\n");
}

TEST(klog_read_rejects_bad_lengths_sequences_and_buffers)
{
	boot();
	uint64_t h = head_now();
	CHECK_EQ(rd(a, 15, 0), -TESSERA_EINVAL);
	CHECK_EQ(rd(a, TESSERA_KLOG_READ_MAX + 1, 0), -TESSERA_EINVAL);
	CHECK_EQ(rd(a, 4096, h + 1), -TESSERA_EINVAL);
	CHECK_EQ(rd(a, 4096, UINT64_MAX), -TESSERA_EINVAL);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_console_read, MEM - 100, 4096, 0, 0, 0), -TESSERA_EFAULT);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_console_read, UINT64_MAX - 8, 64, 0, 0, 0),
		 -TESSERA_EFAULT);
	/* Exactly up to the end of its memory is fine. */
	CHECK(hcall(&a->vcpu, TESSERA_HC_console_read, MEM - 64, 64, 0, 0, 0) >= 0);
}

/* More than the ring holds: the oldest bytes are gone, first says from where. */
TEST(klog_read_after_wrap_starts_at_the_oldest_byte_and_crosses_the_end)
{
	boot();
	char line[80];
	for (unsigned i = 0; i < 600; i++)
		kprintf("tessera: line %04u %s\n", i, "................................");
	uint64_t h = head_now();
	CHECK(h > TESSERA_KLOG_SIZE);
	CHECK_EQ(rd(a, 4096, 0), 4096 - 16);
	CHECK_EQ(chunk(a)->first, h - TESSERA_KLOG_SIZE);
	/* The last line, read across wherever the ring's end falls. */
	snprintf(line, sizeof(line), "tessera: line %04u %s\n", 599u, "................................");
	uint64_t n = strlen(line);
	CHECK_EQ(rd(a, 16 + n, h - n), (int64_t)n);
	CHECK(!memcmp(data(a), line, n));
	for (uint64_t back = 1; back < n; back += 7) { /* every offset reads the same bytes */
		CHECK_EQ(rd(a, 16 + n, h - n - back), (int64_t)n);
		CHECK(!memcmp(data(a) + back, line, n - back));
	}
}

TEST(klog_claim_hands_the_port_over_and_only_once)
{
	boot();
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_console_claim, 5, 0, 0, 0, 0), -TESSERA_EINVAL);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_console_claim, TESSERA_EVTCHN_PORTS, 0, 0, 0, 0),
		 -TESSERA_EINVAL);
	int64_t seq = hcall(&a->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0);
	CHECK(seq > 0);
	CHECK_HAS(sim_console(), "tessera: console: serial port handed to domain a (id 0)\n");
	CHECK_EQ(sim_pci.nports, 1);
	CHECK_EQ(sim_pci.ports[0].domid, a->id);
	CHECK_EQ(sim_pci.ports[0].base, 0x3f8);
	CHECK_EQ(sim_pci.ports[0].size, 8);
	CHECK_EQ(hcall(&b->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0), -TESSERA_EBUSY);
	/* From now on the core only logs: the line is in the ring, not on the port. */
	sim_console_reset();
	kprintf("tessera: after\n");
	CHECK_STREQ(sim_console(), "");
	CHECK_EQ(rd(a, 4096, (uint64_t)seq), 15);
	CHECK(!memcmp(data(a), "tessera: after\n", 15));
	/* Guest lines go the same way. */
	console_write_untrusted(b, (const uint8_t *)"hi\n", 3);
	CHECK_STREQ(sim_console(), "");
	CHECK_EQ(rd(a, 4096, (uint64_t)seq + 15), 7);
	CHECK(!memcmp(data(a), "[b] hi\n", 7));
}

TEST(klog_notify_raises_the_owners_port_once_per_batch)
{
	boot();
	CHECK(hcall(&a->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0) > 0);
	a->early_events = 0;
	klog_notify();
	CHECK_EQ(a->early_events, 0); /* nothing logged since the claim */
	kprintf("tessera: x\n");
	kprintf("tessera: y\n");
	klog_notify();
	CHECK_EQ(a->early_events, 1);
	a->early_events = 0;
	klog_notify();
	CHECK_EQ(a->early_events, 0);
	/* A closed port is not raised. */
	kprintf("tessera: z\n");
	a->ports[0].state = EVTCHN_FREE;
	klog_notify();
	CHECK_EQ(a->early_events, 0);
}

/* The owner ends: the core prints what it had not acknowledged, after saying so. */
TEST(klog_owner_end_gives_the_port_back_with_the_unacknowledged_lines)
{
	boot();
	int64_t seq = hcall(&a->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0);
	kprintf("tessera: printed\n");
	kprintf("tessera: pending\n");
	/* It printed the first line: it says so with the seq of its next read. */
	CHECK_EQ(rd(a, 4096, (uint64_t)seq + 17), 17);
	sim_console_reset();
	domain_destroy(a);
	CHECK_STREQ(sim_console(), "\ntessera: console: serial port back to the core (a)\n"
				   "tessera: pending\n");
	/* And prints itself again; b may claim now. */
	sim_console_reset();
	kprintf("tessera: direct\n");
	CHECK_STREQ(sim_console(), "tessera: direct\n");
	CHECK(hcall(&b->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0) > 0);
}

TEST(klog_owner_that_fell_behind_the_ring_is_reported_as_losing_log)
{
	boot();
	CHECK(hcall(&a->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0) > 0);
	for (unsigned i = 0; i < 600; i++)
		kprintf("tessera: line %04u %s\n", i, "................................");
	sim_console_reset();
	domain_destroy(a);
	CHECK_HAS(sim_console(), "serial port back to the core (a), log lost\n");
	CHECK_HAS(sim_console(), "tessera: line 0599 ");
	CHECK(!strstr(sim_console(), "tessera: line 0000 "));
}

/* A domain that is not the owner reads but acknowledges nothing. */
TEST(klog_reads_of_another_domain_do_not_acknowledge)
{
	boot();
	int64_t seq = hcall(&a->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0);
	kprintf("tessera: kept\n");
	CHECK_EQ(rd(b, 4096, (uint64_t)seq + 14), 0);
	sim_console_reset();
	domain_destroy(a);
	CHECK_HAS(sim_console(), "tessera: kept\n");
}

TEST(domain_info_names_another_running_domain)
{
	boot();
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_domain_info, b->id, BUF, 0, 0, 0), 0);
	const struct tessera_domain_info *di = (const void *)(a->mem + BUF);
	CHECK_EQ(di->domid, b->id);
	CHECK_STREQ(di->name, "b");
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_domain_info, b->id, MEM - 4, 0, 0, 0), -TESSERA_EFAULT);
	domain_destroy(b);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_domain_info, 1, BUF, 0, 0, 0), -TESSERA_ESRCH);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_domain_info, 1ULL << 32, BUF, 0, 0, 0), -TESSERA_ESRCH);
}

TEST(console_publish_shows_in_domain_info_and_signals_the_owner)
{
	boot();
	const struct tessera_domain_info *di = (const void *)(a->mem + BUF);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_domain_info, b->id, BUF, 0, 0, 0), 0);
	CHECK_EQ(di->console_ref, ~0ULL);
	CHECK_EQ(di->console_port, ~0U);
	CHECK(hcall(&a->vcpu, TESSERA_HC_console_claim, 0, 0, 0, 0, 0) > 0);
	klog_notify();
	a->early_events = 0;
	CHECK_EQ(hcall(&b->vcpu, TESSERA_HC_console_publish, 0x10003, TESSERA_EVTCHN_PORTS, 0, 0, 0),
		 -TESSERA_EINVAL);
	klog_notify();
	CHECK_EQ(a->early_events, 0);
	CHECK_EQ(hcall(&b->vcpu, TESSERA_HC_console_publish, 0x10003, 7, 0, 0, 0), 0);
	klog_notify();
	CHECK_EQ(a->early_events, 1);
	CHECK_EQ(hcall(&a->vcpu, TESSERA_HC_domain_info, b->id, BUF, 0, 0, 0), 0);
	CHECK_EQ(di->console_ref, 0x10003);
	CHECK_EQ(di->console_port, 7);
}
