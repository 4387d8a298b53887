#!/usr/bin/env bash
# Null-hypercall round trips per second under QEMU TCG, and the core's footprint.
# The rate is timed on the host between the domain's "start" and "end" lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-500000}
B=build

run_once() { # $1 = round trips; prints the elapsed seconds between start and end
	local n=$1 t0="" t1=""
	while IFS= read -r line; do
		echo "$line" >> $B/bench.log
		case "$line" in
		*"bench: start"*) t0=$(date +%s.%N) ;;
		*"bench: end"*) t1=$(date +%s.%N) ;;
		esac
	done < <(timeout -k 5 300 qemu-system-x86_64 -accel tcg -cpu EPYC -m 256M -display none \
		-serial stdio -monitor none -no-reboot -nic none \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $B/tessera.mb1 \
		-append debug_exit=on -initrd "$B/domains/hcall_bench.elf domain=bench-$n mem=2M" \
		2>/dev/null || true)
	[ -n "$t0" ] && [ -n "$t1" ] || { echo "bench: domain did not report" >&2; exit 1; }
	echo "$t0 $t1" | awk '{ printf "%.6f\n", $2 - $1 }'
}

rm -f $B/bench.log
t_small=$(run_once $((N / 10)))
t_big=$(run_once "$N")
echo "== null hypercall (VMMCALL -> dispatcher -> VMRUN), QEMU TCG -cpu EPYC, 1 vCPU =="
awk -v n="$N" -v ts="$t_small" -v tb="$t_big" 'BEGIN {
	# The difference of two runs cancels the fixed cost of printing the start/end lines.
	d = tb - ts; m = n - n / 10
	printf "  %d round trips in %.3f s:  %.0f round trips/s\n", n, tb, n / tb
	printf "  marginal (%d vs %d):      %.0f round trips/s\n", n, n / 10, (d > 0 ? m / d : 0)
}'
echo "== core footprint =="
size -A $B/tessera.elf | awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" { printf "  %-8s %8d bytes\n", $1, $2 }'
overhead=$(grep -m1 -o "core overhead [0-9]* bytes" $B/bench.log | cut -d" " -f3-)
echo "  per domain: ${overhead:-?} of core memory (struct domain, VMCB, nested page tables), besides its own RAM"
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(qemu-system-x86_64 --version | head -1)"
