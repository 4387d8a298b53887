#!/usr/bin/env bash
# The block driver domain end to end: q35 with QEMU's AMD IOMMU and a modern
# virtio-blk (DMA through the IOMMU: iommu_platform=on) on a raw disk image,
# the blk domain (pci=00:05.0, policy tests/qemu/policies/blk.tpol), two good
# clients and a hostile one. Checks the console, then the disk image on the
# host: every acknowledged write is there and nothing else was written.
#   tests/devices/blk.sh     (after `make`; prints PASS/FAIL lines and a summary)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh
D=$B/domains W=$B/devices-blk
DISK_MB=8 BASE=1024 PER_CLIENT=128 SECTORS=16
rm -rf "$W" && mkdir -p "$W"
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# boot LOG DEVICE-OPTIONS MODULE...: boot.sh has no way to add devices, so QEMU
# runs here with lib.sh's base arguments; returns QEMU's exit status.
boot() {
	local log=$1 devopts=$2 m initrd=
	shift 2
	for m in "$@" "$B/policy/blk.tpb kind=policy"; do initrd+=${initrd:+,}$m; done
	timeout -k 5 20 "$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu \
		-drive "file=$W/disk.img,if=none,id=d0,format=raw" \
		-device "virtio-blk-pci,drive=d0,addr=0x5,$devopts" \
		-serial "file:$log" -monitor none -kernel "$B/tessera.mb1" -append debug_exit=on \
		-initrd "$initrd" </dev/null 2> >(qemu_stderr_filter >"$log.stderr")
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

# sector N S: what client blkc-N writes to sector S (blkclient.c: 32 records of 16 bytes).
sector() {
	local rec i
	rec=$(printf 'blkc-%d:%08x' "$1" "$2")
	for ((i = 0; i < 32; i++)); do printf '%s\n' "$rec"; done
}

# expect_sectors FILE N FIRST COUNT: put client N's sectors into the expected image.
expect_sectors() {
	local s
	for ((s = $3; s < $3 + $4; s++)); do
		sector "$2" "$s" | dd of="$1" bs=512 seek="$s" conv=notrunc status=none
	done
}

# --- a working system: two good clients and a hostile one --------------------------
if truncate -s ${DISK_MB}M "$W/disk.img"; then pass blk_disk_image_created
else fail blk_disk_image_created "truncate failed"
fi
LOG=$W/boot.log
boot "$LOG" disable-legacy=on,iommu_platform=on \
	"$D/blk.elf domain=blk mem=4M pci=00:05.0" \
	"$D/blkclient.elf domain=blkc-0 mem=2M" "$D/blkclient.elf domain=blkc-1 mem=2M" \
	"$D/blkhostile.elf domain=blkc-3 mem=2M"
status=$?
if ((status == 33)); then pass blk_system_runs_until_every_domain_ended
else fail blk_system_runs_until_every_domain_ended "QEMU status $status ($(status_meaning "$status")), see $LOG"
fi
has blk_domain_gets_the_device_and_drives_it "$LOG" \
	"tessera: pci 0000:00:05.0 1af4:1042 class 010000" \
	"[blk] blk: virtio-blk ready: $((DISK_MB * 2048)) sectors" "[blk] blk: serving 3 clients"
has blk_good_clients_write_and_verify "$LOG" \
	"[blkc-0] blkc-0: wrote and verified $SECTORS sectors" \
	"[blkc-1] blkc-1: wrote and verified $SECTORS sectors"
has blk_hostile_client_gets_each_error "$LOG" \
	"[blkc-3] blkc-3: sector out of range: -34 (expected)" \
	"[blkc-3] blkc-3: count 0: -22 (expected)" "[blkc-3] blkc-3: count 9: -22 (expected)" \
	"[blkc-3] blkc-3: sector + count overflows: -75 (expected)" \
	"[blkc-3] blkc-3: grant never offered: -116 (expected)" \
	"[blkc-3] blkc-3: grant index out of range: -22 (expected)" \
	"[blkc-3] blkc-3: unknown op: -38 (expected)" \
	"[blkc-3] blkc-3: flush with a sector: -22 (expected)" \
	"[blkc-3] blkc-3: read into a read-only grant: -30 (expected)"
has blk_hostile_client_is_still_served_after_malformed_requests "$LOG" \
	"[blkc-3] blkc-3: every malformed request refused, then a good one served"
has blk_domain_served_every_client "$LOG" \
	"[blk] blk: blkc-0 gone: 8 requests served, 0 refused" \
	"[blk] blk: blkc-1 gone: 8 requests served, 0 refused" \
	"[blk] blk: blkc-3 gone: 2 requests served, 9 refused" \
	"[blk] blk: every client has gone" "tessera: domain blk (id 0) exited with code 0"
lacks blk_nothing_denied_destroyed_or_wrong "$LOG" "avc: denied" "destroyed" "rejected" \
	"WRONG" "FAILED" "virtio: queue"

# On the host: the clients' sectors hold their records, every other byte is zero.
truncate -s ${DISK_MB}M "$W/expected.img"
expect_sectors "$W/expected.img" 0 $BASE $SECTORS
expect_sectors "$W/expected.img" 1 $((BASE + PER_CLIENT)) $SECTORS
expect_sectors "$W/expected.img" 3 $((BASE + 3 * PER_CLIENT)) 1
if cmp -s "$W/expected.img" "$W/disk.img"; then
	pass blk_acknowledged_writes_are_on_the_disk_and_nothing_else
else
	fail blk_acknowledged_writes_are_on_the_disk_and_nothing_else \
		"$(cmp "$W/expected.img" "$W/disk.img" 2>&1 | head -1) (sector = byte / 512)"
fi

# --- a device whose DMA would bypass the IOMMU is refused -------------------------
LOG=$W/no-access-platform.log
truncate -s 0 "$W/disk.img" && truncate -s ${DISK_MB}M "$W/disk.img"
boot "$LOG" disable-legacy=on "$D/blk.elf domain=blk mem=4M pci=00:05.0" \
	"$D/blkclient.elf domain=blkc-0 mem=2M"
status=$?
# The client finds blk gone (-ESRCH) or sees its channel close (-EPIPE), by timing.
if ((status != 33)); then
	fail blk_refuses_a_device_without_access_platform "QEMU status $status, see $LOG"
elif ! grep -qE '^\[blkc-0\] blkc-0: (no block domain \(-3\)|write of 8 sectors at [0-9]+: -32)' "$LOG"; then
	fail blk_refuses_a_device_without_access_platform "the client did not see blk end (see $LOG)"
else
	has blk_refuses_a_device_without_access_platform "$LOG" \
		"[blk] blk: device 0 is not a usable virtio-blk (-19)" \
		"tessera: domain blk (id 0) exited with code 1"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
