#ifndef ARCH_SMP_H
#define ARCH_SMP_H
#include <core/bootinfo.h>

void smp_init(const struct boot_info *bi);
#endif
