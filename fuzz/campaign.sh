#!/usr/bin/env bash
# `make fuzz`: an AFL++ campaign per target on every core, one target after the other
# (FUZZ_TIME seconds each, default 600; FUZZ_JOBS instances, default all cores; the
# first one with the cmplog twin). Progress every 30 s; then a summary per target.
# Every crash is triaged by fuzz/triage.sh: minimised (afl-tmin), named by the
# sanitizer's or the oracle's report in the lf build, and each new one (by that name)
# copied to FUZZ_REGRESSIONS/T/ (default fuzz/regressions; FUZZ_TRIAGE_AFL and
# FUZZ_TRIAGE_LF pick the builds it triages with). FUZZ_SAVE=1 merges each campaign's
# queues into fuzz/corpus/T/ (libFuzzer -merge=1).
#   fuzz/campaign.sh [TARGET...]     (built by `make fuzz-build`; see fuzz/README.md)
set -u
cd "$(dirname "$0")/.."
FZ=build/fuzz
REG=${FUZZ_REGRESSIONS:-fuzz/regressions}
TIME=${FUZZ_TIME:-600}
JOBS=${FUZZ_JOBS:-$(nproc)}
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_QUIET=1 AFL_SKIP_CRASHES=1 AFL_IGNORE_SEED_PROBLEMS=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
targets=${*:-hcall}
summary=()

stat() { # file key
	sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n 1
}

inputs() { # target: a directory with its seeds and committed corpus
	local t=$1 in=$FZ/in/$1
	rm -rf "$in" && mkdir -p "$in"
	cp "$FZ/seeds/$t"/* "$in"/ 2>/dev/null
	cp fuzz/corpus/"$t"/* "$in"/ 2>/dev/null
	cp "$REG/$t"/* "$in"/ 2>/dev/null
	echo "$in"
}

for t in $targets; do
	bin=$FZ/afl/$t cmp=$FZ/cmplog/$t dict=$FZ/seeds/$t.dict out=$FZ/out/$t
	[ -x "$bin" ] || { echo "fuzz: $bin missing (make fuzz-build)"; exit 1; }
	in=$(inputs "$t")
	rm -rf "$out" && mkdir -p "$out"
	echo "== $t: $JOBS instance(s), $TIME s"
	pids=()
	for j in $(seq 1 "$JOBS"); do
		args=(-i "$in" -o "$out" -V "$TIME" -t 1000+)
		[ -e "$dict" ] && args+=(-x "$dict")
		if [ "$j" = 1 ]; then
			args+=(-M main -D -c "$cmp")
		else
			args+=(-S "s$j" -p explore)
		fi
		afl-fuzz "${args[@]}" -- "$bin" >"$out/afl-$j.log" 2>&1 &
		pids+=($!)
	done
	start=$(date +%s)
	while kill -0 "${pids[0]}" 2>/dev/null; do
		sleep 30
		execs=0 corpus=0 crashes=0
		for f in "$out"/*/fuzzer_stats; do
			[ -e "$f" ] || continue
			execs=$((execs + $(stat "$f" execs_done)))
			corpus=$(($(stat "$f" corpus_count) > corpus ? $(stat "$f" corpus_count) : corpus))
			crashes=$((crashes + $(stat "$f" saved_crashes)))
		done
		echo "  $t: $(($(date +%s) - start)) s, $execs execs, corpus $corpus, crashes $crashes"
	done
	wait "${pids[@]}" 2>/dev/null
	rate=0 corpus=0
	for f in "$out"/*/fuzzer_stats; do
		[ -e "$f" ] || continue
		r=$(stat "$f" execs_per_sec)
		rate=$((rate + ${r%%.*}))
		c=$(stat "$f" corpus_count)
		[ "${c:-0}" -gt "$corpus" ] && corpus=$c
	done
	FUZZ_REGRESSIONS=$REG fuzz/triage.sh "$t" "$out"/*/crashes/id* >"$out/triage.tsv"
	crashes=$(wc -l <"$out/triage.tsv")
	new=$(cut -f4 "$out/triage.tsv" | grep -c -x new)
	if [ ! -e "$out/main/fuzzer_stats" ]; then
		echo "  $t: afl-fuzz did not start; see $out/afl-1.log"
		tail -n 5 "$out/afl-1.log"
	fi
	if [ "${FUZZ_SAVE:-0}" = 1 ]; then # keep what it learnt: the queues, minimised, into the corpus
		mkdir -p fuzz/corpus/"$t"
		"$FZ/lf/$t" -merge=1 fuzz/corpus/"$t" "$out"/*/queue >/dev/null 2>&1
	fi
	summary+=("$(printf '%-10s %8s execs/s %7s paths %5s crashes %3s new' "$t" "$rate" "$corpus" "$crashes" "$new")")
done
echo "== summary ($TIME s per target, $JOBS instance(s))"
printf '%s\n' "${summary[@]}"
