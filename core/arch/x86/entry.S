/* Exception and interrupt stubs: 16 bytes each, so vector n is at isr_stubs + 16n. */
	.text
	.code64
	.globl isr_stubs
	.balign 16
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if vec == 2 || vec == 0xff
	/* An NMI is platform noise here (watchdog, BMC); an intercepted guest NMI lands
	 * in the host after STGI. Nothing to do, and never worth stopping the machine.
	 * The APIC's spurious vector needs no EOI either. */
	iretq
	.elseif vec == 0x20
	jmp timer_entry
	.elseif vec >= 0x40 && vec < 0x60
	/* Device interrupts (ARCH_IRQ_VECTOR_BASE..+31, remapped by the IOMMU to CPU 0). */
	push %rax
	mov $(vec - 0x40), %eax
	jmp devirq_entry
	.elseif vec == 0xf0
	jmp kick_entry
	.elseif vec == 0xf2
	jmp stop_entry
	.else
	.if !(vec == 8 || vec == 10 || vec == 11 || vec == 12 || vec == 13 || vec == 14 || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	.if vec < 128
	pushq $vec
	.else
	.byte 0x68
	.long vec
	.endif
	jmp isr_common
	.endif
	.set vec, vec + 1
	.endr

/* Another CPU stopped the machine (panic, host fault, the end): stop here too; the
 * BSP after a measured launch goes on to tboot's shutdown (tboot_exit). */
stop_entry:
	and $-16, %rsp
	mov $1, %edi
	call tboot_exit
1:	cli
	hlt
	jmp 1b

/* A device interrupt: its bit in apic_irq_pending (arch_irq_pending), then EOI. */
devirq_entry:
	lock btsl %eax, apic_irq_pending(%rip)
	lea apic_kick_interrupt(%rip), %rax
	jmp irq_common

/* The slice timer and the kick IPI: caller-saved registers only, the C side is tiny. */
kick_entry:
	push %rax
	lea apic_kick_interrupt(%rip), %rax
	jmp irq_common
timer_entry:
	push %rax
	lea apic_timer_interrupt(%rip), %rax
irq_common:
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	mov %rsp, %rcx
	and $-16, %rsp
	push %rcx
	sub $8, %rsp
	call *%rax
	add $8, %rsp
	pop %rsp
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	iretq

/* Frame layout must match struct trap_frame in trap.c. */
isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	and $-16, %rsp
	call trap_report
1:	cli
	hlt
	jmp 1b
