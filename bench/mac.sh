#!/usr/bin/env bash
# What mandatory access control costs, measured side by side in one run.
#
#  1. Hypercall cost, real policy vs allow-all, under QEMU TCG (-cpu EPYC: AMD SVM,
#     the command line of bench/run.sh). build/domains/hcall_bench.elf, named
#     bench-N, makes N null hypercalls (tessera_version(): every one goes through
#     the access check); the host times the loop between the domain's console lines
#     "bench: hypercall start N" and "bench: hypercall end N" and then stops QEMU
#     (the CPUID loop that follows is bench/run.sh's business). Boots (a) under the
#     allow-all test policy (tests/qemu/policies/test.tpol: 2 rules) and (b) under
#     the 10,000-rule policy of policy/tools/gen-policy.sh plus a label for bench-N,
#     alternately, a b a b; the best boot of each counts.
#  2. One access check vs policy size. On the host, bench/avc_bench.c times the
#     core's own lookup (policy_allowed() from core/policy.c) under generated
#     policies of 10, 100, 1000 and 10,000 rules, over a pseudo-random mix of hits
#     and misses: "hot" (8 triples, warm caches and branch predictor: the lookup
#     itself) and "spread" (65536 triples over the whole table: mispredictions and,
#     for big tables, cache misses). Then the end-to-end view in QEMU: one boot each
#     under the 10-rule and the 10,000-rule policy.
#  3. Compiling the 10,000-rule policy: time (best of 3), size of the binary, and
#     its SHA-256 from separate compiles, one of the text with its statements in
#     reverse order: the binary depends only on what the policy means.
#
#   BENCH_MAC_N=200000   null hypercalls per boot
#   BENCH_AVC_N=20000000 checks per timing on the host
#
# Temporary files and the boots' console logs: build/bench/mac/.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
D=$B/bench/mac
N=${BENCH_MAC_N:-200000}
NA=${BENCH_AVC_N:-20000000}
TOOL=$B/tools/tessera-policy
ALLOW_ALL=$B/policy/test.tpb
QEMU=(qemu-system-x86_64 -accel tcg -cpu EPYC -m 256M -display none -serial stdio -monitor none
	-no-reboot -nic none -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $B/tessera.mb1
	-append debug_exit=on)

die() { echo "bench/mac.sh: $*" >&2; exit 1; }
[[ $N =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_MAC_N must be a number from 1 to 999999999 (the domain name bench-N has at most 15 characters)"
[[ $NA =~ ^[1-9][0-9]*$ ]] || die "BENCH_AVC_N must be a positive number"
for f in $B/tessera.mb1 $B/domains/hcall_bench.elf $TOOL $ALLOW_ALL; do
	[[ -e $f ]] || die "$f is missing: run make first"
done
rm -rf "$D"
mkdir -p "$D"

# policy RULES: the generated policy with RULES allow rules (+ 2 for the benchmark
# domain) and a label for bench-N, compiled to $D/rules-RULES.tpb.
policy() {
	{ policy/tools/gen-policy.sh "$1"; echo "label domain bench-$N bench_t;"; } >"$D/rules-$1.tpol"
	"$TOOL" compile "$D/rules-$1.tpol" -o "$D/rules-$1.tpb" || die "cannot compile $D/rules-$1.tpol"
}
# header FILE: "slots used probe" from the binary's header (tessera/policy.h: avtab_slots
# at byte 52, avtab_used at 60, avtab_probe at 64, little-endian).
header() {
	od -An -v -t u4 -j 52 -N 16 --endian=little "$1" | awk '{ print $1, $3, $4 }'
}

# hcall_rate POLICY NAME [TYPE]: boots the benchmark domain under POLICY (labelled
# TYPE, bench_t unless given), console into $D/NAME.log; prints null hypercalls per
# second. QEMU writes into a FIFO so that it can be stopped, by its process id, as
# soon as the loop has ended. Called in $(...): the traps are the subshell's, and
# end QEMU if the subshell ends early.
hcall_rate() {
	local log=$D/$2.log fifo=$D/$2.fifo line now t0= t1= fd
	QPID=
	trap '[[ -z $QPID ]] || kill "$QPID" 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
	rm -f "$log" "$fifo"
	mkfifo "$fifo"
	timeout -k 5 300 "${QEMU[@]}" \
		-initrd "$B/domains/hcall_bench.elf domain=bench-$N mem=2M,$1 kind=policy" \
		>"$fifo" 2>/dev/null </dev/null &
	QPID=$!
	exec {fd}<"$fifo"
	while IFS= read -r -u "$fd" line; do
		now=$EPOCHREALTIME
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$log"
		case $line in
		*"bench: hypercall start $N") t0=$now ;;
		*"bench: hypercall end $N") t1=$now; break ;;
		esac
	done
	exec {fd}<&-
	kill "$QPID" 2>/dev/null || true
	wait "$QPID" 2>/dev/null || true
	QPID=
	rm -f "$fifo"
	[[ -n $t0 && -n $t1 ]] ||
		die "the boot under $1 did not report 'bench: hypercall start $N' and 'end $N' (console: $log)"
	grep -q "domain bench-$N (id [0-9]*) created: .*label ${3:-bench_t}\$" "$log" ||
		die "under $1 the benchmark domain did not run as ${3:-bench_t} (console: $log)"
	awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }'
}

for r in 10 100 1000 10000; do policy $r; done
BIG=$D/rules-10000.tpb
qver=$(qemu-system-x86_64 --version | head -1 | awk '{ print $4 }')

