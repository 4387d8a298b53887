#!/usr/bin/env bash
# The block driver domain end to end: q35 with QEMU's AMD IOMMU and a modern
# virtio-blk (DMA through the IOMMU: iommu_platform=on) on a raw disk image,
# the blk domain (pci=00:05.0, policy tests/qemu/policies/blk.tpol), two good
# clients and a hostile one. Checks the console, then the disk image on the
# host: every acknowledged write is there and nothing else was written.
#   tests/devices/blk.sh     (after `make`; prints PASS/FAIL lines and a summary)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/devices/lib.sh
. tests/devices/lib.sh
D=$B/domains W=$B/devices-blk
DISK_MB=8 BASE=1024 PER_CLIENT=128 SECTORS=16
rm -rf "$W" && mkdir -p "$W"

# boot LOG DEVICE-OPTIONS MODULE...: the virtio-blk machine; QEMU's exit status.
boot() {
	local log=$1 devopts=$2
	shift 2
	blk_boot 20 "$log" "$devopts" -- "$@"
}

# expect_sectors FILE N FIRST COUNT: put client N's sectors into the expected image.
expect_sectors() {
	local s
	for ((s = $3; s < $3 + $4; s++)); do
		sector "$2" "$s" | dd of="$1" bs=512 seek="$s" conv=notrunc status=none
	done
}

# --- a working system: two good clients and a hostile one --------------------------
if fresh_disk "$W/disk.img" $DISK_MB; then pass blk_disk_image_created
else fail blk_disk_image_created "truncate failed"
fi
LOG=$W/boot.log
boot "$LOG" disable-legacy=on,iommu_platform=on \
	"$D/blk.elf domain=blk mem=4M pci=00:05.0" \
	"$D/blkclient.elf domain=blkc-0 mem=2M" "$D/blkclient.elf domain=blkc-1 mem=2M" \
	"$D/blkhostile.elf domain=blkc-3 mem=2M"
ended blk_system_runs_until_every_domain_ended $? "$LOG"
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
fresh_disk "$W/expected.img" $DISK_MB
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
fresh_disk "$W/disk.img" $DISK_MB
boot "$LOG" disable-legacy=on "$D/blk.elf domain=blk mem=4M pci=00:05.0" \
	"$D/blkclient.elf domain=blkc-0 mem=2M"
# The client finds blk gone (-ESRCH) or sees its channel close (-EPIPE), by timing.
refused blk $? "$LOG" '^\[blkc-0\] blkc-0: (no block domain \(-3\)|write of 8 sectors at [0-9]+: -32)'

summary
