#!/usr/bin/env bash
# What disaggregation costs a network device, measured side by side in one run, under
# QEMU TCG (-cpu EPYC: AMD SVM) on the machine of tests/devices/net.sh (q35, AMD
# IOMMU, modern virtio-net at 00:06.0 on a UDP socket netdev, policy net.tpol), whose
# other end is an echo peer on the host (below: tests/devices/netpeer.py without its
# per-frame log, which would slow it down).
#   a. through the driver domain: netbench.elf (netclient.c, as netc-0) sends the
#      frames of rt/netbench.h, each client -> ring -> net (build/domains/net.elf)
#      -> virtio -> peer, and takes their echoes back the same way;
#   b. direct: netdirect.elf (driver-domains/net/direct.c), one domain owning the
#      same device, moves the same frames itself with the same copies net makes.
# Both send M MiB of 1514-byte frames, 8 in flight (NETBENCH_WINDOW; with one, the
# round trip through QEMU's socket and the peer, about 1 ms, would be all there is to
# see), each handed to the device one at a time by the same driver (net/vnet.c), and
# check every byte of every echo, in order (a wrong, missing or reordered echo fails the
# boot); the peer counts the frames it echoed, which must be every frame sent, and the
# CPU time it used.
# Boots a b a b a b; the best boot of each counts. Each run is timed on the host between
# the domain's console lines "bench: X-echo start M" and "bench: X-echo end M"
# (M: NET_BENCH_MB in the Makefile). Then the peer alone is timed with a host source
# sending the same frames with the same window: if it is not much faster than the
# guest, or if it was busy for most of a timed run, the output says the peer is the
# bottleneck.
#
#   BENCH_NET_ROUNDS=3   boots of each
#
# Console and peer logs: build/bench/net/.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/qemu/lib.sh
D=$B/bench/net
ROUNDS=${BENCH_NET_ROUNDS:-3}
NEED=("$B/tessera.mb1" "$B/domains/net.elf" "$B/domains/netbench.elf" "$B/domains/netdirect.elf"
	"$B/policy/net.tpb")

die() { echo "bench/net.sh: $*" >&2; exit 1; }
[[ $ROUNDS =~ ^[1-9]$ ]] || die "BENCH_NET_ROUNDS must be 1 to 9"
make -s "${NEED[@]}" || die "make failed"
rm -rf "$D"
mkdir -p "$D"

# The echo peer: every frame of type 0x88b5 back to 127.0.0.1:REPLY-PORT with the two
# addresses swapped. On SIGTERM it writes "FRAMES BYTES CPU-SECONDS" to STATS.
#   python3 -c "$PEER" PORT-FILE REPLY-PORT STATS
PEER='
import os, signal, socket, sys, time
port_file, reply, stats = sys.argv[1], ("127.0.0.1", int(sys.argv[2])), sys.argv[3]
def stop(*_): raise SystemExit(0)
signal.signal(signal.SIGTERM, stop)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("127.0.0.1", 0))
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(port_file + ".tmp", port_file)
n = nbytes = 0
cpu = time.process_time()  # what starting Python cost is not echoing
try:
    while True:
        d = s.recv(65536)
        if len(d) >= 14 and d[12:14] == b"\x88\xb5":
            s.sendto(d[6:12] + d[0:6] + d[12:], reply)
            n += 1
            nbytes += len(d)
finally:
    with open(stats, "w") as f:
        f.write("%d %d %.3f\n" % (n, nbytes, time.process_time() - cpu))
'

# The host source for the peer alone: FRAMES frames of LEN bytes, WINDOW in flight,
# each echo checked; prints the seconds from the first send to the last echo.
#   python3 -c "$SOURCE" PEER-PORT MY-PORT FRAMES LEN WINDOW
SOURCE='
import socket, sys, time
peer = ("127.0.0.1", int(sys.argv[1]))
frames, length, window = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[2])))
s.settimeout(5)
me, them = bytes([2, 0x54, 0x53, 0, 0, 0x10]), bytes([2, 0x54, 0x53, 0, 0, 0xfe])
body = bytes(k & 0xff for k in range(length - 16))
def frame(q): return them + me + b"\x88\xb5" + q.to_bytes(2, "big") + body
sent = got = 0
t = time.monotonic()
while got < frames:
    while sent < frames and sent - got < window:
        s.sendto(frame(sent & 0xffff), peer)
        sent += 1
    if s.recv(65536) != me + them + frame(got & 0xffff)[12:]:
        sys.exit("echo %d wrong" % got)
    got += 1
