# shellcheck shell=bash
# The tboot launch path on this machine, which has no TXT (SECURITY.md "tboot"):
#  1. attest/drtm.c's MLE hash against tboot's own lcp2_mlehash, its default policy
#     against the bytes in tboot.gz, and hostile tboot images;
#  2. a DRTM launch replayed into swtpm (H-CRTM by swtpm_ioctl -h at locality 4, SINIT's
#     events at 3, tboot's at 2, hashed by the TPM: build/attest/drtm-replay), PCRs
#     17-19 read back and checked by attest/drtm.c, then changed artifacts rejected;
#  3. the ISO's tboot entry booted under QEMU with swtpm: tboot has no SINIT ACM (and
#     QEMU no SMX), says so and falls back; the core says it was started by tboot
#     without a measured launch, its event log starts with boot path "tboot" (PCR 12
#     recomputed here) and PCRs 17-19 hold no measurement (drtm.c: no dynamic launch);
#  4. the core's side of a measured launch, with a stand-in for tboot's shared page and
#     shutdown entry (tests/attest/drtm_tboot.S) that GRUB writes into reserved memory:
#     the core takes the page, and when it stops it enters the shutdown entry as tboot
#     wants it (type halt, interrupts off, VMX off): QEMU (SVM, 2 CPUs) and Bochs (VMX).
# Sourced by tests/attest/run.sh (its pass, fail, W and ROOT); alone it runs as
#   tests/attest/drtm.sh     and ends with "N passed, N failed".
if ! declare -F pass >/dev/null; then
	set -u
	cd "$(dirname "$0")/../.." || exit 1
	ROOT=$PWD W=$ROOT/build/attest-tests passed=0 failed=0
	mkdir -p "$W"
	pass() { echo "PASS $1"; passed=$((passed + 1)); }
	fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
	DRTM_ALONE=1
fi
DRTM_DIR=$W/drtm
rm -rf "$DRTM_DIR"
mkdir -p "$DRTM_DIR" "$ROOT/build/attest"
DRTM_REPLAY=$ROOT/build/attest/drtm-replay
DRTM_TBOOT_GZ=${TBOOT:-/boot/tboot.gz}
DRTM_TBOOT_ARGS="logging=serial,memory" # mk/qemu.mk TBOOT_ARGS
DRTM_PIDS=()
declare -A DRTM_MLE=() # lcp2_mlehash's MLE hash by "ALG ARGS"

drtm_main() {
	if [ ! -f "$DRTM_TBOOT_GZ" ] || ! command -v lcp2_mlehash >/dev/null; then
		fail drtm_deps "no $DRTM_TBOOT_GZ or lcp2_mlehash: scripts/deps.sh iso installs tboot"
		return
	fi
	if ! make -s build/tessera.mb1 build/policy/default.tpb build/domains/hello.elf \
		build/tessera-test.iso >"$DRTM_DIR/make.log" 2>&1 ||
		! cc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wvla -Wconversion \
			-Wmissing-prototypes -Wno-sign-conversion -g -O1 -fno-sanitize-recover=all \
			-fsanitize=address,undefined \
			-o "$DRTM_REPLAY" tests/attest/drtm_replay.c attest/drtm.c \
			$(pkg-config --cflags --libs tss2-esys tss2-tctildr) -lmbedcrypto >>"$DRTM_DIR/make.log" 2>&1; then
		fail drtm_build "$(tail -n 5 "$DRTM_DIR/make.log")"
		return
	fi
	zcat "$DRTM_TBOOT_GZ" >"$DRTM_DIR/tboot.elf"
	drtm_offline
	drtm_replayed
	drtm_qemu
	drtm_handback
}

# drtm_extend ALG PCR-HEX DIGEST-HEX: H(PCR || digest), by coreutils
drtm_extend() { printf "$(sed 's/../\\x&/g' <<<"$2$3")" | "${1}sum" | cut -d' ' -f1; }
drtm_dig() { "${1}sum" "$2" | cut -d' ' -f1; }

