# Hosted build of the portable core and its unit tests (ASan + UBSan).
# The same core/*.c sources as the image, but the arch headers come from the
# simulated machine in tests/sim instead of core/arch/x86; libc replaces core/lib.
#   build/hosted/libcore.a  the portable core, for unit tests, fuzzers and proofs
#   build/hosted/tests/sim  the simulated machine layer it links against
#   build/unit-tests        the unit test runner (arguments select tests by name)
HOSTED_CFLAGS := -std=c11 -g -O1 -fno-omit-frame-pointer \
                 -fsanitize=address,undefined -fno-sanitize-recover=all \
                 $(WARN) -Icore/include -Itests/sim/include -MMD -MP
HOSTED_CORE_OBJS := $(patsubst %,$(B)/hosted/%.o,$(CORE_PORTABLE))
SIM_OBJS    := $(patsubst %,$(B)/hosted/%.o,$(wildcard tests/sim/*.c))
UNIT_OBJS   := $(patsubst %,$(B)/hosted/%.o,$(wildcard tests/unit/*.c))
# Pure arch code tested hosted (tests/unit/ivrs_test.c): it and its test see its private header.
ARCH_OBJS   := $(B)/hosted/core/arch/x86/amdvi_ivrs.c.o
$(ARCH_OBJS) $(B)/hosted/tests/unit/ivrs_test.c.o: HOSTED_CFLAGS += -Icore/arch/x86

$(B)/hosted/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(CC) $(HOSTED_CFLAGS) -c $< -o $@

$(B)/hosted/libcore.a: $(HOSTED_CORE_OBJS)
	@rm -f $@
	@ar rcs $@ $^

# Every handler is wrapped (tests/unit/dispatch_test.c counts the calls that reach it).
HCALL_NAMES := $(shell sed -n 's/^HCALL.[0-9]*, *\([a-z_]*\),.*/\1/p' core/include/tessera/hypercall.def)
HCALL_WRAPS := $(foreach n,$(HCALL_NAMES),-Wl,--wrap=hc_$(n))

# Test objects first: their constructors register the tests in link order.
# mbedTLS (scripts/deps.sh attest) is the reference the core's hashes are checked against.
$(B)/unit-tests: $(UNIT_OBJS) $(SIM_OBJS) $(ARCH_OBJS) $(B)/hosted/libcore.a core/include/tessera/hypercall.def
	@$(CC) $(HOSTED_CFLAGS) $(HCALL_WRAPS) -o $@ $(UNIT_OBJS) $(SIM_OBJS) $(ARCH_OBJS) $(B)/hosted/libcore.a \
	       -lmbedcrypto

unit: $(B)/unit-tests
	@ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(B)/unit-tests