print("%.6f" % (time.monotonic() - t))
'

free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_peer NAME: a fresh echo peer for run NAME, replying to a free port; sets
# PEER_PID, PEER_PORT and QEMU_PORT. Its statistics go to $D/NAME.peer.
start_peer() {
	local n
	QEMU_PORT=$(free_port) PEER_PORT=
	rm -f "$D/$1.port" "$D/$1.peer"
	python3 -c "$PEER" "$D/$1.port" "$QEMU_PORT" "$D/$1.peer" &
	PEER_PID=$!
	for ((n = 0; n < 100; n++)); do
		[[ -s $D/$1.port ]] && { PEER_PORT=$(cat "$D/$1.port"); return 0; }
		sleep 0.05
	done
	die "the echo peer did not start"
}

# stop_peer NAME: ends the peer (started by this shell); sets PEER_STATS to its
# "FRAMES BYTES CPU-SECONDS".
stop_peer() {
	kill "$PEER_PID" 2>/dev/null || true
	wait "$PEER_PID" 2>/dev/null || true
	PEER_PID=
	[[ -s $D/$1.peer ]] || die "the echo peer of $1 left no statistics"
	PEER_STATS=$(cat "$D/$1.peer")
}

# timed NAME MODULE...: boots the modules with a fresh peer, console into $D/NAME.log;
# prints "FRAMES LEN SECONDS PEER-CPU-SECONDS WINDOW". QEMU writes into a FIFO, read line by
# line: each line is timestamped the moment it is complete. Called in $(...): the trap
# is the subshell's, and ends QEMU and the peer if the subshell ends early.
timed() {
	local name=$1 log=$D/$1.log fifo=$D/$1.fifo line now status=0 fd initrd='' mod
	local start='' end='' frames='' len='' window=''
	shift
	for mod in "$@" "$B/policy/net.tpb kind=policy"; do initrd+=${initrd:+,}$mod; done
	QPID='' PEER_PID=''
	trap '[[ -z $QPID ]] || kill "$QPID" 2>/dev/null; [[ -z $PEER_PID ]] || kill "$PEER_PID" 2>/dev/null; true' EXIT
	rm -f "$log" "$fifo"
	mkfifo "$fifo"
	start_peer "$name"
	timeout -k 5 180 "$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu \
		-netdev "socket,id=n0,udp=127.0.0.1:$PEER_PORT,localaddr=127.0.0.1:$QEMU_PORT" \
		-device "virtio-net-pci,netdev=n0,addr=0x6,mac=52:54:00:12:34:56,disable-legacy=on,iommu_platform=on" \
		-serial stdio -monitor none -kernel "$B/tessera.mb1" -append debug_exit=on \
		-initrd "$initrd" >"$fifo" 2>/dev/null </dev/null &
	QPID=$!
	exec {fd}<"$fifo"
	while IFS= read -r -u "$fd" line; do
		now=$EPOCHREALTIME
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$log"
		# "bench: net-echo start M", "bench: direct-echo end M",
		# "bench: direct-echo verified N frames of L bytes, W in flight"
		if [[ $line =~ bench:\ [a-z]+-echo\ start\ [0-9]+$ ]]; then
			start=$now
		elif [[ $line =~ bench:\ [a-z]+-echo\ end\ [0-9]+$ ]]; then
			end=$now
		elif [[ $line =~ bench:\ [a-z]+-echo\ verified\ ([0-9]+)\ frames\ of\ ([0-9]+)\ bytes,\ ([0-9]+)\ in\ flight$ ]]; then
			frames=${BASH_REMATCH[1]} len=${BASH_REMATCH[2]} window=${BASH_REMATCH[3]}
		fi
	done
	exec {fd}<&-
	wait "$QPID" || status=$?
	QPID=
	rm -f "$fifo"
	stop_peer "$name"
	((status == 33)) || die "boot $name: QEMU status $status ($(status_meaning "$status")), console: $log"
	[[ -n $start && -n $end && -n $frames ]] ||
		die "boot $name: missing 'bench: ... start/end/verified' lines (console: $log)"
	# Every frame sent crossed the wire to the peer and back once (no loss, no resend).
	[[ ${PEER_STATS%% *} == "$frames" ]] ||
		die "boot $name: the peer echoed ${PEER_STATS%% *} frames, the domain verified $frames"
	awk -v n="$frames" -v l="$len" -v a="$start" -v b="$end" -v p="$PEER_STATS" -v w="$window" \
		'BEGIN { split(p, q, " "); print n, l, b - a, q[3], w }'
}

