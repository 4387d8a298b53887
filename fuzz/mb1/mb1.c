/* Multiboot 1 boot information (core/mb1.c), at physical 0, then the boot checks. */
#include "../common/boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	const char *why = NULL;
	boot_place(data, size);
	if (!mb1_parse(0, &bi, &why))
		boot_accepted(&bi);
	return 0;
}
