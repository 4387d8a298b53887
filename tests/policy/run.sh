#!/usr/bin/env bash
# Tests of the policy compiler tessera-policy (policy/compiler), built with
# ASan+UBSan. One line per test, PASS name or FAIL name: reason, then
# "N passed, N failed". Run from anywhere; file names in expected messages
# are relative to tests/policy.
set -u
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
T=$ROOT/build/tools/tessera-policy-asan
EX=$ROOT/policy/examples
GEN=$ROOT/policy/tools/gen-policy.sh
W=$ROOT/build/policy-tests
# Sanitizer failures get their own exit codes: never mistaken for an ordinary error (1).
export ASAN_OPTIONS=detect_leaks=1:exitcode=86:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
passed=0 failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# expect_run NAME STATUS EXPECTED-STDERR-FILE-OR-- COMMAND...: exact stderr and status, no stdout
expect_run() {
	local name=$1 want=$2 errf=$3 rc
	shift 3
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit status $rc, expected $want: $(head -c 300 "$W/err")"
	elif [ -s "$W/out" ]; then
		fail "$name" "unexpected output: $(head -c 200 "$W/out")"
	elif [ "$errf" != - ] && ! cmp -s "$W/err" "$errf"; then
		fail "$name" "stderr differs: got '$(head -c 300 "$W/err")', expected '$(head -c 300 "$errf")'"
	else
		pass "$name"
	fi
}

