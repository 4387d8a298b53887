/*
 * Events in a domain: our own GDT and IDT (an interrupt reloads CS from the
 * IDT gate, IRET reloads CS/SS), the event page, and the upcall handler that
 * acknowledges it; rt_event_poll moves pending bits from the page into
 * `signalled`. Domains run with interrupts off and open them only to sleep.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static const uint64_t gdt[3] = { 0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL };
static uint64_t idt[256 * 2] __attribute__((aligned(16)));
static struct tessera_event_page page __attribute__((aligned(4096)));
static volatile uint64_t signalled;

void rt_event_upcall(void);
void rt_event_isr(void);

/*
 * Called by the interrupt stub: only acknowledge. The pending bits stay in the
 * page until rt_event_poll takes them with interrupts off, so when we halt the
 * core can see that something is still pending and will not put us to sleep
 * (no wake-up is lost even if the upcall lands between sti and hlt).
 */
void rt_event_upcall(void)
{
	__atomic_store_n(&page.upcall_pending, 0, __ATOMIC_SEQ_CST);
}

__asm__(".text\n"
	"rt_event_isr:\n"
	"	push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
	"	push %r8; push %r9; push %r10; push %r11\n"
	"	mov %rsp, %rax; and $-16, %rsp; push %rax; sub $8, %rsp\n"
	"	call rt_event_upcall\n"
	"	add $8, %rsp; pop %rsp\n"
	"	pop %r11; pop %r10; pop %r9; pop %r8\n"
	"	pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
	"	iretq\n");

static void load_tables(void)
{
	struct desc_ptr g = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	struct desc_ptr i = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	uint64_t a = (uint64_t)(uintptr_t)rt_event_isr;
	idt[RT_EVENT_VECTOR * 2] = (a & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
				   ((a >> 16 & 0xffff) << 48);
	idt[RT_EVENT_VECTOR * 2 + 1] = a >> 32;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov $0x10, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "lidt %1"
			 : : "m"(g), "m"(i) : "rax", "memory");
}

/* Every vector from 32 up acknowledges an upcall: for a domain that may move its event
 * page or pick another vector (the fuzzing domain), a stray one must not kill it. */
void rt_events_catch_all(void)
{
	for (unsigned v = 32; v < 256; v++) {
		idt[v * 2] = idt[RT_EVENT_VECTOR * 2];
		idt[v * 2 + 1] = idt[RT_EVENT_VECTOR * 2 + 1];
	}
}

long rt_events_init(void)
{
	load_tables();
	return tessera_evtchn_setup(RT_GPA(&page), RT_EVENT_VECTOR);
}

int rt_event_poll(uint32_t port)
{
	uint64_t bit = 1ULL << port;
	signalled |= __atomic_exchange_n(&page.pending, 0, __ATOMIC_SEQ_CST);
	if (!(signalled & bit))
		return 0;
	signalled &= ~bit;
	return 1;
}

void rt_event_wait(uint32_t port)
{
	while (!rt_event_poll(port))
		__asm__ volatile("sti; hlt; cli" ::: "memory"); /* no wake-up lost between sti and hlt */
}
