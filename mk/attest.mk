# Host-side attestation pieces (attest/) and their tests (tests/attest/run.sh).
#   build/attest/eventlog-test  the event log parser against hostile logs (ASan+UBSan)
#   build/attest/logtool        writes logs with the core's own builder (core/tlog.c) and
#                               prints what the parser makes of a log, for tpm2_eventlog
# Both link mbedTLS (scripts/deps.sh attest) and the core's portable hash and log code.
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

.PHONY: attest-test
attest-test:
	@tests/attest/run.sh
