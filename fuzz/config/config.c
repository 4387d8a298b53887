/*
 * The boot configuration parser (core/config.c): one command line, read as a
 * domain's module line, as a possible policy module and as the core's own line.
 * What it accepts must be what README "Boot configuration" allows.
 */
#define _DEFAULT_SOURCE /* strnlen */
#include <core/config.h>
#include <core/bootinfo.h>
#include <stdlib.h>
#include <string.h>

static bool name_ok(const char *n)
{
	size_t len = strnlen(n, TESSERA_NAME_MAX);
	if (!len || len >= TESSERA_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_' ||
		      n[i] == '-'))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[BOOT_CMDLINE_MAX];
	struct domain_config dc;
	struct core_config cc;
	const char *why = NULL;
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n); /* the boot information parsers hand over NUL-terminated lines */
	line[n] = '\0';
	memset(&dc, 0xa5, sizeof(dc));
	if (!config_parse_domain(line, &dc, &why)) {
		if (!name_ok(dc.name) || dc.mem < (2u << 20) || dc.mem > (1u << 30) ||
		    dc.mem % (2u << 20) || dc.cpu > 7 || dc.ndevs > TESSERA_DEVICES_MAX ||
		    dc.restart > CONFIG_RESTART_MAX || dc.vcpus != 1)
			abort();
	} else if (!why) {
		abort();
	}
	why = NULL;
	if (config_module_is_policy(line, &why) < 0 && !why)
		abort();
	why = NULL;
	if (config_parse_core(line, &cc, &why) && !why)
		abort();
	return 0;
}
