/*
 * tboot as the core's loader (core/include/core/tboot.h has the facts and sources).
 * A measured launch leaves `tboot=0x...` as the last word of the core's command line;
 * the page it names must be tboot's: right UUID and version, inside tboot's own image,
 * which tboot took out of usable RAM, with the shutdown entry inside it too. Anything
 * else is a rejected boot, never a quiet boot without tboot. Without that word but
 * with `launcher=tboot` (the ISO's tboot entry), tboot fell back to an unmeasured
 * launch: the core boots, says so, and its boot-path event still says "tboot".
 */
#include <core/console.h>
#include <core/lib.h>
#include <core/tboot.h>
#include <tessera/errno.h>

#define TBOOT_ARG "tboot="
#define TBOOT_ARG_LEN (sizeof(TBOOT_ARG) - 1)
#define LAUNCHER_ARG "launcher=tboot"

static volatile struct tboot_shared *shared;

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -TESSERA_EINVAL;
}

/* Every byte of [start, end) lies in regions of the given types, none in any other. */
static bool only_in(const struct boot_info *bi, uint64_t start, uint64_t end, uint32_t t1,
		    uint32_t t2)
{
	uint64_t cur = start;
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_region *r = &bi->regions[i];
		if (r->type != t1 && r->type != t2 && ranges_overlap(start, end - start, r->base, r->len))
			return false;
	}
	for (uint32_t pass = 0; pass <= bi->nregions && cur < end; pass++)
		for (uint32_t i = 0; i < bi->nregions; i++) {
			const struct boot_region *r = &bi->regions[i];
			if ((r->type == t1 || r->type == t2) && r->base <= cur && cur - r->base < r->len)
				cur = r->base + r->len;
		}
	return cur >= end;
}

int tboot_check(const struct boot_info *bi, uint64_t pa, const char **why)
{
	static const uint8_t uuid[16] = TBOOT_SHARED_UUID;
	const struct tboot_shared *s;
	uint64_t base, end;
	if (!pa || pa % PAGE_SIZE || !(s = phys_map(pa, PAGE_SIZE)))
		return fail(why, "tboot: shared page address not page-aligned or not addressable");
	if (memcmp(s->uuid, uuid, sizeof(uuid)))
		return fail(why, "tboot: shared page has the wrong UUID");
	if (s->version < TBOOT_SHARED_VERSION_MIN)
		return fail(why, "tboot: shared page version below 6 (tboot older than 1.7)");
	base = s->tboot_base;
	end = base + s->tboot_size; /* 32-bit fields: no overflow in 64 bits */
	if (!s->tboot_size || end > BOOT_PHYS_LIMIT)
		return fail(why, "tboot: tboot's image range is empty or above 4 GiB");
	if (pa < base || pa + PAGE_SIZE > end)
		return fail(why, "tboot: shared page lies outside tboot's image");
	if (s->shutdown_entry < base || s->shutdown_entry >= end)
		return fail(why, "tboot: shutdown entry lies outside tboot's image");
	if (!only_in(bi, base, end, BOOT_MEM_RESERVED, BOOT_MEM_BAD))
		return fail(why, "tboot: tboot's image is not reserved in the memory map");
	return 0;
}

/* "0x" and 1-8 hex digits, the whole word: tboot's %p of a 32-bit address. */
static bool parse_hex32(const char *p, size_t n, uint64_t *v)
{
	if (n < 3 || n > 10 || p[0] != '0' || p[1] != 'x')
		return false;
	*v = 0;
	for (size_t i = 2; i < n; i++) {
		char c = p[i];
		uint64_t d = c >= '0' && c <= '9' ? (uint64_t)(c - '0')
			   : c >= 'a' && c <= 'f' ? (uint64_t)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (uint64_t)(c - 'A' + 10) : 16;
		if (d > 15)
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* Remove the word [w, w+n) and one space next to it. */
static void cut_word(char *cmdline, char *w, size_t n)
{
	if (w > cmdline && w[-1] == ' ')
		w--, n++;
	else if (w[n] == ' ')
		n++;
	memmove(w, w + n, strlen(w + n) + 1);
}

int tboot_probe(struct boot_info *bi, const char **why)
{
	uint64_t pa = 0;
	bool launcher = false, arg = false;
	char *w = bi->cmdline;
	shared = NULL;
	while (*w) {
		size_t n = 0;
		while (*w == ' ')
			w++;
		while (w[n] && w[n] != ' ')
			n++;
		if (n == sizeof(LAUNCHER_ARG) - 1 && !memcmp(w, LAUNCHER_ARG, n) && !launcher) {
			launcher = true;
			cut_word(bi->cmdline, w, n);
			w = bi->cmdline;
		} else if (n >= TBOOT_ARG_LEN && !memcmp(w, TBOOT_ARG, TBOOT_ARG_LEN)) {
			/* tboot appends its word: anything after it is not tboot's. */
			if (w[n] || !parse_hex32(w + TBOOT_ARG_LEN, n - TBOOT_ARG_LEN, &pa))
				return fail(why, "tboot: tboot=0x<address> must be the last word, once");
			arg = true;
			cut_word(bi->cmdline, w, n);
			break;
		} else {
			w += n;
		}
	}
	if (arg) {
		int rc = tboot_check(bi, pa, why);
		if (rc)
			return rc;
		shared = (volatile struct tboot_shared *)(uintptr_t)phys_map(pa, PAGE_SIZE);
		if (shared->flags & TBOOT_FLAG_AP_WAKE_SUPPORT)
			kprintf("tessera: tboot: ap_wake_mwait=true is not supported: other CPUs may not start\n");
		kprintf("tessera: tboot: measured launch (Intel TXT): shared page 0x%lx version %u, "
			"tboot at 0x%x (0x%x bytes); PCRs 17-19 hold the DRTM measurements, and the "
			"core hands the machine back to tboot when it stops\n", (unsigned long)pa,
			shared->version, shared->tboot_base, shared->tboot_size);
	} else if (launcher) {
		kprintf("tessera: tboot: started by tboot WITHOUT a measured launch (no shared page: "
			"no SINIT ACM, no TXT, or a launch error); PCRs 17-19 hold no measurement of "
			"this boot\n");
	}
	if (arg || launcher) { /* tessera/measure.h: the path is "tboot", EFI or not */
		bi->loader = "tboot";
		bi->efi = false;
	}
	return 0;
}

uint32_t tboot_shutdown_entry(enum tboot_shutdown type)
{
	if (!shared)
		return 0;
	shared->shutdown_type = type;
	return shared->shutdown_entry;
}
