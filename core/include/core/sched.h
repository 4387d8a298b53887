#ifndef CORE_SCHED_H
#define CORE_SCHED_H
#include <core/domain.h>

/* How long a vCPU runs before the next one gets the CPU. */
#define SCHED_SLICE_US 10000

enum sched_result {
	SCHED_RAN,         /* a vCPU ran until it yielded, blocked, ended or its slice ran out */
	SCHED_NONE_LEFT,   /* every domain has ended */
	SCHED_ALL_BLOCKED, /* domains remain, all halted waiting for events no one can send */
	SCHED_IDLE,        /* nothing for this CPU now; other CPUs still run domains */
};

/* Run domains round robin until none can run. */
enum sched_result sched_run(void);
/* One scheduling step on this CPU. */
enum sched_result sched_step(void);
/* The other CPUs: run their domains, idle when they have none, never return. */
_Noreturn void sched_run_secondary(void);
#endif
