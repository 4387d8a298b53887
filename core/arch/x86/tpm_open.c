/* arch_tpm_open: the core's choice between the TIS and CRB drivers (tpm_hw.h). */
#include <core/frame.h>
#include "tpm_hw.h"

const struct tpm_ops *arch_tpm_open(const struct acpi_tpm2 *t, const char **why)
{
	for (uint64_t pa = TPM_HW_BASE; pa < TPM_HW_BASE + TPM_HW_SIZE; pa += PAGE_SIZE) {
		if (frame_is_free(pa)) {
			*why = "the memory map calls the TPM's registers RAM; not used";
			return NULL;
		}
	}
	if (!t) /* no ACPI: the interface register says which (reads only, until it is known) */
		return (tpm_hw_rd(TPM_HW_INTF_ID, 4) & 0xf) == TPM_HW_INTF_CRB ? tpm_crb_open(why) :
										 tpm_tis_open(why);
	if (t->start_method == ACPI_TPM2_START_TIS)
		return tpm_tis_open(why);
	if (t->start_method != ACPI_TPM2_START_CRB) {
		*why = "TPM2 start method not supported (only 6, FIFO, and 7, CRB)";
		return NULL;
	}
	if (t->control != TPM_HW_BASE + 0x40) {
		*why = "TPM2 CRB control area not at 0xfed40040";
		return NULL;
	}
	return tpm_crb_open(why);
}
