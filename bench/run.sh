#!/usr/bin/env bash
# Exit costs under QEMU TCG, measured side by side in one boot, and the core's footprint.
# Each loop is timed on the host between the domain's start and end console lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-300000}
B=build
LOG=$B/bench.log

declare -A t
rm -f "$LOG"
while IFS= read -r line; do
	echo "$line" >> "$LOG"
	case "$line" in
	*"bench: "*" start "*) k=${line#*bench: }; t[${k%% *}.0]=$(date +%s.%N) ;;
	*"bench: "*" end "*) k=${line#*bench: }; t[${k%% *}.1]=$(date +%s.%N) ;;
	esac
done < <(timeout -k 5 600 qemu-system-x86_64 -accel tcg -cpu EPYC -m 256M -display none \
	-serial stdio -monitor none -no-reboot -nic none \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $B/tessera.mb1 \
	-append debug_exit=on -initrd "$B/domains/hcall_bench.elf domain=bench-$N mem=2M" \
	2>/dev/null || true)
for k in hypercall.0 hypercall.1 cpuid.0 cpuid.1; do
	[ -n "${t[$k]:-}" ] || { echo "bench: the domain did not report $k (see $LOG)" >&2; exit 1; }
done

echo "== exit round trips, QEMU TCG -cpu EPYC, 1 vCPU, $N each =="
awk -v n="$N" -v h0="${t[hypercall.0]}" -v h1="${t[hypercall.1]}" \
    -v c0="${t[cpuid.0]}" -v c1="${t[cpuid.1]}" 'BEGIN {
	h = n / (h1 - h0); c = n / (c1 - c0)
	printf "  null hypercall        %9.0f round trips/s\n", h
	printf "  CPUID exit (floor)    %9.0f round trips/s\n", c
	printf "  hypercall / floor     %9.2f x the cost of the cheapest exit\n", c / h
}'
echo "== core footprint =="
size -A $B/tessera.elf | awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" {
	printf "  %-8s %8d bytes\n", $1, $2 }'
overhead=$(grep -m1 -o "core overhead [0-9]* bytes" "$LOG" | cut -d" " -f3-)
echo "  per domain: ${overhead:-?} of core memory (struct domain, VMCB, nested page tables) besides its RAM"
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
	"$(qemu-system-x86_64 --version | head -1)"
