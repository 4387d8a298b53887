# Fuzzing (fuzz/README.md). Every target is one folder fuzz/T with an
# LLVMFuzzerTestOneInput; it is built in several variants under build/fuzz/VARIANT/T:
#   lf       libFuzzer + ASan + UBSan (make test: corpus replay and a short run)
#   afl      AFL++ persistent mode (afl-clang-fast) + ASan + UBSan (campaigns)
#   cmplog   AFL++ cmplog twin of afl (afl-fuzz -c)
#   cov      clang source-based coverage, driver fuzz/common/main.c (make fuzz-coverage)
#   planted  afl with -DFUZZ_PLANTED_BUG=1 (make fuzz-planted)
#   lf-planted  lf with -DFUZZ_PLANTED_BUG=1 (fuzz/triage_test.sh: hcall and config only)
# The hosted core (core/*.c) is built per variant with its .data and .bss renamed to
# core_state_*, which fuzz/common/snapshot.c saves and restores between inputs.
FUZZ_ALL := hcall policy config mb1 mb2 elf acpi ivrs dmar eventlog verifier tpmfilter \
            blkreq netreq consring
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_TIME ?= 600
FZ := $(B)/fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -fno-omit-frame-pointer $(WARN) -Icore/include \
               -Itests/sim/include -Icore/arch/x86 -Idriver-domains/lib/include -Iattest -MMD -MP
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# The harnesses, oracles and the simulated machine are not what is explored: no coverage there.
FUZZ_NOCOV := fuzz/common/nocov.txt
FUZZ_AFL_ENV := AFL_QUIET=1 AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_LLVM_DENYLIST=$(FUZZ_NOCOV)

# Per target: sources besides fuzz/T/*.c and fuzz/common/{snapshot,shim}.c, and libraries.
FUZZ_EXTRA_hcall := tests/unit/util.c tests/unit/policy_build.c fuzz/common/snapshot.c
FUZZ_WRAP_hcall := -Wl,--wrap=frame_alloc,--wrap=guest_copy_in,--wrap=guest_copy_out
FUZZ_EXTRA_policy := tests/unit/policy_build.c
FUZZ_EXTRA_mb1 := fuzz/common/boot.c
FUZZ_EXTRA_mb2 := fuzz/common/boot.c
FUZZ_EXTRA_ivrs := core/arch/x86/amdvi_ivrs.c
FUZZ_EXTRA_dmar := core/arch/x86/vtd_dmar.c
FUZZ_EXTRA_acpi := core/arch/x86/amdvi_ivrs.c core/arch/x86/vtd_dmar.c
FUZZ_EXTRA_eventlog := attest/eventlog.c
FUZZ_LIBS_eventlog := -lmbedcrypto
FUZZ_EXTRA_verifier := attest/eventlog.c attest/verify.c attest/verify_events.c attest/crypto.c \
                       attest/evidence_parse.c attest/util.c attest/report.c attest/json.c \
                       attest/manifest.c
FUZZ_LIBS_verifier := -ltss2-mu -lmbedx509 -lmbedcrypto
FUZZ_EXTRA_tpmfilter := driver-domains/attest/filter.c
FUZZ_EXTRA_blkreq := driver-domains/blk/check.c driver-domains/lib/ring.c
FUZZ_EXTRA_netreq := driver-domains/net/frame.c driver-domains/lib/ring.c
FUZZ_EXTRA_consring := driver-domains/console/lines.c