# --- 1 ---------------------------------------------------------------------------------
a1=$(hcall_rate "$ALLOW_ALL" allow-all-1 test_t)
b1=$(hcall_rate "$BIG" rules-10000-1)
a2=$(hcall_rate "$ALLOW_ALL" allow-all-2 test_t)
b2=$(hcall_rate "$BIG" rules-10000-2)
echo "== 1. null hypercalls/s under MAC: allow-all vs 10,000 rules (QEMU $qver TCG -cpu EPYC, $N per boot, boots a b a b) =="
{
	echo "allow-all (test.tpol)|2|$(stat -c %s "$ALLOW_ALL")|$(header "$ALLOW_ALL")|$a1|$a2"
	echo "generated, 10,000 rules|10000+2|$(stat -c %s "$BIG")|$(header "$BIG")|$b1|$b2"
} | awk -F'|' '
BEGIN { printf "  %-24s %8s %8s %8s %6s %11s %11s %11s %7s\n", "policy", "rules", "bytes", "entries", "probe", "boot 1", "boot 2", "best", "spread" }
{
	split($4, h, " "); best[NR] = $5 > $6 ? $5 : $6
	printf "  %-24s %8s %8d %8d %6d %11d %11d %11d %6.1f%%\n", $1, $2, $3, h[2], h[3], $5, $6, best[NR],
		100 * ($5 > $6 ? $5 - $6 : $6 - $5) / best[NR]
}
END {
	printf "  10,000 rules / allow-all: %.3f x the hypercall rate; %+.1f ns per hypercall (%+.1f%%)\n",
		best[2] / best[1], 1e9 / best[2] - 1e9 / best[1], 100 * (best[1] / best[2] - 1)
	printf "  (spread: how far the two boots of one policy differ, the noise to read the ratio against)\n"
}'

# --- 2 ---------------------------------------------------------------------------------
mkdir -p $B/bench
gcc -O2 -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla -Wmissing-prototypes -Wconversion \
	-Wno-sign-conversion -Icore/include bench/avc_bench.c core/policy.c -o $B/bench/avc-bench ||
	die "cannot build bench/avc_bench.c"
$B/bench/avc-bench -n "$NA" $D/rules-10.tpb $D/rules-100.tpb $D/rules-1000.tpb $D/rules-10000.tpb \
	>"$D/avc.txt" || die "avc-bench failed"
echo "== 2. one access check, policy_allowed() on the host, vs policy size (50% hits, $NA checks per timing, best of 3) =="
awk '
BEGIN { printf "  %6s %8s %6s %8s %8s %6s %9s %7s %10s %7s\n", "rules", "bytes", "types", "slots", "entries", "probe",
	"hot ns", "ratio", "spread ns", "ratio" }
/^#/ { next }
{
	rules = $1; sub(/.*rules-/, "", rules); sub(/\.tpb$/, "", rules)
	if (!h0) { h0 = $7; s0 = $8 }
	printf "  %6d %8d %6d %8d %8d %6d %9.2f %7.2f %10.2f %7.2f\n", rules, $2, $3, $4, $5, $6, $7, $7 / h0, $8, $8 / s0
}
END {
	print "  probe: every entry is at most this many slots past its hash home, so a check reads <= probe+1"
	print "  slots. hot: 8 triples, warm caches and branch predictor; spread: 65536 triples over the whole"
	print "  table (mispredictions; a big table also misses the caches). Rules: + 2 for the bench domain."
}' "$D/avc.txt"
s10=$(hcall_rate $D/rules-10.tpb rules-10)
s10k=$(hcall_rate "$BIG" rules-10000-3)
echo "  end to end, QEMU $qver TCG, one boot each: null hypercalls/s"
awk -v a="$s10" -v b="$s10k" 'BEGIN {
	printf "  %14s %14s %8s\n", "10 rules", "10,000 rules", "ratio"
	printf "  %14d %14d %8.3f  (%+.1f ns per hypercall)\n", a, b, b / a, 1e9 / b - 1e9 / a
}'

# --- 3 ---------------------------------------------------------------------------------
best=
for i in 1 2 3; do
	t0=$EPOCHREALTIME
	"$TOOL" compile $D/rules-10000.tpol -o $D/compile-$i.tpb || die "compile failed"
	t1=$EPOCHREALTIME
	best=$(awk -v b="$best" -v t="$(awk -v a="$t0" -v z="$t1" 'BEGIN { print z - a }')" \
		'BEGIN { print (b == "" || t < b) ? t : b }')
done
tac $D/rules-10000.tpol >$D/reversed.tpol
"$TOOL" compile $D/reversed.tpol -o $D/reversed.tpb || die "compile of the reversed text failed"
echo "== 3. compiling the 10,000-rule policy ($(wc -l <$D/rules-10000.tpol) lines, $(stat -c %s $D/rules-10000.tpol) bytes of text) =="
awk -v t="$best" 'BEGIN { printf "  compile time   %.1f ms (best of 3, whole process)\n", t * 1000 }'
echo "  binary         $(stat -c %s $D/compile-1.tpb) bytes ($(header $D/compile-1.tpb | awk '{ print $2 " entries in " $1 " slots, probe bound " $3 }'))"
echo "  SHA-256        $(sha256sum <$D/compile-1.tpb | cut -d' ' -f1)  compile 1"
echo "                 $(sha256sum <$D/compile-2.tpb | cut -d' ' -f1)  compile 2"
echo "                 $(sha256sum <$D/reversed.tpb | cut -d' ' -f1)  statements in reverse order"
cmp -s $D/compile-1.tpb $D/compile-2.tpb && cmp -s $D/compile-1.tpb $D/compile-3.tpb &&
	cmp -s $D/compile-1.tpb $D/reversed.tpb || die "the compiles differ: not reproducible ($D)"
echo "  reproducible: all compiles byte for byte identical"
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(qemu-system-x86_64 --version | head -1), $(gcc --version | head -1)"
