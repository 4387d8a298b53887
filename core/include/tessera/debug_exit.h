/*
 * Exit codes the core writes to the isa-debug-exit port when the core
 * command line says `debug_exit` (test machines only). QEMU exits with
 * (code << 1) | 1; harnesses accept only their own success code.
 */
#ifndef TESSERA_DEBUG_EXIT_H
#define TESSERA_DEBUG_EXIT_H

#define TESSERA_DEBUG_EXIT_PORT   0xf4
#define TESSERA_EXIT_ALL_DONE     0x10 /* every domain ended; QEMU status 33 */
#define TESSERA_EXIT_NO_DOMAINS   0x20 /* nothing could be started; 65 */
#define TESSERA_EXIT_BAD_BOOT     0x21 /* boot information rejected; 67 */
#define TESSERA_EXIT_ALL_BLOCKED  0x22 /* every domain waits for an event; 69 */
#define TESSERA_EXIT_NO_POLICY    0x23 /* no valid MAC policy: no domain started; 71 */
#define TESSERA_EXIT_PANIC        0x3e /* core panic; 125 */
#define TESSERA_EXIT_EXCEPTION    0x3f /* host-mode exception; 127 */

#endif
