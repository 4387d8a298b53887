/* Denial records read from a console log (audit_log.c), reported by audit.c. */
#ifndef TPC_AUDIT_H
#define TPC_AUDIT_H
#include "compiler.h"

#define AUDIT_CORE UINT32_MAX /* tdom=core */
#define AUDIT_DEVICE (UINT32_MAX - 1) /* tdom=device: tname is the device's SSSS:BB:DD.F */

struct audit_rec {
	char stype[TPOL_NAME_MAX + 1], ttype[TPOL_NAME_MAX + 1];
	char sname[TPC_DOMAIN_NAME_MAX + 1], tname[TPC_DOMAIN_NAME_MAX + 1], hcall[32];
	uint32_t sdom, tdom, cls, bit;
	bool self, permissive;
};

struct audit_log {
	struct audit_rec *recs;
	uint32_t n, cap;
	uint64_t suppressed;
};

/* Append path's records to log; malformed ones are reported. False if it cannot be read. */
bool audit_read(const char *path, struct audit_log *log);
#endif