declare -a via direct
for ((r = 1; r <= ROUNDS; r++)); do
	via+=("$(timed "via-net-$r" "$B/domains/net.elf domain=net mem=4M pci=00:06.0" \
		"$B/domains/netbench.elf domain=netc-0 mem=2M")")
	direct+=("$(timed "direct-$r" "$B/domains/netdirect.elf domain=net mem=4M pci=00:06.0")")
done
read -r frames len _ _ window <<<"${via[0]}"
read -r f l _ _ w <<<"${direct[0]}"
[[ "$f $l $w" == "$frames $len $window" ]] ||
	die "the two images move different traffic ($frames/$len/$window vs $f/$l/$w frames/bytes/window): rebuild"

# The peer alone: the same frames and window from a host source (itself in Python, so
# this is a lower bound of what the peer can do).
start_peer alone
alone=$(python3 -c "$SOURCE" "$PEER_PORT" "$QEMU_PORT" "$frames" "$len" "$window") ||
	die "the host source could not drive the echo peer"
stop_peer alone
[[ ${PEER_STATS%% *} == "$frames" ]] || die "the peer alone echoed ${PEER_STATS%% *} of $frames frames"

qver=$(qemu-system-x86_64 --version | head -1 | awk '{ print $4 }')
echo "== network I/O through the driver domain vs direct (QEMU $qver TCG -cpu EPYC, virtio-net behind the AMD IOMMU) =="
echo "  $frames frames of $len bytes sent to an echo peer on the host (UDP socket netdev) and echoed"
echo "  back, $window in flight, every byte of every echo checked;"
echo "  boots alternate a b ($ROUNDS each), best counts; MiB/s each way (the same bytes come back)"
{
	printf 'via %s\n' "${via[@]}"
	printf 'direct %s\n' "${direct[@]}"
	echo "alone $frames $len $alone 0 $window"
} >"$D/times.txt"
awk '
function row(what, k) {
	printf "  %-40s %7.1f %9.0f %9.0f%%  %s\n", what, mib / t[k], n / t[k], 100 * busy[k], each[k]
}
{ n = $2; mib = n * $3 / 1048576
  if (!($1 in t) || $4 < t[$1]) t[$1] = $4
  each[$1] = each[$1] sprintf(" %.1f", mib / $4)
  if ($5 / $4 > busy[$1]) busy[$1] = $5 / $4 }
END {
	printf "  %-40s %7s %9s %10s   %s\n", "path", "MiB/s", "frames/s", "peer busy", "each boot: MiB/s"
	row("client -> ring -> net domain -> virtio", "via")
	row("one domain owning the device (direct)", "direct")
	printf "  %-40s %7.2f\n", "time through net / time direct", t["via"] / t["direct"]
	printf "  the network domain adds %.1f us per frame sent and echoed (%d frames)\n",
		1e6 * (t["via"] - t["direct"]) / n, n
	fast = t["direct"] < t["via"] ? mib / t["direct"] : mib / t["via"]
	worst = busy["via"] > busy["direct"] ? busy["via"] : busy["direct"]
	printf "  the echo peer alone (host source, same frames and window): %.1f MiB/s\n", mib / t["alone"]
	if (mib / t["alone"] < 2 * fast || worst > 0.7)
		print "  WARNING: the echo peer is (close to) the bottleneck: it caps both paths, and the ratio understates the cost"
	else
		printf "  the echo peer is not the bottleneck: at most %.0f%% busy, %.1fx faster than the faster path\n",
			100 * worst, mib / t["alone"] / fast
}' "$D/times.txt"
echo "  (peer busy: the peer's CPU time over the timed run, the worst boot of each path.)"
echo "  QEMU TCG emulates the CPU and the device: these are emulator numbers, not hardware ones."
echo "  The added time per frame is the disaggregation: the client's events and net's (hypercalls,"
echo "  VM exits, domain switches), and net mapping and unmapping the client's page twice (the"
echo "  frame out, the echo in). Exits and device emulation cost differently on hardware, so"
echo "  the ratio compares the two paths under this emulator only."
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(qemu-system-x86_64 --version | head -1)"
