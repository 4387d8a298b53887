# Tessera build. `make help` lists the targets.
.SUFFIXES:
.DEFAULT_GOAL := all
MAKEFLAGS += --no-print-directory

B       := build
CC      := gcc
LD      := ld
OBJCOPY := objcopy

WARN    := -Wall -Wextra -Werror -Wshadow -Wvla -Wmissing-prototypes -Wconversion \
           -Wno-sign-conversion
FREESTANDING := -std=c11 -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
           -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -O2 -g \
           -fno-asynchronous-unwind-tables -fcf-protection=none

# --- the core -------------------------------------------------------------------
CORE_SRCS := $(wildcard core/*.c) $(wildcard core/lib/*.c) \
             $(wildcard core/arch/x86/*.c) $(wildcard core/arch/x86/*.S)
CORE_PORTABLE := $(wildcard core/*.c)
CORE_OBJS := $(patsubst %,$(B)/%.o,$(CORE_SRCS))
CORE_CFLAGS := $(FREESTANDING) $(WARN) -Icore/include -Icore/arch/x86/include -MMD -MP

$(B)/core/%.c.o: core/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(CORE_CFLAGS) -c $< -o $@
$(B)/core/%.S.o: core/%.S
	@mkdir -p $(dir $@)
	@$(CC) $(CORE_CFLAGS) -c $< -o $@

$(B)/tessera.elf: $(CORE_OBJS) core/arch/x86/linker.ld
	@$(LD) -nostdlib -z max-page-size=0x1000 -z noexecstack -T core/arch/x86/linker.ld -o $@ $(CORE_OBJS)
	@echo "  LD      $@"
# QEMU -kernel takes only 32-bit Multiboot ELF files.
$(B)/tessera.mb1: $(B)/tessera.elf
	@$(OBJCOPY) -I elf64-x86-64 -O elf32-i386 $< $@

# --- domains ---------------------------------------------------------------------
DOM_CFLAGS := $(FREESTANDING) $(WARN) -Icore/include -Idriver-domains/lib/include -MMD -MP
RT_SRCS := driver-domains/lib/entry.S driver-domains/lib/runtime.c driver-domains/lib/event.c \
           driver-domains/lib/ring.c driver-domains/lib/service.c driver-domains/lib/conscli.c
RT_OBJS := $(patsubst %,$(B)/%.o,$(RT_SRCS))
.SECONDARY:
$(B)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -c $< -o $@
$(B)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -c $< -o $@

DOMAINS := $(B)/domains/hello.elf $(B)/domains/attack.elf $(B)/domains/hcall_bench.elf \
           $(B)/domains/ringdemo.elf $(B)/domains/mac.elf $(B)/domains/edu.elf \
           $(B)/domains/blk.elf $(B)/domains/blkclient.elf $(B)/domains/blkhostile.elf \
           $(B)/domains/net.elf $(B)/domains/netclient.elf $(B)/domains/nethostile.elf
DOMAINS += $(B)/domains/blkcrash.elf $(B)/domains/blkdirect.elf $(B)/domains/blkstress.elf \
           $(B)/domains/blkbench.elf
$(B)/domains/hello.elf: $(B)/driver-domains/demo/hello.c.o
$(B)/domains/ringdemo.elf: $(B)/driver-domains/demo/ringdemo.c.o
$(B)/domains/attack.elf: $(B)/tests/domains/attack.c.o
$(B)/domains/mac.elf: $(B)/tests/domains/mac.c.o
$(B)/domains/edu.elf: $(B)/tests/domains/edu.c.o
$(B)/domains/hcall_bench.elf: $(B)/bench/hcall_bench.c.o
$(B)/domains/blk.elf: $(B)/driver-domains/blk/main.c.o $(B)/driver-domains/blk/vblk.c.o \
                      $(B)/driver-domains/blk/check.c.o $(B)/driver-domains/lib/virtio.c.o
$(B)/domains/blkclient.elf: $(B)/driver-domains/demo/blkclient.c.o
$(B)/domains/blkhostile.elf: $(B)/driver-domains/demo/blkhostile.c.o
# The hostile block client: the same source, the other role (see its header).
$(B)/driver-domains/demo/blkhostile.c.o: driver-domains/demo/blkclient.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DBLKC_HOSTILE=1 -c $< -o $@
$(B)/domains/net.elf: $(B)/driver-domains/net/main.c.o $(B)/driver-domains/net/vnet.c.o \
                      $(B)/driver-domains/net/frame.c.o $(B)/driver-domains/lib/virtio.c.o
$(B)/domains/netclient.elf: $(B)/driver-domains/demo/netclient.c.o
$(B)/domains/nethostile.elf: $(B)/driver-domains/demo/nethostile.c.o
# The hostile network client: the same source, the other role (see its header).
$(B)/driver-domains/demo/nethostile.c.o: driver-domains/demo/netclient.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DNETC_HOSTILE=1 -c $< -o $@
# Block domain variants: one that crashes on purpose in its first life (blk-crash.sh),
# one that drives the disk itself for bench/blk.sh; clients for both.
$(B)/domains/blkcrash.elf: $(B)/driver-domains/blk/blkcrash.c.o $(B)/driver-domains/blk/vblk.c.o \
                           $(B)/driver-domains/blk/check.c.o $(B)/driver-domains/lib/virtio.c.o
$(B)/driver-domains/blk/blkcrash.c.o: driver-domains/blk/main.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DBLK_CRASH_AFTER=20 -c $< -o $@
BLK_BENCH_MB := 32
$(B)/domains/blkdirect.elf: $(B)/driver-domains/blk/direct.c.o $(B)/driver-domains/blk/vblk.c.o \
                            $(B)/driver-domains/lib/virtio.c.o
$(B)/driver-domains/blk/direct.c.o: driver-domains/blk/direct.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DBLK_BENCH_MB=$(BLK_BENCH_MB)u -c $< -o $@
$(B)/domains/blkstress.elf: $(B)/driver-domains/demo/blkstress.c.o
$(B)/driver-domains/demo/blkstress.c.o: driver-domains/demo/blkclient.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DBLKC_SECTORS=128u -DBLKC_LOG_ACKS=1 -c $< -o $@
$(B)/domains/blkbench.elf: $(B)/driver-domains/demo/blkbench.c.o
$(B)/driver-domains/demo/blkbench.c.o: driver-domains/demo/blkclient.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DBLKC_BENCH_MB=$(BLK_BENCH_MB)u -c $< -o $@
# The network domain that crashes on purpose in its first life (net-crash.sh).
DOMAINS += $(B)/domains/netcrash.elf
$(B)/domains/netcrash.elf: $(B)/driver-domains/net/netcrash.c.o $(B)/driver-domains/net/vnet.c.o \
                           $(B)/driver-domains/net/frame.c.o $(B)/driver-domains/lib/virtio.c.o
$(B)/driver-domains/net/netcrash.c.o: driver-domains/net/main.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DNET_CRASH_AFTER=10 -c $< -o $@
# bench/net.sh: the network domain's device driven by one domain that owns it, and a
# client moving the same frames (rt/netbench.h) through the network domain.
NET_BENCH_MB := 16
DOMAINS += $(B)/domains/netdirect.elf $(B)/domains/netbench.elf
$(B)/domains/netdirect.elf: $(B)/driver-domains/net/direct.c.o $(B)/driver-domains/net/vnet.c.o \
                            $(B)/driver-domains/lib/virtio.c.o
$(B)/driver-domains/net/direct.c.o: driver-domains/net/direct.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DNET_BENCH_MB=$(NET_BENCH_MB)u -c $< -o $@
$(B)/domains/netbench.elf: $(B)/driver-domains/demo/netbench.c.o
$(B)/driver-domains/demo/netbench.c.o: driver-domains/demo/netclient.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DNETC_BENCH_MB=$(NET_BENCH_MB)u -c $< -o $@
$(B)/domains/%.elf: $(RT_OBJS) driver-domains/lib/linker.ld
	@mkdir -p $(dir $@)
	@$(LD) -nostdlib -z max-page-size=0x1000 -z noexecstack -T driver-domains/lib/linker.ld -o $@ $(filter %.o,$^)

# The console domain, and the variant that crashes on purpose in its first life (tests).
DOMAINS += $(B)/domains/console.elf $(B)/domains/conscrash.elf $(B)/domains/conshostile.elf
$(B)/domains/conshostile.elf: $(B)/tests/domains/conshostile.c.o
$(B)/domains/console.elf: $(B)/driver-domains/console/main.c.o $(B)/driver-domains/console/uart.c.o \
                          $(B)/driver-domains/console/lines.c.o
$(B)/domains/conscrash.elf: $(B)/driver-domains/console/conscrash.c.o \
                            $(B)/driver-domains/console/uart.c.o $(B)/driver-domains/console/lines.c.o
$(B)/driver-domains/console/conscrash.c.o: driver-domains/console/main.c
	@mkdir -p $(dir $@)
	@$(CC) $(DOM_CFLAGS) -DCONSOLE_CRASH_AFTER=4 -c $< -o $@

# The attestation domain: it drives the TPM with the core's own TIS and CRB drivers,
# built against its environment (driver-domains/attest/include/tpm_env.h).
ATTEST_DOM_CFLAGS := $(DOM_CFLAGS) -Idriver-domains/attest/include
DOMAINS += $(B)/domains/attest.elf
$(B)/domains/attest.elf: $(B)/driver-domains/attest/main.c.o $(B)/driver-domains/attest/filter.c.o \
                         $(B)/driver-domains/lib/vcons.c.o $(B)/driver-domains/lib/virtio.c.o \
                         $(B)/attest-dom/tpm_tis.c.o $(B)/attest-dom/tpm_crb.c.o
$(B)/driver-domains/attest/%.c.o: driver-domains/attest/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_DOM_CFLAGS) -c $< -o $@
$(B)/attest-dom/%.c.o: core/arch/x86/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_DOM_CFLAGS) -c $< -o $@

# --- top-level targets --------------------------------------------------------------
.PHONY: all help deps run iso test unit qemu-test bench sloc clean
all: $(B)/tessera.elf $(B)/tessera.mb1 $(DOMAINS)

help:
	@echo "make            build the core (build/tessera.elf), the domain images, the policy"
	@echo "                compiler (build/tools/tessera-policy) and the policies (build/policy/)"
	@echo "make run        boot the default system in QEMU (TCG, AMD SVM) with a swtpm TPM, show"
	@echo "                its console, then verify it remotely (build/tools/tessera-attest)"
	@echo "make test       hosted unit tests (ASan+UBSan) and QEMU boot tests"
	@echo "make unit       hosted unit tests only"
	@echo "make policy-test  the policy compiler's tests (build/tools/tessera-policy: policy/LANGUAGE.md)"
	@echo "make qemu-test  QEMU boot tests only"
	@echo "make iso        build/tessera.iso: GRUB 2 hybrid ISO for BIOS and UEFI"
	@echo "make bench      null-hypercall round trips per second and the core's footprint"
	@echo "make sloc       lines of code in core/ that go into the x86-64 image"
	@echo "make fuzz       AFL++ campaigns on every core (FUZZ_TIME=s per target, FUZZ_TARGETS=...),"
	@echo "                then a summary; fuzz-planted, fuzz-coverage, fuzz-smoke: fuzz/README.md"
	@echo "make fuzz-system  the booted image under QEMU fuzzed by its own domains (FUZZ_TIME=s):"
	@echo "                fuzz/system/README.md"
	@echo "make verify     Frama-C WP proofs and Spin models (verification/README.md)"
	@echo "make deps       install the Debian packages the project needs"
	@echo "make clean      remove build/"

deps:
	@scripts/deps.sh

test: all
	@scripts/deps.sh
	@tests/run.sh

bench: all
	@scripts/deps.sh
	@bench/run.sh
	@bench/ipc.sh
	@bench/mac.sh
	@bench/blk.sh
	@bench/net.sh
	@bench/attest.sh

sloc:
	@scripts/sloc.sh $(CORE_SRCS) $(shell find core/include -name '*.h' -o -name '*.def')

clean:
	@rm -rf $(B)

# Area-specific rules: mk/unit.mk (hosted build, unit tests), mk/qemu.mk (ISO, QEMU tests).
-include $(wildcard mk/*.mk)
-include $(shell find $(B) -name '*.d' 2>/dev/null)
