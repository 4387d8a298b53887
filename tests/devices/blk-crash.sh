#!/usr/bin/env bash
# Containment of the block driver domain: blk crashes under load and the core makes
# it again from its boot image (restart=N); its clients reconnect and send their
# requests again, and no write acknowledged before the crash is lost.
# The machine of tests/devices/blk.sh (q35, AMD IOMMU, modern virtio-blk at 00:05.0,
# policy tests/qemu/policies/blk.tpol). blkcrash.elf is blk that faults on purpose in
# its first life after the device has carried out its 20th request and before the
# client hears of it; blkstress.elf is blkclient.elf over 128 sectors, printing
# "blkc-N: acked S+C" for each write acknowledged (rt/blkif.h, blkclient.c).
#   1. restart=2: blk comes back once, both clients finish and verify everything;
#      on the host every acknowledged sector holds its client's data, and nothing
#      else was written.
#   2. restart=0: blk does not come back; the clients report an error (never a
#      success they did not get), and on the host every acknowledged sector holds
#      its client's data; the others hold that data or are still zero.
#   3. as 1, with blk on a second CPU (-smp 2, cpu=1): the close, the restart and the
#      reconnection cross CPUs.
#   tests/devices/blk-crash.sh     (after `make`; prints PASS/FAIL lines and a summary)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/devices/lib.sh
. tests/devices/lib.sh
D=$B/domains W=$B/devices-blk-crash
DISK_MB=8 BASE=1024 PER_CLIENT=128 SECTORS=128 CRASH_AFTER=20
rm -rf "$W" && mkdir -p "$W"

# boot LOG MODULE...: the machine of blk.sh (SMP CPUs), on a fresh zeroed disk; QEMU's exit status.
SMP=1
boot() {
	local log=$1
	shift
	fresh_disk "$W/disk.img" $DISK_MB || return 1
	blk_boot 30 "$log" disable-legacy=on,iommu_platform=on -smp $SMP -- "$@"
}

# acked LOG N: client N's acknowledged sectors, one a line, from its "acked S+C" lines.
acked() {
	sed -n "s/^\[blkc-$2\] blkc-$2: acked \([0-9]*\)+\([0-9]*\)\r*$/\1 \2/p" "$1" |
		while read -r s c; do seq "$s" $((s + c - 1)); done | sort -nu
}

# check_disk NAME LOG STRICT: every acknowledged sector of clients 0 and 1 holds its
# data; STRICT=1: every other byte of the disk is zero; STRICT=0: a sector in a
# client's range that was not acknowledged holds that client's data or zeros (a
# write in flight when blk died may or may not have reached the disk).
check_disk() {
	local name=$1 log=$2 strict=$3 n s first k bad='' nacked=0
	local -A ack=()
	fresh_disk "$W/expected.img" $DISK_MB
	for n in 0 1; do
		for s in $(acked "$log" "$n"); do
			ack[$s]=$n nacked=$((nacked + 1))
			sector "$n" "$s" | dd of="$W/expected.img" bs=512 seek="$s" conv=notrunc status=none
		done
	done
	if ((nacked == 0)); then
		fail "$name" "no acknowledged write in $log"
		return
	fi
	# Sectors where the disk differs from "acknowledged data, zeros elsewhere".
	for s in $(cmp -l "$W/expected.img" "$W/disk.img" 2>/dev/null | awk '{ print int(($1 - 1) / 512) }' | uniq); do
		if [[ -n ${ack[$s]:-} ]]; then
			bad="acknowledged sector $s of blkc-${ack[$s]} does not hold its data"
			break
		fi
		first=$(((s - BASE) / PER_CLIENT)) k=
		if ((strict == 0 && s >= BASE && first >= 0 && first <= 1 &&
			s < BASE + first * PER_CLIENT + SECTORS)); then
			dd if="$W/disk.img" bs=512 skip="$s" count=1 status=none | cmp -s - <(sector "$first" "$s") && k=1
		fi
		[[ -n $k ]] || { bad="sector $s holds something no acknowledged or in-flight write put there"; break; }
	done
	if [[ -n $bad ]]; then fail "$name" "$bad (see $log, $W/disk.img)"
	else pass "$name"
	fi
}

# --- 1. blk crashes under load and comes back ------------------------------------------
LOG=$W/restart.log
boot "$LOG" "$D/blkcrash.elf domain=blk mem=4M pci=00:05.0 restart=2" \
	"$D/blkstress.elf domain=blkc-0 mem=2M" "$D/blkstress.elf domain=blkc-1 mem=2M"
ended blk_crash_system_runs_until_every_domain_ended $? "$LOG"
has blk_crashes_under_load_and_the_core_restarts_it "$LOG" \
	"[blk] blk: crashing on purpose after $CRASH_AFTER requests" \
	"tessera: domain blk (id 0) destroyed: access to an empty grant slot" \
	"tessera: domain blk restarted as id"