drtm_offline() {
	local alg want got why=
	for alg in sha1 sha256; do
		for args in "" "$DRTM_TBOOT_ARGS"; do
			want=$(lcp2_mlehash --create --alg "$alg" ${args:+--cmdline "$args"} "$DRTM_TBOOT_GZ" | tr -d ' ')
			DRTM_MLE["$alg $args"]=$want
			got=$("$DRTM_REPLAY" mlehash "$alg" "$DRTM_DIR/tboot.elf" "$args" 2>&1)
			[ -n "$want" ] && [ "$got" = "$want" ] || why="$why; $alg '$args': $got, lcp2_mlehash $want"
		done
	done
	if [ -z "$why" ]; then pass drtm_mle_hash_equals_lcp2_mlehash; else fail drtm_mle_hash_equals_lcp2_mlehash "${why#; }"; fi
	# The default policies drtm.c hashes are the ones in tboot's image, byte for byte.
	why=
	for map in legacy da; do
		got=$("$DRTM_REPLAY" policy $map)
		python3 -c 'import sys; sys.exit(bytes.fromhex(sys.argv[1]) not in open(sys.argv[2], "rb").read())' \
			"$got" "$DRTM_DIR/tboot.elf" || why="$why; $map policy $got not in tboot.gz"
	done
	if [ -z "$why" ]; then pass drtm_default_policy_is_tboots; else fail drtm_default_policy_is_tboots "${why#; }"; fi
	# Hostile tboot images: each refused with its reason, none read out of bounds (ASan).
	python3 - "$DRTM_DIR" <<'EOF'
import struct, sys
d = sys.argv[1]
elf = bytearray(open(d + "/tboot.elf", "rb").read())
def w(name, b): open(d + "/" + name, "wb").write(b)
w("short.elf", elf[:40])
w("elf64.elf", elf[:4] + b"\2" + elf[5:])
b = bytearray(elf); struct.pack_into("<I", b, 28, len(elf) - 8); w("phoff.elf", b)
b = bytearray(elf); struct.pack_into("<I", b, 52 + 16, 0x7fffffff); w("filesz.elf", b)
b = bytearray(elf); struct.pack_into("<I", b, 52 + 20, 0xfffffff0); struct.pack_into("<I", b, 52 + 16, 0x100); w("memsz.elf", b)
b = bytearray(elf); i = b.find(bytes.fromhex("5aac82906f47a7740f5c55a2cb51b642")); b[i] ^= 1; w("nomle.elf", b)
b = bytearray(elf); struct.pack_into("<I", b, i + 36, 0xffffff00); w("mleend.elf", b)
b = bytearray(elf); struct.pack_into("<I", b, i + 48, 0xffffff00); w("cmdend.elf", b)
EOF
	local f reason
	why=
	while read -r f reason; do
		got=$("$DRTM_REPLAY" mlehash sha256 "$DRTM_DIR/$f" "" 2>&1)
		[ "$got" = "drtm-replay: tboot image: $reason" ] || why="$why; $f: '$got'"
	done <<'EOF'
short.elf not a 32-bit little-endian x86 ELF executable
elf64.elf not a 32-bit little-endian x86 ELF executable
phoff.elf program headers outside the file
filesz.elf segment 0 outside the file
memsz.elf loads 4294967280 bytes
nomle.elf no MLE header
mleend.elf MLE header version or offsets invalid
cmdend.elf MLE header version or offsets invalid
EOF
	if [ -z "$why" ]; then pass drtm_hostile_tboot_images_are_refused; else fail drtm_hostile_tboot_images_are_refused "${why#; }"; fi
}

# Two free TCP ports in a row (the swtpm TCTI's control port is its port + 1).
drtm_ports() {
	python3 -c 'import socket
for _ in range(50):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1)); print(p); break
    except OSError: pass
    finally: a.close(); b.close()'
}

