/*
 * Null-hypercall benchmark domain: the number of round trips comes from the
 * digits in its name (domain=bench-200000). It reports when it starts and
 * ends so the host can time the loop from the serial console.
 */
#include <rt/console.h>
#include <rt/hcall.h>

int main(void)
{
	struct tessera_self_info si;
	unsigned long n = 0;
	if (tessera_self_info(RT_GPA(&si)))
		return 1;
	for (const char *p = si.name; *p; p++)
		if (*p >= '0' && *p <= '9')
			n = n * 10 + (unsigned long)(*p - '0');
	rt_printf("bench: start %lu\n", n);
	for (unsigned long i = 0; i < n; i++)
		if (tessera_version() != TESSERA_ABI_VERSION)
			return 2;
	rt_printf("bench: end %lu\n", n);
	return 0;
}
