#include "util.h"
#include <core/avc.h>
#include <core/frame.h>
#include <core/hypercall.h>
#include <stdio.h>

uint8_t img_byte(unsigned seg, uint64_t off)
{
	return (uint8_t)((0x11 * (seg + 1) + off * 7) | 1); /* never zero */
}

Elf64_Ehdr *img_eh(struct img *im)
{
	return (Elf64_Ehdr *)(void *)im->b;
}

Elf64_Phdr *img_ph(struct img *im, unsigned i)
{
	return (Elf64_Phdr *)(void *)(im->b + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

void img_default(struct img *im)
{
	Elf64_Ehdr *eh = img_eh(im);
	memset(im, 0, sizeof(*im));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = IMG_ENTRY;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	*img_ph(im, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				       .p_offset = IMG_TEXT_OFF, .p_vaddr = IMG_TEXT,
				       .p_paddr = IMG_TEXT, .p_filesz = IMG_TEXT_SIZE,
				       .p_memsz = IMG_TEXT_SIZE, .p_align = 0x1000 };
	*img_ph(im, 1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
				       .p_offset = IMG_DATA_OFF, .p_vaddr = IMG_DATA,
				       .p_paddr = IMG_DATA, .p_filesz = IMG_DATA_FILESZ,
				       .p_memsz = IMG_DATA_MEMSZ, .p_align = 0x1000 };
	for (uint64_t i = 0; i < IMG_TEXT_SIZE; i++)
		im->b[IMG_TEXT_OFF + i] = img_byte(0, i);
	for (uint64_t i = 0; i < IMG_DATA_FILESZ; i++)
		im->b[IMG_DATA_OFF + i] = img_byte(1, i);
	im->size = IMG_DATA_OFF + IMG_DATA_FILESZ;
}

void machine_frames_init(void)
{
	static struct boot_info bi;
	memset(&bi, 0, sizeof(bi));
	bi.regions[0] = (struct boot_region){ 0, 0xa0000, BOOT_MEM_AVAILABLE };
	bi.regions[1] = (struct boot_region){ 0xa0000, 0x60000, BOOT_MEM_RESERVED };
	bi.regions[2] = (struct boot_region){ 0x100000, SIM_MEM_SIZE - 0x100000, BOOT_MEM_AVAILABLE };
	bi.nregions = 3;
	CHECK_EQ(frame_init(&bi, CORE_START, CORE_END), 0);
}

int try_domain(const char *name, uint64_t mem, const struct img *im, struct domain **out,
	       const char **why)
{
	struct domain_config dc;
	memset(&dc, 0, sizeof(dc));
	snprintf(dc.name, sizeof(dc.name), "%s", name);
	dc.mem = mem;
	dc.vcpus = 1;
	int32_t type = avc_domain_type(dc.name);
	dc.type = type < 0 ? 0 : (uint32_t)type;
	*why = NULL;
	return domain_create(&dc, im->b, im->size, out, why);
}

struct domain *make_domain(const char *name, uint64_t mem)
{
	static struct img im;
	struct domain *d = NULL;
	const char *why;
	img_default(&im);
	int rc = try_domain(name, mem, &im, &d, &why);
	if (rc)
		test_fail(__FILE__, __LINE__, "domain_create(%s): %d %s", name, rc, why ? why : "");
	return d;
}

int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
	      uint64_t a4)
{
	v->regs.rax = nr;
	v->regs.rdi = a0;
	v->regs.rsi = a1;
	v->regs.rdx = a2;
	v->regs.r10 = a3;
	v->regs.r8 = a4;
	hypercall_dispatch(v);
	return (int64_t)v->regs.rax;
}

unsigned count_of(const char *s, const char *sub)
{
	unsigned n = 0;
	size_t len = strlen(sub);
	for (const char *p = s; len && (p = strstr(p, sub)); p += len)
		n++;
	return n;
}
