#!/usr/bin/env bash
# Containment of the network driver domain: net crashes under load and the core makes
# it again from its boot image (restart=N); its clients reconnect, post their receive
# pages again and send again every frame whose transmit or echo they had not seen
# (rt/netif.h: a frame may reach the wire twice, which Ethernet allows).
# The machine of tests/devices/net.sh (q35, AMD IOMMU, modern virtio-net at 00:06.0 on
# a UDP socket whose other end is tests/devices/netpeer.py, policy
# tests/qemu/policies/net.tpol). netcrash.elf is net that faults on purpose in its
# first life after the device has taken its 10th frame and before the client hears
# of it; both clients are netclient.elf.
#   1. restart=2: net comes back once, both clients reconnect, finish and verify
#      every echo; the peer saw every frame of both (some perhaps twice) and nothing
#      else; nothing but net's first life was destroyed.
#   2. restart=0: net does not come back; the clients report an error (never a
#      success they did not get).
#   3. as 1, with net on a second CPU (-smp 2, cpu=1).
#   tests/devices/net-crash.sh     (after `make`; prints PASS/FAIL lines and a summary)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/devices/lib.sh
. tests/devices/lib.sh
D=$B/domains W=$B/devices-net-crash
FRAMES=16 CRASH_AFTER=10 C0=02:54:53:00:00:10 C1=02:54:53:00:00:11 PEER=02:54:53:00:00:fe
rm -rf "$W" && mkdir -p "$W"
trap stop_peer EXIT

# boot LOG PEER-LOG MODULE...: the virtio-net machine (SMP CPUs), its NIC on a fresh
# echo peer's socket; QEMU's exit status.
SMP=1
boot() {
	local log=$1 plog=$2 status
	shift 2
	start_peer "$plog" || { echo "no port from tests/devices/netpeer.py"; return 1; }
	q35_boot 30 "$log" net -smp $SMP \
		-netdev "socket,id=n0,udp=127.0.0.1:$PEER_PORT,localaddr=127.0.0.1:$QEMU_PORT" \
		-device "virtio-net-pci,netdev=n0,addr=0x6,mac=52:54:00:12:34:56,disable-legacy=on,iommu_platform=on" \
		-- "$@"
	status=$?
	stop_peer
	return $status
}

# peer_saw_every_frame NAME PEER-LOG: every frame of both clients reached the wire, some
# perhaps twice, and nothing else did.
peer_saw_every_frame() {
	local want=$W/peer.expected s len n
	for n in 0 1; do
		for ((s = 0; s < FRAMES; s++)); do
			len=$((s + 1 == FRAMES ? 1514 : 60 + s * 97))
			printf 'frame %d %s %s 88b5 netc-%d seq %08x len %04d\n' "$len" "$PEER" \
				"$([[ $n == 0 ]] && echo $C0 || echo $C1)" "$n" "$s" "$len"
		done
	done | sort >"$want"
	if [[ ! -e $2 ]]; then fail "$1" "no peer log"
	elif sort -u "$2" | cmp -s - "$want"; then pass "$1"
	else fail "$1" "$(sort -u "$2" | diff - "$want" | head -3 | tr '\n' ' ')(see $2)"
	fi
}

