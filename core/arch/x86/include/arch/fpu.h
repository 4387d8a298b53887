#ifndef ARCH_FPU_H
#define ARCH_FPU_H
#include <core/domain.h>

void fpu_cpu_init(void);
void fpu_vcpu_init(struct vcpu *v);
void fpu_switch_to(struct vcpu *v);
void fpu_forget(const struct vcpu *v);
#endif
