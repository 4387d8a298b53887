/*
 * The seed and dictionary generator (build/fuzz/gen DIR): for every target,
 * DIR/T/ gets seeds made from the unit tests' scenarios and DIR/T.dict its
 * dictionary. Deterministic: the same sources write the same files.
 */
#ifndef FUZZ_GEN_H
#define FUZZ_GEN_H
#include <stddef.h>
#include <stdint.h>

/* A growing byte buffer for one seed. */
struct buf {
	uint8_t b[1 << 16];
	size_t n;
};
void put8(struct buf *s, uint8_t v);
void put16(struct buf *s, uint16_t v);
void put32(struct buf *s, uint32_t v);
void put64(struct buf *s, uint64_t v);
void putb(struct buf *s, const void *p, size_t n);
/* DIR/target/name with s's bytes; DIR/target.dict line by line. */
void seed(const char *target, const char *name, const void *p, size_t n);
void dict(const char *target, const char *name, const void *p, size_t n);
void dict_str(const char *target, const char *s);

void gen_hcall(void);
void gen_boot(void);   /* mb1, mb2, elf, acpi, ivrs, dmar */
void gen_misc(void);   /* policy, config, eventlog, verifier, tpmfilter, blkreq, netreq, consring */
#endif