new_id=$(sed -n 's/^tessera: domain blk restarted as id \([0-9]*\) .*/\1/p' "$LOG" | head -1)
if [[ -n $new_id && $new_id != 0 ]] && grep -q "^tessera: domain blk (id $new_id) exited with code 0" "$LOG"; then
	pass blk_restarted_has_a_new_id_and_ends_cleanly
else
	fail blk_restarted_has_a_new_id_and_ends_cleanly "no clean exit of blk's second life (id '${new_id:-?}'), see $LOG"
fi
if [[ $(grep -c '^\[blk\] blk: virtio-blk ready' "$LOG") == 2 && $(grep -c '^\[blk\] blk: blkc-[01] connected' "$LOG") == 4 ]]; then
	pass blk_second_life_drives_the_device_again_and_takes_both_clients_back
else
	fail blk_second_life_drives_the_device_again_and_takes_both_clients_back "see $LOG"
fi
has blk_clients_reconnect_and_send_again "$LOG" \
	"[blkc-0] blkc-0: blk went away (id 0); reconnected to id $new_id, sending again" \
	"[blkc-1] blkc-1: blk went away (id 0); reconnected to id $new_id, sending again"
has blk_clients_finish_and_verify_every_sector_after_the_crash "$LOG" \
	"[blkc-0] blkc-0: wrote and verified $SECTORS sectors" \
	"[blkc-1] blkc-1: wrote and verified $SECTORS sectors" \
	"tessera: domain blkc-0 (id 1) exited with code 0" "tessera: domain blkc-1 (id 2) exited with code 0"
for n in 0 1; do
	want=$(seq $((BASE + n * PER_CLIENT)) $((BASE + n * PER_CLIENT + SECTORS - 1)))
	if [[ $(acked "$LOG" $n) == "$want" ]]; then pass "blk_crash_client_${n}_got_every_write_acknowledged"
	else fail "blk_crash_client_${n}_got_every_write_acknowledged" "its acked lines do not cover its $SECTORS sectors (see $LOG)"
	fi
done
lacks blk_crash_nothing_denied_or_wrong "$LOG" "avc: denied" "rejected" "WRONG" "FAILED" \
	"setup failed" "cannot be reached" "virtio: queue" "could not be restarted"
check_disk blk_crash_acknowledged_writes_are_on_the_disk_and_nothing_else "$LOG" 1

# --- 2. blk crashes and may not come back: errors, never corruption -----------------------
LOG=$W/no-restart.log
boot "$LOG" "$D/blkcrash.elf domain=blk mem=4M pci=00:05.0" \
	"$D/blkstress.elf domain=blkc-0 mem=2M" "$D/blkstress.elf domain=blkc-1 mem=2M"
ended blk_crash_without_restart_still_ends $? "$LOG"
has blk_crash_without_restart_clients_see_an_error "$LOG" \
	"tessera: domain blk (id 0) destroyed: access to an empty grant slot" \
	"[blkc-0] blkc-0: blk went away and cannot be reached again (-3)" \
	"[blkc-1] blkc-1: blk went away and cannot be reached again (-3)" \
	"tessera: domain blkc-0 (id 1) exited with code 1" "tessera: domain blkc-1 (id 2) exited with code 1"
lacks blk_crash_without_restart_is_not_restarted_and_nobody_claims_success "$LOG" \
	"restarted as id" "wrote and verified" "WRONG"
check_disk blk_crash_without_restart_acknowledged_writes_survive_and_nothing_is_corrupt "$LOG" 0

# --- 3. 1 across two CPUs ---------------------------------------------------------------
LOG=$W/restart-smp.log SMP=2
boot "$LOG" "$D/blkcrash.elf domain=blk mem=4M pci=00:05.0 restart=2 cpu=1" \
	"$D/blkstress.elf domain=blkc-0 mem=2M" "$D/blkstress.elf domain=blkc-1 mem=2M"
ended blk_crash_smp_system_runs_until_every_domain_ended $? "$LOG"
has blk_crash_smp_blk_restarts_on_its_cpu_and_clients_finish "$LOG" \
	"tessera: domain blk (id 0) destroyed: access to an empty grant slot" \
	"tessera: domain blk restarted as id" \
	"[blkc-0] blkc-0: wrote and verified $SECTORS sectors" \
	"[blkc-1] blkc-1: wrote and verified $SECTORS sectors"
lacks blk_crash_smp_nothing_denied_or_wrong "$LOG" "avc: denied" "rejected" "WRONG" "FAILED" \
	"setup failed" "cannot be reached" "virtio: queue" "could not be restarted"
check_disk blk_crash_smp_acknowledged_writes_are_on_the_disk_and_nothing_else "$LOG" 1

summary
