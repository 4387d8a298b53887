#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H
extern char isr_stubs[];
#endif
