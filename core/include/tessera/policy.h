/*
 * The compiled MAC policy: the binary the policy compiler writes and the core
 * loads as a boot module. One canonical layout, so the same sources give the
 * same bytes and any other arrangement is refused:
 *
 *   header | types | labels | avtab | strings
 *
 * each section starting at the next multiple of 8 after the one before, padding
 * zero, total_size the end of the strings rounded up to 8; any other section
 * layout is refused. All integers are little-endian. The core validates every
 * field before using any (core/policy.c). The compiler also fixes the order of
 * strings and of colliding entries, so its output is reproducible; the loader
 * checks what safety needs (bounds, uniqueness, reachability), not that order.
 */
#ifndef TESSERA_POLICY_H
#define TESSERA_POLICY_H
#include <stdint.h>

#define TPOL_MAGIC "TSPOLICY"
#define TPOL_VERSION 1
#define TPOL_ALIGN 8

/* Bounds the core enforces; the compiler refuses to exceed them. */
#define TPOL_TYPES_MAX 4096
#define TPOL_LABELS_MAX 4096
#define TPOL_AVTAB_SLOTS_MIN 16
#define TPOL_AVTAB_SLOTS_MAX (1u << 20)
#define TPOL_PROBE_MAX 32 /* the furthest an entry lies past its home slot: a lookup reads <= 33 */
#define TPOL_STRINGS_MAX (1u << 20)
#define TPOL_SIZE_MAX (32u << 20)
#define TPOL_NAME_MAX 63 /* a type name, without its NUL */

struct tpol_header {
	char magic[8];         /* TPOL_MAGIC, no NUL */
	uint32_t version;      /* TPOL_VERSION */
	uint32_t header_size;  /* sizeof(struct tpol_header) */
	uint32_t total_size;   /* the whole binary */
	uint32_t flags;        /* none defined: 0 */
	uint64_t vocabulary;   /* tessera_access_fingerprint() of the compiler's access.def */
	uint32_t nclasses;     /* TESSERA_CLASS_COUNT */
	uint32_t ntypes;       /* 1..TPOL_TYPES_MAX */
	uint32_t types_off;
	uint32_t nlabels;
	uint32_t labels_off;
	uint32_t avtab_slots;  /* a power of two, TPOL_AVTAB_SLOTS_MIN..MAX */
	uint32_t avtab_off;
	uint32_t avtab_used;   /* entries with TPOL_AV_USED */
	uint32_t avtab_probe;  /* the furthest any entry lies past its home slot: <= TPOL_PROBE_MAX */
	uint32_t strings_off;
	uint32_t strings_size; /* starts and ends with a NUL; offset 0 is "no name" */
	uint32_t reserved;     /* 0 */
};

/* Types, sorted by name (strictly: names are unique); a type's id is its index. */
#define TPOL_TYPE_PERMISSIVE 1u /* denials for subjects of this type are logged, not enforced */
struct tpol_type {
	uint32_t name;  /* offset in strings: [a-z0-9_]{1,63}, starting with a letter */
	uint32_t flags; /* TPOL_TYPE_* */
};

/*
 * Labels, sorted by kind, then by name (domains) or lo (ranges); ranges of one
 * kind do not overlap, domain names are unique. Fields a kind does not use are 0.
 */
enum tpol_label_kind {
	TPOL_LABEL_CORE = 1,           /* the core itself: exactly one */
	TPOL_LABEL_DOMAIN = 2,         /* name: a domain name from the boot configuration */
	TPOL_LABEL_DOMAIN_DEFAULT = 3, /* domains with no label of their own: at most one */
	TPOL_LABEL_DEVICE = 4,         /* lo..hi: PCI segment << 16 | bus << 8 | device << 3 | function */
	TPOL_LABEL_IOPORT = 5,         /* lo..hi: I/O ports, <= 0xffff */
	TPOL_LABEL_IOMEM = 6,          /* lo..hi: physical byte addresses, page aligned lo, hi + 1 page aligned */
	TPOL_LABEL_IRQ = 7,            /* lo..hi: interrupt numbers, <= 255 */
	TPOL_LABEL_KIND_MAX = 7
};
#define TPOL_DEVICE_MAX 0xffffffu
#define TPOL_IOPORT_MAX 0xffffu
#define TPOL_IRQ_MAX 255u
struct tpol_label {
	uint32_t kind;
	uint32_t type;
	uint32_t name; /* offset in strings (domains), else 0 */
	uint32_t reserved;
	uint64_t lo, hi; /* inclusive range (devices, ports, memory, IRQs), else 0 */
};

/*
 * The access-vector table: open addressing with linear probing. An entry's home
 * slot is tpol_av_hash(source, target, class) & (slots - 1); unused slots are all
 * zero. "allow a b:c p" for every (a, b, c) is one entry whose allowed bits are
 * the union of the rules; attributes and self are expanded by the compiler.
 */
#define TPOL_AV_USED 1u
struct tpol_av {
	uint16_t source, target; /* type ids */
	uint16_t cls;            /* enum tessera_class */
	uint16_t flags;          /* TPOL_AV_USED */
	uint32_t allowed;        /* non-zero, inside tessera_class_mask(cls) */
};

static inline uint32_t tpol_av_hash(uint32_t source, uint32_t target, uint32_t cls)
{
	uint32_t h = source * 0x9e3779b1u + target;
	h = (h ^ (h >> 15)) * 0x85ebca77u + cls;
	h = (h ^ (h >> 13)) * 0xc2b2ae3du;
	return h ^ (h >> 16);
}

_Static_assert(sizeof(struct tpol_header) == 80, "policy header layout");
_Static_assert(sizeof(struct tpol_type) == 8, "policy type layout");
_Static_assert(sizeof(struct tpol_label) == 32, "policy label layout");
_Static_assert(sizeof(struct tpol_av) == 12, "policy av layout");
#endif
