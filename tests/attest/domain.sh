#!/usr/bin/env bash
# The measured boot and the attestation domain, end to end in QEMU with swtpm: the core
# measures (tessera/measure.h), hands locality 0 to the attestation domain, which answers
# over its virtio-console (tessera/attest.h). tests/attest/chanclient.py talks to it.
# Checks: the log the domain serves replays (tpm2_eventlog and attest/eventlog.c) to the
# PCRs the TPM reports through the same channel; every command that could change PCRs,
# hierarchies, NV or the TPM's state is refused and the PCRs stay as they were; malformed
# frames are refused; TIS and CRB; a domain the policy does not allow gets no TPM.
# Prints PASS/FAIL lines and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/devices/lib.sh
W=$B/attest-domain
rm -rf "$W"
mkdir -p "$W"
make -s all "$B/attest/logtool" >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
SWTPM_PID=
trap '[[ -z $SWTPM_PID ]] || kill "$SWTPM_PID" 2>/dev/null' EXIT

# boot NAME IFACE CORE-CMDLINE MODULE...: swtpm + QEMU in the background, QEMU_PID set.
boot() {
	local name=$1 iface=$2 cmdline=$3 m initrd=
	shift 3
	mkdir -p "$W/$name/state"
	swtpm socket --tpm2 --tpmstate "dir=$W/$name/state" --ctrl "type=unixio,path=$W/$name/tpm.sock" \
		--terminate --log "file=$W/$name/swtpm.log" </dev/null >/dev/null 2>&1 &
	SWTPM_PID=$!
	for _ in $(seq 50); do [[ -S $W/$name/tpm.sock ]] && break; sleep 0.1; done
	for m in "$@" "${POLICY_BOOT:-$B/policy/attest.tpb} kind=policy"; do initrd+=${initrd:+,}$m; done
	"$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu \
		-chardev "socket,id=chrtpm,path=$W/$name/tpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
		-device "tpm-$iface,tpmdev=tpm0" \
		-device virtio-serial-pci,addr=0x4,disable-legacy=on,iommu_platform=on \
		-chardev "socket,id=att,path=$W/$name/chan.sock,server=on,wait=off" \
		-device virtconsole,chardev=att -serial "file:$W/$name/serial.log" -monitor none \
		-kernel "$B/tessera.mb1" -append "$cmdline" -initrd "$initrd" \
		</dev/null 2> >(qemu_stderr_filter >"$W/$name/qemu.err") &
	QEMU_PID=$!
}

stop() {
	kill "$QEMU_PID" 2>/dev/null
	wait "$QEMU_PID" 2>/dev/null
	kill "$SWTPM_PID" 2>/dev/null
	wait "$SWTPM_PID" 2>/dev/null
	SWTPM_PID=
}

# sha256 PCRs 11-13 as tpm2_eventlog replays LOG, one hex value a line.
replayed() {
	tpm2_eventlog "$1" 2>/dev/null | awk '/^pcrs:/ {p=1} p && /sha256:/ {s=1; next} s && /^    1[123] :/ {sub(/^0x/, "", $3); print tolower($3)} s && /^  [a-z]/ {s=0}'
}

channel() { # NAME IFACE
	local name=$1 iface=$2 d=$W/$1 out
	boot "$name" "$iface" "debug_exit=on tpm=required" \
		"$B/domains/attest.elf domain=attest mem=4M pci=00:04.0 tpm=1" \
		"$B/domains/hello.elf domain=alpha mem=2M"
	out=$(timeout 120 python3 tests/attest/chanclient.py "$d/chan.sock" "$d" 2>&1)
	echo "$out" >"$d/client.txt"
	sleep 0.5
	stop
	has "${name}_core_measured_and_handed_over" "$d/serial.log" \
		"tessera: measure: 11 events into PCRs 11, 12 and 13" \
		"tessera: tpm: locality 0 handed to domain attest (id 0)" \
		"[attest] attest: serving the verifier: event log "
	has "${name}_info_names_boot_path_and_interface" "$d/client.txt" \
		"info 83 boot-path=multiboot1 tpm=$iface"
	has "${name}_every_state_changing_command_is_refused" "$d/client.txt" \
		"refused PCR_Extend 00000143" "refused PCR_Event 00000143" "refused PCR_Reset 00000143" \
		"refused PCR_Allocate 00000143" "refused HierarchyControl 00000143" \
		"refused HierarchyChangeAuth 00000143" "refused Clear 00000143" \
		"refused ClearControl 00000143" "refused Startup 00000143" "refused Shutdown 00000143" \
		"refused EvictControl 00000143" "refused NV_Write 00000143" \
		"refused SequenceComplete 00000143" "refused EventSequenceComplete 00000143" \
		"refused CreatePrimary-platform 00000143"
	lacks "${name}_no_state_changing_command_passed" "$d/client.txt" "PASSED"
	has "${name}_reads_pass_and_malformed_frames_are_refused" "$d/client.txt" \
		"getrandom 81 rc 00000000 bytes 16" \
		"badsize ff header size differs from the frame length" "badtype ff unknown request" \
		"badmagic ff bad frame (magic or length): input discarded" "info-again 83"
	if [[ -s $d/pcrs.before ]] && cmp -s "$d/pcrs.before" "$d/pcrs.after"; then
		pass "${name}_pcrs_unchanged_by_the_refused_commands"
	else
		fail "${name}_pcrs_unchanged_by_the_refused_commands" "see $d/pcrs.before, $d/pcrs.after"
	fi
	replayed "$d/log.bin" >"$d/pcrs.replayed"
	if [[ -s $d/pcrs.replayed ]] && cmp -s "$d/pcrs.before" "$d/pcrs.replayed"; then
		pass "${name}_log_replays_to_the_tpm_pcrs"
	else
		fail "${name}_log_replays_to_the_tpm_pcrs" "tpm2_eventlog: $d/pcrs.replayed, TPM: $d/pcrs.before"
	fi
	if "$B/attest/logtool" dump "$d/log.bin" core >"$d/log.dump" 2>&1 &&
		grep -q "string tessera:image:module:0" "$d/log.dump" &&
		grep -q "string tessera:policy" "$d/log.dump"; then
		pass "${name}_log_passes_the_verifiers_strict_parser"
	else
		fail "${name}_log_passes_the_verifiers_strict_parser" "see $d/log.dump"
	fi
}

