/*
 * Demo domain: introduces itself, takes turns with its peers, exits cleanly.
 * Its lines go through the console domain when there is one.
 */
#include <rt/console.h>
#include <rt/hcall.h>

int main(void)
{
	struct tessera_self_info si;
	long v = tessera_version();
	rt_console_connect(); /* no console domain: the core prints them */
	if (tessera_self_info(RT_GPA(&si)) != 0)
		return 1;
	rt_printf("hello from %s: domain %u, %lu MiB, ABI %ld.%ld\n", si.name, si.domid,
		  (unsigned long)(si.mem_bytes >> 20), v >> 16, v & 0xffff);
	for (int round = 1; round <= 3; round++) {
		rt_printf("%s: round %d\n", si.name, round);
		tessera_yield();
	}
	rt_printf("%s: done\n", si.name);
	return 0;
}