fuzz_srcs = $(wildcard fuzz/$(1)/*.c) \
            fuzz/common/shim.c $(FUZZ_EXTRA_$(1))
FUZZ_SIM := $(wildcard tests/sim/*.c)

# Variants: compiler, compile flags, link flags, driver.
FUZZ_CC_lf := clang
FUZZ_FLAGS_lf := $(FUZZ_SAN) -fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=$(FUZZ_NOCOV)
FUZZ_LINK_lf := -fsanitize=fuzzer
FUZZ_CC_afl := $(FUZZ_AFL_ENV) afl-clang-fast
FUZZ_CC_cmplog := AFL_QUIET=1 AFL_LLVM_DENYLIST=$(FUZZ_NOCOV) AFL_LLVM_CMPLOG=1 afl-clang-fast
FUZZ_CC_cov := clang
FUZZ_FLAGS_cov := -fprofile-instr-generate -fcoverage-mapping
FUZZ_CC_planted := $(FUZZ_AFL_ENV) afl-clang-fast
FUZZ_FLAGS_planted := -DFUZZ_PLANTED_BUG=1
# lf with the planted bugs: the build fuzz/triage_test.sh names planted crashes with.
FUZZ_CC_lf-planted := clang
FUZZ_FLAGS_lf-planted := $(FUZZ_FLAGS_lf) -DFUZZ_PLANTED_BUG=1
FUZZ_LINK_lf-planted := $(FUZZ_LINK_lf)
FUZZ_VARIANTS := lf afl cmplog cov planted lf-planted
$(foreach v,afl cmplog cov planted,$(eval FUZZ_DRIVER_$(v) := fuzz/common/main.c))

# $(1) variant
define fuzz_variant
$(FZ)/$(1)/o/%.c.o: %.c
	@mkdir -p $$(dir $$@)
	@$(FUZZ_CC_$(1)) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$(1)) $$(FUZZ_XFLAGS) -c $$< -o $$@
$(FZ)/$(1)/o/attest/%.c.o $(FZ)/$(1)/o/fuzz/verifier/%.c.o: FUZZ_XFLAGS := -D_DEFAULT_SOURCE
$(FZ)/$(1)/o/core/%.c.o: core/%.c
	@mkdir -p $$(dir $$@)
	@$(FUZZ_CC_$(1)) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$(1)) -c $$< -o $$@.tmp
	@objcopy --rename-section .data=core_state_data --rename-section .bss=core_state_bss $$@.tmp $$@
	@rm -f $$@.tmp
$(FZ)/$(1)/libcore.a: $(patsubst %,$(FZ)/$(1)/o/%.o,$(CORE_PORTABLE))
	@rm -f $$@
	@ar rcs $$@ $$^
endef

# $(1) variant  $(2) target
define fuzz_link
$(FZ)/$(1)/$(2): $(FZ)/$(1)/libcore.a \
		$(patsubst %,$(FZ)/$(1)/o/%.o,$(FUZZ_SIM) $(FUZZ_DRIVER_$(1)) $(call fuzz_srcs,$(2)))
	@$(FUZZ_CC_$(1)) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$(1)) $(FUZZ_LINK_$(1)) $(FUZZ_WRAP_$(2)) -o $$@ \
		$$(filter %.o,$$^) $(FZ)/$(1)/libcore.a $(FUZZ_LIBS_$(2))
	@echo "  FUZZ    $$@"
endef

$(foreach v,$(FUZZ_VARIANTS),$(eval $(call fuzz_variant,$(v))))
$(foreach v,$(FUZZ_VARIANTS),$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_link,$(v),$(t)))))

# Seeds and dictionaries: written by one generator (fuzz/gen*), from the unit tests' scenarios.
# mk/unit.mk's hosted build (gcc, ASan+UBSan): this file is read before it.
FUZZ_HOSTED_SIM := $(patsubst %,$(B)/hosted/%.o,$(wildcard tests/sim/*.c))
FUZZ_GEN_SRCS := $(wildcard fuzz/gen/*.c) tests/unit/util.c tests/unit/policy_build.c fuzz/common/shim.c \
                 fuzz/verifier/golden.c attest/eventlog.c
$(FZ)/gen: $(FUZZ_GEN_SRCS) $(wildcard fuzz/gen/*.h) fuzz/hcall/hcall.h fuzz/include/fuzzrec.h fuzz/verifier/golden.h \
		$(B)/hosted/libcore.a $(FUZZ_HOSTED_SIM)
	@mkdir -p $(dir $@)
	@$(CC) $(HOSTED_CFLAGS) -D_DEFAULT_SOURCE -Idriver-domains/lib/include -Iattest -o $@ \
	       $(FUZZ_GEN_SRCS) $(FUZZ_HOSTED_SIM) $(B)/hosted/libcore.a -ltss2-mu -lmbedcrypto
$(FZ)/seeds.stamp: $(FZ)/gen
	@rm -rf $(FZ)/seeds && mkdir -p $(FZ)/seeds
	@$(FZ)/gen $(FZ)/seeds
	@touch $@

.PHONY: fuzz-deps fuzz fuzz-build fuzz-smoke fuzz-planted fuzz-coverage
fuzz-deps:
	@scripts/deps.sh fuzz attest
fuzz-build: fuzz-deps $(FZ)/seeds.stamp \
		$(foreach v,afl cmplog lf,$(foreach t,$(FUZZ_TARGETS),$(FZ)/$(v)/$(t)))
fuzz: fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) fuzz/campaign.sh $(FUZZ_TARGETS)
fuzz-smoke: fuzz-deps $(FZ)/seeds.stamp $(foreach t,$(FUZZ_ALL),$(FZ)/lf/$(t)) $(FZ)/planted/hcall $(FZ)/afl/hcall \
		$(foreach t,hcall config,$(FZ)/planted/$(t) $(FZ)/lf-planted/$(t))
	@fuzz/smoke.sh $(FUZZ_ALL)
fuzz-planted: fuzz-deps $(FZ)/seeds.stamp $(foreach t,$(FUZZ_TARGETS),$(FZ)/planted/$(t) $(FZ)/afl/$(t))
	@fuzz/planted.sh $(FUZZ_TARGETS)
fuzz-coverage: fuzz-deps $(FZ)/seeds.stamp $(foreach t,$(FUZZ_TARGETS),$(FZ)/cov/$(t))
	@fuzz/coverage.sh $(FUZZ_TARGETS)
-include $(shell find $(FZ) -name '*.d' 2>/dev/null)
