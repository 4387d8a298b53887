/*
 * svm_enter(vmcb_pa, regs, host_save_pa): load guest GPRs, VMLOAD/VMRUN/
 * VMSAVE, store guest GPRs, restore the host's hidden state. VMRUN itself
 * switches RAX, RSP and RIP through the VMCB.
 * regs points at struct vcpu_regs (offsets below must match it).
 */
#include <arch/gprs.h>

	.text
	.globl svm_enter
svm_enter:
	host_callee_saved_push
	push %rdx               /* host save area */
	push %rsi               /* regs */
	push %rdi               /* vmcb */

	mov %rsi, %rax
	gprs_load_from_rax

	mov (%rsp), %rax        /* vmcb */
	/* With GIF clear, STI lets nothing in here, but VMRUN records IF=1: with
	 * V_INTR_MASKING that is what makes a physical interrupt exit the guest. */
	clgi
	sti
	vmload %rax
	vmrun %rax
	vmsave %rax

	cli
	mov 8(%rsp), %rax       /* regs */
	gprs_store_to_rax

	mov 16(%rsp), %rax      /* host save area: FS, GS, TR, syscall MSRs */
	vmload %rax
	stgi
	add $24, %rsp
	host_callee_saved_pop
	ret
