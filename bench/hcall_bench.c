/*
 * Exit-cost benchmark domain. The number of round trips comes from the digits
 * in its name (domain=bench-200000). Two loops run back to back in one boot:
 * null hypercalls (VMMCALL -> dispatcher -> VMRUN) and CPUID exits, which the
 * SVM backend answers without leaving it (the floor of any exit). Each loop
 * is bracketed by console lines so the host can time it.
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
	rt_printf("bench: hypercall start %lu\n", n);
	for (unsigned long i = 0; i < n; i++)
		if (tessera_version() != TESSERA_ABI_VERSION)
			return 2;
	rt_printf("bench: hypercall end %lu\n", n);
	rt_printf("bench: cpuid start %lu\n", n);
	for (unsigned long i = 0; i < n; i++) {
		uint32_t a = 0, b, c = 0, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
	rt_printf("bench: cpuid end %lu\n", n);
	return 0;
}
