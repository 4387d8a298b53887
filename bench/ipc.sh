#!/usr/bin/env bash
# Communication costs and how the core scales, under QEMU TCG (-cpu EPYC: AMD SVM).
#  1. One boot, side by side: null hypercalls, event-channel round trips (one request
#     in flight: send, upcall, response, upcall) and a streaming ring (32 in flight),
#     run by the ring demo's "ping-bench" against "pong". Timed on the host between
#     the domain's start and end console lines.
#  2. Boot time and core memory with 1, 8 and 64 domains.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
LOG=$B/bench-ipc.log
SMP=1
QEMU=(timeout -k 5 600 qemu-system-x86_64 -accel tcg -cpu EPYC -m 512M -display none -serial stdio
	-monitor none -no-reboot -nic none -device isa-debug-exit,iobase=0xf4,iosize=4
	-kernel $B/tessera.mb1 -append debug_exit=on)

# timed_boot MODULES: every console line into $LOG, each "bench: X start|end" and the
# first and last line timestamped into t[].
declare -A t
timed_boot() {
	local line k
	t=()
	rm -f "$LOG"
	while IFS= read -r line; do
		line=${line%$'\r'}
		echo "$line" >>"$LOG"
		[[ -n ${t[first]:-} ]] || t[first]=$(date +%s.%N)
		case "$line" in
		*"bench: "*" start "*) k=${line#*bench: }; t[${k%% *}.0]=$(date +%s.%N) ;;
		*"bench: "*" end "*) k=${line#*bench: }; t[${k%% *}.1]=$(date +%s.%N) ;;
		*"created: "*) t[created]=$(date +%s.%N) ;;
		esac
	done < <("${QEMU[@]}" -smp "$SMP" -initrd "$1,$B/policy/test.tpb kind=policy" 2>/dev/null || true)
}

count() { sed -n "s/.*bench: $1 start \([0-9]*\).*/\1/p" "$LOG" | head -n 1; }
elapsed() { awk -v a="${t[$1.0]:?no $1 start in $LOG}" -v b="${t[$1.1]:?no $1 end in $LOG}" 'BEGIN { print b - a }'; }

# comm SMP PONG-CPU: one boot of ping-bench and pong; prints "hcalls/s roundtrips/s msgs/s bytes".
comm() {
	SMP=$1
	timed_boot "$B/domains/ringdemo.elf domain=ping-bench mem=2M,$B/domains/ringdemo.elf domain=pong mem=2M cpu=$2"
	echo "$(count hypercall) $(elapsed hypercall) $(count roundtrip) $(elapsed roundtrip)" \
	     "$(count stream) $(elapsed stream)" \
	     "$(sed -n 's/.*messages of \([0-9]*\) bytes.*/\1/p' "$LOG" | head -n 1)"
}
same=$(comm 1 0)
cross=$(comm 2 1)
echo "== communication, QEMU TCG -cpu EPYC: ping-bench and pong on one CPU | on two CPUs =="
awk -v a="$same" -v b="$cross" 'BEGIN {
	split(a, x, " "); split(b, y, " ")
	printf "  null hypercall              %9.0f /s         | %9.0f /s\n", x[1] / x[2], y[1] / y[2]
	printf "  event-channel round trip    %9.0f /s         | %9.0f /s\n", x[3] / x[4], y[3] / y[4]
	printf "  ring, streaming             %9.0f msgs/s     | %9.0f msgs/s\n", x[5] / x[6], y[5] / y[6]
	printf "                              %9.2f MB/s       | %9.2f MB/s  (%d-byte messages)\n",
		x[5] * x[7] / x[6] / 1e6, y[5] * y[7] / y[6] / 1e6, x[7]
	printf "  round trip = %.1f null hypercalls on one CPU, %.1f across CPUs\n",
		(x[1] / x[2]) / (x[3] / x[4]), (y[1] / y[2]) / (y[3] / y[4])
}'

echo "== scale: boot to the last domain created, and core memory =="
printf "  %8s %14s %22s\n" domains "boot (ms)" "core memory (KiB)"
image=$(size -A $B/tessera.elf | awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" { s += $2 } END { print s }')
SMP=1
for n in 1 8 64; do
	mods=
	for i in $(seq 1 "$n"); do mods+=",$B/domains/hello.elf domain=d$i mem=2M"; done
	timed_boot "${mods#,}"
	[[ $(grep -c "exited with code 0" "$LOG") == "$n" ]] || { echo "bench: not all $n domains ran (see $LOG)" >&2; exit 1; }
	per=$(sed -n 's/.*core overhead \([0-9]*\) bytes.*/\1/p' "$LOG" | awk '{ s += $1 } END { print s }')
	awk -v n="$n" -v a="${t[first]}" -v b="${t[created]}" -v per="$per" -v img="$image" 'BEGIN {
		printf "  %8d %14.1f %14.0f (%.0f image + %.0f for the domains)\n", n, (b - a) * 1000, (img + per) / 1024, img / 1024, per / 1024
	}'
done
