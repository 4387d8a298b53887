/*
 * A hostile domain. What it attempts is chosen by its name (domain=NAME),
 * so one image serves every isolation test:
 *   oob-*     read the first byte past its memory (nested page fault)
 *   far-*     write far outside its memory, where another domain could live
 *   out-*     port I/O          msr-*    WRMSR to EFER
 *   vmrun-*   VMRUN             hlt-*    HLT
 *   virt-*    the CPU vendor's own virtualization instruction (VMXON or VMRUN)
 *   dr-*      write a debug register (not switched between domains)
 *   wait-*    not an attack: busy for a few seconds, then exit 0 (a window for host events)
 *   spin-*    never yields for many time slices, then exits 0: others must run meanwhile
 *   spinsti-* the same with interrupts enabled (Bochs exits on a physical interrupt only
 *             when the guest's IF is set; real CPUs and QEMU do regardless)
 *   triple-*  triple fault      hcall-*  hostile hypercall arguments (must all fail cleanly)
 * Each attack that is stopped never returns here; reaching the end is a failure.
 */
#include <rt/console.h>
#include <rt/hcall.h>

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
	} else if (starts("hcall")) {
		hostile_hypercalls();
		rt_printf("%s: %d failures\n", si.name, failures);
		return failures;
	}
	rt_printf("%s: ESCAPED: the attack was not stopped\n", si.name);
	return 99;
}
