/*
 * GRUB EFI's measurements computed from the boot files: the events GRUB 2.06 for
 * x86_64-efi (Debian 12's grub-efi-amd64) extends into PCR 8 and PCR 9 once its tpm
 * module is loaded, and the PCR values they give from zero, for an ISO made by
 * tests/qemu/mkiso.sh. A verifier's golden PCR 8 and 9 on the EFI path (SECURITY.md,
 * "Measured launch and attestation"); tests/attest/grub.sh checks them against OVMF +
 * swtpm. GRUB i386-pc (BIOS) has no tpm module: PCR 8 and 9 stay zero there.
 *
 * What GRUB measures (2.06: commands/tpm.c, kern/verifiers.c, script/execute.c,
 * commands/menuentry.c, loader/multiboot.c, multiboot_mbi2.c, lib/cmdline.c):
 *  - every event is EV_IPL through EFI_TCG2_PROTOCOL.HashLogExtendEvent: the firmware
 *    hashes the bytes in every active bank and extends; the log's event data is a
 *    description, the digest is of the bytes below;
 *  - PCR 8, each command the script runs: its words after quote removal and expansion
 *    joined by one space (data "grub_cmd: " + words + NUL). A menu entry's definition
 *    is such a command: "menuentry TITLE {BLOCK}", BLOCK the raw text between the
 *    braces. Booting an entry runs "setparams TITLE", then the entry's lines;
 *  - PCR 8, the command line multiboot2 gives the kernel and module2 a module: the
 *    words after the file name, each \ ' " escaped with a backslash and a word with a
 *    space put in double quotes, joined by one space; measured even when empty (data
 *    "kernel_cmdline: " / "module_cmdline: " + line + NUL);
 *  - PCR 9, each file opened, its bytes as stored, when it is opened (data its path):
 *    the kernel before its command line, each module before its command line, and
 *    every GRUB module loaded on demand (a command's module and its dependencies);
 *  - nothing before the tpm module is loaded: not grub.cfg, not the commands before
 *    `insmod tpm`, not GRUB's own modules loaded until then; not the implicit `boot`.
 * mkiso.sh therefore loads serial and multiboot2 before tpm: PCR 9 then holds exactly
 * the files the entry names, and no event depends on GRUB's module graph.
 *
 * The model covers the subset of GRUB script mkiso.sh writes and refuses everything
 * else with a message (a guess would be a wrong golden value): comments; the guard
 * `if [ "$grub_platform" = "efi" ]; then ... fi` (taken: this is the EFI path);
 * insmod, set NAME=VALUE, serial, terminal_input, terminal_output; menuentry TITLE
 * { multiboot2 FILE ARGS / module2 FILE ARGS lines }, with `{` ending the line and `}`
 * alone on a line. Words are plain ([A-Za-z0-9] and _-=.,:/+@%^[]) or single-quoted
 * (printable, no quote); no variables, double quotes, backslashes or wildcards. A
 * command whose module would load after tpm (its file then measured) is refused, and
 * so are compressed files (GRUB would decompress them).
 * Hashing: mbedTLS 2.28 (link -lmbedcrypto).
 */
#ifndef ATTEST_GRUBPCR_H
#define ATTEST_GRUBPCR_H
#include <stddef.h>
#include <stdint.h>

#define GRUBPCR_PCR_STRINGS 8
#define GRUBPCR_PCR_FILES 9
#define GRUBPCR_BANKS 4                    /* SHA-1, SHA-256, SHA-384, SHA-512 */
#define GRUBPCR_DIGEST_MAX 64
#define GRUBPCR_MAX_CFG (64u << 10)        /* grub.cfg */
#define GRUBPCR_MAX_FILE (1ull << 30)      /* a kernel or module */
#define GRUBPCR_MAX_EVENTS 1024
#define GRUBPCR_MAX_ENTRIES 64
#define GRUBPCR_ERROR_MAX 240

enum {
	GRUBPCR_E_ARG = -1,         /* bad call */
	GRUBPCR_E_NOMEM = -2,
	GRUBPCR_E_IO = -3,          /* grub.cfg or a file cannot be read */
	GRUBPCR_E_TOO_BIG = -4,     /* grub.cfg, a file or the event count over its limit */
	GRUBPCR_E_SYNTAX = -5,      /* not GRUB script, or outside the subset above */
	GRUBPCR_E_UNSUPPORTED = -6, /* a command or construct whose measurement is not modelled */
	GRUBPCR_E_MODULE = -7,      /* a GRUB module would load (and be measured) after tpm */
	GRUBPCR_E_ENTRY = -8,       /* no such menu entry */
	GRUBPCR_E_PATH = -9,        /* a file path GRUB would not resolve inside the tree */
	GRUBPCR_E_HASH = -10,       /* mbedTLS failed */
};

enum grubpcr_kind {
	GRUBPCR_COMMAND,        /* PCR 8, "grub_cmd: " */
	GRUBPCR_KERNEL_CMDLINE, /* PCR 8, "kernel_cmdline: " */
	GRUBPCR_MODULE_CMDLINE, /* PCR 8, "module_cmdline: " */
	GRUBPCR_FILE,           /* PCR 9, the path */
};

struct grubpcr_event {
	uint8_t pcr;
	enum grubpcr_kind kind;
	char *text; /* the measured string, or the file's path as GRUB names it */
	uint8_t digest[GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX];
};

struct grubpcr {
	struct grubpcr_event *ev; /* in the order GRUB extends them */
	size_t n;
	int measured;   /* the tpm module is loaded at some point (else PCR 8 and 9 stay zero) */
	unsigned entry; /* the menu entry booted */
	unsigned entries;
	uint8_t pcr[2][GRUBPCR_BANKS][GRUBPCR_DIGEST_MAX]; /* [0] PCR 8, [1] PCR 9 */
};

/*
 * Computes what booting menu entry `entry` (-1: the one grub.cfg's `set default=N`
 * names, else 0) measures; cfg is grub.cfg's text, file paths resolve under root (the
 * ISO's tree). 0 or a GRUBPCR_E_* code with a message in err; out is freed by
 * grubpcr_free() either way.
 */
int grubpcr_compute(const char *cfg, size_t len, const char *root, int entry,
		    struct grubpcr *out, char err[GRUBPCR_ERROR_MAX]);
/* The same with root/boot/grub/grub.cfg. */
int grubpcr_compute_tree(const char *root, int entry, struct grubpcr *out,
			 char err[GRUBPCR_ERROR_MAX]);
void grubpcr_free(struct grubpcr *g);

uint16_t grubpcr_bank_alg(unsigned bank);     /* TPM_ALG_ID of bank 0-3, 0 otherwise */
size_t grubpcr_bank_size(unsigned bank);      /* digest bytes, 0 for a bad bank */
const char *grubpcr_bank_name(unsigned bank); /* "sha1" ..., NULL for a bad bank */
/* The event data's prefix in the firmware's log ("grub_cmd: " ...; "" for a file). */
const char *grubpcr_prefix(enum grubpcr_kind k);
#endif
