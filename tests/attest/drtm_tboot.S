/*
 * A stand-in for what a measured launch leaves behind, for tests/attest/drtm.sh: tboot's
 * shared page (core/include/core/tboot.h) at TBOOT_BASE, with a 4 KiB "tboot image"
 * around it, and a shutdown entry that checks how the core arrived: shutdown type
 * halt, interrupts off, out of VMX operation. Then it reports to the emulator: 0x55 on
 * QEMU's isa-debug-exit port and Bochs's magic breakpoint, or 0x66 and Bochs's
 * shutdown port. GRUB writes it into memory the firmware's map reserves (write_dword).
 */
	.code64
	.set base, TBOOT_BASE
	.org 0
	.byte 0xff, 0x8d, 0x3c, 0x66, 0xb3, 0xe8, 0x82, 0x4b	/* UUID */
	.byte 0xbf, 0xaa, 0x19, 0xea, 0x4d, 0x05, 0x7a, 0x08
	.long 6, 0, base + entry, 0	/* version, log_addr, shutdown_entry, shutdown_type */
	.org 104
	.long base, 0x1000		/* tboot_base, tboot_size */
	.org 0x800
entry:
	mov base + 28, %eax
	cmp $4, %eax			/* TB_SHUTDOWN_HALT */
	jne bad
	pushfq
	pop %rax
	test $0x200, %eax		/* IF */
	jnz bad
	mov %cr4, %rax
	test $0x2000, %eax		/* CR4.VMXE */
	jnz bad
	mov $0x55, %al
	out %al, $0xf4
	xchg %bx, %bx
1:	hlt
	jmp 1b
bad:
	mov $0x66, %al
	out %al, $0xf4
	mov $0x8900, %dx
	lea shutdown(%rip), %rsi
	mov $8, %ecx
	rep outsb
2:	hlt
	jmp 2b
shutdown:
	.ascii "Shutdown"
