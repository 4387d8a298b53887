/*
 * vmx_enter(regs, launched): load the guest's general registers (VMX switches
 * none but RSP/RIP/RFLAGS), VMLAUNCH or VMRESUME. Returns 0 after a VM exit
 * (guest registers stored back into regs), 1 if the instruction failed.
 * regs points at struct vcpu_regs (offsets must match it).
 */
#include <arch/gprs.h>
#define HOST_RSP 0x6c14

	.text
	.globl vmx_enter, vmx_exit_stub
vmx_enter:
	host_callee_saved_push
	push %rdi               /* regs: found at (%rsp) after the exit */
	mov $HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe 2f
	mov %rdi, %rax
	test %esi, %esi         /* the movs below keep ZF for the launch choice */
	gprs_load_from_rax
	mov R_RAX(%rax), %rax
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VMfail: no guest state changed hands */
	pop %rdi
	host_callee_saved_pop
	mov $1, %eax
	ret

vmx_exit_stub:
	push %rax
	mov 8(%rsp), %rax
	gprs_store_to_rax
	popq R_RAX(%rax)
	add $8, %rsp
	host_callee_saved_pop
	xor %eax, %eax
	ret
