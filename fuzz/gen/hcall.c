/*
 * Seeds for fuzz/hcall: the scenarios of the unit tests (grant_test.c,
 * evtchn_test.c, pci_test.c, ...) as record sequences, and a dictionary of every hypercall's record prefix, the
 * ABI's magic values and the domain names.
 */
#include "gen.h"
#include "../hcall/hcall.h"
#include <tessera/evtchn.h>
#include <tessera/grant.h>
#include <tessera/hypercall.h>
#include <string.h>

#define T "hcall"
#define HC(name) TESSERA_HC_##name
#define BUF 0x3000u   /* a scratch buffer in every domain */
#define PAGE 0x180000u /* the event page the tests register */
#define REF(i, gen) ((uint32_t)(i) | (uint32_t)(gen) << 16)

static struct buf s;

static void header(uint8_t policy, uint8_t ndoms, uint8_t flags, const uint8_t names[4])
{
	s.n = 0;
	put8(&s, policy);
	put8(&s, (uint8_t)(ndoms - 1));
	put8(&s, flags);
	put8(&s, 0);
	putb(&s, names, FZ_DOMS_MAX);
}

static void rec(uint8_t caller, uint8_t kind, uint8_t nr, uint8_t faults, uint8_t wide,
		uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, const void *data, uint8_t len)
{
	put8(&s, caller);
	put8(&s, kind);
	put8(&s, nr);
	put8(&s, faults);
	put8(&s, wide);
	put8(&s, len);
	put16(&s, BUF / 32);
	put32(&s, a0);
	put32(&s, a1);
	put32(&s, a2);
	put32(&s, a3);
	put32(&s, 0);
	putb(&s, data, len);
}

static void hc(uint8_t caller, uint8_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
	rec(caller, FZ_K_HCALL, nr, 0, 0, a0, a1, a2, a3, NULL, 0);
}

/* A call whose argument i is the gpa of data (placed at BUF). */
static void hc_data(uint8_t caller, uint8_t nr, unsigned i, uint32_t a0, uint32_t a1,
		    const void *data, uint8_t len)
{
	rec(caller, FZ_K_HCALL, nr, 0, (uint8_t)((i + 1) << 5), a0, a1, 0, 0, data, len);
}

static const uint8_t AB[4] = { 0, 1, 2, 3 };      /* a, b, c, console */
static const uint8_t CONS[4] = { 3, 0, 1, 4 };    /* console, a, b, x */

static void channel(uint8_t x, uint8_t y)
{
	hc(x, HC(evtchn_setup), PAGE, 0x40, 0, 0);
	hc(y, HC(evtchn_setup), PAGE, 0x41, 0, 0);
	hc(x, HC(evtchn_alloc), y, 0, 0, 0);
	hc(y, HC(evtchn_bind), x, 0, 0, 0);
	hc(x, HC(evtchn_send), 0, 0, 0, 0);
	hc(y, HC(evtchn_send), 0, 0, 0, 0);
}

