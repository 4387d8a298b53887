# The MAC policy compiler, a host tool (policy/compiler, language: policy/LANGUAGE.md).
#   build/tools/tessera-policy       for users; part of `make`
#   build/tools/tessera-policy-asan  the same with ASan+UBSan, for tests/policy/run.sh
#   make policy-test                 tests/policy/run.sh
# It links the core's own policy validator (core/policy.c), so `dump` and
# `explain --policy` accept exactly the binaries the core accepts.
POLICY_SRCS := $(wildcard policy/compiler/*.c) core/policy.c
POLICY_DEPS := $(POLICY_SRCS) $(wildcard policy/compiler/*.h) $(wildcard core/include/tessera/*.h) \
               $(wildcard core/include/tessera/*.def) core/include/core/policy.h core/include/core/lib.h \
               core/include/core/types.h mk/policy.mk
POLICY_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Icore/include
POLICY_ASAN := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/tools/tessera-policy: $(POLICY_DEPS)
	@mkdir -p $(dir $@)
	@$(CC) $(POLICY_CFLAGS) -O2 -o $@ $(POLICY_SRCS)
	@echo "  HOSTCC  $@"

$(B)/tools/tessera-policy-asan: $(POLICY_DEPS)
	@mkdir -p $(dir $@)
	@$(CC) $(POLICY_CFLAGS) $(POLICY_ASAN) -o $@ $(POLICY_SRCS)
	@echo "  HOSTCC  $@"

all: $(B)/tools/tessera-policy

.PHONY: policy-test
policy-test:
	@tests/policy/run.sh