channel tis tis
channel crb crb

# ---- remote attestation of the booted system (build/tools/tessera-attest) --------------
A=$B/tools/tessera-attest
CORE_LINE="debug_exit=on tpm=required"

# attest_boot NAME GOLDEN-CORE-LINE BOOT-FILE:GOLDEN-FILE:ARGS...: boots the attestation
# domain and alpha from BOOT-FILEs, enrolls, makes the manifest from GOLDEN-FILEs with the
# command lines the boot used, and verifies (JSON in $W/NAME/verify.json); its exit code.
attest_boot() {
	local name=$1 gline=$2 d=$W/$1 spec boot_mods=() golden=() rc bootf goldf args
	shift 2
	for spec; do
		IFS=: read -r bootf goldf args <<<"$spec"
		boot_mods+=("$bootf $args")
		golden+=(--module "$goldf" "$bootf $args")
	done
	boot "$name" tis "$CORE_LINE" "${boot_mods[@]}"
	for _ in $(seq 300); do grep -q "attest: serving the verifier" "$d/serial.log" 2>/dev/null && break; sleep 0.1; done
	"$A" enroll --socket "$d/chan.sock" --state "$d/state" --trust-ek-on-first-use >"$d/enroll.txt" 2>&1 &&
		"$A" golden --boot-path multiboot1 --core-cmdline "$B/tessera.mb1 $gline" "${golden[@]}" \
			--module "$B/policy/attest.tpb" "${POLICY_BOOT:-$B/policy/attest.tpb} kind=policy" \
			-o "$d/manifest" \
			>"$d/golden.txt" 2>&1 &&
		"$A" verify --socket "$d/chan.sock" --state "$d/state" --manifest "$d/manifest" --json \
			>"$d/verify.json" 2>"$d/verify.err"
	rc=$?
	stop
	return $rc
}

ATT="$B/domains/attest.elf:$B/domains/attest.elf:domain=attest mem=4M pci=00:04.0 tpm=1"
attest_boot trusted "$CORE_LINE" "$ATT" "$B/domains/hello.elf:$B/domains/hello.elf:domain=alpha mem=2M"
rc=$?
if ((rc == 0)) && grep -q '"result": *"trusted"' "$W/trusted/verify.json"; then
	pass booted_system_verifies_as_trusted
else
	fail booted_system_verifies_as_trusted "exit $rc, see $W/trusted/verify.json, verify.err"
fi

# untrusted NAME EXIT TEXT: the verdict of boot NAME was EXIT and names TEXT.
untrusted() {
	if (($2 == $3)) && grep -qF -- "$4" "$W/$1/verify.json"; then
		pass "$1"
	else
		fail "$1" "exit $2 (want $3), want '$4' in $W/$1/verify.json"
	fi
}

# One byte of alpha's image changed (in its symbol table: it still runs the same).
mkdir -p "$W/mod"
cp "$B/domains/hello.elf" "$W/mod/hello.elf"
printf 'X' | dd of="$W/mod/hello.elf" bs=1 seek=$(($(stat -c %s "$W/mod/hello.elf") - 40)) conv=notrunc 2>/dev/null
attest_boot changed_domain_image_is_named "$CORE_LINE" "$ATT" \
	"$W/mod/hello.elf:$B/domains/hello.elf:domain=alpha mem=2M"
untrusted changed_domain_image_is_named $? 17 "domain image of module 1 (domain=alpha) differs"

# A core command line other than the one the manifest was made for.
attest_boot changed_core_command_line_is_named "debug_exit=on tpm=auto" "$ATT" \
	"$B/domains/hello.elf:$B/domains/hello.elf:domain=alpha mem=2M"
untrusted changed_core_command_line_is_named $? 17 "command line"

# A policy with one rule more than the one the manifest was made for.
{ cat tests/qemu/policies/attest.tpol; echo "allow hello_t core_t:core eventlog;"; } >"$W/mod/attest.tpol"
"$B/tools/tessera-policy" compile "$W/mod/attest.tpol" -o "$W/mod/attest.tpb"
POLICY_BOOT=$W/mod/attest.tpb attest_boot changed_policy_is_named "$CORE_LINE" "$ATT" \
	"$B/domains/hello.elf:$B/domains/hello.elf:domain=alpha mem=2M"
untrusted changed_policy_is_named $? 17 "policy (module 2) differs"

# A domain the policy does not allow gets no TPM; without tpm=required and no TPM, no handover.
d=$W/denied
boot denied tis "debug_exit=on tpm=required" \
	"$B/domains/hello.elf domain=alpha mem=2M tpm=1" "$B/domains/hello.elf domain=beta mem=2M"
wait "$QEMU_PID"
st=$?
kill "$SWTPM_PID" 2>/dev/null
SWTPM_PID=
ended tpm_refused_to_a_domain_the_policy_does_not_allow "$st" "$d/serial.log"
has tpm_refusal_names_the_policy "$d/serial.log" \
	"tessera: module 0 rejected: tpm=1: the policy does not allow it (device assign on the TPM's iomem label)" \
	"[beta] beta: done"
lacks tpm_not_handed_to_anyone "$d/serial.log" "handed to domain"
summary
