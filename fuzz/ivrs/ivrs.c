/* The AMD-Vi IVRS parser (core/arch/x86/amdvi_ivrs.c), on a table's bytes (checksum already checked). */
#include "amdvi.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct amdvi_ivrs o;
	const char *why = NULL;
	if (size > UINT32_MAX)
		return 0;
	if (amdvi_ivrs_parse(data, (uint32_t)size, &o, &why)) {
		if (!why)
			abort();
		return 0;
	}
	if (o.nioapic > AMDVI_SPECIAL_MAX || o.nspecial > AMDVI_SPECIAL_MAX)
		abort();
	/* The driver maps 16 KiB of registers there through the core's 4 GiB map. */
	if (!o.base || o.base % 0x4000 || o.base > (4ULL << 30) - 0x4000)
		abort();
	return 0;
}
