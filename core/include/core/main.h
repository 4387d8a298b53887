#ifndef CORE_MAIN_H
#define CORE_MAIN_H
#include <core/bootinfo.h>

/* Entered by the arch layer with boot information already parsed. */
_Noreturn void core_main(struct boot_info *bi, uint64_t core_start, uint64_t core_end);
/* Entered by every other CPU once its own machine state is set up. */
_Noreturn void core_secondary_main(void);
#endif
