#!/usr/bin/env bash
# GRUB EFI's own measurements: PCR 8 (commands, command lines) and PCR 9 (files)
# computed from an ISO by attest/grubpcr.c (build/attest/grubpcr-tool) against what
# OVMF + GRUB 2.06 + swtpm really extend, read through the attestation domain's channel
# (tests/attest/grub_pcrread.py). A one-entry ISO boots the attestation domain and a
# hello domain; a second ISO differs in one byte of hello's image: PCR 9 must follow it
# (computed and real alike) and PCR 8 must not. GRUB BIOS (i386-pc) has no tpm module:
# the same ISO under SeaBIOS leaves PCR 8 and 9 zero, while the core's PCRs 11 and 13
# (policy, images) are the same on both paths. The model's refusals are checked on the host.
# Prints PASS/FAIL lines and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/devices/lib.sh
W=$B/attest-grub
TOOL=$B/attest/grubpcr-tool
BANKS=sha1,sha256,sha384,sha512
rm -rf "$W"
mkdir -p "$W"
SWTPM_PID='' QEMU_PID=''
trap '[[ -z $QEMU_PID ]] || kill "$QEMU_PID" 2>/dev/null; [[ -z $SWTPM_PID ]] || kill "$SWTPM_PID" 2>/dev/null' EXIT

for c in swtpm xorriso grub-mkrescue python3; do
	command -v "$c" >/dev/null || { fail deps "$c missing: run scripts/deps.sh"; summary; exit; }
done
if ! ovmf_find 2>/dev/null || [[ ! -e /usr/lib/grub/x86_64-efi/tpm.mod ]]; then
	fail deps "OVMF or GRUB's x86_64-efi tpm.mod missing: run scripts/deps.sh"
	summary
	exit
fi
if ! make -s "$B/tessera.elf" "$B/domains/attest.elf" "$B/domains/hello.elf" "$B/policy/attest.tpb" \
	"$TOOL" >"$W/build.log" 2>&1; then
	fail build "$(tail -n 5 "$W/build.log")"
	summary
	exit
fi

# iso NAME HELLO: $W/NAME.iso booting the attestation domain and HELLO as domain alpha
# (the core's command line empty: GRUB then measures an empty kernel command line), its
# tree extracted from the ISO to $W/NAME.tree, and what the model computes from it.
iso() {
	local name=$1
	mkdir -p "$W/$name.hello"
	cp "$2" "$W/$name.hello/hello.elf"
	printf '%s\n' 'title Tessera attestation under GRUB' 'core' \
		"module $B/policy/attest.tpb kind=policy" \
		"module $B/domains/attest.elf domain=attest mem=4M pci=00:04.0 tpm=1" \
		"module $W/$name.hello/hello.elf domain=alpha mem=2M" |
		tests/qemu/mkiso.sh -o "$W/$name.iso" -k "$B/tessera.elf" &&
		xorriso -osirrox on -indev "$W/$name.iso" -extract /boot "$W/$name.tree/boot" \
			>"$W/$name.xorriso.log" 2>&1 &&
		"$TOOL" "$W/$name.tree" >"$W/$name.computed" 2>"$W/$name.tool.err"
}

