/*
 * The console domain: takes the serial port over from the core once it has
 * booted (console_claim), prints the core's log (console_read, acknowledging
 * what it printed) and the lines of its clients (rt/consif.h), each under the
 * name the core gives the client. Ends when it is the last domain running.
 *
 * Its own messages go through console_write into the core's log, which it then
 * prints like any other log line ("[console] ...").
 *
 * Built with -DCONSOLE_CRASH_AFTER=N (conscrash.elf, for the tests) it faults on
 * purpose in its first life (domain id 0: the first module) after printing N
 * client lines: the core must take
 * the port back, print what was not acknowledged, and make it again.
 */
#include <rt/consif.h>
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <tessera/grant.h>
#include "lines.h"
#include "uart.h"

#ifndef CONSOLE_CRASH_AFTER
#define CONSOLE_CRASH_AFTER 0
#endif

#define CLIENTS 16 /* client i's ring is at grant-window slot i */
#define DOMIDS 64

struct client {
	long domid; /* -1: free */
	char name[TESSERA_NAME_MAX];
	uint64_t ref; /* what it published and we connected (or failed) with */
	uint32_t rport;
	long port;    /* our end; -1: not connected */
	struct consif_ring *ring;
	uint32_t cons; /* ours: the page's copy is only for the client to read */
	int refused;   /* these published values did not work: wait for new ones */
	struct cons_line line; /* the line being assembled */
	unsigned long lines;
};

static struct client clients[CLIENTS];
static struct tessera_self_info self;
static struct tessera_domain_info info;
static long log_port;
static uint64_t seq;
static unsigned long printed; /* client lines, for the crash variant */
static struct {
	struct tessera_klog_chunk c;
	char data[TESSERA_KLOG_READ_MAX - sizeof(struct tessera_klog_chunk)];
} chunk __attribute__((aligned(4096)));

/* The core's log from seq on, to the port; reading again acknowledges what we printed. */
static int drain_log(void)
{
	int progress = 0;
	for (;;) {
		long n = tessera_console_read(RT_GPA(&chunk), sizeof(chunk), seq);
		if (n < 0)
			return progress;
		if (chunk.c.first > seq) {
			uart_newline_if_open();
			rt_printf("console: %lu bytes of the core's log were overwritten before we read them\n",
				  (unsigned long)(chunk.c.first - seq));
		}
		seq = chunk.c.first + (uint64_t)n;
		if (!n)
			return progress;
		uart_write(chunk.data, (size_t)n);
		progress = 1;
	}
}

static void flush_line(struct cons_line *l, void *ctx)
{
	struct client *c = ctx;
	uart_line(c->name, l->buf, l->len);
	l->len = 0;
	c->lines++;
	printed++;
	if (CONSOLE_CRASH_AFTER && self.domid == 0 && printed == CONSOLE_CRASH_AFTER)
		(void)*(volatile uint64_t *)(uintptr_t)(TESSERA_GRANT_WINDOW +
							  (TESSERA_GRANT_SLOTS - 1) * 4096ULL);
}

static void disconnect(struct client *c, unsigned i)
{
	if (c->ring)
		tessera_grant_unmap(i);
	if (c->port >= 0)
		tessera_evtchn_close((uint64_t)c->port);
	c->ring = NULL;
	c->port = -1;
}

/* Client i's published ring: bind its port, map its page. */
static void connect(struct client *c, unsigned i)
{
	long addr;
	disconnect(c, i);
	c->ref = info.console_ref;
	c->rport = info.console_port;
	c->refused = 1;
	c->port = tessera_evtchn_bind((uint64_t)c->domid, c->rport);
	if (c->port < 0) {
		rt_printf("console: client %s: cannot bind its port %u (%ld)\n", c->name, c->rport,
			  c->port);
		c->port = -1;
		return;
	}
	addr = tessera_grant_map((uint64_t)c->domid, c->ref, i, TESSERA_GRANT_MAP_WRITE);
	if (addr < 0) {
		rt_printf("console: client %s: cannot map its ring (%ld)\n", c->name, addr);
		disconnect(c, i);
		return;
	}
	c->ring = (struct consif_ring *)(uintptr_t)addr;
	c->cons = __atomic_load_n(&c->ring->cons, __ATOMIC_ACQUIRE);
	c->refused = 0;
}