# restarted NAME LOG: net crashed once, came back with a new id, both clients reconnected
# to it, finished and verified every echo, and nothing else was destroyed.
restarted() {
	local name=$1 log=$2 new_id
	has "${name}_net_crashes_under_load_and_the_core_restarts_it" "$log" \
		"[net] net: crashing on purpose after $CRASH_AFTER frames" \
		"tessera: domain net (id 0) destroyed: access to an empty grant slot" \
		"tessera: domain net restarted as id"
	new_id=$(sed -n 's/^tessera: domain net restarted as id \([0-9]*\) .*/\1/p' "$log" | head -1)
	if [[ -n $new_id && $new_id != 0 ]] && grep -q "^tessera: domain net (id $new_id) exited with code 0" "$log"; then
		pass "${name}_restarted_net_has_a_new_id_and_ends_cleanly"
	else
		fail "${name}_restarted_net_has_a_new_id_and_ends_cleanly" "no clean exit of net's second life (id '${new_id:-?}'), see $log"
	fi
	if [[ $(grep -c '^\[net\] net: virtio-net ready' "$log") == 2 && $(grep -c '^\[net\] net: netc-[01] connected' "$log") == 4 ]]; then
		pass "${name}_second_life_drives_the_device_again_and_takes_both_clients_back"
	else
		fail "${name}_second_life_drives_the_device_again_and_takes_both_clients_back" "see $log"
	fi
	has "${name}_clients_reconnect_and_send_again" "$log" \
		"[netc-0] netc-0: net went away (id 0); reconnected to id $new_id, sending frame" \
		"[netc-1] netc-1: net went away (id 0); reconnected to id $new_id, sending frame"
	has "${name}_clients_finish_and_verify_every_echo_after_the_crash" "$log" \
		"[netc-0] netc-0: sent $FRAMES frames, every echo verified" \
		"[netc-1] netc-1: sent $FRAMES frames, every echo verified" \
		"tessera: domain netc-0 (id 1) exited with code 0" "tessera: domain netc-1 (id 2) exited with code 0"
	if [[ $(grep -c 'destroyed' "$log") == 1 ]]; then pass "${name}_nothing_else_destroyed"
	else fail "${name}_nothing_else_destroyed" "$(grep destroyed "$log" | tr -d '\r' | tr '\n' ' ')"
	fi
	lacks "${name}_nothing_denied_or_wrong" "$log" "avc: denied" "rejected" "WRONG" "FAILED" \
		"setup failed" "cannot be reached" "virtio: queue" "could not be restarted" "no echo"
}

# --- 1. net crashes under load and comes back ------------------------------------------
LOG=$W/restart.log PLOG=$W/restart.peer.log
boot "$LOG" "$PLOG" "$D/netcrash.elf domain=net mem=4M pci=00:06.0 restart=2" \
	"$D/netclient.elf domain=netc-0 mem=2M" "$D/netclient.elf domain=netc-1 mem=2M"
ended net_crash_system_runs_until_every_domain_ended $? "$LOG"
restarted net_crash "$LOG"
peer_saw_every_frame net_crash_peer_saw_every_frame_and_nothing_else "$PLOG"

# --- 2. net crashes and may not come back: errors, never a false success -----------------
LOG=$W/no-restart.log PLOG=$W/no-restart.peer.log
boot "$LOG" "$PLOG" "$D/netcrash.elf domain=net mem=4M pci=00:06.0" \
	"$D/netclient.elf domain=netc-0 mem=2M" "$D/netclient.elf domain=netc-1 mem=2M"
ended net_crash_without_restart_still_ends $? "$LOG"
has net_crash_without_restart_clients_see_an_error "$LOG" \
	"tessera: domain net (id 0) destroyed: access to an empty grant slot" \
	"[netc-0] netc-0: net went away and cannot be reached again" \
	"[netc-1] netc-1: net went away and cannot be reached again" \
	"tessera: domain netc-0 (id 1) exited with code 1" "tessera: domain netc-1 (id 2) exited with code 1"
lacks net_crash_without_restart_is_not_restarted_and_nobody_claims_success "$LOG" \
	"restarted as id" "every echo verified" "WRONG"

# --- 3. 1 across two CPUs ---------------------------------------------------------------
LOG=$W/restart-smp.log PLOG=$W/restart-smp.peer.log SMP=2
boot "$LOG" "$PLOG" "$D/netcrash.elf domain=net mem=4M pci=00:06.0 restart=2 cpu=1" \
	"$D/netclient.elf domain=netc-0 mem=2M" "$D/netclient.elf domain=netc-1 mem=2M"
ended net_crash_smp_system_runs_until_every_domain_ended $? "$LOG"
restarted net_crash_smp "$LOG"
peer_saw_every_frame net_crash_smp_peer_saw_every_frame_and_nothing_else "$PLOG"

summary