void gen_hcall(void)
{
	static const char hello[] = "hello, world\n\x1b[2J";
	/* basics: every simple call once, allow-all */
	header(0, 2, FZ_F_MEASURED, AB);
	hc(0, HC(version), 0, 0, 0, 0);
	hc_data(0, HC(console_write), 0, 0, sizeof(hello) - 1, hello, sizeof(hello) - 1);
	hc(0, HC(self_info), BUF, 0, 0, 0);
	hc(0, HC(yield), 0, 0, 0, 0);
	hc_data(0, HC(domain_lookup), 0, 0, 0, "b", 2);
	hc(0, HC(domain_info), 1, BUF, 0, 0);
	hc(0, HC(eventlog_read), BUF, 4096, 0, 0);
	hc(0, HC(eventlog_read), BUF, 100, 200, 0);
	hc(1, HC(exit), 3, 0, 0, 0);
	hc(0, 99, 0, 0, 0, 0);
	seed(T, "basics", s.b, s.n);
	/* event channels: bind both ways, send, close, send on the closed end */
	header(0, 3, 0, AB);
	channel(0, 1);
	hc(0, HC(evtchn_alloc), 0, 0, 0, 0); /* loopback */
	hc(0, HC(evtchn_bind), 0, 1, 0, 0);
	hc(0, HC(evtchn_close), 0, 0, 0, 0);
	hc(1, HC(evtchn_send), 0, 0, 0, 0);
	hc(2, HC(evtchn_alloc), 0, 0, 0, 0);
	hc(2, HC(exit), 0, 0, 0, 0);
	rec(1, FZ_K_HALT, 0, 0, 0, 0, 0x202, 0, 0, NULL, 0);
	seed(T, "evtchn", s.b, s.n);
	/* grants: offer, map writable and read-only, busy end, granter dies while mapped */
	header(0, 2, 0, AB);
	hc(0, HC(grant_offer), 1, 5, 0, 0);
	hc(0, HC(grant_offer), 1, 6, TESSERA_GRANT_READONLY, 0);
	hc(1, HC(grant_map), 0, REF(0, 1), 0, TESSERA_GRANT_MAP_WRITE);
	hc(1, HC(grant_map), 0, REF(1, 1), 1, TESSERA_GRANT_MAP_WRITE);
	hc(1, HC(grant_map), 0, REF(1, 1), 1, 0);
	hc(0, HC(grant_end), REF(0, 1), 0, 0, 0);
	hc(1, HC(grant_unmap), 1, 0, 0, 0);
	hc(0, HC(grant_end), REF(1, 1), 0, 0, 0);
	hc(0, HC(exit), 0, 0, 0, 0);
	hc(1, HC(grant_unmap), 0, 0, 0, 0);
	seed(T, "grant", s.b, s.n);
	/* a crash in the grant window, a restart, a frame the dead granter lends */
	header(0, 2, FZ_F_RESTART, AB);
	hc(0, HC(grant_offer), 1, 7, 0, 0);
	hc(1, HC(grant_map), 0, REF(0, 1), 2, 0);
	rec(1, FZ_K_FAULT, 0, 0, 0, (uint32_t)TESSERA_GRANT_WINDOW + 2 * 4096, 0, 0, 0, NULL, 0);
	rec(0, FZ_K_FAULT, 0, 0, 0, (uint32_t)TESSERA_GRANT_WINDOW, 0, 0, 0, NULL, 0);
	rec(2, FZ_K_HALT, 0, 0, 0, 0, 0, 0, 0, NULL, 0);
	rec(3, FZ_K_FORBIDDEN, 0, FZ_X_FRAME, 0, 0, 0, 0, 0, NULL, 0);
	seed(T, "restart", s.b, s.n);
	/* a driver: its device, configuration space, an interrupt on a port */
	header(0, 2, FZ_F_NIC, AB);
	hc(0, HC(evtchn_setup), PAGE, 0x40, 0, 0);
	hc(0, HC(evtchn_alloc), 0, 0, 0, 0);
	hc(0, HC(dev_info), 0, BUF, 0, 0);
	hc(0, HC(dev_config_read), 0, 0x10, 4, 0);
	hc(0, HC(dev_config_write), 0, 0x04, 2, 7);
	hc(0, HC(dev_config_write), 0, 0x64, 4, 0x12345678);
	hc(0, HC(dev_irq_bind), 0, 0, 0, 0);
	rec(0, FZ_K_IRQ, 0, 0, 0, 1, 0, 0, 0, NULL, 0);
	hc(0, HC(dev_irq_unbind), 0, 0, 0, 0);
	hc(0, HC(dev_irq_bind), 0, 0, 0, 0);
	hc(0, HC(exit), 0, 0, 0, 0);
	seed(T, "device", s.b, s.n);
	header(0, 1, FZ_F_NIC | FZ_F_MSIX | FZ_F_RESTART, AB);
	hc(0, HC(evtchn_alloc), 0, 0, 0, 0);
	hc(0, HC(dev_irq_bind), 0, 2, 0, 0);
	hc(0, HC(dev_irq_bind), 0, 3, 0, 0);
	rec(0, FZ_K_IRQ, 0, 0, 0, 3, 0, 0, 0, NULL, 0);
	for (uint32_t e = 0; e <= 33; e++) /* every host vector taken: -ENOSPC */
		hc(0, HC(dev_irq_bind), 0, e, 0, 0);
	rec(0, FZ_K_FAULT, 0, 0, 0, 0x7fffffff, 0, 0, 0, NULL, 0);
	seed(T, "msix", s.b, s.n);
	/* the console domain's protocol under the console policy */
	header(3, 3, FZ_F_MEASURED, CONS);
	hc(0, HC(evtchn_setup), PAGE, 0x40, 0, 0);
	hc(0, HC(evtchn_alloc), 0, 0, 0, 0);
	hc(0, HC(console_claim), 0, 0, 0, 0);
	hc(1, HC(grant_offer), 0, 9, 0, 0);
	hc(1, HC(evtchn_alloc), 0, 0, 0, 0);
	hc(1, HC(console_publish), REF(0, 1), 0, 0, 0);
	rec(0, FZ_K_TICK, 0, 0, 0, 0, 0, 0, 0, NULL, 0);
	hc(0, HC(domain_info), 1, BUF, 0, 0);
	hc(0, HC(evtchn_bind), 1, 0, 0, 0);
	hc(0, HC(grant_map), 1, REF(0, 1), 0, TESSERA_GRANT_MAP_WRITE);
	hc(0, HC(console_read), BUF, 4096, 0, 0);
	hc_data(1, HC(console_write), 0, 0, 6, "line\n", 6);
	hc(0, HC(console_read), BUF, 64, 10, 0);
	hc(1, HC(eventlog_read), BUF, 64, 0, 0);
	hc(0, HC(exit), 0, 0, 0, 0);
	seed(T, "console", s.b, s.n);
	/* the restrictive and permissive policies: allowed, denied, permissive */
	for (uint8_t pol = 1; pol <= 2; pol++) {
		header(pol, 4, FZ_F_NIC | FZ_F_TPM | FZ_F_MEASURED, AB);
		channel(0, 1);
		hc(1, HC(grant_offer), 0, 3, 0, 0);
		hc(0, HC(grant_map), 1, REF(0, 1), 0, 0);
		hc(0, HC(grant_offer), 1, 3, 0, 0);
		hc(2, HC(evtchn_alloc), 0, 0, 0, 0);
		hc(2, HC(version), 0, 0, 0, 0);
		hc_data(1, HC(domain_lookup), 0, 0, 0, "a", 2);
		hc(1, HC(eventlog_read), BUF, 64, 0, 0);
		hc(0, HC(dev_info), 0, BUF, 0, 0);
		hc(0, HC(dev_irq_bind), 0, 0, 0, 0);
		hc(1, HC(yield), 0, 0, 0, 0);
		seed(T, pol == 1 ? "restrictive" : "permissive", s.b, s.n);
	}
	/* the backend and memory failing */
	header(0, 2, FZ_F_RESTART, AB);
	hc(0, HC(grant_offer), 1, 1, 0, 0);
	rec(1, FZ_K_HCALL, HC(grant_map), FZ_X_GRANT_MAP, 0, 0, REF(0, 1), 0, 0, NULL, 0);
	rec(0, FZ_K_HCALL, HC(self_info), FZ_X_COPY_OUT, 0, BUF, 0, 0, 0, NULL, 0);
	rec(0, FZ_K_HCALL, HC(console_write), FZ_X_COPY_IN, 1 << 5, 0, 4, 0, 0, "abcd", 4);
	rec(0, FZ_K_FAULT, 0, FZ_X_FRAME, 0, 0, 0, 0, 0, NULL, 0);
	seed(T, "faults", s.b, s.n);
	/* full tables (grant_test.c, evtchn_test.c: exhaustion is -ENOSPC, slots -EBUSY) */
	header(0, 2, 0, AB);
	for (uint32_t i = 0; i <= TESSERA_EVTCHN_PORTS; i++)
		hc(0, HC(evtchn_alloc), 1, 0, 0, 0);
	hc(1, HC(evtchn_bind), 0, 3, 0, 0);
	for (uint32_t i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		hc(1, HC(evtchn_alloc), 1, 0, 0, 0);
	hc(1, HC(evtchn_bind), 0, 4, 0, 0);
	for (uint32_t i = 0; i <= TESSERA_GRANT_REFS; i++)
		hc(0, HC(grant_offer), 1, i, 0, 0);
	for (uint32_t i = 0; i < 3; i++)
		hc(1, HC(grant_map), 0, REF(i, 1), i, 0);
	hc(1, HC(grant_map), 0, REF(3, 1), 2, 0);
	hc(1, HC(grant_map), 0, REF(2, 1), 5, 0);
	hc(0, HC(exit), 0, 0, 0, 0);
	seed(T, "full-tables", s.b, s.n);
	/* the serial port's owner: exclusive, its log acknowledged, its ports failing */
	header(3, 2, 0, CONS);
	hc(0, HC(evtchn_alloc), 0, 0, 0, 0);
	rec(0, FZ_K_HCALL, HC(console_claim), FZ_X_IOPORT, 0, 0, 0, 0, 0, NULL, 0);
	hc(0, HC(console_claim), 0, 0, 0, 0);
	hc(0, HC(console_claim), 0, 0, 0, 0);
	hc_data(1, HC(console_write), 0, 0, 6, "line\n", 6);
	hc(0, HC(console_read), BUF, 4096, 0, 0);
	hc(0, HC(console_read), BUF, 64, 200, 0);
	hc_data(1, HC(console_write), 0, 0, 6, "more\n", 6);
	hc(0, HC(console_read), BUF, 64, 65, 0); /* acknowledges what it printed */
	rec(0, FZ_K_TICK, 0, 0, 0, 0, 0, 0, 0, NULL, 0);
	rec(0, FZ_K_FAULT, 0, 0, 0, 0, 0, 0, 0, NULL, 0);
	hc(1, HC(console_read), BUF, 4096, 0, 0);
	seed(T, "serial-owner", s.b, s.n);
	/* configuration space: what a driver may write, what it may not */
	header(0, 1, FZ_F_NIC, AB);
	hc(0, HC(dev_config_write), 0, 0x06, 2, 0xffff);
	hc(0, HC(dev_config_write), 0, 0x0c, 1, 0x10);
	hc(0, HC(dev_config_write), 0, 0x3c, 1, 0x0b);
	hc(0, HC(dev_config_write), 0, 0x04, 4, 0x00100007);
	hc(0, HC(dev_config_write), 0, 0x10, 4, 0);
	hc(0, HC(dev_config_write), 0, 0x0d, 2, 0);
	hc(0, HC(dev_config_write), 0, 0x66, 2, 0x1234);
	hc(0, HC(dev_config_read), 0, 0xffc, 4, 0);
	hc(0, HC(dev_config_read), 0, 0x1000, 4, 0);
	hc(0, HC(dev_irq_bind), 0, 0, 70, 0);
	seed(T, "config-space", s.b, s.n);
	/* the generation wrap: entries start at 0xfffe (FZ_F_GEN_HIGH), so an offer gives
	   0xffff, its end (of the ref the offer returned) and the next offer wrap to 1; the
	   wrapped ref maps, the ref before the wrap is -ESTALE */
	header(0, 2, FZ_F_GEN_HIGH, AB);
	hc(0, HC(grant_offer), 1, 4, 0, 0);
	rec(0, FZ_K_HCALL, HC(grant_end), 0, FZ_W_PREV << 5, 0, 0, 0, 0, NULL, 0);
	hc(0, HC(grant_offer), 1, 4, 0, 0);
	hc(1, HC(grant_map), 0, REF(0, 1), 0, 0);
	hc(1, HC(grant_map), 0, REF(0, 0xffff), 1, 0);
	seed(T, "grant-wrap", s.b, s.n);
	/* dictionary: each call's record prefix, magic values, names */
	for (uint8_t nr = 0; nr < TESSERA_HC_COUNT; nr++) {
		uint8_t p[3] = { 0, FZ_K_HCALL, nr };
		char name[16];
		memcpy(name, "hc_", 3);
		name[3] = (char)('a' + nr / 10), name[4] = (char)('a' + nr % 10), name[5] = 0;
		dict(T, name, p, sizeof(p));
	}
	uint32_t magic[] = { (uint32_t)TESSERA_GRANT_WINDOW, 0x10000, 0x10001, 0x20000, PAGE, 4096,
			     0xffffffff, 0x7fffffff, 0x100, 0x40, TESSERA_KLOG_READ_MAX, REF(0, 0xffff) };
	for (unsigned i = 0; i < sizeof(magic) / sizeof(magic[0]); i++) {
		char name[16] = "magic_";
		name[6] = (char)('a' + i), name[7] = 0;
		dict(T, name, &magic[i], 4);
	}
	static const char *const names[FZ_NAMES] = { "a", "b", "c", "console", "x", "attest" };
	for (unsigned i = 0; i < FZ_NAMES; i++)
		dict(T, names[i], names[i], strlen(names[i]) + 1);
}