static struct client *slot_of(long domid, int alloc)
{
	struct client *free = NULL;
	for (unsigned i = 0; i < CLIENTS; i++) {
		if (clients[i].domid == domid)
			return &clients[i];
		if (!free && clients[i].domid < 0)
			free = &clients[i];
	}
	if (!alloc || !free)
		return NULL;
	free->domid = domid;
	memcpy(free->name, info.name, sizeof(free->name));
	free->name[TESSERA_NAME_MAX - 1] = '\0';
	free->port = -1;
	free->ring = NULL;
	free->line.len = 0;
	free->line.flush = flush_line;
	free->line.ctx = free;
	free->lines = 0;
	return free;
}

static int serve(struct client *c, unsigned i);

static void forget(struct client *c)
{
	if (c->ring) /* what it wrote before it ended */
		serve(c, (unsigned)(c - clients));
	if (c->line.len)
		flush_line(&c->line, c);
	rt_printf("console: %s gone after %lu lines\n", c->name, c->lines);
	disconnect(c, (unsigned)(c - clients));
	c->domid = -1;
}

/* Who runs now, and who published a ring we do not serve yet; the other domains' count. */
static unsigned scan(void)
{
	unsigned others = 0;
	for (long id = 0; id < DOMIDS; id++) {
		struct client *c;
		if (id == self.domid)
			continue;
		c = slot_of(id, 0);
		if (tessera_domain_info((uint64_t)id, RT_GPA(&info)) < 0) {
			if (c)
				forget(c);
			continue;
		}
		others++;
		if (c && rt_strncmp(c->name, info.name, TESSERA_NAME_MAX))
			forget(c); /* another domain took its id */
		if (info.console_ref == ~0ULL)
			continue;
		c = slot_of(id, 1);
		if (!c || (c->ref == info.console_ref && c->rport == info.console_port &&
			   (c->ring || c->refused)))
			continue;
		connect(c, (unsigned)(c - clients));
	}
	return others;
}

/* Print the client's new bytes, line by line; a client that breaks the ring is dropped. */
static int serve(struct client *c, unsigned i)
{
	uint32_t prod = __atomic_load_n(&c->ring->prod, __ATOMIC_ACQUIRE);
	int rc = cons_take(c->ring, prod, &c->cons, &c->line);
	if (rc < 0) {
		rt_printf("console: client %s: ring indexes out of range (prod %u, cons %u), dropped\n",
			  c->name, prod, c->cons);
		disconnect(c, i);
		c->refused = 1;
		return 1;
	}
	if (!rc)
		return 0;
	__atomic_store_n(&c->ring->cons, c->cons, __ATOMIC_RELEASE);
	tessera_evtchn_send((uint64_t)c->port);
	return 1;
}

int main(void)
{
	long rc;
	if (tessera_self_info(RT_GPA(&self)) < 0 || rt_events_init() < 0)
		return 100;
	for (unsigned i = 0; i < CLIENTS; i++)
		clients[i].domid = -1;
	/* A port of our own, never bound: the core raises it when it logs. */
	log_port = tessera_evtchn_alloc(self.domid);
	rc = log_port < 0 ? log_port : tessera_console_claim((uint64_t)log_port);
	if (rc < 0) {
		rt_printf("console: cannot take the serial port (%ld)\n", rc);
		return 1;
	}
	seq = (uint64_t)rc;
	rt_printf("console: serial port taken\n");
	for (;;) {
		int progress;
		rt_event_poll((uint32_t)log_port); /* consumed: we look at everything now */
		for (unsigned i = 0; i < CLIENTS; i++)
			if (clients[i].port >= 0)
				rt_event_poll((uint32_t)clients[i].port);
		progress = drain_log();
		if (!scan())
			break;
		for (unsigned i = 0; i < CLIENTS; i++)
			if (clients[i].ring)
				progress |= serve(&clients[i], i);
		if (!progress) /* a log line, a client's line or a publication wakes us */
			__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	rt_printf("console: the last domain has ended, %lu client lines printed\n", printed);
	drain_log();
	return 0;
}
