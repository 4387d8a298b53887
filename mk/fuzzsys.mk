# The full-system fuzzer (fuzz/system/README.md): two fuzzing domains and a sentinel
# booted under QEMU TCG, driven by fuzz/system/driver.py.
#   make fuzz-system        a campaign (FUZZ_TIME seconds, default 600; FUZZ_JOBS machines side
#                           by side, default one per core), findings under
#                           build/fuzz/system/campaign/findings/, new ones' repros into
#                           fuzz/regressions/system/
#   make fuzz-system-test   what `make test` runs (suite fuzz-system)
# Planted cores (FUZZ_PLANTED_SYSTEM=N, one bug each: a panic, a hang, an escape) show the
# campaign finds each kind: build/fuzz/system/tessera-planted-N.mb1.
FZS := $(B)/fuzz/system
DOMAINS += $(B)/domains/fuzz.elf $(B)/domains/sentinel.elf
$(B)/domains/fuzz.elf: $(B)/driver-domains/fuzz/main.c.o $(B)/driver-domains/fuzz/exec.c.o \
                       $(B)/driver-domains/lib/vcons.c.o $(B)/driver-domains/lib/virtio.c.o
$(B)/domains/sentinel.elf: $(B)/driver-domains/fuzz/sentinel.c.o
$(B)/policy/fuzzsys.tpb: fuzz/system/fuzzsys.tpol $(B)/tools/tessera-policy
	@mkdir -p $(dir $@)
	@$(B)/tools/tessera-policy compile $< -o $@
all: $(B)/policy/fuzzsys.tpb $(B)/domains/fuzz.elf $(B)/domains/sentinel.elf

FZS_PLANTED := 1 2 3
define fzs_planted
$(FZS)/planted-$(1)/%.c.o: %.c
	@mkdir -p $$(dir $$@)
	@$$(CC) $$(CORE_CFLAGS) -DFUZZ_PLANTED_SYSTEM=$(1) -c $$< -o $$@
$(FZS)/planted-$(1)/%.S.o: %.S
	@mkdir -p $$(dir $$@)
	@$$(CC) $$(CORE_CFLAGS) -c $$< -o $$@
$(FZS)/tessera-planted-$(1).mb1: $(patsubst %,$(FZS)/planted-$(1)/%.o,$(CORE_SRCS)) core/arch/x86/linker.ld
	@$$(LD) -nostdlib -z max-page-size=0x1000 -z noexecstack -T core/arch/x86/linker.ld \
		-o $$(@:.mb1=.elf) $$(filter %.o,$$^)
	@$$(OBJCOPY) -I elf64-x86-64 -O elf32-i386 $$(@:.mb1=.elf) $$@
endef
$(foreach n,$(FZS_PLANTED),$(eval $(call fzs_planted,$(n))))

.PHONY: fuzz-system fuzz-system-test
fuzz-system: all
	@python3 fuzz/system/driver.py campaign --time $${FUZZ_TIME:-600} --jobs $${FUZZ_JOBS:-$$(nproc)} \
		--out $(FZS)/campaign \
		--regressions fuzz/regressions/system
fuzz-system-test: all $(foreach n,$(FZS_PLANTED),$(FZS)/tessera-planted-$(n).mb1)
	@fuzz/system/test.sh
