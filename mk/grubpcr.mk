# GRUB EFI's PCR 8 and 9 computed from an ISO's files (attest/grubpcr.h) and its test
# (tests/attest/grub.sh, suite attest-grub).
#   build/attest/grubpcr-tool  prints the events and PCR values for an ISO tree (ASan+UBSan)
GRUBPCR_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iattest \
                  -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/attest/grubpcr-tool: tests/attest/grubpcr_tool.c attest/grubpcr.c attest/grubpcr.h mk/grubpcr.mk
	@mkdir -p $(dir $@)
	@$(CC) $(GRUBPCR_CFLAGS) -o $@ $< attest/grubpcr.c -lmbedcrypto
