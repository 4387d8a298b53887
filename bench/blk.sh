#!/usr/bin/env bash
# What disaggregation costs a block device, measured side by side in one run, under
# QEMU TCG (-cpu EPYC: AMD SVM) on the machine of tests/devices/blk.sh (q35, AMD
# IOMMU, modern virtio-blk at 00:05.0 on a raw 8 MiB image, policy blk.tpol).
#   a. through the driver domain: blkbench.elf (blkclient.c, as blkc-0) writes M MiB
#      in 4 KiB requests over the disk's first 8 MiB, then reads them, each request
#      client -> ring -> blk (build/domains/blk.elf) -> virtio and back;
#   b. direct: blkdirect.elf (driver-domains/blk/direct.c), the same domain owning
#      the same device, moves the same data itself with the same copies blk makes.
# One request in flight in both. Boots a b a b a b; the best boot of each counts. Each
# phase is timed on the host between the domain's console lines "bench: X start M"
# and "bench: X end M" (M: BLK_BENCH_MB in the Makefile).
#
#   BENCH_BLK_ROUNDS=3   boots of each
#
# Console logs: build/bench/blk/.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/qemu/lib.sh
B=build
D=$B/bench/blk
ROUNDS=${BENCH_BLK_ROUNDS:-3}

die() { echo "bench/blk.sh: $*" >&2; exit 1; }
[[ $ROUNDS =~ ^[1-9]$ ]] || die "BENCH_BLK_ROUNDS must be 1 to 9"
for f in $B/tessera.mb1 $B/domains/blk.elf $B/domains/blkbench.elf $B/domains/blkdirect.elf \
	$B/policy/blk.tpb; do
	[[ -e $f ]] || die "$f is missing: run make first"
done
rm -rf "$D"
mkdir -p "$D"

# timed NAME MODULE...: boots the modules, console into $D/NAME.log; prints
# "MiB write-seconds read-seconds" of the phases the domains report (blk-* or direct-*).
# QEMU writes into a FIFO, read line by line: each line is timestamped the moment
# it is complete. Called in $(...): the trap is the subshell's, and ends QEMU if the
# subshell ends early.
timed() {
	local name=$1 log=$D/$1.log fifo=$D/$1.fifo line now m='' status=0 fd initrd='' mod
	local -A t=()
	shift
	for mod in "$@" "$B/policy/blk.tpb kind=policy"; do initrd+=${initrd:+,}$mod; done
	QPID=
	trap '[[ -z $QPID ]] || kill "$QPID" 2>/dev/null || true' EXIT
	rm -f "$log" "$fifo" "$D/disk.img"
	truncate -s 8M "$D/disk.img"
	mkfifo "$fifo"
	timeout -k 5 120 "$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu \
		-drive "file=$D/disk.img,if=none,id=d0,format=raw" \
		-device "virtio-blk-pci,drive=d0,addr=0x5,disable-legacy=on,iommu_platform=on" \
		-serial stdio -monitor none -kernel "$B/tessera.mb1" -append debug_exit=on \
		-initrd "$initrd" >"$fifo" 2>/dev/null </dev/null &
	QPID=$!
	exec {fd}<"$fifo"
	while IFS= read -r -u "$fd" line; do
		now=$EPOCHREALTIME
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$log"
		# "bench: blk-write start M", "bench: direct-read end M", ...
		if [[ $line =~ bench:\ [a-z]+-(write|read)\ (start|end)\ ([0-9]+)$ ]]; then
			t[${BASH_REMATCH[1]}.${BASH_REMATCH[2]}]=$now m=${BASH_REMATCH[3]}
		fi
	done
	exec {fd}<&-
	wait "$QPID" || status=$?
	QPID=
	rm -f "$fifo"
	((status == 33)) || die "boot $name: QEMU status $status ($(status_meaning "$status")), console: $log"
	local ws=${t[write.start]:-} we=${t[write.end]:-} rs=${t[read.start]:-} re=${t[read.end]:-}
	[[ -n $m && -n $ws && -n $we && -n $rs && -n $re ]] ||
		die "boot $name: missing 'bench: ... start/end' lines (console: $log)"
	awk -v m="$m" -v a="$ws" -v b="$we" -v c="$rs" -v d="$re" 'BEGIN { print m, b - a, d - c }'
}

declare -a via direct
for ((r = 1; r <= ROUNDS; r++)); do
	via+=("$(timed "via-blk-$r" "$B/domains/blk.elf domain=blk mem=4M pci=00:05.0" \
		"$B/domains/blkbench.elf domain=blkc-0 mem=2M")")
	direct+=("$(timed "direct-$r" "$B/domains/blkdirect.elf domain=blk mem=4M pci=00:05.0")")
done

qver=$(qemu-system-x86_64 --version | head -1 | awk '{ print $4 }')
mib=${via[0]%% *}
[[ ${direct[0]%% *} == "$mib" ]] || die "the two images move different amounts (${via[0]%% *} vs ${direct[0]%% *} MiB): rebuild"
echo "== block I/O through the driver domain vs direct (QEMU $qver TCG -cpu EPYC, virtio-blk behind the AMD IOMMU) =="
echo "  $mib MiB written then read in 4 KiB requests, one in flight; boots alternate a b ($ROUNDS each), best counts"
printf '%s\n' "${via[@]}" | sed 's/^/via /' >"$D/times.txt"
printf '%s\n' "${direct[@]}" | sed 's/^/direct /' >>"$D/times.txt"
awk '
function best(a, b) { return a == "" || b < a ? b : a }
{ w[$1] = best(w[$1], $3); r[$1] = best(r[$1], $4); m = $2
  ws[$1] = ws[$1] sprintf(" %.1f", m / $3); rs[$1] = rs[$1] sprintf(" %.1f", m / $4) }
END {
	printf "  %-44s %11s %11s   %s\n", "path", "write MiB/s", "read MiB/s", "each boot: write / read MiB/s"
	printf "  %-44s %11.1f %11.1f  %s /%s\n", "client -> ring -> blk domain -> virtio", m / w["via"], m / r["via"], ws["via"], rs["via"]
	printf "  %-44s %11.1f %11.1f  %s /%s\n", "one domain owning the device (direct)", m / w["direct"], m / r["direct"], ws["direct"], rs["direct"]
	printf "  %-44s %11.2f %11.2f\n", "direct / through the driver domain", w["via"] / w["direct"], r["via"] / r["direct"]
	n = m * 256
	printf "  the driver domain adds %.1f us per 4 KiB write and %.1f us per read (%d requests each)\n",
		1e6 * (w["via"] - w["direct"]) / n, 1e6 * (r["via"] - r["direct"]) / n, n
}' "$D/times.txt"
echo "  QEMU TCG emulates the CPU and the device: these are emulator numbers, not hardware ones."
echo "  The added time per request is the disaggregation: the client's event and the"
echo "  response's (hypercalls, VM exits, two domain switches) and blk mapping and unmapping"
echo "  the client's page. Exits and device emulation cost differently on hardware, so the"
echo "  ratio compares the two paths under this emulator only. The disk image is a host"
echo "  file (QEMU's page cache; no flush is timed)."
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(qemu-system-x86_64 --version | head -1)"
