# shellcheck shell=bash
# Shared by the device suites (bash, sourced from the repository root): PASS/FAIL
# counting, log checks, and the machine they boot: q35 with QEMU's AMD IOMMU.
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# summary: the last line; fails when a test did.
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# has NAME LOG PATTERN...: every fixed string is in the log.
has() {
	local name=$1 log=$2 p
	shift 2
	for p; do
		grep -qF -- "$p" "$log" || { fail "$name" "missing '$p' (see $log)"; return 1; }
	done
	pass "$name"
}

# lacks NAME LOG PATTERN...: none of the fixed strings is in the log.
lacks() {
	local name=$1 log=$2 p
	shift 2
	for p; do
		if grep -qF -- "$p" "$log"; then
			fail "$name" "$(grep -F -- "$p" "$log" | head -1)"
			return 1
		fi
	done
	pass "$name"
}

# ended NAME STATUS LOG: QEMU's status is 33, every domain ended.
ended() {
	if (($2 == 33)); then pass "$1"
	else fail "$1" "QEMU status $2 ($(status_meaning "$2")), see $3"
	fi
}

# fresh_disk FILE MB: a zeroed raw disk image of MB MiB.
fresh_disk() { rm -f "$1" && truncate -s "${2}M" "$1"; }

# q35_boot SECONDS LOG POLICY QEMU-ARG... -- MODULE...: the core with the modules and
# build/policy/POLICY.tpb, console into LOG, killed after SECONDS; QEMU's exit status.
# (boot.sh has no way to add devices, so QEMU runs here with QEMU_BASE.)
q35_boot() {
	local limit=$1 log=$2 policy=$3 args=() m initrd=
	shift 3
	while (($#)) && [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	for m in "$@" "$B/policy/$policy.tpb kind=policy"; do initrd+=${initrd:+,}$m; done
	timeout -k 5 "$limit" "$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu "${args[@]}" \
		-serial "file:$log" -monitor none -kernel "$B/tessera.mb1" -append debug_exit=on \
		-initrd "$initrd" </dev/null 2> >(qemu_stderr_filter >"$log.stderr")
}

# blk_boot SECONDS LOG DEVICE-OPTIONS [QEMU-ARG...] -- MODULE...: q35_boot with a
# virtio-blk at 00:05.0 on $W/disk.img and policy blk.
blk_boot() {
	local limit=$1 log=$2 devopts=$3
	shift 3
	q35_boot "$limit" "$log" blk -drive "file=$W/disk.img,if=none,id=d0,format=raw" \
		-device "virtio-blk-pci,drive=d0,addr=0x5,$devopts" "$@"
}

# sector N S: what client blkc-N writes to sector S (blkclient.c: 32 records of 16 bytes).
sector() {
	local rec i
	rec=$(printf 'blkc-%d:%08x' "$1" "$2")
	for ((i = 0; i < 32; i++)); do printf '%s\n' "$rec"; done
}

# refused DRIVER STATUS LOG CLIENT-ERE: after a boot with the device lacking
# iommu_platform, DRIVER (blk, net) refused it and ended with code 1, the client saw
# it end (CLIENT-ERE matches a console line) and the system still ended (33).
refused() {
	local d=$1 status=$2 log=$3 name=${1}_refuses_a_device_without_access_platform
	if ((status != 33)); then
		fail "$name" "QEMU status $status, see $log"
	elif ! grep -qE -- "$4" "$log"; then
		fail "$name" "the client did not see $d end (see $log)"
	else
		has "$name" "$log" "[$d] $d: device 0 is not a usable virtio-$d (-19)" \
			"tessera: domain $d (id 0) exited with code 1"
	fi
}

# The host echo peer of the network suites (tests/devices/netpeer.py). Callers set
# `trap stop_peer EXIT`.
PEER_PID=
stop_peer() { [[ -z $PEER_PID ]] || kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null; PEER_PID=; }

# A free UDP port for QEMU's end (the peer picks its own and writes it down).
free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_peer LOG (in $W): the echo peer, replying to QEMU_PORT; sets PEER_PORT.
start_peer() {
	local n
	QEMU_PORT=$(free_port) PEER_PORT=
	rm -f "$W/peer.port"
	python3 tests/devices/netpeer.py --port-file "$W/peer.port" --reply-port "$QEMU_PORT" \
		--log "$1" --seconds 60 &
	PEER_PID=$!
	for ((n = 0; n < 100; n++)); do
		[[ -s $W/peer.port ]] && { PEER_PORT=$(cat "$W/peer.port"); return 0; }
		sleep 0.05
	done
	return 1
}
