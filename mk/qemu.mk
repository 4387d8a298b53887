# QEMU and GRUB: bootable ISOs, `make run` and the QEMU integration tests.
#   make iso        build/tessera.iso       hybrid GRUB 2 ISO (BIOS + UEFI), demo system
#                   build/tessera-test.iso  the same menu with debug_exit=on (for tests)
#   make run        scripts/run.sh: the default system with swtpm, console on this
#                   terminal, then a remote verification; succeeds only if the host is
#                   trusted (RUN_BOOT=bios or uefi boots the demo in tessera-test.iso)
#   make qemu-test  tests/qemu/run.sh (QEMU_TESTS="name-substrings" selects tests)

QEMU_T   := tests/qemu
# Compiled policies: the default system's (policy/examples) and the tests' own.
POLICY_TOOL := $(B)/tools/tessera-policy
QEMU_POLICIES := $(B)/policy/default.tpb \
	$(patsubst $(QEMU_T)/policies/%.tpol,$(B)/policy/%.tpb,$(wildcard $(QEMU_T)/policies/*.tpol))
$(B)/policy/default.tpb: policy/examples/default.tpol $(wildcard policy/examples/*.tpol) $(POLICY_TOOL)
	@mkdir -p $(dir $@)
	@$(POLICY_TOOL) compile $< -o $@
$(B)/policy/%.tpb: $(QEMU_T)/policies/%.tpol $(wildcard $(QEMU_T)/policies/*.tpol) $(POLICY_TOOL)
	@mkdir -p $(dir $@)
	@$(POLICY_TOOL) compile $< -o $@
all: $(QEMU_POLICIES)

# The tboot entries (SECURITY.md "tboot"): /boot/tboot.gz from Debian's tboot package when
# installed (scripts/deps.sh iso), and SINIT_ACM=FILE, the platform's SINIT ACM from
# Intel, copied to /boot/sinit.bin; without an ACM tboot cannot do a measured launch.
TBOOT ?= /boot/tboot.gz
TBOOT_ARGS ?= logging=serial,memory
SINIT_ACM ?=
iso_tboot = $$([ -f $(TBOOT) ] && echo -t $(TBOOT) -c $(B)/tessera.mb1) $(if $(SINIT_ACM),-s $(SINIT_ACM))
ISO      := $(B)/tessera.iso
TEST_ISO := $(B)/tessera-test.iso
ISO_DEPS := $(B)/tessera.elf $(B)/tessera.mb1 $(DOMAINS) $(B)/policy/default.tpb $(QEMU_T)/mkiso.sh \
	mk/qemu.mk $(SINIT_ACM)
RUN_BOOT ?= kernel
QEMU_TESTS ?=

# $(call iso_menu,CORE-CMDLINE): the menu of both ISOs; the first entry is the default.
iso_menu = printf '%s\n' \
	'title Tessera demo: domains alpha and beta take turns' \
	'core $(1)' \
	'module $(B)/policy/default.tpb kind=policy' \
	'module $(B)/domains/hello.elf domain=alpha mem=4M' \
	'module $(B)/domains/hello.elf domain=beta mem=2M' \
	'title Tessera isolation demo: a hostile domain reads past its memory' \
	'core $(1)' \
	'module $(B)/policy/default.tpb kind=policy' \
	'module $(B)/domains/attack.elf domain=oob-1 mem=2M' \
	'module $(B)/domains/hello.elf domain=alpha mem=4M' \
	'title Tessera demo with the console domain: alpha and beta print through it' \
	'core $(1)' \
	'module $(B)/policy/default.tpb kind=policy' \
	'module $(B)/domains/console.elf domain=console mem=2M restart=3' \
	'module $(B)/domains/hello.elf domain=alpha mem=4M' \
	'module $(B)/domains/hello.elf domain=beta mem=2M' \
	'title Tessera hypercall benchmark' \
	'core $(1)' \
	'module $(B)/policy/default.tpb kind=policy' \
	'module $(B)/domains/hcall_bench.elf domain=bench mem=2M' \
	'title Tessera under tboot (Intel TXT)' \
	'tboot multiboot $(TBOOT_ARGS)' \
	$(call iso_tboot_modules,$(1)) \
	'title Tessera under tboot (Intel TXT) on UEFI' \
	'tboot multiboot2 $(TBOOT_ARGS)' \
	$(call iso_tboot_modules,$(1))
iso_tboot_modules = 'core launcher=tboot $(1)' \
	'module $(B)/policy/default.tpb kind=policy' \
	'module $(B)/domains/hello.elf domain=alpha mem=4M' \
	'module $(B)/domains/hello.elf domain=beta mem=2M'

$(ISO): $(ISO_DEPS)
	@scripts/deps.sh iso
	@$(call iso_menu,) | $(QEMU_T)/mkiso.sh -o $@ -k $(B)/tessera.elf $(iso_tboot)
	@echo "  ISO     $@"

$(TEST_ISO): $(ISO_DEPS)
	@scripts/deps.sh iso
	@$(call iso_menu,debug_exit=on) | $(QEMU_T)/mkiso.sh -o $@ -k $(B)/tessera.elf $(iso_tboot)
	@echo "  ISO     $@"

# deps-for-*: listed first, so a serial make installs missing tools before building.
.PHONY: iso test-iso run qemu-test deps-for-iso deps-for-run deps-for-qemu-test
deps-for-iso:
	@scripts/deps.sh build iso
deps-for-run:
	@scripts/deps.sh build qemu attest $(if $(filter kernel,$(RUN_BOOT)),,iso) $(if $(filter uefi,$(RUN_BOOT)),uefi)
deps-for-qemu-test:
	@scripts/deps.sh

iso: deps-for-iso $(ISO) $(TEST_ISO)
test-iso: deps-for-iso $(TEST_ISO)

# The default system (scripts/run.sh: swtpm, the console and attestation domains, the
# demo, then a remote verification); RUN_BOOT=bios|uefi boots the demo ISO instead.
run: deps-for-run all $(if $(filter kernel,$(RUN_BOOT)),,$(TEST_ISO))
	@$(if $(filter kernel,$(RUN_BOOT)),scripts/run.sh, \
		$(QEMU_T)/boot.sh -p $(RUN_BOOT) -a debug_exit=on -e 33 -t 120 -i $(TEST_ISO))

qemu-test: deps-for-qemu-test all iso
	@TESSERA_QEMU_NO_BUILD=1 $(QEMU_T)/run.sh $(QEMU_TESTS)