# drtm_swtpm DIR: a fresh swtpm with sha1 and sha256 banks; sets DRTM_TCTI and DRTM_CTRL.
drtm_swtpm() {
	local dir=$1 port
	mkdir -p "$dir/state"
	swtpm_setup --tpm2 --tpmstate "$dir/state" --pcr-banks sha1,sha256 >"$dir/setup.log" 2>&1 || return 1
	port=$(drtm_ports)
	DRTM_CTRL=$((port + 1)) DRTM_TCTI=swtpm:host=127.0.0.1,port=$port
	swtpm socket --tpm2 --tpmstate dir="$dir/state" --flags not-need-init,startup-clear \
		--server type=tcp,port="$port",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port="$DRTM_CTRL",bindaddr=127.0.0.1 >"$dir/swtpm.log" 2>&1 &
	DRTM_PIDS+=($!)
	for _ in $(seq 50); do
		swtpm_ioctl --tcp "127.0.0.1:$DRTM_CTRL" -g >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

drtm_stop() {
	local p
	for p in "${DRTM_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	DRTM_PIDS=()
}

# drtm_expect NAME WANT SPEC...: drtm-replay check prints exactly WANT (two lines).
drtm_expect() {
	local name=$1 want=$2 got
	shift 2
	got=$("$DRTM_REPLAY" check "$DRTM_TCTI" "$@" 2>&1)
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "$(tr '\n' '|' <<<"$got")"; fi
}

drtm_replayed() {
	local core=$ROOT/build/tessera.mb1 pol=$ROOT/build/policy/default.tpb hello=$ROOT/build/domains/hello.elf
	local alg hcrtm=() sinit=() mle=() mods spec
	printf 'SINIT ACM stand-in: the CPU hashes the real one' >"$DRTM_DIR/acm.bin"
	printf 'SINIT details: BIOS ACM id, EDX, MSEG, STM, LCP' >"$DRTM_DIR/details.bin"
	for alg in sha1 sha256; do
		hcrtm+=(--sinit "17:$alg:$(drtm_dig $alg "$DRTM_DIR/acm.bin")")
		sinit+=(--sinit "17:$alg:$(drtm_dig $alg "$DRTM_DIR/details.bin")")
		mle+=(--sinit "18:$alg:${DRTM_MLE["$alg $DRTM_TBOOT_ARGS"]}")
	done
	mods=(--module "$core" "launcher=tboot" --module "$pol" "kind=policy"
		--module "$hello" "domain=alpha mem=4M" --module "$hello" "domain=beta mem=2M")
	spec=(--tboot "$DRTM_DIR/tboot.elf" --tboot-cmdline "$DRTM_TBOOT_ARGS" "${mods[@]}")
	if ! drtm_swtpm "$DRTM_DIR/tpm1"; then
		fail drtm_swtpm_started "$(cat "$DRTM_DIR/tpm1/setup.log" "$DRTM_DIR/tpm1/swtpm.log" 2>/dev/null | tail -n 3)"
		drtm_stop
		return
	fi
	drtm_expect drtm_before_a_launch_pcr17_says_no_dynamic_launch \
		"sha1 differs: no dynamic launch: PCR 17 holds its reset value (tboot fell back to an unmeasured launch, or the platform has no TXT)
sha256 differs: no dynamic launch: PCR 17 holds its reset value (tboot fell back to an unmeasured launch, or the platform has no TXT)" \
		"${spec[@]}" "${hcrtm[@]}" "${sinit[@]}"
	# The dynamic launch: H-CRTM (locality 4) resets 17-22 and measures the "ACM" into 17.
	swtpm_ioctl --tcp "127.0.0.1:$DRTM_CTRL" -h - <"$DRTM_DIR/acm.bin"
	local z=0000000000000000000000000000000000000000
	if TPM2TOOLS_TCTI=$DRTM_TCTI tpm2_pcrread sha256:17,19,22 >"$DRTM_DIR/hcrtm.txt" 2>&1 &&
		grep -qi "17: 0x$(drtm_extend sha256 "$z${z:0:24}" "$(drtm_dig sha256 "$DRTM_DIR/acm.bin")")" "$DRTM_DIR/hcrtm.txt" &&
		[ "$(grep -c ": 0x0000000000000000000000000000000000000000000000000000000000000000$" "$DRTM_DIR/hcrtm.txt")" = 2 ]; then
		pass drtm_hcrtm_resets_pcrs_17_to_22_and_measures_into_17
	else
		fail drtm_hcrtm_resets_pcrs_17_to_22_and_measures_into_17 "$(tr '\n' ' ' <"$DRTM_DIR/hcrtm.txt")"
	fi
	# Only localities 2-4 may extend them: locality 0 gets TPM_RC_LOCALITY (0x907).
	local rc0 rc1
	rc0=$("$DRTM_REPLAY" extend "$DRTM_TCTI" 0 17 sha256 "$(drtm_dig sha256 "$DRTM_DIR/acm.bin")" 2>"$DRTM_DIR/extend.err")
	rc1=$("$DRTM_REPLAY" extend "$DRTM_TCTI" 1 19 sha256 "$(drtm_dig sha256 "$DRTM_DIR/acm.bin")" 2>>"$DRTM_DIR/extend.err")
	if [ "$rc0" = 0x907 ] && [ "$rc1" = 0x907 ]; then pass drtm_pcrs_17_19_refuse_localities_0_and_1
	else fail drtm_pcrs_17_19_refuse_localities_0_and_1 "locality 0: $rc0, locality 1: $rc1"; fi
	# SINIT's part: its details into 17 and, as SINIT does, lcp2_mlehash's MLE hash into 18.
	if ! "$DRTM_REPLAY" launch "$DRTM_TCTI" "${spec[@]}" "${sinit[@]}" "${mle[@]}" >"$DRTM_DIR/launch.log" 2>&1; then
		fail drtm_launch_replayed "$(cat "$DRTM_DIR/launch.log")"
		drtm_stop
		return
	fi
	drtm_expect drtm_profile_computes_the_launched_pcrs $'sha1 matches\nsha256 matches' \
		"${spec[@]}" "${hcrtm[@]}" "${sinit[@]}"
	# tessera-attest golden --tboot puts the same PCRs 17-19 in a manifest, quoted as
	# external PCRs (the core's log has no events for them) like GRUB's 8 and 9.
	local man=$DRTM_DIR/drtm.manifest got want
	if "$ROOT/build/tools/tessera-attest" golden --boot-path tboot --core-cmdline "" \
		--tboot "$DRTM_DIR/tboot.elf" --tboot-cmdline "$DRTM_TBOOT_ARGS" \
		--tboot-core "$core" "launcher=tboot" "${mods[@]:3}" "${hcrtm[@]}" "${sinit[@]}" \
		-o "$man" >"$DRTM_DIR/golden.log" 2>&1 &&
		TPM2TOOLS_TCTI=$DRTM_TCTI tpm2_pcrread sha1:17,18,19+sha256:17,18,19 >"$DRTM_DIR/pcrs.txt" 2>&1; then
		got=$(awk '$1 == "pcr" && ($2 == "sha1" || $2 == "sha256") && $3 >= 17 && $3 <= 19 { print $2, $3, $4 }' "$man")
		want=$(awk '/sha1:/ { b = "sha1" } /sha256:/ { b = "sha256" } /^ +1[789] *:/ { v = tolower($2); sub(/^0x/, "", v); print b, $1 + 0, v }' "$DRTM_DIR/pcrs.txt")
	fi
	if [ -n "${got:-}" ] && [ "$got" = "${want:-}" ] && grep -q "^external 17,18,19$" "$man" &&
		grep -q "^quote sha256 11,12,13,17,18,19$" "$man"; then
		pass drtm_golden_manifest_holds_the_launched_pcrs_17_to_19
	else
		fail drtm_golden_manifest_holds_the_launched_pcrs_17_to_19 "see $man, $DRTM_DIR/pcrs.txt, golden.log"
	fi
	# Negative cases: each changed artifact is found in the PCR it goes to.
	cp "$DRTM_DIR/tboot.elf" "$DRTM_DIR/tboot2.elf"
	printf '\x90' | dd of="$DRTM_DIR/tboot2.elf" bs=1 seek=$((0x6000)) conv=notrunc 2>/dev/null
	local pcr18=$'PCR 18 differs from the DRTM profile: tboot (the MLE) or the core'
	drtm_expect drtm_changed_tboot_is_rejected $'sha1 differs: '"$pcr18"$'\nsha256 differs: '"$pcr18" \
		--tboot "$DRTM_DIR/tboot2.elf" --tboot-cmdline "$DRTM_TBOOT_ARGS" "${mods[@]}" "${hcrtm[@]}" "${sinit[@]}"
	drtm_expect drtm_changed_tboot_command_line_is_rejected $'sha1 differs: '"$pcr18"$'\nsha256 differs: '"$pcr18" \
		--tboot "$DRTM_DIR/tboot.elf" --tboot-cmdline "logging=serial" "${mods[@]}" "${hcrtm[@]}" "${sinit[@]}"
	cp "$core" "$DRTM_DIR/core2.mb1"
	printf 'X' | dd of="$DRTM_DIR/core2.mb1" bs=1 seek=4096 conv=notrunc 2>/dev/null
	# tboot hashes with sha256 only (extpol): the sha1 bank holds SINIT's part alone.
	drtm_expect drtm_changed_core_image_is_rejected_in_tboots_bank $'sha1 matches\nsha256 differs: '"$pcr18" \
		--tboot "$DRTM_DIR/tboot.elf" --tboot-cmdline "$DRTM_TBOOT_ARGS" --module "$DRTM_DIR/core2.mb1" "launcher=tboot" \
		"${mods[@]:3}" "${hcrtm[@]}" "${sinit[@]}"
	drtm_expect drtm_changed_core_command_line_is_rejected $'sha1 matches\nsha256 differs: '"$pcr18" \
		--tboot "$DRTM_DIR/tboot.elf" --tboot-cmdline "$DRTM_TBOOT_ARGS" --module "$core" "launcher=tboot tpm=off" \
		"${mods[@]:3}" "${hcrtm[@]}" "${sinit[@]}"
	cp "$hello" "$DRTM_DIR/hello2.elf"
	printf 'X' | dd of="$DRTM_DIR/hello2.elf" bs=1 seek=100 conv=notrunc 2>/dev/null
	local pcr19='sha256 differs: PCR 19 differs from the DRTM profile: a module after the core (policy or domain image, or a command line)'
	drtm_expect drtm_changed_domain_module_is_rejected $'sha1 matches\n'"$pcr19" "${spec[@]:0:4}" \
		"${mods[@]:0:9}" --module "$DRTM_DIR/hello2.elf" "domain=beta mem=2M" "${hcrtm[@]}" "${sinit[@]}"
	drtm_expect drtm_changed_module_command_line_is_rejected $'sha1 matches\n'"$pcr19" "${spec[@]:0:4}" \
		"${mods[@]:0:9}" --module "$hello" "domain=beta mem=4M" "${hcrtm[@]}" "${sinit[@]}"
	drtm_expect drtm_reordered_modules_are_rejected $'sha1 matches\n'"$pcr19" "${spec[@]:0:4}" \
		"${mods[@]:0:3}" "${mods[@]:6:6}" "${mods[@]:3:3}" "${hcrtm[@]}" "${sinit[@]}"
	drtm_expect drtm_missing_module_is_rejected $'sha1 matches\n'"$pcr19" "${spec[@]:0:4}" \
		"${mods[@]:0:9}" "${hcrtm[@]}" "${sinit[@]}"
	local pcr17='PCR 17 differs from the DRTM profile: SINIT or tboot'"'"'s policy'
	drtm_expect drtm_other_sinit_measurements_are_rejected $'sha1 differs: '"$pcr17"$'\nsha256 differs: '"$pcr17" \
		"${spec[@]}" "${sinit[@]}"
	drtm_expect drtm_other_extend_policy_is_rejected $'sha1 differs: '"$pcr17"$'\nsha256 matches' \
		"${spec[@]}" --tboot-alg all "${hcrtm[@]}" "${sinit[@]}"
	drtm_stop

	# tboot's other choices: extpol=agile (every bank) and pcr_map=da, on a second launch.
	local da=()
	for alg in sha1 sha256; do
		da+=(--sinit "17:$alg:$(drtm_dig $alg "$DRTM_DIR/details.bin")" --sinit "18:$alg:$(drtm_dig $alg "$DRTM_DIR/acm.bin")")
	done
	if drtm_swtpm "$DRTM_DIR/tpm2" && swtpm_ioctl --tcp "127.0.0.1:$DRTM_CTRL" -h - <"$DRTM_DIR/acm.bin" &&
		"$DRTM_REPLAY" launch "$DRTM_TCTI" "${spec[@]}" --map da --tboot-alg all "${da[@]}" >"$DRTM_DIR/launch2.log" 2>&1; then
		drtm_expect drtm_profile_computes_agile_da_launch $'sha1 matches\nsha256 matches' \
			"${spec[@]}" --map da --tboot-alg all "${hcrtm[@]}" "${da[@]}"
		drtm_expect drtm_legacy_profile_rejects_da_launch \
			$'sha1 differs: '"$pcr17"$'\nsha256 differs: '"$pcr17" \
			"${spec[@]}" --tboot-alg all "${hcrtm[@]}" "${da[@]}"
	else
		fail drtm_profile_computes_agile_da_launch "$(cat "$DRTM_DIR/launch2.log" "$DRTM_DIR/tpm2/swtpm.log" 2>/dev/null | tail -n 3)"
	fi
	drtm_stop
}

drtm_qemu() {
	local iso=$DRTM_DIR/tboot.iso root=$DRTM_DIR/tboot.iso-root n log=$DRTM_DIR/qemu.log rc
	# The tboot entry of the test ISO that `make` built, made the default one.
	rm -rf "$root"
	cp -r "$ROOT/build/tessera-test.iso-root" "$root"
	n=$(grep '^menuentry ' "$root/boot/grub/grub.cfg" | grep -n "'Tessera under tboot (Intel TXT)'" | cut -d: -f1)
	if [ -z "$n" ] || ! grep -q "^	multiboot /boot/tboot.gz $DRTM_TBOOT_ARGS\$" "$root/boot/grub/grub.cfg" ||
		! grep -q "^	multiboot2 /boot/tboot.gz $DRTM_TBOOT_ARGS\$" "$root/boot/grub/grub.cfg" ||
		! grep -q "^menuentry 'Tessera under tboot (Intel TXT) on UEFI' {\$" "$root/boot/grub/grub.cfg" ||
		[ ! -f "$root/boot/tboot.gz" ] || [ ! -f "$root/boot/tessera.mb1" ]; then
		fail drtm_iso_has_the_tboot_entry "no tboot entries, tboot.gz or tessera.mb1 in build/tessera-test.iso-root"
		return
	fi
	sed -i "s/^set default=0$/set default=$((n - 1))/" "$root/boot/grub/grub.cfg"
	if ! grub-mkrescue --locales= --fonts= --themes= -o "$iso" "$root" >"$DRTM_DIR/mkrescue.log" 2>&1 ||
		! xorriso -osirrox on -indev "$iso" -extract /boot/grub/grub.cfg "$DRTM_DIR/grub.cfg" >/dev/null 2>&1 ||
		! grep -q "menuentry 'Tessera under tboot (Intel TXT)'" "$DRTM_DIR/grub.cfg"; then
		fail drtm_iso_has_the_tboot_entry "$(tail -n 3 "$DRTM_DIR/mkrescue.log")"
		return
	fi
	pass drtm_iso_has_the_tboot_entry
	local t=$DRTM_DIR/tpm3
	mkdir -p "$t/state"
	swtpm_setup --tpm2 --tpmstate "$t/state" --pcr-banks sha1,sha256 >"$t/setup.log" 2>&1
	swtpm socket --tpm2 --tpmstate dir="$t/state" --ctrl type=unixio,path="$t/sock" >"$t/swtpm.log" 2>&1 &
	DRTM_PIDS+=($!)
	for _ in $(seq 50); do [ -S "$t/sock" ] && break; sleep 0.1; done
	timeout -k 5 60 qemu-system-x86_64 -accel tcg -cpu EPYC -m 512M -display none -no-reboot \
		-serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=4 -boot d -cdrom "$iso" \
		-chardev socket,id=chrtpm,path="$t/sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
		-device tpm-tis,tpmdev=tpm0 >"$DRTM_DIR/qemu.err" 2>&1
	rc=$?
	local why=
	for want in "tboot: no SINIT ACM (/boot/sinit.bin): no measured launch" \
		"TBOOT: *********************** TBOOT" "TBOOT: command line: $DRTM_TBOOT_ARGS" \
		"TBOOT: SINIT ACM not provided." \
		"tessera: tboot: started by tboot WITHOUT a measured launch" \
		"tessera: core ABI 0.1, booted by tboot" "tessera: measure: 11 events" \
		"tessera: all domains ended"; do
		grep -qaF -- "$want" "$log" || why="$why; no '$want'"
	done
	! grep -qa "measured launch (Intel TXT)" "$log" || why="$why; claims a measured launch"
	[ "$rc" = 33 ] || why="$why; QEMU exit status $rc, expected 33"
	if [ -z "$why" ]; then pass drtm_tboot_without_acm_falls_back_and_the_core_says_so
	else fail drtm_tboot_without_acm_falls_back_and_the_core_says_so "${why#; }"; fi
	# The TPM after that boot: its volatile state into a swtpm the host can talk to.
	swtpm_ioctl --unix "$t/sock" -v >/dev/null 2>&1
	swtpm_ioctl --unix "$t/sock" -s >/dev/null 2>&1
	drtm_stop
	local port pcr12=0000000000000000000000000000000000000000000000000000000000000000 e
	port=$(drtm_ports)
	DRTM_CTRL=$((port + 1)) DRTM_TCTI=swtpm:host=127.0.0.1,port=$port
	swtpm socket --tpm2 --tpmstate dir="$t/state" --server type=tcp,port="$port",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port="$DRTM_CTRL",bindaddr=127.0.0.1 >>"$t/swtpm.log" 2>&1 &
	DRTM_PIDS+=($!)
	for _ in $(seq 50); do swtpm_ioctl --tcp "127.0.0.1:$DRTM_CTRL" -i >/dev/null 2>&1 && break; sleep 0.1; done
	# PCR 12 (tessera/measure.h): boot path "tboot", the core's command line without
	# launcher=tboot, the module command lines, a separator.
	for e in "tessera:boot-path:tboot" "debug_exit=on" "kind=policy" "domain=alpha mem=4M" \
		"domain=beta mem=2M"; do
		pcr12=$(drtm_extend sha256 "$pcr12" "$(printf '%s' "$e" | sha256sum | cut -d' ' -f1)")
	done
	pcr12=$(drtm_extend sha256 "$pcr12" "$(printf '\0\0\0\0' | sha256sum | cut -d' ' -f1)")
	if TPM2TOOLS_TCTI=$DRTM_TCTI tpm2_pcrread sha256:12 >"$DRTM_DIR/pcr12.txt" 2>&1 && grep -qi "12: 0x$pcr12" "$DRTM_DIR/pcr12.txt"; then
		pass drtm_fallback_evidence_says_boot_path_tboot
	else
		fail drtm_fallback_evidence_says_boot_path_tboot "PCR 12 $(tr -d '\n ' <"$DRTM_DIR/pcr12.txt"), expected $pcr12"
	fi
	local nodrtm='differs: no dynamic launch: PCR 17 holds its reset value (tboot fell back to an unmeasured launch, or the platform has no TXT)'
	drtm_expect drtm_fallback_has_no_drtm_measurements $'sha1 '"$nodrtm"$'\nsha256 '"$nodrtm" \
		--tboot "$DRTM_DIR/tboot.elf" --tboot-cmdline "$DRTM_TBOOT_ARGS" --module "$ROOT/build/tessera.mb1" "launcher=tboot debug_exit=on"
	drtm_stop
}

# drtm_fake_iso NAME BASE: an ISO whose one entry writes the stand-in at BASE (in memory
# the emulator's firmware reserves) and boots the core with tboot=BASE and no debug exit.
drtm_fake_iso() {
	local name=$1 base=$2 dir=$DRTM_DIR/$1
	mkdir -p "$dir"
	gcc -c -DTBOOT_BASE="$base" -o "$dir/tboot.o" tests/attest/drtm_tboot.S &&
		ld -Ttext=0 -e 0 --oformat binary -o "$dir/tboot.bin" "$dir/tboot.o" || return 1
	printf '%s\n' "title $name" "core tboot=$base" "module $ROOT/build/policy/default.tpb kind=policy" \
		"module $ROOT/build/domains/hello.elf domain=alpha mem=4M" |
		tests/qemu/mkiso.sh -o "$dir/fake.iso" -k "$ROOT/build/tessera.elf" || return 1
	python3 -c 'import struct, sys
b = open(sys.argv[1], "rb").read()
b += bytes(-len(b) % 4)
base = int(sys.argv[2], 0)
w = "".join("\twrite_dword 0x%x 0x%x\n" % (base + o, struct.unpack_from("<I", b, o)[0])
            for o in range(0, len(b), 4) if o < 584 or struct.unpack_from("<I", b, o)[0])
cfg = open(sys.argv[3]).read()
i = cfg.index("\n", cfg.index("menuentry ")) + 1
open(sys.argv[3], "w").write(cfg[:i] + w + cfg[i:])' \
		"$dir/tboot.bin" "$base" "$dir/fake.iso-root/boot/grub/grub.cfg" || return 1
	grub-mkrescue --locales= --fonts= --themes= -o "$dir/fake.iso" "$dir/fake.iso-root" >"$dir/mkrescue.log" 2>&1
}

# drtm_handback_log LOG: what is missing from the log of a boot that handed back, if anything.
drtm_handback_log() {
	local why= want
	for want in "tessera: tboot: measured launch (Intel TXT): shared page" \
		"tessera: core ABI 0.1, booted by tboot" "tessera: all domains ended" \
		"tessera: tboot: handing the machine back to tboot"; do
		grep -qaF -- "$want" "$1" || why="$why; no '$want'"
	done
	echo "${why#; }"
}

drtm_handback() {
	local dir=$DRTM_DIR/qemu-fake rc why
	# QEMU's firmware map reserves [0x1ffe0000, 0x20000000) with 512 MiB; its end is unused.
	if ! drtm_fake_iso qemu-fake 0x1fffe000; then
		fail drtm_core_hands_back_to_tboot_under_qemu "could not build the stand-in ISO"
		return
	fi
	timeout -k 5 60 qemu-system-x86_64 -accel tcg -cpu EPYC -smp 2 -m 512M -display none \
		-no-reboot -serial "file:$dir/serial.log" -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-boot d -cdrom "$dir/fake.iso" >"$dir/qemu.err" 2>&1
	rc=$?
	why=$(drtm_handback_log "$dir/serial.log")
	[ "$rc" = $(((0x55 << 1) | 1)) ] || why="$why; QEMU exit status $rc, expected 171 (the stand-in's 0x55)"
	if [ -z "${why#; }" ]; then pass drtm_core_hands_back_to_tboot_under_qemu
	else fail drtm_core_hands_back_to_tboot_under_qemu "${why#; }"; fi
	# Bochs with Intel VMX: the core leaves VMX operation first. Its BIOS reserves one
	# page at 0x9f000 (the EBDA is its last KiB, past the stand-in).
	dir=$DRTM_DIR/bochs-fake
	if ! command -v bochs >/dev/null || ! drtm_fake_iso bochs-fake 0x9f000; then
		fail drtm_core_leaves_vmx_and_hands_back_under_bochs_intel "no bochs (scripts/deps.sh bochs) or no ISO"
		return
	fi
	cat >"$dir/bochsrc" <<-EOF
		display_library: term
		megs: 256
		cpu: model=tigerlake, count=1, ips=50000000, reset_on_triple_fault=0
		romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		ata0-master: type=cdrom, path=$dir/fake.iso, status=inserted
		boot: cdrom
		com1: enabled=1, mode=file, dev=$dir/serial.log
		speaker: enabled=0
		sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
		magic_break: enabled=1
		log: $dir/bochs.log
		panic: action=fatal
		error: action=report
	EOF
	printf 'c\nquit\n' >"$dir/dbg.rc"
	(cd "$dir" && TERM=dumb timeout -s KILL -k 2 90 bochs -q -f bochsrc -rc dbg.rc </dev/null \
		>term.out 2>stderr.txt)
	rc=$?
	why=$(drtm_handback_log "$dir/serial.log")
	grep -qaF "virtualization backend intel-vmx" "$dir/serial.log" || why="$why; not on VMX"
	[ "$rc" = 0 ] && grep -q "MAGIC BREAKPOINT" "$dir/bochs.log" ||
		why="$why; Bochs exit status $rc without the stand-in's magic breakpoint"
	if [ -z "${why#; }" ]; then pass drtm_core_leaves_vmx_and_hands_back_under_bochs_intel
	else fail drtm_core_leaves_vmx_and_hands_back_under_bochs_intel "${why#; }"; fi
}

drtm_main
drtm_stop
if [ -n "${DRTM_ALONE:-}" ]; then
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
fi
