#!/usr/bin/env bash
# The network driver domain end to end: q35 with QEMU's AMD IOMMU and a modern
# virtio-net (DMA through the IOMMU: iommu_platform=on) on a UDP socket netdev
# whose other end is tests/devices/netpeer.py, which echoes every test frame
# with the addresses swapped. The net domain (pci=00:06.0, policy
# tests/qemu/policies/net.tpol) serves a good client and a hostile one. Checks
# the console, then the peer's log: what reached the wire, and nothing else.
#   tests/devices/net.sh     (after `make`; prints PASS/FAIL lines and a summary)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/devices/lib.sh
. tests/devices/lib.sh
D=$B/domains W=$B/devices-net
FRAMES=16 C0=02:54:53:00:00:10 C1=02:54:53:00:00:11 PEER=02:54:53:00:00:fe
rm -rf "$W" && mkdir -p "$W"
trap stop_peer EXIT

# boot LOG DEVICE-OPTIONS MODULE...: the virtio-net machine, its NIC on the peer's socket.
boot() {
	local log=$1 devopts=$2
	shift 2
	q35_boot 30 "$log" net \
		-netdev "socket,id=n0,udp=127.0.0.1:$PEER_PORT,localaddr=127.0.0.1:$QEMU_PORT" \
		-device "virtio-net-pci,netdev=n0,addr=0x6,mac=52:54:00:12:34:56,$devopts" -- "$@"
}

# --- a working system: a good client and a hostile one ----------------------------
LOG=$W/boot.log PLOG=$W/peer.log
if start_peer "$PLOG"; then pass net_echo_peer_started
else fail net_echo_peer_started "no port from tests/devices/netpeer.py"
fi
boot "$LOG" disable-legacy=on,iommu_platform=on "$D/net.elf domain=net mem=4M pci=00:06.0" \
	"$D/netclient.elf domain=netc-0 mem=2M" "$D/nethostile.elf domain=netc-1 mem=2M"
status=$?
stop_peer
ended net_system_runs_until_every_domain_ended $status "$LOG"
has net_domain_gets_the_device_and_drives_it "$LOG" \
	"tessera: pci 0000:00:06.0 1af4:1041 class 020000" \
	"[net] net: virtio-net ready: mac 52:54:00:12:34:56" "[net] net: serving 2 clients"
has net_client_frames_echoed_and_verified "$LOG" \
	"[netc-0] netc-0: sent $FRAMES frames, every echo verified"
has net_hostile_client_gets_each_error "$LOG" \
	"[netc-1] netc-1: oversize frame (1515): -90 (expected)" \
	"[netc-1] netc-1: oversize frame (2^63): -90 (expected)" \
	"[netc-1] netc-1: zero-length frame: -22 (expected)" \
	"[netc-1] netc-1: frame shorter than a header: -22 (expected)" \
	"[netc-1] netc-1: grant never offered: -116 (expected)" \
	"[netc-1] netc-1: grant index out of range: -22 (expected)" \
	"[netc-1] netc-1: another client's source address: -1 (expected)" \
	"[netc-1] netc-1: read-only receive page: -30 (expected)"
has net_hostile_client_is_still_served_after_malformed_requests "$LOG" \
	"[netc-1] netc-1: every malformed request refused, then a good frame sent and echoed"
has net_domain_served_every_client "$LOG" \
	"[net] net: netc-0 gone: $FRAMES frames sent, 0 refused; $FRAMES received, 0 receive pages refused, 0 dropped" \
	"[net] net: netc-1 gone: 1 frames sent, 7 refused; 1 received, 1 receive pages refused, 0 dropped" \
	"[net] net: every client has gone; 0 frames for no client" \
	"tessera: domain net (id 0) exited with code 0"
lacks net_nothing_denied_destroyed_or_wrong "$LOG" "avc: denied" "destroyed" "rejected" \
	"WRONG" "FAILED" "virtio: queue" "net: dropped"

# On the host: exactly the good frames reached the wire, from their senders' addresses.
want=$W/peer.expected
{
	for ((s = 0; s < FRAMES; s++)); do
		len=$((s + 1 == FRAMES ? 1514 : 60 + s * 97))
		printf 'frame %d %s %s 88b5 netc-0 seq %08x len %04d\n' "$len" "$PEER" "$C0" "$s" "$len"
	done
	printf 'frame 1000 %s %s 88b5 netc-1 seq 00000001 len 1000\n' "$PEER" "$C1"
} | sort >"$want"
if [[ ! -e $PLOG ]]; then
	fail net_peer_saw_exactly_the_good_frames "no peer log"
elif sort "$PLOG" | cmp -s - "$want"; then
	pass net_peer_saw_exactly_the_good_frames
else
	fail net_peer_saw_exactly_the_good_frames "$(sort "$PLOG" | diff - "$want" | head -3 | tr '\n' ' ')(see $PLOG)"
fi

# --- a device whose DMA would bypass the IOMMU is refused -------------------------
LOG=$W/no-access-platform.log
start_peer "$W/peer2.log" || true
boot "$LOG" disable-legacy=on "$D/net.elf domain=net mem=4M pci=00:06.0" \
	"$D/netclient.elf domain=netc-0 mem=2M"
status=$?
stop_peer
# The client finds net gone (-ESRCH), its sends fail (-EPIPE), or it stops waiting for an
# answer that cannot come (-EBUSY): which one depends on timing.
refused net $status "$LOG" \
	'^\[netc-0\] netc-0: (no network domain \(-3\)|setup failed|frame 0 \(60 bytes\): send -(32|16))'

summary
