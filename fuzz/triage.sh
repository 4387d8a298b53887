#!/usr/bin/env bash
# Crash triage, for fuzz/campaign.sh and fuzz/triage_test.sh:
#   fuzz/triage.sh TARGET CRASH...
# Each crash is replayed through the libFuzzer build: the first line of the oracle's or
# the sanitizer's report (for a bare abort(), plus the frame in this tree that called it),
# without addresses, counts and this checkout's path, is its key. It is minimised with
# afl-tmin against the AFL++ build; the result must crash with the same key, else the
# crash is kept as found. A crash whose key is new is copied to
# REGRESSIONS/TARGET/crash-<first 12 hex of the key's SHA-1>. Paths: from the tree's top.
# One line per crash on stdout, tab-separated:
#   FOUND  MINIMISED  crash-HASH  new|known  KEY
# Environment (defaults for a campaign of the clean builds):
#   FUZZ_REGRESSIONS  where crashes are kept (fuzz/regressions)
#   FUZZ_TRIAGE_AFL   the afl-tmin build's directory (build/fuzz/afl)
#   FUZZ_TRIAGE_LF    the libFuzzer build's directory, which names crashes (build/fuzz/lf)
#   FUZZ_TRIAGE_WORK  minimised inputs: WORK/TARGET/1, 2, ... (build/fuzz/crashes)
set -u
cd "$(dirname "$0")/.."
root=$PWD
REG=${FUZZ_REGRESSIONS:-fuzz/regressions}
AFL=${FUZZ_TRIAGE_AFL:-build/fuzz/afl}
LF=${FUZZ_TRIAGE_LF:-build/fuzz/lf}
WORK=${FUZZ_TRIAGE_WORK:-build/fuzz/crashes}
t=${1:?usage: fuzz/triage.sh TARGET CRASH...}
shift
sym=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer)
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
for b in "$AFL/$t" "$LF/$t"; do
	[ -x "$b" ] || { echo "triage: $b missing" >&2; exit 2; }
done

# The key of a crash, or nothing if the input does not crash the libFuzzer build.
crash_key() { # file
	local log first frame
	log=$(ASAN_OPTIONS=symbolize=1:detect_leaks=0:external_symbolizer_path=$sym \
		UBSAN_OPTIONS=print_stacktrace=1:symbolize=1:external_symbolizer_path=$sym \
		timeout -k 5 60 "$LF/$t" "$1" 2>&1) && return 0
	first=$(grep -m1 -E '^SUMMARY: |oracle, record|runtime error' <<<"$log")
	case $first in
	*'deadly signal'*) # abort() says nothing: where it was called from is the key
		frame=$(grep -E '^ *#[0-9]+ 0x[0-9a-f]+ in ' <<<"$log" | grep -m1 -F " $root/" |
			sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ //')
		first="$first $frame" ;;
	esac
	[ -n "$first" ] || first="no report: $(grep -m1 -E 'ERROR|error' <<<"$log")"
	printf '%s\n' "${first//"$root/"/}" |
		sed -E 's/0x[0-9a-f]+//g; s/record [0-9]+/record N/; s/[0-9]+ (bytes|frames)/N \1/g' |
		cut -c1-160
}

# afl-tmin keeps any crash, which may be another bug's (then this one would be lost as
# "known"): if the key changed, minimise again along the same path (AFL_TMIN_EXACT).
minimise() { # found minimised key
	afl-tmin -i "$1" -o "$2" -- "$AFL/$t" >"$2.log" 2>&1 && [ "$(crash_key "$2")" = "$3" ] && return 0
	AFL_TMIN_EXACT=1 afl-tmin -i "$1" -o "$2" -- "$AFL/$t" >>"$2.log" 2>&1 &&
		[ "$(crash_key "$2")" = "$3" ]
}

rm -rf "${WORK:?}/$t" && mkdir -p "$WORK/$t" "$REG/$t"
n=0
for c in "$@"; do
	[ -f "$c" ] || continue
	n=$((n + 1))
	min=$WORK/$t/$n
	key=$(crash_key "$c")
	if [ -z "$key" ]; then
		echo "triage: $c does not crash $LF/$t; kept as found" >&2
		key="no report ($(basename "$c"))"
		cp "$c" "$min"
	elif ! minimise "$c" "$min" "$key"; then
		echo "triage: $c did not minimise to the same crash (see $min.log); kept as found" >&2
		cp "$c" "$min"
	fi
	sum=crash-$(printf '%s' "$key" | sha1sum | cut -c1-12)
	state=known
	if [ ! -e "$REG/$t/$sum" ]; then
		cp "$min" "$REG/$t/$sum"
		state=new
		echo "  new crash in $t: $key -> $REG/$t/$sum" >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$min" "$sum" "$state" "$key"
done
