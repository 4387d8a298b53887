/*
 * A hostile domain. What it attempts is chosen by its name (domain=NAME),
 * so one image serves every isolation test:
 *   oob-*     read the first byte past its memory (nested page fault)
 *   far-*     write far outside its memory, where another domain could live
 *   out-*     port I/O          msr-*    WRMSR to EFER
 *   vmrun-*   VMRUN             hlt-*    HLT
 *   virt-*    the CPU vendor's own virtualization instruction (VMXON or VMRUN)
 *   dr-*      write a debug register (not switched between domains)
 *   sleep-*   halts with interrupts on and never gets an event (blocked for good)
 *   wait-*    not an attack: busy for a few seconds, then exit 0 (a window for host events)
 *   spin-*    never yields for many time slices, then exits 0: others must run meanwhile
 *   spinsti-* the same with interrupts enabled (Bochs exits on a physical interrupt only
 *             when the guest's IF is set; real CPUs and QEMU do regardless)
 *   triple-*  triple fault      hcall-*  hostile hypercall arguments (must all fail cleanly)
 *   evtmis-*  misuse of event channels and grants against a domain named "spin-peer";
 *             ends by touching an empty grant slot (destroyed)
 *   rog-*     grants a page read-only to "row-1", then waits for it to be gone
 *   row-*     maps that grant, checks misuse errors, reads it, then writes to it (destroyed)
 *   flood-*   not an attack on isolation: 1000 hypercalls its policy denies, a few time
 *             slices of spinning, one more denied call (the denial log's rate limit)
 * Each attack that is stopped never returns here; reaching the end is a failure.
 */
#include <rt/console.h>
#include <rt/hcall.h>
#include <tessera/grant.h>

static struct tessera_self_info si;

static int starts(const char *p)
{
	return rt_strncmp(si.name, p, rt_strlen(p)) == 0;
}

static int failures;

static void expect(const char *what, long got, long want)
{
	if (got != want) {
		failures++;
		rt_printf("hcall-check FAIL %s: got %ld want %ld\n", what, got, want);
	} else {
		rt_printf("hcall-check ok %s\n", what);
	}
}

