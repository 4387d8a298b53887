/*
 * vmx_enter(regs, launched): load the guest's general registers (VMX switches
 * none but RSP/RIP/RFLAGS), VMLAUNCH or VMRESUME. Returns 0 after a VM exit
 * (guest registers stored back into regs), 1 if the instruction failed.
 * regs points at struct vcpu_regs (offsets must match it).
 */
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8  56
#define R_R9  64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112
#define HOST_RSP 0x6c14

	.text
	.globl vmx_enter, vmx_exit_stub
vmx_enter:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi               /* regs: found at (%rsp) after the exit */
	mov $HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe 2f
	mov %rdi, %rax
	test %esi, %esi         /* the movs below keep ZF for the launch choice */
	mov R_RBX(%rax), %rbx
	mov R_RCX(%rax), %rcx
	mov R_RDX(%rax), %rdx
	mov R_RSI(%rax), %rsi
	mov R_RDI(%rax), %rdi
	mov R_RBP(%rax), %rbp
	mov R_R8(%rax), %r8
	mov R_R9(%rax), %r9
	mov R_R10(%rax), %r10
	mov R_R11(%rax), %r11
	mov R_R12(%rax), %r12
	mov R_R13(%rax), %r13
	mov R_R14(%rax), %r14
	mov R_R15(%rax), %r15
	mov R_RAX(%rax), %rax
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VMfail: no guest state changed hands */
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	mov $1, %eax
	ret

vmx_exit_stub:
	push %rax
	mov 8(%rsp), %rax
	mov %rbx, R_RBX(%rax)
	mov %rcx, R_RCX(%rax)
	mov %rdx, R_RDX(%rax)
	mov %rsi, R_RSI(%rax)
	mov %rdi, R_RDI(%rax)
	mov %rbp, R_RBP(%rax)
	mov %r8, R_R8(%rax)
	mov %r9, R_R9(%rax)
	mov %r10, R_R10(%rax)
	mov %r11, R_R11(%rax)
	mov %r12, R_R12(%rax)
	mov %r13, R_R13(%rax)
	mov %r14, R_R14(%rax)
	mov %r15, R_R15(%rax)
	popq R_RAX(%rax)
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	xor %eax, %eax
	ret
