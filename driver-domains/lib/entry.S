/* Domain entry: the core enters in 64-bit mode with no stack. */
	.section .text.entry, "ax"
	.globl _start
_start:
	lea rt_stack_top(%rip), %rsp
	xor %ebp, %ebp
	call rt_main
	mov %rax, %rdi
	call rt_exit

	.bss
	.align 16
rt_stack: .skip 16384
rt_stack_top:
