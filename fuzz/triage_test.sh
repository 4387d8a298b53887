#!/usr/bin/env bash
# Crash triage (fuzz/triage.sh) on real crashes, in suite `fuzz` (fuzz/smoke.sh): crashes
# of the planted builds (-DFUZZ_PLANTED_BUG=1), triaged with the planted AFL++ build
# (afl-tmin) and the planted libFuzzer build (the key) into a scratch regressions folder.
#   hcall   a1, a2: two different inputs on which evtchn_send skips its check and changes
#           the receiver (one key); b: the same skip where nothing changes but the status
#           (another key)
#   config  c: cpu=8 accepted, an abort() in the harness (the key names its line)
# PASS/FAIL per property, then "N passed, N failed". Needs build/fuzz/{planted,lf-planted,lf}
# of hcall and config (make fuzz-smoke builds them).
set -u
cd "$(dirname "$0")/.."
FZ=build/fuzz
W=$FZ/triage-test
export FUZZ_REGRESSIONS=$W/regressions FUZZ_TRIAGE_WORK=$W/work
export FUZZ_TRIAGE_AFL=$FZ/planted FUZZ_TRIAGE_LF=$FZ/lf-planted
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
crashes() { ! "$1" "$2" >/dev/null 2>&1; } # lf-build file
size() { wc -c <"$1"; }

# Inputs of fuzz/hcall (hcall.h, fuzz/include/fuzzrec.h), little-endian.
u8() { printf "\\x$(printf %02x "$1")"; }
u16() { u8 $(($1 & 255)); u8 $(($1 >> 8)); }
u32() { u16 $(($1 & 65535)); u16 $(($1 >> 16)); }
PAGE=$((0x180000)) # an event page
header() { u8 1; u8 1; u8 0; u8 0; u8 0; u8 1; u8 2; u8 3; } # restrictive: a (0), b (1)
rec() { # caller nr arg0 arg1 [data bytes, placed at PAGE]
	local caller=$1 nr=$2 a0=$3 a1=$4
	shift 4
	u8 "$caller"; u8 0; u8 "$nr"; u8 0; u8 0; u8 $#; u16 $((PAGE / 32))
	u32 "$a0"; u32 "$a1"; u32 0; u32 0; u32 0
	for b in "$@"; do u8 "$b"; done
}
VERSION=0 YIELD=3 SETUP=6 ALLOC=7 BIND=8 SEND=9

rm -rf "$W" && mkdir -p "$W/in"
{ # b_t may not send to a_t; a has no event page: its early events change
	header; rec 0 $VERSION 0 0; rec 0 $ALLOC 1 0; rec 0 $YIELD 0 0; rec 1 $BIND 0 0
	rec 1 $VERSION 0 0; rec 1 $SEND 0 0; rec 0 $VERSION 0 0
} >"$W/in/a1"
{ # the same, a with an event page: its upcall changes
	header; rec 0 $SETUP $PAGE 64; rec 0 $ALLOC 1 0; rec 1 $BIND 0 0; rec 0 $YIELD 0 0
	rec 1 $SEND 0 0; rec 1 $VERSION 0 0
} >"$W/in/a2"
{ # every port of a already pending: nothing changes, but the status is 0, not -EACCES
	header; rec 0 $SETUP $PAGE 64; rec 0 $ALLOC 1 0; rec 1 $BIND 0 0
	rec 0 $YIELD 0 0 255 255 255 255 255 255 255 255; rec 1 $SEND 0 0
} >"$W/in/b"
printf 'x.elf    domain=abc     cpu=8   mem=2M   restart=1  ' >"$W/in/c"

bad=
for f in a1 a2 b c; do
	t=hcall
	[ "$f" = c ] && t=config
	crashes "$FZ/lf-planted/$t" "$W/in/$f" || bad="$bad $f does not crash the planted build;"
	crashes "$FZ/lf/$t" "$W/in/$f" && bad="$bad $f crashes the clean build;"
done
if [ -n "$bad" ]; then
	fail triage-inputs "$bad"
	echo "$passed passed, $failed failed"
	exit 1
fi

# One triage: WHICH.tsv holds triage.sh's lines (found, minimised, name, new|known, key).
triage() { # which
	fuzz/triage.sh hcall "$W"/in/a1 "$W"/in/a2 "$W"/in/b >"$W/$1.tsv" 2>"$W/$1.log"
	fuzz/triage.sh config "$W"/in/c >>"$W/$1.tsv" 2>>"$W/$1.log"
}
field() { # which input column
	awk -F '\t' -v f="$W/in/$2" -v c="$3" '$1 == f { print $c }' "$W/$1.tsv"
}
target() { [ "$1" = c ] && echo config || echo hcall; }

triage first
[ "$(wc -l <"$W/first.tsv")" = 4 ] || fail triage-run "$(wc -l <"$W/first.tsv") lines, not 4 (see $W/first.log)"

# What each input's crash report says.
declare -A said=([a1]="hypercall 9: the model denies it, yet a domain's record changed"
		 [a2]="hypercall 9: the model denies it, yet a domain's record changed"
		 [b]="hypercall 9: the model denies it, the core returned 0"
		 [c]="deadly signal")

# Minimised: no larger and crashing as it did; all but b carry parts afl-tmin removes.
why=
for f in a1 a2 b c; do
	min=$(field first $f 2)
	if [ ! -f "$min" ]; then
		why="$why $f: no minimised input;"
	elif [ "$(size "$min")" -gt "$(size "$W/in/$f")" ] ||
		! "$FZ/lf-planted/$(target $f)" "$min" 2>&1 | grep -q -F "${said[$f]}"; then
		why="$why $f: $(size "$min") bytes from $(size "$W/in/$f"), or not crashing as it did;"
	elif [ "$f" != b ] && [ "$(size "$min")" -ge "$(size "$W/in/$f")" ]; then
		why="$why $f: not minimised ($(size "$min") bytes);"
	fi
done
[ -z "$why" ] && pass "triage-minimises (a1 $(size "$W/in/a1") -> $(size "$(field first a1 2)") bytes, c $(size "$W/in/c") -> $(size "$(field first c 2)"))" ||
	fail triage-minimises "$why"

# The key: the oracle's words, or where abort() was called, relative to the tree.
why=
[ "$(field first a1 5)" = "hcall oracle, record N: ${said[a1]}" ] || why="$why a1: key '$(field first a1 5)';"
[ "$(field first b 5)" = "hcall oracle, record N: ${said[b]}" ] || why="$why b: key '$(field first b 5)';"
case $(field first c 5) in 'SUMMARY: libFuzzer: deadly signal in LLVMFuzzerTestOneInput fuzz/config/config.c:'*) ;;
	*) why="$why c: key '$(field first c 5)';" ;; esac
for f in a1 a2 b c; do
	want=crash-$(printf '%s' "$(field first $f 5)" | sha1sum | cut -c1-12)
	[ "$(field first $f 3)" = "$want" ] || why="$why $f: named $(field first $f 3), not $want;"
done
[ -z "$why" ] && pass "triage-keys (file name: crash- and 12 hex of the key's SHA-1)" || fail triage-keys "$why"

# One file per key: a1 and a2 share one, b has its own.
why=
[ "$(field first a1 3)" = "$(field first a2 3)" ] || why="$why a1 and a2 kept apart;"
[ "$(field first a1 3)" != "$(field first b 3)" ] || why="$why b kept with a1;"
[ "$(field first a1 4) $(field first a2 4) $(field first b 4)" = "new known new" ] || why="$why states $(cut -f4 "$W/first.tsv" | tr '\n' ' ');"
n=$(ls "$FUZZ_REGRESSIONS/hcall" | wc -l)
[ "$n" = 2 ] || why="$why $n hcall regression files;"
[ -z "$why" ] && pass "triage-dedup (3 hcall crashes, 2 keys, 2 files)" || fail triage-dedup "$why"

# What is kept crashes the planted build as its key says, and not the clean build.
why=
for f in a1 b c; do
	r=$FUZZ_REGRESSIONS/$(target $f)/$(field first $f 3)
	if [ ! -f "$r" ] || ! crashes "$FZ/lf-planted/$(target $f)" "$r"; then
		why="$why $r does not crash the planted build;"
	elif ! "$FZ/lf-planted/$(target $f)" "$r" 2>&1 | grep -q -F "${said[$f]}"; then
		why="$why $r crashes, but not with '${said[$f]}';"
	elif crashes "$FZ/lf/$(target $f)" "$r"; then
		why="$why $r crashes the clean build;"
	fi
done
[ -z "$why" ] && pass "triage-regressions (each crashes the planted build as named, not the clean one)" ||
	fail triage-regressions "$why"

# The same crashes again: all known, nothing added or changed.
sums() { (cd "$FUZZ_REGRESSIONS" && sha1sum */*); }
before=$(sums)
triage second
why=
[ "$(cut -f4 "$W/second.tsv" | sort -u)" = known ] || why="$why states $(cut -f4 "$W/second.tsv" | tr '\n' ' ');"
[ "$(sums)" = "$before" ] || why="$why the regression files changed;"
[ -z "$why" ] && pass "triage-again (nothing new)" || fail triage-again "$why"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