# boot NAME uefi|bios: boots $W/NAME.iso with swtpm and the attestation domain's channel,
# reads PCRs 8, 9 and 11-13 in every bank into $W/NAME.FW.pcrs ("BANK PCR HEX"), stops.
boot() {
	local name=$1 fw=$2 d=$W/$1.$2 fwargs=(-boot d)
	mkdir -p "$d/state"
	if [[ $fw == uefi ]]; then
		cp "$OVMF_VARS" "$d/vars.fd"
		# OVMF puts the virtio-console's 64-bit BAR above 4 GiB, where the core does not
		# map device memory; with 32 address bits and no 64-bit window it stays below.
		# shellcheck disable=SC2054 # commas inside QEMU's option values
		fwargs=(-cpu EPYC,phys-bits=32 -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=0
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,unit=1,file=$d/vars.fd")
	fi
	swtpm socket --tpm2 --tpmstate "dir=$d/state" --ctrl "type=unixio,path=$d/tpm.sock" \
		--terminate --log "file=$d/swtpm.log" </dev/null >/dev/null 2>&1 &
	SWTPM_PID=$!
	for _ in $(seq 50); do [[ -S $d/tpm.sock ]] && break; sleep 0.1; done
	"$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu "${fwargs[@]}" -cdrom "$W/$name.iso" \
		-chardev "socket,id=chrtpm,path=$d/tpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
		-device tpm-tis,tpmdev=tpm0 \
		-device virtio-serial-pci,addr=0x4,disable-legacy=on,iommu_platform=on \
		-chardev "socket,id=att,path=$d/chan.sock,server=on,wait=off" \
		-device virtconsole,chardev=att -serial "file:$d/serial.log" -monitor none \
		</dev/null 2> >(qemu_stderr_filter >"$d/qemu.err") &
	QEMU_PID=$!
	timeout 150 python3 tests/attest/grub_pcrread.py "$d/chan.sock" "$BANKS" 8 9 11 12 13 \
		>"$W/$name.$fw.pcrs" 2>"$d/pcrread.err"
	[[ -z ${VERIFY_WITH:-} ]] || remote_verify "$d" "$VERIFY_WITH"
	kill "$QEMU_PID" 2>/dev/null
	wait "$QEMU_PID" 2>/dev/null
	kill "$SWTPM_PID" 2>/dev/null
	wait "$SWTPM_PID" 2>/dev/null
	QEMU_PID='' SWTPM_PID=''
}

# remote_verify DIR ISO-NAME: tessera-attest through the channel against a manifest made
# from ISO-NAME's files, GRUB's PCR 8 and 9 included (--grub-efi); verdict in DIR/verify.json.
remote_verify() {
	local d=$1 t=$2 A=$B/tools/tessera-attest
	"$A" enroll --socket "$d/chan.sock" --state "$d/vstate" --trust-ek-on-first-use >"$d/enroll.txt" 2>&1 &&
		"$A" golden --boot-path multiboot2-efi --core-cmdline "" \
			--module "$B/policy/attest.tpb" "kind=policy" \
			--module "$B/domains/attest.elf" "domain=attest mem=4M pci=00:04.0 tpm=1" \
			--module "$W/$t.hello/hello.elf" "domain=alpha mem=2M" \
			--grub-efi "$W/$t.tree" -o "$d/manifest" >"$d/golden.txt" 2>&1
	"$A" verify --socket "$d/chan.sock" --state "$d/vstate" --manifest "$d/manifest" --json \
		>"$d/verify.json" 2>"$d/verify.err"
	echo $? >"$d/verify.rc"
}

# pcrs FILE PCR: "BANK HEX" lines of one PCR, every bank, from a tool output or a read.
pcrs() { awk -v p="$2" '$1 == "pcr" && $2 == p { print $3, $4 } $1 ~ /^sha/ && $2 == p { print $1, $3 }' "$1" | sort; }

# same NAME WHAT A B: passes if A and B are equal and hold all four banks.
same() {
	if [[ $(wc -l <<<"$3") -eq 4 && $3 == "$4" ]]; then pass "$1"
	else fail "$1" "$2: $(head -c 160 <<<"$3" | tr '\n' ' ') vs $(head -c 160 <<<"$4" | tr '\n' ' ')"
	fi
}
differ() {
	if [[ $(wc -l <<<"$3") -eq 4 && $(wc -l <<<"$4") -eq 4 && $3 != "$4" ]]; then pass "$1"
	else fail "$1" "$2 did not change: $(head -c 100 <<<"$3" | tr '\n' ' ')"
	fi
}

# --- the computed values ----------------------------------------------------------------
cp "$B/domains/hello.elf" "$W/hello-b.elf"
off=$(grep -obUa "hello from" "$W/hello-b.elf" | head -n 1 | cut -d: -f1)
[[ -n $off ]] && printf 'H' | dd of="$W/hello-b.elf" bs=1 seek="$off" conv=notrunc status=none
if ! iso a "$B/domains/hello.elf" || ! iso b "$W/hello-b.elf" || [[ -z $off ]]; then
	fail iso_built_and_computed "$(cat "$W"/*.tool.err "$W"/*.xorriso.log 2>/dev/null | tail -n 3)"
	summary
	exit
fi
if "$TOOL" "$W/a.iso-root" >"$W/a.staging.computed" 2>&1 && cmp -s "$W/a.computed" "$W/a.staging.computed" &&
	grep -q "^event 9 pcr 9 file .* /boot/tessera.elf$" "$W/a.computed" &&
	grep -q "^event 10 pcr 8 kernel_cmdline sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 $" "$W/a.computed"; then
	pass computed_from_the_iso_as_from_mkiso_tree
else
	fail computed_from_the_iso_as_from_mkiso_tree "see $W/a.computed, $W/a.staging.computed"
fi
same one_changed_byte_keeps_computed_pcr8 "PCR 8" "$(pcrs "$W/a.computed" 8)" "$(pcrs "$W/b.computed" 8)"
differ one_changed_byte_changes_computed_pcr9 "PCR 9" "$(pcrs "$W/a.computed" 9)" "$(pcrs "$W/b.computed" 9)"

# --- real boots -------------------------------------------------------------------------
VERIFY_WITH=a boot a uefi
VERIFY_WITH=a boot b uefi
boot a bios
has uefi_boot_reached_the_attestation_domain "$W/a.uefi/serial.log" \
	"tessera: tpm: locality 0 handed to domain attest" "[alpha] hello from alpha"
has uefi_boot_ran_the_changed_image "$W/b.uefi/serial.log" "[alpha] Hello from alpha"
same uefi_pcr8_equals_computed "PCR 8 read, computed" "$(pcrs "$W/a.uefi.pcrs" 8)" "$(pcrs "$W/a.computed" 8)"
same uefi_pcr9_equals_computed "PCR 9 read, computed" "$(pcrs "$W/a.uefi.pcrs" 9)" "$(pcrs "$W/a.computed" 9)"
same uefi_changed_image_pcr9_equals_computed "PCR 9 read, computed" \
	"$(pcrs "$W/b.uefi.pcrs" 9)" "$(pcrs "$W/b.computed" 9)"
same uefi_changed_image_pcr8_unchanged "PCR 8 (b, a)" "$(pcrs "$W/b.uefi.pcrs" 8)" "$(pcrs "$W/a.uefi.pcrs" 8)"
differ uefi_changed_image_changes_core_pcr13 "PCR 13" "$(pcrs "$W/a.uefi.pcrs" 13)" "$(pcrs "$W/b.uefi.pcrs" 13)"
zero=$(printf '%s\n' "sha1 $(printf '%040d' 0)" "sha256 $(printf '%064d' 0)" \
	"sha384 $(printf '%096d' 0)" "sha512 $(printf '%0128d' 0)")
if [[ $(cat "$W/a.uefi/verify.rc" 2>/dev/null) == 0 ]] && grep -q '"result":"trusted"' "$W/a.uefi/verify.json"; then
	pass uefi_boot_verifies_as_trusted_with_grubs_pcr8_and_pcr9
else
	fail uefi_boot_verifies_as_trusted_with_grubs_pcr8_and_pcr9 "see $W/a.uefi/verify.json, verify.err, golden.txt"
fi
if [[ $(cat "$W/b.uefi/verify.rc" 2>/dev/null) == 16 ]] && grep -q "GRUB's PCR 8/9" "$W/b.uefi/verify.json"; then
	pass uefi_boot_of_the_changed_iso_is_untrusted
else
	fail uefi_boot_of_the_changed_iso_is_untrusted "see $W/b.uefi/verify.json"
fi
has bios_boot_reached_the_attestation_domain "$W/a.bios/serial.log" \
	"tessera: tpm: locality 0 handed to domain attest"
same bios_grub_leaves_pcr8_zero "PCR 8 under SeaBIOS" "$(pcrs "$W/a.bios.pcrs" 8)" "$zero"
same bios_grub_leaves_pcr9_zero "PCR 9 under SeaBIOS" "$(pcrs "$W/a.bios.pcrs" 9)" "$zero"
# PCR 12 holds the boot path, which may name the firmware (tessera/measure.h).
for p in 11 13; do
	same "core_pcr${p}_same_under_bios_and_uefi" "PCR $p (bios, uefi)" \
		"$(pcrs "$W/a.bios.pcrs" $p)" "$(pcrs "$W/a.uefi.pcrs" $p)"
done

# --- what the model refuses (a wrong golden value is worse than none) -------------------
cfg=$W/a.tree/boot/grub/grub.cfg
# refuses NAME EXPECTED-MESSAGE SED-SCRIPT: grub.cfg changed by SED-SCRIPT is refused.
refuses() {
	sed "$3" "$cfg" >"$W/$1.cfg"
	if "$TOOL" --cfg "$W/$1.cfg" "$W/a.tree" >"$W/$1.out" 2>&1; then
		fail "$1" "accepted (see $W/$1.cfg)"
	elif grep -qF -- "$2" "$W/$1.out"; then
		pass "$1"
	else
		fail "$1" "$(cat "$W/$1.out")"
	fi
}
refuses model_refuses_a_module_loading_after_tpm "module multiboot2 would load after tpm" \
	'/insmod multiboot2/d'
# shellcheck disable=SC2016 # the $ is for GRUB
refuses model_refuses_variables "'\$' outside single quotes" 's/^set timeout=0$/set timeout=$t/'
refuses model_refuses_unknown_commands "command 'echo' is not modelled" 's/^set timeout=0$/echo hi/'
refuses model_refuses_commands_it_cannot_place_in_an_entry "command 'linux' in a menu entry" \
	's/^\tmodule2 \(.*hello.*\)$/\tlinux \1/'
refuses model_refuses_a_missing_file "cannot read" 's/hello\.elf/nothere.elf/'
refuses model_refuses_a_missing_entry "no menu entry 1" 's/^set default=0$/set default=1/'
sed '/^if /,/^fi$/d' "$cfg" >"$W/notpm.cfg"
if "$TOOL" --cfg "$W/notpm.cfg" "$W/a.tree" >"$W/notpm.out" 2>&1 && grep -q "tpm never loaded" "$W/notpm.out" &&
	! grep -q "^event" "$W/notpm.out" && [[ $(pcrs "$W/notpm.out" 8) == "$zero" ]]; then
	pass model_without_insmod_tpm_measures_nothing
else
	fail model_without_insmod_tpm_measures_nothing "see $W/notpm.out"
fi
summary