# no_crash NAME COMMAND...: any verdict but a sanitizer report or a signal
no_crash() {
	local name=$1 rc
	shift
	"$@" >/dev/null 2>"$W/err"
	rc=$?
	if [ "$rc" -gt 1 ] || grep -qE 'Sanitizer|runtime error' "$W/err"; then
		fail "$name" "status $rc: $(grep -m1 -E 'ERROR|runtime error' "$W/err")"
		return 1
	fi
	return 0
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

rm -rf "$W"
mkdir -p "$W"
if ! make -s -C "$ROOT" build/tools/tessera-policy build/tools/tessera-policy-asan >"$W/build.log" 2>&1; then
	fail build "make failed: $(tail -n 5 "$W/build.log")"
	finish
fi

# --- the tool itself ---------------------------------------------------------------
if $T help | head -n 1 | grep -q '^usage: tessera-policy'; then pass help_prints_usage; else fail help_prints_usage "no usage"; fi
$T frobnicate >/dev/null 2>"$W/err"
if [ $? -eq 1 ] && [ "$(head -n 1 "$W/err")" = "tessera-policy: error: unknown command 'frobnicate'" ]; then
	pass unknown_command_is_an_error
else
	fail unknown_command_is_an_error "$(head -n 1 "$W/err")"
fi

# --- malformed and hostile sources: the exact first error of each ---------------------
for f in bad/*.tpol; do
	name=bad_${f#bad/}
	name=${name%.tpol}
	if [ -f "${f%.tpol}.err" ]; then
		cp "${f%.tpol}.err" "$W/want"
	else
		sed -n 's/^# expect: //p' "$f" >"$W/want"
	fi
	if [ ! -s "$W/want" ]; then
		fail "$name" "no expected error"
		continue
	fi
	rm -f "$W/never.bin"
	expect_run "$name" 1 "$W/want" $T compile "$f" -o "$W/never.bin"
	[ -e "$W/never.bin" ] && fail "${name}_left_output" "a failed compile wrote $W/never.bin"
done
# check reports the same errors (and no warnings) for a policy that does not compile.
sed -n 's/^# expect: //p' bad/neverallow_via_attribute.tpol >"$W/want"
expect_run check_reports_compile_errors 1 "$W/want" $T check bad/neverallow_via_attribute.tpol

# Generated: too large to keep in the tree, or paths made at run time.
G=$W/gen
mkdir -p "$G"
{
	printf 'type core_t;\nlabel core core_t;\ntype '
	head -c 102400 /dev/zero | tr '\0' 'x'
	printf ';\n'
} >"$G/huge_identifier.tpol"
echo "huge_identifier.tpol:3:6: error: identifier 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is longer than 63 characters" >"$G/want"
expect_run bad_huge_identifier 1 "$G/want" sh -c "cd $G && $T compile huge_identifier.tpol -o x.bin"

{
	printf 'type core_t;\nlabel core core_t;\n'
	for i in $(seq 1 4096); do echo "type t$i;"; done
} >"$G/too_many_types.tpol"
echo "too_many_types.tpol:4098:6: error: too many types (the limit is 4096)" >"$G/want"
expect_run bad_too_many_types 1 "$G/want" sh -c "cd $G && $T compile too_many_types.tpol -o x.bin"
head -n 4097 "$G/too_many_types.tpol" >"$G/max_types.tpol"
expect_run types_up_to_the_limit_compile 0 /dev/null sh -c "cd $G && $T compile max_types.tpol -o x.bin"

{
	printf 'type core_t;\nlabel core core_t;\n'
	head -c 1048576 /dev/zero | tr '\0' '#'
} >"$G/big.tpol"
echo "big.tpol: error: larger than 1 MiB" >"$G/want"
expect_run bad_file_over_1mib 1 "$G/want" sh -c "cd $G && $T compile big.tpol -o x.bin"
printf 'include "big.tpol";\n' >"$G/includes_big.tpol"
echo "includes_big.tpol:1:9: error: 'big.tpol' is larger than 1 MiB" >"$G/want"
expect_run bad_include_over_1mib 1 "$G/want" sh -c "cd $G && $T compile includes_big.tpol -o x.bin"

# A chain of 16 includes is fine; the 17th is too deep.
mkdir -p "$G/deep"
for i in $(seq 0 17); do printf 'include "d%d.tpol";\n' $((i + 1)) >"$G/deep/d$i.tpol"; done
printf 'type core_t;\nlabel core core_t;\n' >"$G/deep/d18.tpol"
printf 'type core_t;\nlabel core core_t;\n' >"$G/deep/d16.tpol"
expect_run include_depth_16_compiles 0 /dev/null sh -c "cd $G/deep && $T compile d0.tpol -o x.bin"
printf 'include "d17.tpol";\n' >"$G/deep/d16.tpol"
echo "d16.tpol:1:9: error: includes nested more than 16 deep" >"$G/want"
expect_run bad_include_depth_17 1 "$G/want" sh -c "cd $G/deep && $T compile d0.tpol -o x.bin"

# Expansion limits: attributes make a few lines mean millions of access vectors.
expand_policy() { # types rule
	printf 'type core_t;\nlabel core core_t;\nattribute all;\n'
	for i in $(seq 1 "$1"); do echo "type t$i, all;"; done
	echo "$2"
}
expand_policy 4095 'allow all all:{ event grant core domain } *;' >"$G/expand.tpol"
echo "expand.tpol:4099:1: error: rules expand to more than 16777216 access vectors" >"$G/want"
expect_run bad_expansion_budget 1 "$G/want" sh -c "cd $G && $T compile expand.tpol -o x.bin"
expand_policy 1000 'allow all all:event send;' >"$G/avmax.tpol"
echo "avmax.tpol:1004:1: error: the policy grants more than 524288 access vectors" >"$G/want"
expect_run bad_too_many_access_vectors 1 "$G/want" sh -c "cd $G && $T compile avmax.tpol -o x.bin"
expand_policy 700 'allow all all:event send;' >"$G/avtab.tpol"
echo "avtab.tpol:1:1: error: 490000 access vectors do not fit in 1048576 slots, each within 8 of its home slot" >"$G/want"
expect_run bad_avtab_does_not_fit 1 "$G/want" sh -c "cd $G && $T compile avtab.tpol -o x.bin"

# A flood of broken statements: the first hundred errors, then it stops.
{
	printf 'type core_t;\nlabel core core_t;\n'
	for i in $(seq 1 500); do echo "allow a b:nope x;"; done
} >"$G/flood.tpol"
$T compile "$G/flood.tpol" -o "$G/x.bin" 2>"$W/err"
if [ $? -eq 1 ] && [ "$(wc -l <"$W/err")" -eq 101 ] && [ "$(tail -n 1 "$W/err")" = "tessera-policy: too many errors, stopping" ]; then
	pass errors_stop_after_a_hundred
else
	fail errors_stop_after_a_hundred "$(wc -l <"$W/err") lines, last: $(tail -n 1 "$W/err")"
fi

# Mutated copies of the examples: errors or success, never a crash.
mkdir -p "$G/mut"
cp "$EX"/*.tpol "$G/mut/"
RANDOM=4242
chars='{};*:,"#-_ 0x@'
ok=1
src=$(cat "$EX/default.tpol")
for i in $(seq 1 60); do
	m=$src
	for k in 1 2 3; do
		p=$((RANDOM % ${#m}))
		case $((RANDOM % 3)) in
		0) m="${m:0:p}${chars:RANDOM%${#chars}:1}${m:p+1}" ;;
		1) m="${m:0:p}${m:p+1+RANDOM%20}" ;;
		2) m="${m:0:p}${m:RANDOM%${#m}:40}${m:p}" ;;
		esac
	done
	printf '%s\n' "$m" >"$G/mut/m.tpol"
	no_crash "mutated_source_$i" $T check "$G/mut/m.tpol" || { ok=0; cp "$G/mut/m.tpol" "$G/mut/crash$i.tpol"; }
done
[ $ok -eq 1 ] && pass mutated_sources_never_crash

# --- valid policies ---------------------------------------------------------------
for f in "$EX/default.tpol" "$EX/driver-domains.tpol" good/*.tpol; do
	n=$(basename "$f" .tpol)
	expect_run "check_clean_$n" 0 /dev/null $T check "$f"
	expect_run "compile_$n" 0 /dev/null $T compile "$f" -o "$W/$n.bin"
done
if $T dump "$W/star_multi_class.bin" | grep -qx 'allow a_t b_t:grant { offer end map unmap };'; then
	pass star_means_every_permission_of_each_class
else
	fail star_means_every_permission_of_each_class "$($T dump "$W/star_multi_class.bin" | grep grant)"
fi

# policy/LANGUAGE.md: its first example compiles cleanly, its vocabulary table is current.
awk '/^```$/ && n == 0 { n = 1; next } n == 1 && /^```$/ { exit } n == 1' "$ROOT/policy/LANGUAGE.md" >"$W/hello.tpol"
expect_run language_md_example_is_clean 0 /dev/null $T check "$W/hello.tpol"
sed -n '/^<!-- vocabulary:/,/^<!-- end vocabulary -->/p' "$ROOT/policy/LANGUAGE.md" | sed '1d;$d' >"$W/vocab.md"
if $T vocabulary | cmp -s - "$W/vocab.md"; then
	pass language_md_vocabulary_is_current
else
	fail language_md_vocabulary_is_current "regenerate it with tessera-policy vocabulary"
fi

# --- reproducible output -----------------------------------------------------------
$T compile "$EX/default.tpol" -o "$W/again.bin"
mkdir -p "$W/elsewhere/deeper"
cp "$EX"/*.tpol "$W/elsewhere/deeper/"
(cd "$W/elsewhere" && "$T" compile deeper/default.tpol -o moved.bin)
$T compile "$(realpath "$EX/default.tpol")" -o "$W/absolute.bin"
h=$(sha "$W/default.bin")
for b in again.bin elsewhere/moved.bin absolute.bin reordered.bin; do
	if [ -f "$W/$b" ] && [ "$(sha "$W/$b")" = "$h" ]; then
		pass "same_bytes_${b%.bin}"
	else
		fail "same_bytes_${b%.bin}" "$b differs from default.bin"
	fi
done

# --- dump: round trip, and hostile binaries -------------------------------------------
for n in default driver-domains neverallow_ok star_multi_class; do
	if $T dump "$W/$n.bin" >"$W/$n.dump.tpol" && $T compile "$W/$n.dump.tpol" -o "$W/$n.dump.bin" &&
		cmp -s "$W/$n.bin" "$W/$n.dump.bin"; then
		pass "dump_round_trip_$n"
	else
		fail "dump_round_trip_$n" "dump | compile gives other bytes"
	fi
done
for n in 10 100 1000; do
	$GEN $n >"$W/gen$n.tpol"
	if $T compile "$W/gen$n.tpol" -o "$W/gen$n.bin" && [ "$($T dump "$W/gen$n.bin" | grep -c '^allow ')" -ge "$n" ] &&
		$T dump "$W/gen$n.bin" | grep -qx 'allow bench_t bench_t:domain { getinfo exit lookup };' &&
		$T dump "$W/gen$n.bin" | grep -qx 'allow bench_t core_t:core { version console yield };' &&
		$T dump "$W/gen$n.bin" >"$W/gen$n.dump.tpol" && $T compile "$W/gen$n.dump.tpol" -o "$W/gen$n.dump.bin" &&
		cmp -s "$W/gen$n.bin" "$W/gen$n.dump.bin"; then
		pass "generated_policy_$n"
	else
		fail "generated_policy_$n" "does not compile, lacks the bench rules or does not round-trip"
	fi
done
$GEN 10000 >"$W/gen10000.tpol"
expect_run generated_policy_10000 0 /dev/null $ROOT/build/tools/tessera-policy compile "$W/gen10000.tpol" -o "$W/gen10000.bin"

u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
B=$W/default.bin
hostile() { # name reason: $W/h.bin must be refused with that reason
	echo "$W/h.bin: error: $2" >"$W/want"
	expect_run "dump_refuses_$1" 1 "$W/want" $T dump "$W/h.bin"
}
head -c 100 "$B" >"$W/h.bin"
hostile truncated "header or total size does not match the module"
: >"$W/h.bin"
hostile empty "policy size out of bounds"
cp "$B" "$W/h.bin" && poke "$W/h.bin" 0 X
hostile bad_magic "not a Tessera policy (bad magic)"
cp "$B" "$W/h.bin" && poke "$W/h.bin" 8 '\002'
hostile wrong_version "unsupported policy format version"
cp "$B" "$W/h.bin" && poke "$W/h.bin" 24 '\377'
hostile other_vocabulary "compiled for another set of classes and permissions"
cp "$B" "$W/h.bin" && poke "$W/h.bin" $(($(u32 "$B" 68) + 1)) A
hostile bad_type_name "type name missing or malformed"
cp "$B" "$W/h.bin"
slot=$(u32 "$B" 56)
while [ "$(od -An -tu2 -j $((slot + 6)) -N 2 "$B" | tr -d ' ')" != 1 ]; do slot=$((slot + 12)); done
poke "$W/h.bin" $((slot + 11)) '\200'
hostile undefined_permission "access-vector entry grants no or undefined permissions"
cp "$B" "$W/h.bin" && poke "$W/h.bin" $(($(u32 "$B" 48) + 4)) '\377'
hostile label_type_out_of_range "label type out of range"
echo "$W/missing.bin: error: cannot read: No such file or directory" >"$W/want"
expect_run dump_missing_file 1 "$W/want" $T dump "$W/missing.bin"
ok=1
size=$(stat -c %s "$B")
for off in $(seq 0 7 $((size - 1))); do
	cp "$B" "$W/h.bin"
	poke "$W/h.bin" "$off" '\245'
	no_crash "dump_flipped_byte_$off" $T dump "$W/h.bin" || ok=0
done
[ $ok -eq 1 ] && pass dump_flipped_bytes_never_crash

# --- check's warnings -----------------------------------------------------------------
expect_run check_warnings 1 check/warnings.expect $T check check/warnings.tpol

# --- explain and allow ------------------------------------------------------------------
for cmd in allow explain; do
	$T $cmd logs/sample.log >"$W/out" 2>"$W/err"
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "${cmd}_sample_log" "exit status $rc, expected 1 (the log has malformed records)"
	elif ! cmp -s "$W/out" "logs/sample.$cmd"; then
		fail "${cmd}_sample_log" "output differs: $(diff "logs/sample.$cmd" "$W/out" | head -n 5)"
	elif ! cmp -s "$W/err" logs/sample.err; then
		fail "${cmd}_sample_log" "errors differ: $(diff logs/sample.err "$W/err" | head -n 5)"
	else
		pass "${cmd}_sample_log"
	fi
done

# Denied -> allow's rules appended -> recompiled: the policy now grants it.
$T compile logs/roundtrip.tpol -o "$W/rt.bin"
$T explain logs/roundtrip.log --policy "$W/rt.bin" >"$W/before" 2>&1
cp logs/roundtrip.tpol "$W/rt2.tpol"
$T allow logs/roundtrip.log >>"$W/rt2.tpol"
if $T compile "$W/rt2.tpol" -o "$W/rt2.bin" && $T dump "$W/rt2.bin" >"$W/rt2.dump" &&
	grep -qx 'allow ping_t c_t:event { bind send };' "$W/rt2.dump" &&
	grep -qx 'allow c_t c_t:event setup;' "$W/rt2.dump"; then
	pass allow_rules_grant_the_denials
else
	fail allow_rules_grant_the_denials "$(cat "$W/rt2.tpol" | tail -n 3)"
fi
$T explain logs/roundtrip.log --policy "$W/rt2.bin" >"$W/after" 2>&1
if grep -q "$W/rt.bin would still deny send" "$W/before" && grep -q "$W/rt.bin would still deny setup" "$W/before" &&
	[ "$(grep -c "$W/rt2.bin allows this now" "$W/after")" -eq 2 ]; then
	pass explain_policy_says_now_allowed
else
	fail explain_policy_says_now_allowed "before: $(grep -c deny "$W/before") denies, after: $(cat "$W/after" | head -n 3)"
fi
# A domain's console line starts with "[name] ": a record it prints is not the core's.
printf '%s\n' '[evil] tessera: avc: denied { map } hcall=grant_map sdom=1 sname=evil scontext=evil_t tdom=0 tname=dom0 tcontext=dom0_t tclass=grant permissive=0' >"$W/forged.log"
if $T allow "$W/forged.log" >"$W/forged.out" 2>"$W/forged.err" && [ ! -s "$W/forged.out" ] &&
	grep -q "forged.log:1:8: warning: ignored: a denial record that does not start its line" "$W/forged.err"; then
	pass allow_ignores_a_denial_record_printed_by_a_domain
else
	fail allow_ignores_a_denial_record_printed_by_a_domain "proposed: $(cat "$W/forged.out") / $(cat "$W/forged.err")"
fi
# Mutated logs: errors or output, never a crash.
RANDOM=777
log=$(cat logs/sample.log)
ok=1
for i in $(seq 1 40); do
	m=$log
	for k in 1 2 3 4; do
		p=$((RANDOM % ${#m}))
		case $((RANDOM % 3)) in
		0) m="${m:0:p}${chars:RANDOM%${#chars}:1}${m:p+1}" ;;
		1) m="${m:0:p}${m:p+1+RANDOM%30}" ;;
		2) m="${m:0:p}${m:RANDOM%${#m}:60}${m:p}" ;;
		esac
	done
	printf '%s\n' "$m" >"$W/m.log"
	no_crash "mutated_log_$i" $T explain "$W/m.log" --policy "$W/rt2.bin" || ok=0
done
[ $ok -eq 1 ] && pass mutated_logs_never_crash
printf 'no avc here\n' >"$W/empty.log"
if [ "$($T explain "$W/empty.log")" = "no denial records in $W/empty.log" ] && [ -z "$($T allow "$W/empty.log")" ]; then
	pass log_without_records
else
	fail log_without_records "$($T explain "$W/empty.log")"
fi

finish
