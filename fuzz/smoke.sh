#!/usr/bin/env bash
# Suite `fuzz` of `make test`: for every target, its seeds (build/fuzz/seeds), committed
# corpus (fuzz/corpus) and regression inputs (fuzz/regressions) replayed through the
# libFuzzer + ASan + UBSan build, then a short libFuzzer run of each (SMOKE_TIME s,
# default 10; SMOKE_JOBS targets at once, default 2); and the quick planted case: the
# hypercall harness finds its planted bug (SMOKE_PLANTED=0 skips it); and crash triage
# on crashes of the planted builds (fuzz/triage_test.sh; SMOKE_TRIAGE=0 skips it).
# PASS/FAIL lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
FZ=build/fuzz
W=$FZ/smoke
TIME=${SMOKE_TIME:-10}
JOBS=${SMOKE_JOBS:-2}
export ASAN_OPTIONS=detect_leaks=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
passed=0 failed=0
targets=${*:-hcall}

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

rm -rf "$W" && mkdir -p "$W"
for t in $targets; do
	files=()
	for d in "$FZ/seeds/$t" fuzz/corpus/"$t" fuzz/regressions/"$t"; do
		[ -d "$d" ] && for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
	done
	if [ ${#files[@]} -eq 0 ]; then
		fail "replay-$t" "no inputs"
	elif "$FZ/lf/$t" "${files[@]}" >"$W/$t-replay.log" 2>&1; then
		pass "replay-$t (${#files[@]} inputs)"
	else
		fail "replay-$t" "$(grep -m1 -E 'SUMMARY|oracle|runtime error|Running:' "$W/$t-replay.log" | cut -c1-120) (see $W/$t-replay.log)"
	fi
done

# The grant generation wrap (seed grant-wrap, header flag FZ_F_GEN_HIGH): the offers give
# generation 0xffff, then 1; the wrapped reference maps, the one before the wrap is stale.
if [ -x "$FZ/lf/hcall" ] && [ -f "$FZ/seeds/hcall/grant-wrap" ]; then
	estale=$(sed -n 's/^#define TESSERA_ESTALE *\([0-9]*\).*/\1/p' core/include/tessera/errno.h)
	st=($(FUZZ_TRACE=1 "$FZ/lf/hcall" "$FZ/seeds/hcall/grant-wrap" 2>&1 | sed -n 's/^record .* -> //p'))
	if [ ${#st[@]} = 5 ] && [ "${st[0]}" = $((0xffff << 16)) ] && [ "${st[1]}" = 0 ] &&
	   [ "${st[2]}" = $((1 << 16)) ] && [ "${st[3]}" -gt 0 ] && [ "${st[4]}" = "-$estale" ]; then
		pass "grant-wrap (generation 0xffff, then 1; the reference before the wrap is -ESTALE)"
	else
		fail grant-wrap "statuses ${st[*]} (offer, end, offer, map, map)"
	fi
fi

# The short runs, JOBS at a time; each writes its verdict to a file.
run() { # target
	local t=$1 d=$W/$1 args
	mkdir -p "$d/corpus"
	args=(-max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$d/"
	      -print_final_stats=1)
	[ -e "$FZ/seeds/$t.dict" ] && args+=(-dict="$FZ/seeds/$t.dict")
	if "$FZ/lf/$t" "${args[@]}" "$d/corpus" "$FZ/seeds/$t" $(ls -d fuzz/corpus/"$t" 2>/dev/null) \
		>"$d/run.log" 2>&1; then
		echo "PASS fuzz-$t ($(sed -n 's/^stat::number_of_executed_units: *//p' "$d/run.log") execs in $TIME s)" >"$d/verdict"
	else
		echo "FAIL fuzz-$t: $(grep -m1 -E 'SUMMARY|oracle|runtime error|ERROR' "$d/run.log" | cut -c1-120); input $(ls "$d"/crash-* "$d"/leak-* "$d"/timeout-* 2>/dev/null | head -n 1) (see $d/run.log)" >"$d/verdict"
	fi
}
for t in $targets; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
	run "$t" &
done
wait
for t in $targets; do
	v=$(cat "$W/$t/verdict" 2>/dev/null || echo "FAIL fuzz-$t: no verdict")
	echo "$v"
	case $v in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
done

if [ "${SMOKE_PLANTED:-1}" = 1 ] && command -v afl-fuzz >/dev/null; then
	PLANT_TIME=${SMOKE_PLANT_TIME:-60} fuzz/planted.sh hcall >"$W/planted.log" 2>&1
	v=$(grep -m1 -E '^(PASS|FAIL) ' "$W/planted.log" || echo "FAIL planted-hcall: no verdict (see $W/planted.log)")
	echo "$v"
	case $v in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
fi
# Crash triage on real crashes of the planted builds (fuzz/triage_test.sh).
if [ "${SMOKE_TRIAGE:-1}" = 1 ] && command -v afl-tmin >/dev/null; then
	fuzz/triage_test.sh >"$W/triage.log" 2>&1
	v=$(grep -E '^(PASS|FAIL) ' "$W/triage.log")
	[ -n "$v" ] || v="FAIL triage: no verdict (see $W/triage.log)"
	echo "$v"
	passed=$((passed + $(grep -c '^PASS' <<<"$v")))
	failed=$((failed + $(grep -c '^FAIL' <<<"$v")))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
