#!/usr/bin/env bash
# `make fuzz`: an AFL++ campaign per target on every core, one target after the other
# (FUZZ_TIME seconds each, default 600; FUZZ_JOBS instances, default all cores; the
# first one with the cmplog twin). Progress every 30 s; then a summary per target.
# Every crash is minimised (afl-tmin), replayed through the sanitizer build to name
# its top frame, and each new one (by that name) is copied to fuzz/regressions/T/.
# FUZZ_SAVE=1 merges each campaign's queues into fuzz/corpus/T/ (libFuzzer -merge=1).
#   fuzz/campaign.sh [TARGET...]     (built by `make fuzz-build`; see fuzz/README.md)
set -u
cd "$(dirname "$0")/.."
FZ=build/fuzz
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
	cp fuzz/regressions/"$t"/* "$in"/ 2>/dev/null
	echo "$in"
}

# The sanitizer's or the oracle's words for a crash: where, and what.
crash_key() { # target file
	local log
	log=$(ASAN_OPTIONS=symbolize=1:detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:symbolize=1 \
		"$FZ/lf/$1" "$2" 2>&1)
	echo "$log" | grep -m1 -E '^SUMMARY: |oracle, record|runtime error' |
		sed -E 's/0x[0-9a-f]+//g; s/record [0-9]+/record N/; s/[0-9]+ (bytes|frames)/N \1/g' |
		cut -c1-160
}

triage() { # target out-dir
	local t=$1 out=$2 n=0 new=0 key sum
	mkdir -p "$FZ/crashes/$t" fuzz/regressions/"$t"
	for c in "$out"/*/crashes/id*; do
		[ -e "$c" ] || continue
		n=$((n + 1))
		afl-tmin -q -i "$c" -o "$FZ/crashes/$t/min" -- "$FZ/afl/$t" >/dev/null 2>&1 ||
			cp "$c" "$FZ/crashes/$t/min"
		key=$(crash_key "$t" "$FZ/crashes/$t/min")
		[ -n "$key" ] || key="no report ($(basename "$c"))"
		sum=$(printf '%s' "$key" | sha1sum | cut -c1-12)
		if [ ! -e fuzz/regressions/"$t"/crash-"$sum" ]; then
			cp "$FZ/crashes/$t/min" fuzz/regressions/"$t"/crash-"$sum"
			echo "  new crash in $t: $key -> fuzz/regressions/$t/crash-$sum" >&2
			new=$((new + 1))
		fi
	done
	echo "$n $new"
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
	read -r crashes new < <(triage "$t" "$out")
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
