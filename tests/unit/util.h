/* Shared helpers for the unit tests: ELF images, a booted machine, domains, hypercalls. */
#ifndef UNIT_UTIL_H
#define UNIT_UTIL_H
#include "test.h"
#include "../sim/sim.h"
#include <core/bootinfo.h>
#include <core/domain.h>
#include <elf.h>
#include <stdio.h>

/*
 * The default test image: text at 0x100000 (R+X, 0x40 bytes, entry 0x100010)
 * and data at 0x102000 (RW, 0x10 bytes from the file + 0x2ff0 of bss).
 * File bytes of segment i are img_byte(i, offset).
 */
#define IMG_CAP 0x4000
#define IMG_TEXT 0x100000ULL
#define IMG_DATA 0x102000ULL
#define IMG_ENTRY (IMG_TEXT + 0x10)
#define IMG_TEXT_OFF 0x1000ULL
#define IMG_DATA_OFF 0x2000ULL
#define IMG_TEXT_SIZE 0x40ULL
#define IMG_DATA_FILESZ 0x10ULL
#define IMG_DATA_MEMSZ 0x3000ULL

struct img {
	_Alignas(8) uint8_t b[IMG_CAP];
	uint64_t size;
};

void img_default(struct img *im);
Elf64_Ehdr *img_eh(struct img *im);
Elf64_Phdr *img_ph(struct img *im, unsigned i);
uint8_t img_byte(unsigned seg, uint64_t off);

/* Simulated machine memory map: RAM [0, 640K) and [1M, 64M), reserved [640K, 1M). */
#define CORE_START 0x100000ULL
#define CORE_END   0x200000ULL
void machine_frames_init(void);

/* A running domain made from the default image (frames must be initialised). */
struct domain *make_domain(const char *name, uint64_t mem);
/* Build the config and create, returning domain_create's status. */
int try_domain(const char *name, uint64_t mem, const struct img *im, struct domain **out,
	       const char **why);

/* Issue hypercall nr from the vCPU (as the guest would) and return RAX. */
int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
	      uint64_t a4);

/* Number of times sub occurs in s. */
unsigned count_of(const char *s, const char *sub);
#endif
