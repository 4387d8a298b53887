/*
 * The core's log: every byte the console prints also goes into a ring, which
 * a domain allowed core:readlog reads (console_read). A domain allowed
 * core:serial may take the serial port over (console_claim): from then on the
 * core only fills the ring and signals the owner's port, and the owner prints
 * it. What the owner acknowledged (the seq it passes to console_read) is
 * printed; when the owner ends, the core takes the port back and prints
 * whatever was not acknowledged first, so a console domain that crashes loses
 * no line (a line it was printing may appear twice). A panic takes it back too.
 * Locking: console state is the core lock's, like every console write.
 */
#include <core/arch.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/klog.h>
#include <core/lib.h>
#include <core/virt.h>
#include <tessera/errno.h>

static char ring[TESSERA_KLOG_SIZE];
static uint64_t head;   /* bytes ever logged; ring holds [head - SIZE, head) */
static uint64_t acked;  /* the owner printed everything before this */
static int32_t owner = -1; /* domain id of the serial port's owner */
static uint32_t owner_port;
static bool dirty;      /* logged since the owner was last signalled */

static uint64_t oldest(void)
{
	return head > sizeof(ring) ? head - sizeof(ring) : 0;
}

/* Bytes [from, to) of the log (all still in the ring) to the serial port. */
static void print_range(uint64_t from, uint64_t to)
{
	while (from < to) {
		size_t at = (size_t)(from % sizeof(ring));
		size_t n = sizeof(ring) - at;
		if (n > to - from)
			n = (size_t)(to - from);
		arch_console_write(ring + at, n);
		from += n;
	}
}

bool klog_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[(head + i) % sizeof(ring)] = s[i];
	head += n;
	if (owner < 0)
		return false;
	dirty = true;
	return true;
}

void klog_notify(void)
{
	struct domain *d;
	if (!dirty || owner < 0)
		return;
	dirty = false;
	d = domain_running((uint32_t)owner);
	if (d && d->ports[owner_port].state != EVTCHN_FREE)
		evtchn_raise(d, owner_port);
}

void klog_takeback(const char *why)
{
	uint64_t from = acked < oldest() ? oldest() : acked;
	char line[96];
	int n;
	if (owner < 0)
		return;
	owner = -1;
	dirty = false;
	/* The owner may have stopped mid-line: start the core's words on a line of their own. */
	arch_console_write("\n", 1);
	n = ksnprintf(line, sizeof(line), "tessera: console: serial port back to the core (%s)%s\n",
		      why, from > acked ? ", log lost" : "");
	arch_console_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	print_range(from, head);
	acked = head;
}

void klog_domain_release(const struct domain *d)
{
	if (owner >= 0 && (uint32_t)owner == d->id)
		klog_takeback(d->name);
}

int64_t hc_console_read(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct tessera_klog_chunk c;
	uint64_t gpa = hc->arg[0], len = hc->arg[1], seq = hc->arg[2], n, at, part;
	struct domain *d = v->dom;
	if (len < sizeof(c) || len > TESSERA_KLOG_READ_MAX || seq > head)
		return -TESSERA_EINVAL;
	if (!range_within(gpa, len, d->mem_size))
		return -TESSERA_EFAULT;
	if (owner >= 0 && (uint32_t)owner == d->id && seq > acked)
		acked = seq;
	c.first = seq < oldest() ? oldest() : seq;
	c.head = head;
	n = head - c.first;
	if (n > len - sizeof(c))
		n = len - sizeof(c);
	at = c.first % sizeof(ring);
	part = sizeof(ring) - at < n ? sizeof(ring) - at : n;
	/* Inside [gpa, gpa + len), checked above. */
	(void)guest_copy_out(d, gpa, &c, sizeof(c));
	(void)guest_copy_out(d, gpa + sizeof(c), ring + at, part);
	(void)guest_copy_out(d, gpa + sizeof(c) + part, ring, n - part);
	return (int64_t)n;
}

int64_t hc_console_claim(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom;
	uint64_t port = hc->arg[0];
	if (port >= TESSERA_EVTCHN_PORTS || d->ports[port].state == EVTCHN_FREE)
		return -TESSERA_EINVAL;
	if (owner >= 0)
		return -TESSERA_EBUSY;
	if (virt_ioport_console(d))
		return -TESSERA_ENOMEM;
	/* The last line the core prints itself: everything after it is the owner's to print. */
	kprintf("tessera: console: serial port handed to domain %s (id %u)\n", d->name, d->id);
	owner = (int32_t)d->id;
	owner_port = (uint32_t)port;
	acked = head;
	return (int64_t)head;
}

/* Not checked here: the console domain binds and maps only what was offered to it. */
int64_t hc_console_publish(struct vcpu *v, const struct hcall_ctx *hc)
{
	if (hc->arg[1] >= TESSERA_EVTCHN_PORTS)
		return -TESSERA_EINVAL;
	v->dom->console_ref = hc->arg[0];
	v->dom->console_port = (uint32_t)hc->arg[1];
	dirty = true; /* the owner looks for new clients when signalled */
	return 0;
}
