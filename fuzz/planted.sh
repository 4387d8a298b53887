#!/usr/bin/env bash
# `make fuzz-planted`: each harness must find the bug planted for it (-DFUZZ_PLANTED_BUG=1,
# the #ifdef FUZZ_PLANTED_BUG blocks in the code under test) within PLANT_TIME seconds
# (default 300) of one AFL++ instance, and the input it found must not crash the clean
# build: the harness finds that bug, not one of its own. PASS/FAIL per target, then
# "N passed, N failed". PLANT_TIME=20 fuzz/planted.sh hcall is the quick CI case.
set -u
cd "$(dirname "$0")/.."
FZ=build/fuzz
TIME=${PLANT_TIME:-300}
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_QUIET=1 AFL_BENCH_UNTIL_CRASH=1 AFL_SKIP_CRASHES=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
passed=0 failed=0

for t in ${*:-hcall}; do
	out=$FZ/planted-out/$t
	rm -rf "$out" && mkdir -p "$out"
	args=(-D -i "$FZ/seeds/$t" -o "$out" -V "$TIME" -t 1000+)
	[ -e "$FZ/seeds/$t.dict" ] && args+=(-x "$FZ/seeds/$t.dict")
	start=$(date +%s)
	crash=
	for s in "$FZ/seeds/$t"/*; do # a seed may already reach it
		"$FZ/planted/$t" "$s" >/dev/null 2>&1 || { crash=$s; break; }
	done
	if [ -z "$crash" ]; then
		afl-fuzz "${args[@]}" -- "$FZ/planted/$t" >"$out/afl.log" 2>&1
		crash=$(ls "$out"/default/crashes/id* 2>/dev/null | head -n 1)
	fi
	took=$(($(date +%s) - start))
	if [ -z "$crash" ]; then
		echo "FAIL planted-$t: no crash in $TIME s (see $out/afl.log)"
		failed=$((failed + 1))
	elif ! "$FZ/afl/$t" "$crash" >"$out/clean.log" 2>&1; then
		echo "FAIL planted-$t: $crash crashes the clean build too (see $out/clean.log)"
		failed=$((failed + 1))
	else
		what=$(ASAN_OPTIONS=handle_abort=1:symbolize=1:detect_leaks=0 "$FZ/planted/$t" "$crash" 2>&1 |
			grep -m1 -E 'oracle, record|ERROR: AddressSanitizer|runtime error|in [a-zA-Z_]+ .*(core|attest|driver-domains|fuzz)/' |
			sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ //; s/ \(.*\)//' | cut -c1-110)
		echo "PASS planted-$t: found in ${took} s ($(basename "$crash")): $what"
		passed=$((passed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