static void hostile_hypercalls(void)
{
	static char msg[8] = "ok\n";
	uint64_t mem = si.mem_bytes;
	expect("version", tessera_version(), TESSERA_ABI_VERSION);
	expect("unknown number", tessera_hcall(TESSERA_HC_COUNT, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
	expect("huge number", tessera_hcall(~0ULL, 0, 0, 0, 0, 0), -TESSERA_ENOSYS);
	expect("console len too big", tessera_console_write(RT_GPA(msg), TESSERA_CONSOLE_MAX + 1), -TESSERA_EINVAL);
	expect("console len 2^64-1", tessera_console_write(RT_GPA(msg), ~0ULL), -TESSERA_EINVAL);
	expect("console past end", tessera_console_write(mem - 2, 3), -TESSERA_EFAULT);
	expect("console at end", tessera_console_write(mem, 1), -TESSERA_EFAULT);
	expect("console wraps", tessera_console_write(~0ULL - 1, 16), -TESSERA_EFAULT);
	expect("console host address", tessera_console_write(0x200000000ULL, 8), -TESSERA_EFAULT);
	expect("console zero length", tessera_console_write(mem, 0), 0);
	expect("self_info past end", tessera_self_info(mem - sizeof(si) + 1), -TESSERA_EFAULT);
	expect("self_info wraps", tessera_self_info(~0ULL - 8), -TESSERA_EFAULT);
	expect("self_info last fit", tessera_self_info(mem - sizeof(si)), 0);
	expect("console good", tessera_console_write(RT_GPA(msg), 3), 3);
}

static long lookup(const char *name)
{
	static char buf[TESSERA_NAME_MAX];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, rt_strlen(name));
	return tessera_domain_lookup(RT_GPA(buf));
}

static long wait_for(const char *name)
{
	long id;
	while ((id = lookup(name)) < 0)
		tessera_yield();
	return id;
}

static void channel_and_grant_misuse(void)
{
	long good = wait_for("spin-peer"), p;
	expect("send on a free port", tessera_evtchn_send(5), -TESSERA_EINVAL);
	expect("send on port 2^64-1", tessera_evtchn_send(~0ULL), -TESSERA_EINVAL);
	expect("alloc for no such domain", tessera_evtchn_alloc(999), -TESSERA_ESRCH);
	p = tessera_evtchn_alloc((uint64_t)good);
	expect("alloc for good", p >= 0, 1);
	expect("send on an unbound port", tessera_evtchn_send((uint64_t)p), -TESSERA_ENOTCONN);
	expect("bind to a port not offered to us", tessera_evtchn_bind((uint64_t)good, 0), -TESSERA_EPERM);
	expect("bind to port out of range", tessera_evtchn_bind((uint64_t)good, 64), -TESSERA_EINVAL);
	expect("close", tessera_evtchn_close((uint64_t)p), 0);
	expect("send after close", tessera_evtchn_send((uint64_t)p), -TESSERA_EINVAL);
	expect("event page unaligned", tessera_evtchn_setup(0x100001, 64), -TESSERA_EFAULT);
	expect("event page past end", tessera_evtchn_setup(si.mem_bytes, 64), -TESSERA_EFAULT);
	expect("event vector 5", tessera_evtchn_setup(0x180000, 5), -TESSERA_EINVAL);
	expect("grant to self", tessera_grant_offer(si.domid, 0x100, 0), -TESSERA_ESRCH);
	expect("grant past end", tessera_grant_offer((uint64_t)good, si.mem_bytes / 4096, 0), -TESSERA_EFAULT);
	expect("grant bad flags", tessera_grant_offer((uint64_t)good, 0x100, 6), -TESSERA_EINVAL);
	expect("map a ref never offered", tessera_grant_map((uint64_t)good, 0x10000, 0, 0), -TESSERA_ESTALE);
	expect("map bad index", tessera_grant_map((uint64_t)good, 0x10040, 0, 0), -TESSERA_EINVAL);
	expect("map slot out of range", tessera_grant_map((uint64_t)good, 0x10000, 64, 0), -TESSERA_EINVAL);
	expect("unmap empty slot", tessera_grant_unmap(0), -TESSERA_ENOENT);
	expect("unmap slot out of range", tessera_grant_unmap(64), -TESSERA_EINVAL);
	expect("end a ref never offered", tessera_grant_end(0x10000), -TESSERA_ESTALE);
}

static uint8_t granted[4096] __attribute__((aligned(4096)));

/* rog: offer a read-only page to row-1 and stay until row-1 has gone. */
static int read_only_granter(void)
{
	long row = wait_for("row-1"), ref;
	granted[0] = 0x42;
	ref = tessera_grant_offer((uint64_t)row, RT_GPA(granted) / 4096, TESSERA_GRANT_READONLY);
	expect("offer read-only", ref, 0x10000);
	while (lookup("row-1") >= 0)
		tessera_yield();
	expect("end once the mapper is gone", tessera_grant_end((uint64_t)ref), 0);
	expect("end twice", tessera_grant_end((uint64_t)ref), -TESSERA_ESTALE);
	return failures;
}

/* row: map rog's read-only grant, misuse it, read it, then try to write it. */
static void read_only_writer(void)
{
	long rog = wait_for("rog-1"), addr;
	while ((addr = tessera_grant_map((uint64_t)rog, 0x10000, 3, 0)) == -TESSERA_ESTALE)
		tessera_yield();
	expect("map read-only grant", addr, (long)(TESSERA_GRANT_WINDOW + 3 * 4096));
	expect("map it twice", tessera_grant_map((uint64_t)rog, 0x10000, 4, 0), -TESSERA_EEXIST);
	expect("map into a busy slot", tessera_grant_map((uint64_t)rog, 0x10000, 3, 0), -TESSERA_EEXIST);
	expect("map with a stale generation", tessera_grant_map((uint64_t)rog, 0x20000, 5, 0), -TESSERA_ESTALE);
	expect("read through the grant", *(volatile uint8_t *)(uintptr_t)addr, 0x42);
	rt_printf("%s: %d failures before the write\n", si.name, failures);
	*(volatile uint8_t *)(uintptr_t)addr = 1;
}

int main(void)
{
	if (tessera_self_info(RT_GPA(&si)))
		return 100;
	rt_printf("%s: attacking\n", si.name);
	if (starts("oob")) {
		volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)si.mem_bytes;
		(void)*p;
	} else if (starts("far")) {
		*(volatile uint64_t *)(uintptr_t)0x3ff00000ULL = 0xdeadbeef;
	} else if (starts("out")) {
		__asm__ volatile("outb %%al, $0x80" : : "a"(0));
	} else if (starts("msr")) {
		__asm__ volatile("wrmsr" : : "c"(0xc0000080u), "a"(0), "d"(0));
	} else if (starts("vmrun")) {
		__asm__ volatile("vmrun" : : "a"(0));
	} else if (starts("dr")) {
		__asm__ volatile("mov %0, %%dr0" : : "r"(0x1000UL));
	} else if (starts("virt")) {
		static uint64_t region;
		if (rt_use_vmcall)
			__asm__ volatile("vmxon %0" : : "m"(region));
		else
			__asm__ volatile("vmrun" : : "a"(0));
	} else if (starts("hlt")) {
		__asm__ volatile("hlt");
	} else if (starts("triple")) {
		/* An empty IDT turns the first exception into a triple fault. */
		struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = { 0, 0 };
		__asm__ volatile("lidt %0; ud2" : : "m"(idtr));
	} else if (starts("sleep")) {
		for (;;)
			__asm__ volatile("sti; hlt; cli");
	} else if (starts("spin")) {
		if (starts("spinsti"))
			__asm__ volatile("sti"); /* physical interrupts exit to the core, never reach us */
		for (volatile unsigned long i = 0; i < 60000000UL; i++)
			;
		rt_printf("%s: spun\n", si.name);
		return 0;
	} else if (starts("wait")) {
		for (volatile unsigned long i = 0; i < 1000000000UL; i++)
			;
		rt_printf("%s: waited\n", si.name);
		return 0;
	} else if (starts("evtmis")) {
		channel_and_grant_misuse();
		rt_printf("%s: %d failures\n", si.name, failures);
		(void)*(volatile uint8_t *)(uintptr_t)(TESSERA_GRANT_WINDOW + 7 * 4096);
	} else if (starts("rog")) {
		int f = read_only_granter();
		rt_printf("%s: %d failures\n", si.name, f);
		return f;
	} else if (starts("row")) {
		read_only_writer();
	} else if (starts("flood")) {
		long denied = 0;
		for (int i = 0; i < 1000; i++)
			denied += tessera_evtchn_setup(0x1000, 0x40) == -TESSERA_EACCES;
		for (volatile unsigned long i = 0; i < 60000000UL; i++)
			;
		denied += tessera_evtchn_setup(0x1000, 0x40) == -TESSERA_EACCES;
		rt_printf("%s: %ld calls denied\n", si.name, denied);
		return 0;
	} else if (starts("hcall")) {
		hostile_hypercalls();
		rt_printf("%s: %d failures\n", si.name, failures);
		return failures;
	}
	rt_printf("%s: ESCAPED: the attack was not stopped\n", si.name);
	return 99;
}
