/*
 * Device assignment and the IOMMU, with QEMU's edu device (a DMA engine with
 * a 4 KiB buffer at device address 0x40000). Two roles, chosen by name:
 *   victim-NAME  fills its memory from 2 MiB up with a pattern, opens event
 *                port 0 for domain NAME (the signal that it is ready), waits
 *                until NAME is gone, then checks every byte
 *   any other    the driver: finds device 0, turns on memory decoding and bus
 *                mastering, DMAs inside its own memory and checks the bytes,
 *                then aims DMA writes and reads outside its memory (the
 *                IOMMU must drop them: the victim's memory stays intact and
 *                reads bring back nothing but zeros); before that it binds
 *                edu's MSI to one of its own ports (dev_irq_bind) and waits
 *                for EDU_IRQS raised interrupts and one DMA completion
 *                interrupt as events, without polling the device
 * A driver without a device prints what dev_info said and exits 1.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <tessera/device.h>
#include <tessera/layout.h>

#define EDU_ID       0x00
#define EDU_LIVENESS 0x04
#define EDU_DMA_SRC  0x80
#define EDU_DMA_DST  0x88
#define EDU_DMA_CNT  0x90
#define EDU_DMA_CMD  0x98
#define EDU_DMA_START  1u
#define EDU_DMA_TO_RAM 2u
#define EDU_DMA_IRQ    4u
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64
#define EDU_IRQ_DMA    0x100u /* the status bit a DMA completion raises */
#define EDU_IRQS       8u
#define EDU_BUF      0x40000ULL /* the device's buffer; keep offset + count <= 4095 */
#define PCI_COMMAND_MEM_MASTER 0x6u
#define MIB          (1ULL << 20)
#define CANARY       0xdeadbeefcafef00dULL
#define VICTIM_FROM  (2 * MIB) /* the image lies below */
#define LEN          4000u

static struct tessera_self_info si;
static struct tessera_dev_info info;
static volatile uint8_t *bar;
static uint8_t src[4096] __attribute__((aligned(4096)));
static uint8_t dst[4096] __attribute__((aligned(4096)));

static long lookup(const char *name)
{
	static char buf[TESSERA_NAME_MAX];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, rt_strlen(name));
	return tessera_domain_lookup(RT_GPA(buf));
}

static uint64_t pattern(uint64_t gpa)
{
	return gpa * 0x9e3779b97f4a7c15ULL ^ 0x5a5a5a5a5a5a5a5aULL;
}

static int victim(void)
{
	const char *drv = si.name + 7;
	long id;
	uint64_t bad = 0, first = 0;
	for (uint64_t a = VICTIM_FROM; a < si.mem_bytes; a += 8)
		*(volatile uint64_t *)(uintptr_t)a = pattern(a);
	if ((id = lookup(drv)) >= 0)
		rt_printf("victim: memory filled, ready port %ld\n", tessera_evtchn_alloc((uint64_t)id));
	while (lookup(drv) != -TESSERA_ESRCH)
		tessera_yield();
	for (uint64_t a = VICTIM_FROM; a < si.mem_bytes; a += 8) {
		uint64_t v = *(volatile uint64_t *)(uintptr_t)a;
		if (v != pattern(a) && !bad++)
			first = a;
	}
	if (!bad) {
		rt_printf("victim: memory intact (%lu MiB checked)\n",
			  (unsigned long)((si.mem_bytes - VICTIM_FROM) >> 20));
		return 0;
	}
	rt_printf("victim: memory CHANGED: %lu words, first at 0x%lx = 0x%lx\n", (unsigned long)bad,
		  (unsigned long)first, (unsigned long)*(volatile uint64_t *)(uintptr_t)first);
	return 1;
}

