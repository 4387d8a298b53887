/* The VT-d DMAR parser (core/arch/x86/vtd_dmar.c), on a table's bytes (checksum already checked). */
#include "vtd.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vtd_dmar o;
	const char *why = NULL;
	if (size > UINT32_MAX)
		return 0;
	if (vtd_dmar_parse(data, (uint32_t)size, &o, &why)) {
		if (!why)
			abort();
		return 0;
	}
	/* The driver maps its registers, page by page, from the top 32 MiB below 4 GiB. */
	if (o.nscope > VTD_SCOPE_MAX || o.nrmrr > VTD_SCOPE_MAX || !o.base || o.base % 4096 ||
	    o.base < 0xfe000000ULL || o.base >= (4ULL << 30))
		abort();
	return 0;
}
