/* Boot configuration: the core and module command lines (see README, "Boot configuration"). */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H
#include <core/types.h>
#include <core/arch.h>
#include <tessera/device.h>

#define CONFIG_RESTART_MAX 100
#include <tessera/hypercall.h>

struct domain_config {
	char name[TESSERA_NAME_MAX];
	uint64_t mem;
	uint32_t vcpus;
	uint32_t cpu; /* the physical CPU its vCPU is pinned to */
	uint32_t type; /* its label, from the policy (not the command line) */
	uint32_t ndevs;
	uint32_t devs[TESSERA_DEVICES_MAX]; /* pci=: PCI functions (sbdf) to assign */
	uint32_t restart; /* restart=N: a crash brings it back from its boot image, N times at most */
	bool tpm;         /* tpm=1: it gets the TPM after boot (the attestation domain) */
};

/* tpm=: whether boot needs a TPM (see README, "Boot configuration"). */
enum config_tpm {
	CONFIG_TPM_AUTO = 0, /* use one if it answers; otherwise boot unmeasured and say so */
	CONFIG_TPM_OFF,      /* never touch it */
	CONFIG_TPM_REQUIRED, /* no TPM answering: no domain starts */
};

struct core_config {
	enum debug_exit_mode debug_exit;
	bool selftest_trap; /* selftest=trap: fault in host mode to prove the trap report */
	enum config_tpm tpm;
	bool tpm_selftest; /* tpm_selftest=1 (tests): extend PCR 16 with a fixed digest, print it */
};

int config_parse_domain(const char *cmdline, struct domain_config *dc, const char **why);
/* 1 if the module line is "[file] kind=policy", 0 if it is not a policy, or an error. */
int config_module_is_policy(const char *cmdline, const char **why);
int config_parse_core(const char *cmdline, struct core_config *cc, const char **why);
#endif
