#!/usr/bin/env bash
# Exit costs under QEMU TCG and Bochs, measured side by side in one boot each, and the
# core's footprint. Each loop is timed on the host between the domain's start and end
# console lines.
#
#   BENCH_N=300000         round trips per loop under QEMU TCG (-cpu EPYC: AMD SVM)
#   BENCH_BOCHS_N=100000   round trips per loop under Bochs (tigerlake: Intel VMX,
#                          ryzen: AMD SVM); Bochs is slower, so fewer
#   BENCH_BOCHS=0          skip the Bochs boots
#
# Under Bochs the domain's console lines arrive through a FIFO that Bochs writes COM1
# into (one write and flush per byte, measured to work), so each line is timestamped
# the moment it is complete, as QEMU's stdio console lines are.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/qemu/lib.sh
N=${BENCH_N:-300000}
NB=${BENCH_BOCHS_N:-100000}
B=build
LOG=$B/bench.log

declare -A t rate
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
	-append debug_exit=on -initrd "$B/domains/hcall_bench.elf domain=bench-$N mem=2M,$B/policy/test.tpb kind=policy" \
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
rate[qemu]=$(awk -v n="$N" -v h0="${t[hypercall.0]}" -v h1="${t[hypercall.1]}" \
	-v c0="${t[cpuid.0]}" -v c1="${t[cpuid.1]}" 'BEGIN { print n / (h1 - h0), n / (c1 - c0) }')
backend_qemu=$(tr -d '\r' <"$LOG" | sed -n 's/^tessera: virtualization backend //p' | head -n 1)

# Bochs runs in a process group of its own (bochs_exec): stop it if this script ends early.
BENCH_PID=
trap '[[ -z $BENCH_PID ]] || kill "$BENCH_PID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

# bochs_bench PATH: boots the benchmark domain under Bochs on PATH (bochs-intel or
# bochs-amd) and sets rate[PATH] ("hypercalls/s cpuid/s") and backend[PATH].
declare -A backend
bochs_bench() {
	local path=$1 dir=$B/bench/$1 fifo log pid fd line buf= k bstatus code
	local -A tb=()
	fifo=$dir/serial.fifo log=$dir/serial.log
	rm -rf "$dir"
	mkdir -p "$dir"
	mkfifo "$fifo"
	bochs_config "$dir" "$path" "$ISO" "$fifo"
	(bochs_exec "$dir" 600) &
	pid=$! BENCH_PID=$!
	# Opened read-write, the FIFO never blocks the open and never reports EOF: poll
	# with a time-out until Bochs has ended. A time-out may leave half a line in
	# $line; it is kept until its newline arrives, and that moment is its timestamp.
	exec {fd}<>"$fifo"
	while :; do
		if IFS= read -r -t 0.5 -u "$fd" line; then
			line=$buf$line buf=
			line=${line%$'\r'}
			printf '%s\n' "$line" >>"$log"
			case $line in
			*"bench: "*" start "*) k=${line#*bench: }; tb[${k%% *}.0]=$EPOCHREALTIME ;;
			*"bench: "*" end "*) k=${line#*bench: }; tb[${k%% *}.1]=$EPOCHREALTIME ;;
			esac
		else
			buf+=$line
			kill -0 "$pid" 2>/dev/null || break
		fi
	done
	exec {fd}<&-
	[[ -z $buf ]] || printf '%s\n' "$buf" >>"$log"
	wait "$pid" && bstatus=0 || bstatus=$?
	BENCH_PID=
	code=$(bochs_status "$bstatus" "$log")
	if [[ $code != 33 ]]; then
		echo "bench: $path: $(bochs_outcome "$bstatus" "$log") (see $log, $dir/bochs.log)" >&2
		return 1
	fi
	for k in hypercall.0 hypercall.1 cpuid.0 cpuid.1; do
		[[ -n ${tb[$k]:-} ]] || { echo "bench: $path: the domain did not report $k (see $log)" >&2; return 1; }
	done
	rate[$path]=$(awk -v n="$NB" -v h0="${tb[hypercall.0]}" -v h1="${tb[hypercall.1]}" \
		-v c0="${tb[cpuid.0]}" -v c1="${tb[cpuid.1]}" 'BEGIN { print n / (h1 - h0), n / (c1 - c0) }')
	backend[$path]=$(sed -n 's/^tessera: virtualization backend //p' "$log" | head -n 1)
}

rows=("${backend_qemu:-?}|QEMU $(qemu-system-x86_64 --version | head -1 | awk '{ print $4 }') TCG -cpu EPYC|$N|${rate[qemu]}")
if [[ ${BENCH_BOCHS:-1} != 0 ]]; then
	command -v "$BOCHS_BIN" >/dev/null || { echo "bench: $BOCHS_BIN not found (scripts/deps.sh bochs; BENCH_BOCHS=0 skips it)" >&2; exit 1; }
	mkdir -p "$B/bench"
	ISO=$B/bench/bochs-bench.iso
	mkiso_spec "Tessera hypercall benchmark (Bochs)" debug_exit=bochs \
		"$B/domains/hcall_bench.elf domain=bench-$NB mem=2M" "$B/policy/test.tpb kind=policy" |
		tests/qemu/mkiso.sh -o "$ISO" -k "$B/tessera.elf"
	bver=$(dpkg-query -W -f '${Version}' bochs 2>/dev/null | sed 's/[+-].*//') || bver=
	# One at a time: Bochs is single-threaded, but a second one would share the cores
	# with this script's reader and anything else running.
	for path in bochs-intel bochs-amd; do
		bochs_bench "$path"
		rows+=("${backend[$path]:-?}|Bochs ${bver:-?} $(bochs_model "$path")|$NB|${rate[$path]}")
	done
fi

echo "== exit round trips per second, side by side (1 vCPU; N round trips per loop) =="
printf '%s\n' "${rows[@]}" | awk -F'|' '
BEGIN { printf "  %-10s %-26s %8s %15s %15s %10s\n", "backend", "emulator", "N", "null hcall/s", "CPUID exit/s", "hcall/floor" }
{ split($4, r, " "); printf "  %-10s %-26s %8d %15.0f %15.0f %10.2f\n", $1, $2, $3, r[1], r[2], r[2] / r[1] }'
if [[ ${BENCH_BOCHS:-1} != 0 ]]; then
	echo "  QEMU TCG and Bochs are both software emulators: these are emulator numbers, not"
	echo "  hardware ones, and QEMU's and Bochs's columns do not compare with each other."
	echo "  What carries over is the ratio hypercall/floor: the dispatcher's cost on top"
	echo "  of the cheapest exit (CPUID, answered inside the backend) on the same machine."
fi
echo "== core footprint =="
size -A $B/tessera.elf | awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" {
	printf "  %-8s %8d bytes\n", $1, $2 }'
overhead=$(grep -m1 -o "core overhead [0-9]* bytes" "$LOG" | cut -d" " -f3-)
echo "  per domain: ${overhead:-?} of core memory (struct domain, VMCB, nested page tables) besides its RAM"
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
	"$(qemu-system-x86_64 --version | head -1)${bver:+, Bochs $bver}"
