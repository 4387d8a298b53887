#ifndef CORE_SCHED_H
#define CORE_SCHED_H
#include <core/domain.h>

/* How long a vCPU runs before the next one gets the CPU. */
#define SCHED_SLICE_US 10000

/* Run domains round robin until none is left. */
void sched_run(void);
/* One scheduling step: run one vCPU until it yields or ends. false when none is runnable. */
bool sched_step(void);
#endif
