/*
 * The full-system fuzzer's sentinel (fuzz/system/README.md): it fills its memory
 * with a pattern and checks it for ever, printing a heartbeat about once a second
 * (the campaign tells a hung core from a blocked domain by it) and every word that
 * changed: nothing may write its memory but itself, so a change is an escape. It
 * offers each fuzzing domain one read-only page of the pattern (mapping it writable
 * must fail) and one writable page outside it, and offers again to a fuzzing domain
 * that was restarted under a new id. The refs go to the log, where the campaign
 * reads them. It also checks what it runs on: the page tables the core built for it
 * and its own code and constants, so a change there is named before it can crash it.
 */
#include <rt/console.h>
#include <rt/hcall.h>
#include <tessera/grant.h>
#include <tessera/layout.h>

#define AREA (256u * 1024)
#define BEAT_TICKS (1ULL << 31) /* TSC ticks: about a second */

static uint64_t area[AREA / 8] __attribute__((aligned(4096)));
static uint8_t open_page[2][4096] __attribute__((aligned(4096)));
static const char *const peers[2] = { "fuzza", "fuzzb" };
static long peer_id[2] = { -1, -1 };
static long refs[2][2];

extern const uint8_t rt_text_end[]; /* driver-domains/lib/linker.ld */

/* A digest of the 8-byte words of guest-physical [lo, hi) under mask: our page tables
 * (without the accessed and dirty bits the CPU sets), our code. */
static uint64_t digest(uint64_t lo, uint64_t hi, uint64_t mask)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const volatile uint64_t *p = (const uint64_t *)(uintptr_t)lo; p < (const uint64_t *)(uintptr_t)hi; p++)
		h = (h ^ (*p & mask)) * 0x100000001b3ULL;
	return h;
}
#define PT_AD (3ULL << 5)

static uint64_t expect(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Offer (again) to a fuzzing domain that has a new id. */
static void offer(unsigned p)
{
	char name[TESSERA_NAME_MAX] = { 0 };
	long id;
	memcpy(name, peers[p], rt_strlen(peers[p]));
	id = tessera_domain_lookup(RT_GPA(name));
	if (id < 0 || id == peer_id[p])
		return;
	for (unsigned k = 0; k < 2; k++)
		if (peer_id[p] >= 0)
			tessera_grant_end((uint64_t)refs[p][k]); /* -EBUSY while still mapped: it stays */
	peer_id[p] = id;
	refs[p][0] = tessera_grant_offer((uint64_t)id, RT_GPA(&area[p * 512]) / 4096,
					 TESSERA_GRANT_READONLY);
	refs[p][1] = tessera_grant_offer((uint64_t)id, RT_GPA(open_page[p]) / 4096, 0);
	rt_printf("sentinel: offered %s (id %ld) ro 0x%lx rw 0x%lx\n", peers[p], id,
		  (unsigned long)refs[p][0], (unsigned long)refs[p][1]);
}

int main(void)
{
	uint64_t last = tsc(), beats = 0, bad = 0, text_end = RT_GPA(rt_text_end);
	const uint64_t tables = digest(TESSERA_GUEST_PML4, TESSERA_GUEST_PD_3G + 4096, ~PT_AD);
	const uint64_t code = digest(TESSERA_GUEST_LOAD_MIN, text_end, ~0ULL);
	for (uint64_t i = 0; i < AREA / 8; i++)
		area[i] = expect(i);
	rt_printf("sentinel: watching 0x%lx-0x%lx\n", (unsigned long)RT_GPA(area),
		  (unsigned long)RT_GPA(area) + AREA);
	offer(0);
	offer(1);
	for (;;) {
		for (uint64_t i = 0; i < AREA / 8; i++) {
			if (area[i] != expect(i)) {
				rt_printf("sentinel: CORRUPT at 0x%lx: 0x%lx, expected 0x%lx\n",
					  (unsigned long)RT_GPA(&area[i]), (unsigned long)area[i],
					  (unsigned long)expect(i));
				area[i] = expect(i);
				bad++;
			}
			if (i % 512 == 511)
				tessera_yield();
		}
		if (digest(TESSERA_GUEST_PML4, TESSERA_GUEST_PD_3G + 4096, ~PT_AD) != tables)
			rt_printf("sentinel: CORRUPT page tables 0x1000-0x7000 changed\n");
		if (digest(TESSERA_GUEST_LOAD_MIN, text_end, ~0ULL) != code)
			rt_printf("sentinel: CORRUPT code 0x%lx-0x%lx changed\n",
				  (unsigned long)TESSERA_GUEST_LOAD_MIN, (unsigned long)text_end);
		if (tsc() - last >= BEAT_TICKS) {
			last = tsc();
			offer(0);
			offer(1);
			rt_printf("sentinel: beat %lu, %lu words changed\n", (unsigned long)++beats,
				  (unsigned long)bad);
		}
	}
}
