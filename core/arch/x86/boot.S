/*
 * Entry from a Multiboot 1 (QEMU -kernel) or Multiboot2 (GRUB) loader in
 * 32-bit protected mode: build a 1:1 map of the first 4 GiB, enter long
 * mode and call arch_entry(magic, info).
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000003  /* page-align modules, memory info */
#define MB2_MAGIC 0xe85250d6
#define CPU_MAX 8 /* as in arch/cpu.h */

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)
	.align 8
mb2_header:
	.long MB2_MAGIC, 0, mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	/* module alignment tag: page-aligned modules */
	.short 6, 0
	.long 8
	/* end tag */
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, boot_magic
	mov %ebx, boot_info
	/* Zero .bss (stack, page tables, core state) rather than trust the loader. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov $boot_stack_top, %esp

	/* Long mode or nothing: report on COM1 and stop. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; each PD maps 1 GiB with 2 MiB pages. */
	mov $boot_pml4, %ebx
	mov $boot_pdpt, %eax
	or $0x3, %eax
	mov %eax, (%ebx)
	mov $boot_pdpt, %ebx
	mov $boot_pd, %eax
	or $0x3, %eax
	mov $4, %ecx
1:	mov %eax, (%ebx)
	add $8, %ebx
	add $0x1000, %eax
	loop 1b
	mov $boot_pd, %ebx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax              /* present, writable, 2 MiB */
	cmp $2032, %ecx             /* 0xfe000000 and up: APIC, IOAPIC, TPM: uncached */
	jb 3f
	or $0x18, %eax              /* PCD, PWT */
3:
	mov %eax, (%ebx,%ecx,8)
	mov %ecx, %eax
	shr $11, %eax               /* high half of the physical address */
	mov %eax, 4(%ebx,%ecx,8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $0x20, %eax              /* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $0x900, %eax             /* LME, NXE */
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax        /* PG, WP, PE */
	mov %eax, %cr0
	lgdt boot_gdtr
	ljmp $0x08, $long_entry

no_long_mode:
	mov $msg_no_lm, %esi
6:	lodsb
	test %al, %al
	jz 4f
	mov $0x3f8, %dx
	out %al, %dx
	jmp 6b
4:	hlt
	jmp 4b

	.code64
long_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	mov boot_magic(%rip), %edi
	mov boot_info(%rip), %esi
	xor %ebp, %ebp
	call arch_entry
5:	cli
	hlt
	jmp 5b

	.section .boot.data, "a"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff    /* 64-bit code */
	.quad 0x00cf92000000ffff    /* data */
boot_gdtr:
	.short boot_gdtr - boot_gdt - 1
	.long boot_gdt
msg_no_lm:
	.asciz "tessera: this CPU has no long mode\r\n"

	.data
	.align 4
boot_magic: .long 0
boot_info:  .long 0

	.section .bss
	.align 4096
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4096 * 4
	.globl boot_stack_top
boot_stack: .skip 16384
boot_stack_top:

/*
 * Application processors start here in real mode at the page the SIPI names
 * (a copy made by smp.c, which patches the three linear addresses marked
 * below), switch to protected mode with the trampoline's GDT, then to long
 * mode on the boot page tables, and jump into the core.
 */
	.section .rodata
	.globl ap_trampoline_start, ap_trampoline_end, ap_tr_gdtr_base, ap_tr_far32
	.code16
ap_trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl ap_tr_gdtr - ap_trampoline_start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl *(ap_tr_far32 - ap_trampoline_start)
	.code32
ap_tr_pm32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $0x20, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $0x900, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax
	mov %eax, %cr0
	ljmp $0x18, $ap_long_entry
	.align 8
ap_tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff    /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff    /* 0x10: data */
	.quad 0x00af9a000000ffff    /* 0x18: 64-bit code */
ap_tr_gdtr:
	.short 31
ap_tr_gdtr_base:
	.long ap_tr_gdt - ap_trampoline_start            /* patched: + page */
ap_tr_far32:
	.long ap_tr_pm32 - ap_trampoline_start           /* patched: + page */
	.short 0x08
ap_trampoline_end:

	.text
	.code64
ap_long_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $1, %eax
	lock xadd %eax, ap_next(%rip)    /* this AP's CPU number: 1, 2, ... */
	cmp $CPU_MAX, %eax
	jae 2f
	mov %eax, %edi
	shl $14, %rax
	lea ap_stacks(%rip), %rsp
	add %rax, %rsp                   /* top of stack number (cpu - 1) */
	xor %ebp, %ebp
	call ap_main
2:	cli
	hlt
	jmp 2b

	.data
	.align 4
ap_next: .long 1
	.section .bss
	.align 16
ap_stacks: .skip 16384 * (CPU_MAX - 1)
