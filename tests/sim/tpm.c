/* The simulated machine's TPM: arch_tpm_open returns whatever transport the test chose. */
#include "sim_tpm.h"

const struct tpm_ops *sim_tpm_ops;
uint32_t sim_tpm_opens;
bool sim_tpm_had_table;
struct acpi_tpm2 sim_tpm_table;

const struct tpm_ops *arch_tpm_open(const struct acpi_tpm2 *t, const char **why)
{
	sim_tpm_opens++;
	sim_tpm_had_table = t != NULL;
	if (t)
		sim_tpm_table = *t;
	if (!sim_tpm_ops)
		*why = "no simulated TPM answers";
	return sim_tpm_ops;
}