static uint32_t rd32(uint32_t off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr64(uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

/* One transfer; the device takes 100 ms (virtual time) for each. */
static int dma(uint64_t from, uint64_t to, uint64_t count, uint32_t dir)
{
	wr64(EDU_DMA_SRC, from);
	wr64(EDU_DMA_DST, to);
	wr64(EDU_DMA_CNT, count);
	*(volatile uint32_t *)(bar + EDU_DMA_CMD) = EDU_DMA_START | dir;
	for (uint32_t n = 0; rd32(EDU_DMA_CMD) & EDU_DMA_START; n++) {
		if (n > 5000000) {
			rt_printf("edu: DMA did not finish\n");
			return -1;
		}
		tessera_yield();
	}
	return 0;
}

/* The canary at the start of the device's buffer, then to device address a. */
static int load_canary(void)
{
	*(volatile uint64_t *)src = CANARY;
	return dma(RT_GPA(src), EDU_BUF, 8, 0);
}

static int canary_to(uint64_t a)
{
	return dma(EDU_BUF, a, 8, EDU_DMA_TO_RAM);
}

/* "SSSS:BB:DD.F" (rt_printf has no field widths). */
static const char *bdf(uint32_t sbdf)
{
	static char s[] = "0000:00:00.0";
	static const char hex[] = "0123456789abcdef";
	uint32_t v[] = { sbdf >> 28, sbdf >> 24, sbdf >> 20, sbdf >> 16, sbdf >> 12, sbdf >> 8,
			 (sbdf >> 3 & 0x1f) >> 4, sbdf >> 3, sbdf & 7 };
	static const uint8_t at[] = { 0, 1, 2, 3, 5, 6, 8, 9, 11 };
	for (unsigned i = 0; i < sizeof(at); i++)
		s[at[i]] = hex[v[i] & 0xf];
	return s;
}

static int setup(void)
{
	long rc = tessera_dev_info(0, RT_GPA(&info)), cmd;
	if (rc) {
		rt_printf("edu: no device 0: dev_info = %ld\n", rc);
		return -1;
	}
	if (info.vendor != 0x1234 || info.device != 0x11e8 ||
	    (info.bars[0].flags & (TESSERA_BAR_MEM | TESSERA_BAR_MAPPED)) !=
		    (TESSERA_BAR_MEM | TESSERA_BAR_MAPPED)) {
		rt_printf("edu: device 0 is %x:%x, BAR0 flags 0x%x: not a mapped edu\n", info.vendor,
			  info.device, info.bars[0].flags);
		return -1;
	}
	bar = (volatile uint8_t *)(uintptr_t)info.bars[0].base;
	cmd = tessera_dev_config_read(0, 4, 2);
	rc = tessera_dev_config_write(0, 4, 2, (uint64_t)cmd | PCI_COMMAND_MEM_MASTER);
	cmd = tessera_dev_config_read(0, 4, 2);
	rt_printf("edu: device %s %x:%x, BAR0 0x%lx (%lu KiB), command 0x%lx (write %ld)\n",
		  bdf(info.sbdf), info.vendor, info.device, (unsigned long)info.bars[0].base,
		  (unsigned long)(info.bars[0].size >> 10), cmd, rc);
	*(volatile uint32_t *)(bar + EDU_LIVENESS) = 0x12345678;
	rt_printf("edu: id 0x%x, liveness %s\n", rd32(EDU_ID),
		  rd32(EDU_LIVENESS) == ~0x12345678u ? "ok" : "WRONG");
	return (rd32(EDU_ID) & 0xffff) == 0x00ed && (cmd & PCI_COMMAND_MEM_MASTER) == 6 ? 0 : -1;
}

static void wr32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

/* One interrupt on port: wait for the event, then check and acknowledge the status. */
static int irq_wait(long port, uint32_t want)
{
	uint32_t st;
	rt_event_wait((uint32_t)port);
	st = rd32(EDU_IRQ_STATUS);
	wr32(EDU_IRQ_ACK, st);
	if (st != want) {
		rt_printf("edu: interrupt status 0x%x, expected 0x%x\n", st, want);
		return -1;
	}
	return 0;
}

/* edu's MSI as events on one of our ports. 0, 1 when the policy denies it, -1 on failure. */
static int interrupts(void)
{
	long port, rc;
	uint32_t got = 0;
	if ((rc = rt_events_init()) < 0 || (port = tessera_evtchn_alloc(si.domid)) < 0) {
		rt_printf("edu: no event port (%ld)\n", rc);
		return -1;
	}
	rc = tessera_dev_irq_bind(0, 0, (uint64_t)port);
	rt_printf("edu: dev_irq_bind(0, 0, port %ld) = %ld\n", port, rc);
	if (rc)
		return rc == -TESSERA_EACCES ? 1 : -1;
	if ((rc = tessera_dev_irq_bind(0, 0, (uint64_t)port)) != -TESSERA_EBUSY ||
	    (rc = tessera_dev_irq_bind(0, 1, (uint64_t)port)) != -TESSERA_ENODEV) {
		rt_printf("edu: a second bind or entry 1 = %ld\n", rc);
		return -1;
	}
	for (uint32_t i = 0; i < EDU_IRQS; i++) {
		wr32(EDU_IRQ_RAISE, 1u << i);
		if (irq_wait(port, 1u << i))
			return -1;
		got++;
	}
	*(volatile uint64_t *)src = CANARY;
	wr64(EDU_DMA_SRC, RT_GPA(src));
	wr64(EDU_DMA_DST, EDU_BUF);
	wr64(EDU_DMA_CNT, 8);
	wr32(EDU_DMA_CMD, EDU_DMA_START | EDU_DMA_IRQ);
	if (irq_wait(port, EDU_IRQ_DMA) || rd32(EDU_DMA_CMD) & EDU_DMA_START)
		return -1;
	rt_printf("edu: %u raised interrupts and a DMA completion arrived as events on port %ld\n",
		  got, port);
	rc = tessera_dev_irq_unbind(0, 0);
	rt_printf("edu: dev_irq_unbind = %ld, again = %ld\n", rc, tessera_dev_irq_unbind(0, 0));
	/* Bound again: released by the core when this domain ends. */
	return tessera_dev_irq_bind(0, 0, (uint64_t)port) ? -1 : 0;
}

/* Device address = guest-physical address: there and back inside our memory. */
static int inside(void)
{
	uint32_t bad = 0;
	uint64_t last = si.mem_bytes - 8;
	for (uint32_t i = 0; i < LEN; i++)
		src[i] = (uint8_t)(i * 7 + 1), dst[i] = 0;
	if (dma(RT_GPA(src), EDU_BUF, LEN, 0) || dma(EDU_BUF, RT_GPA(dst), LEN, EDU_DMA_TO_RAM))
		return -1;
	for (uint32_t i = 0; i < LEN; i++)
		bad += dst[i] != src[i];
	rt_printf("edu: DMA inside own memory: %u bytes there and back, %s\n", LEN,
		  bad ? "MISMATCH" : "all match");
	*(volatile uint64_t *)(uintptr_t)last = 0;
	if (load_canary() || canary_to(last))
		return -1;
	rt_printf("edu: DMA to own last 8 bytes (0x%lx): %s\n", (unsigned long)last,
		  *(volatile uint64_t *)(uintptr_t)last == CANARY ? "landed" : "MISSING");
	return bad || *(volatile uint64_t *)(uintptr_t)last != CANARY ? -1 : 0;
}

/* Every 2 MiB from the end of our memory to 32 MiB, then every 16 MiB below 240 MiB. */
static uint64_t next_target(uint64_t a)
{
	return a < 32 * MIB ? a + 2 * MIB : a + 16 * MIB;
}

/* Writes: the canary to each target. Reads: 8 bytes of every other target into the
 * buffer (preset to ones), then all of them back into our memory at once. */
static void outside(void)
{
	uint32_t writes = 0, n = 0, zeros = 0, unchanged = 0;
	uint64_t a, at[64], *got = (uint64_t *)dst;
	for (a = si.mem_bytes; a < 240 * MIB; a = next_target(a))
		writes += !canary_to(a);
	rt_printf("edu: %u canary DMA writes to [0x%lx, 0x%lx) sent\n", writes,
		  (unsigned long)si.mem_bytes, (unsigned long)(240 * MIB));
	memset(src, 0xff, sizeof(at));
	if (dma(RT_GPA(src), EDU_BUF + 0x100, sizeof(at), 0))
		return;
	for (a = si.mem_bytes; a < 240 * MIB && n < 64; a = next_target(next_target(a)))
		if (!dma(a, EDU_BUF + 0x100 + 8 * n, 8, 0))
			at[n++] = a;
	if (dma(EDU_BUF + 0x100, RT_GPA(dst), sizeof(at), EDU_DMA_TO_RAM))
		return;
	for (uint32_t k = 0; k < n; k++) {
		zeros += got[k] == 0;
		unchanged += got[k] == ~0ULL;
		if (got[k] && got[k] != ~0ULL)
			rt_printf("edu: DMA read at 0x%lx LEAKED 0x%lx\n", (unsigned long)at[k],
				  (unsigned long)got[k]);
	}
	rt_printf("edu: %u DMA reads outside own memory: %u zeros, %u left the buffer unchanged, "
		  "%u leaked\n", n, zeros, unchanged, n - zeros - unchanged);
}

int main(void);
int main(void)
{
	long v;
	char victim_name[TESSERA_NAME_MAX] = "victim-";
	tessera_self_info(RT_GPA(&si));
	if (rt_strncmp(si.name, "victim-", 7) == 0)
		return victim();
	if (setup() || inside() || interrupts() < 0)
		return 1;
	/* A victim-NAME domain signals that its memory is filled by opening port 0 for us. */
	memcpy(victim_name + 7, si.name, rt_strlen(si.name) < 8 ? rt_strlen(si.name) : 8);
	if ((v = lookup(victim_name)) >= 0)
		while (tessera_evtchn_bind((uint64_t)v, 0) == -TESSERA_EPERM)
			tessera_yield();
	outside();
	rt_printf("edu: done\n");
	return 0;
}
