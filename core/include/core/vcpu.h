#ifndef CORE_VCPU_H
#define CORE_VCPU_H
#include <core/virt.h>

void vcpu_handle_exit(struct vcpu *v, const struct vexit *x);
#endif
