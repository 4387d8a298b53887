# Host-side attestation pieces (attest/) and their tests (tests/attest/run.sh).
#   build/tools/tessera-attest       the verifier (attest/README.md); part of `make`
#   build/tools/tessera-attest-asan  the same with ASan+UBSan, for the tests
#   build/attest/eventlog-test  the event log parser against hostile logs (ASan+UBSan)
#   build/attest/logtool        writes logs with the core's own builder (core/tlog.c) and
#                               prints what the parser makes of a log, for tpm2_eventlog
#   build/attest/simboot        the core's side on the host: a simulated boot against
#                               swtpm (core/tlog.c, core/hash.c), test keys (ASan+UBSan)
#   build/attest/attest-bench   quotes verified per second (bench/attest.sh)
# They link mbedTLS and TPM2-TSS (scripts/deps.sh attest).
ATTEST_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Icore/include -Iattest \
                 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
ATTEST_LIBS   := -lmbedcrypto
ATTEST_SRCS   := attest/eventlog.c core/hash.c core/tlog.c
ATTEST_DEPS   := $(ATTEST_SRCS) attest/eventlog.h core/include/tessera/tcg.h \
                 core/include/core/hash.h core/include/core/tlog.h core/include/core/lib.h \
                 core/include/core/types.h mk/attest.mk

$(B)/attest/eventlog-test: tests/attest/eventlog_test.c $(ATTEST_DEPS)
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_CFLAGS) -o $@ $< $(ATTEST_SRCS) $(ATTEST_LIBS)

$(B)/attest/logtool: tests/attest/logtool.c $(ATTEST_DEPS)
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_CFLAGS) -o $@ $< $(ATTEST_SRCS) $(ATTEST_LIBS)

# The verifier: every attest/*.c; main.c and bench.c are the two programs' entries.
ATTEST_TSS  := tss2-esys tss2-tctildr tss2-mu tss2-rc
ATTEST_LIB_SRCS := $(filter-out attest/main.c attest/bench.c,$(wildcard attest/*.c))
ATTEST_TOOL_DEPS := $(wildcard attest/*.c attest/*.h) core/include/tessera/tcg.h \
                    core/include/tessera/attest.h core/include/tessera/measure.h mk/attest.mk
# pkg-config runs in the recipe's shell, after scripts/deps.sh may have installed TPM2-TSS.
ATTEST_TOOL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Icore/include -Iattest \
                      $$(pkg-config --cflags $(ATTEST_TSS))
ATTEST_TOOL_LIBS := $$(pkg-config --libs $(ATTEST_TSS)) -lmbedx509 -lmbedcrypto
ATTEST_ASAN := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
define attest_need_tss
	@pkg-config --exists $(ATTEST_TSS) && [ -e /usr/include/mbedtls/x509_crt.h ] || scripts/deps.sh attest
endef

$(B)/tools/tessera-attest: $(ATTEST_TOOL_DEPS)
	$(attest_need_tss)
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_TOOL_CFLAGS) -O2 -o $@ attest/main.c $(ATTEST_LIB_SRCS) $(ATTEST_TOOL_LIBS)
	@echo "  HOSTCC  $@"

$(B)/tools/tessera-attest-asan: $(ATTEST_TOOL_DEPS)
	$(attest_need_tss)
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_TOOL_CFLAGS) $(ATTEST_ASAN) -o $@ attest/main.c $(ATTEST_LIB_SRCS) $(ATTEST_TOOL_LIBS)
	@echo "  HOSTCC  $@"

$(B)/attest/simboot: tests/attest/simboot.c $(ATTEST_TOOL_DEPS) $(ATTEST_DEPS)
	$(attest_need_tss)
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_TOOL_CFLAGS) $(ATTEST_ASAN) -o $@ $< $(ATTEST_LIB_SRCS) core/hash.c core/tlog.c \
		$(ATTEST_TOOL_LIBS)

$(B)/attest/attest-bench: $(ATTEST_TOOL_DEPS)
	$(attest_need_tss)
	@mkdir -p $(dir $@)
	@$(CC) $(ATTEST_TOOL_CFLAGS) -O2 -o $@ attest/bench.c $(ATTEST_LIB_SRCS) $(ATTEST_TOOL_LIBS)

all: $(B)/tools/tessera-attest

.PHONY: attest-test
attest-test:
	@tests/attest/run.sh
