/* Grants: the ABI shared by the core and domains. */
#ifndef TESSERA_GRANT_H
#define TESSERA_GRANT_H
#include <stdint.h>

/* Grant references a domain can have outstanding at once. */
#define TESSERA_GRANT_REFS 64
#define TESSERA_GRANT_READONLY 1u
/* grant_map flags: map writable (fails with -EROFS on a read-only grant); else read-only. */
#define TESSERA_GRANT_MAP_WRITE 1u

/*
 * The grant window: guest-physical pages where a domain maps frames other
 * domains granted it, one 4 KiB slot each, above its RAM. Slot s is at
 * TESSERA_GRANT_WINDOW + s * 4096.
 */
#define TESSERA_GRANT_WINDOW (1ULL << 30)
#define TESSERA_GRANT_SLOTS  64

#endif
