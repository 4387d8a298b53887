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

# --- bounded work on hostile sources: each of these took minutes or hung, or used --------
# --- hundreds of MB, before; `timeout` turns a regression into a failure, not a stall ---
# Neverallows: a violation finds its allow rule at once, and checking stops at the error limit.
mkdir -p "$G/never"
printf 'type core_t;\nlabel core core_t;\ntype a_t;\ntype b_t;\ninclude "a1.tpol";\ninclude "a2.tpol";\nallow b_t b_t:grant map;\ninclude "n1.tpol";\ninclude "n2.tpol";\n' >"$G/never/main.tpol"
for f in a1 a2; do yes 'allow a_t a_t:grant map;' | head -n 32768 >"$G/never/$f.tpol"; done
for f in n1 n2; do yes 'neverallow b_t b_t:grant map;' | head -n 32768 >"$G/never/$f.tpol"; done
(cd "$G/never" && timeout 10 "$T" compile main.tpol -o x.bin) 2>"$W/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$W/err")" -eq 101 ] &&
	[ "$(head -n 1 "$W/err")" = "main.tpol:7:1: error: rule grants b_t b_t:grant map, forbidden by the neverallow at n1.tpol:1:1" ] &&
	[ "$(tail -n 1 "$W/err")" = "tessera-policy: too many errors, stopping" ]; then
	pass neverallow_violations_are_found_in_linear_time
else
	fail neverallow_violations_are_found_in_linear_time "status $rc, $(wc -l <"$W/err") lines: $(head -n 1 "$W/err")"
fi

# Names per rule (sources and targets together) and per type statement: at most 4096.
names() { yes "$1" | head -n "$2" | tr '\n' ' '; }
printf 'type core_t;\nlabel core core_t;\ntype a_t;\nallow { %s} a_t:event send;\n' "$(names a_t 4095)" >"$G/names_ok.tpol"
expect_run rule_with_4096_names_compiles 0 /dev/null sh -c "cd $G && $T compile names_ok.tpol -o x.bin"
printf 'type core_t;\nlabel core core_t;\ntype a_t;\nallow { %s} a_t:event send;\n' "$(names a_t 4096)" >"$G/names_rule.tpol"
echo "names_rule.tpol:4:$((11 + 4096 * 4)): error: more than 4096 names in one rule" >"$G/want"
expect_run bad_more_than_4096_names_in_a_rule 1 "$G/want" sh -c "cd $G && $T compile names_rule.tpol -o x.bin"
printf 'type core_t;\nlabel core core_t;\nattribute x;\ntype a_t, %s;\n' "$(yes x | head -n 4097 | paste -sd,)" >"$G/names_type.tpol"
echo "names_type.tpol:4:$((11 + 4096 * 2)): error: more than 4096 names in one statement" >"$G/want"
expect_run bad_more_than_4096_attributes_in_a_type 1 "$G/want" sh -c "cd $G && $T compile names_type.tpol -o x.bin"
# ... and 2097152 in all: 600 rules of 4096 names, in five files under 1 MiB.
mkdir -p "$G/names"
line="allow { $(names a 4095)} a_t:event send;"
for i in 1 2 3 4 5; do
	yes "$line" | head -n 120 >"$G/names/n$i.tpol"
	echo "include \"n$i.tpol\";"
done >"$G/names/main.tpol"
printf 'type core_t;\nlabel core core_t;\nattribute a;\ntype a_t, a;\n' >>"$G/names/main.tpol"
(cd "$G/names" && timeout 20 "$T" compile main.tpol -o x.bin) 2>"$W/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$W/err")" -eq 1 ] &&
	grep -qx 'n5.tpol:33:[0-9]*: error: too many names in rules and attribute lists (the limit is 2097152)' "$W/err"; then
	pass bad_too_many_names_in_all
else
	fail bad_too_many_names_in_all "status $rc: $(head -n 2 "$W/err")"
fi

# All source files together: at most 16 MiB (1 MiB each, 1024 files would be 1 GiB).
mkdir -p "$G/bytes"
{
	head -c 999999 /dev/zero | tr '\0' '#'
	echo
} >"$G/bytes/f1.tpol"
for i in $(seq 2 17); do cp "$G/bytes/f1.tpol" "$G/bytes/f$i.tpol"; done
{
	printf 'type core_t;\nlabel core core_t;\n'
	for i in $(seq 1 17); do echo "include \"f$i.tpol\";"; done
} >"$G/bytes/main.tpol"
echo "main.tpol:19:9: error: 'f17.tpol' makes the policy's files larger than 16 MiB in all" >"$G/want"
expect_run bad_sources_over_16mib_in_all 1 "$G/want" sh -c "cd $G/bytes && $T compile main.tpol -o x.bin"
rm -rf "$G/bytes"
# A file is known by its inode: hard links to one file are one file, read once.
mkdir -p "$G/links"
printf 'type a_t;\nallow a_t a_t:event send;\n' >"$G/links/one.tpol"
{
	printf 'type core_t;\nlabel core core_t;\n'
	for i in $(seq 1 64); do
		ln "$G/links/one.tpol" "$G/links/link$i.tpol"
		echo "include \"link$i.tpol\";"
	done
} >"$G/links/main.tpol"
expect_run include_hard_links_are_read_once 0 /dev/null sh -c "cd $G/links && $T compile main.tpol -o x.bin"

# Access-vector placement: entries that all hash into one cluster give up each table size at once.
if ${CC:-cc} -std=c11 -O2 -I"$ROOT/core/include" -o "$W/avclash" avclash.c 2>"$W/err"; then
	mkdir -p "$G/clash"
	n=$("$W/avclash" "$G/clash" 2048)
	echo "main.tpol:1:1: error: $n access vectors do not fit in 1048576 slots, each within 8 of its home slot" >"$G/want"
	expect_run avtab_placement_gives_up_a_clustered_size_at_once 1 "$G/want" \
		timeout 10 sh -c "cd $G/clash && $T compile main.tpol -o x.bin"
else
	fail avtab_placement_gives_up_a_clustered_size_at_once "cannot build avclash.c: $(head -n 3 "$W/err")"
fi

# check's search for the rule that covers a redundant one is bounded by names read, not rules compared.
{
	printf 'type core_t;\nlabel core core_t;\nattribute a;\ntype x_t, a;\nlabel domain x x_t;\n'
	for k in $(seq 0 99); do echo "type t$k;"; done
	line=$(names a 4095)
	for k in $(seq 0 99); do echo "allow { $line} t$k:event send;"; done
	yes 'allow x_t { t0 t1 }:event send;' | head -n 2000
} >"$G/cover.tpol"
timeout 10 "$T" check "$G/cover.tpol" 2>"$W/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c ': warning: redundant rule: ' "$W/err")" -eq 2000 ] && ! grep -q error "$W/err"; then
	pass check_cover_search_is_bounded_by_names
else
	fail check_cover_search_is_bounded_by_names "status $rc: $(grep -c redundant "$W/err") redundant, $(head -n 1 "$W/err")"
fi

# --- includes: regular files inside the main file's directory only --------------------
mkdir -p "$G/inc/tree/sub" "$G/inc/tree/dir"
printf 'type core_t;\nlabel core core_t;\n' >"$G/inc/outside.tpol"
printf 'include "sub/a.tpol";\ninclude "alias.tpol";\ntype core_t;\nlabel core core_t;\n' >"$G/inc/tree/ok.tpol"
printf 'include "../b.tpol";\ntype a_t;\n' >"$G/inc/tree/sub/a.tpol"
printf 'type b_t;\n' >"$G/inc/tree/b.tpol"
printf 'type c_t;\n' >"$G/inc/tree/sub/c.tpol"
ln -s sub/c.tpol "$G/inc/tree/alias.tpol"
expect_run include_dotdot_and_symlink_inside_the_tree 0 /dev/null sh -c "cd $G/inc/tree && $T compile ok.tpol -o x.bin"
mkfifo "$G/inc/tree/fifo.tpol"
ln -s fifo.tpol "$G/inc/tree/to_fifo.tpol"
ln -s /dev/tty "$G/inc/tree/tty.tpol"
ln -s ../outside.tpol "$G/inc/tree/out_link.tpol"
inc_case() { # name include-path expected-message
	printf 'include "%s";\n' "$2" >"$G/inc/tree/m.tpol"
	echo "m.tpol:1:9: error: $3" >"$G/want"
	expect_run "$1" 1 "$G/want" timeout 10 sh -c "cd $G/inc/tree && $T compile m.tpol -o x.bin"
}
inc_case bad_include_fifo fifo.tpol "'fifo.tpol' is not a regular file"
inc_case bad_include_symlink_to_fifo to_fifo.tpol "'to_fifo.tpol' is not a regular file"
inc_case bad_include_symlink_to_tty tty.tpol "'tty.tpol' is outside the main file's directory"
inc_case bad_include_dotdot_outside ../outside.tpol "'../outside.tpol' is outside the main file's directory"
inc_case bad_include_symlink_outside out_link.tpol "'out_link.tpol' is outside the main file's directory"
inc_case bad_include_directory dir "cannot open 'dir': Is a directory"
echo "/dev/null: error: not a regular file" >"$G/want"
expect_run bad_main_file_not_regular 1 "$G/want" $T compile /dev/null -o "$G/x.bin"

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
# The default policy reordered: its include must stay in its directory, so common.tpol is copied there.
mkdir -p "$W/reordered"
cp "$EX/common.tpol" reordered/reordered.tpol "$W/reordered/"
expect_run check_clean_reordered 0 /dev/null $T check "$W/reordered/reordered.tpol"
expect_run compile_reordered 0 /dev/null $T compile "$W/reordered/reordered.tpol" -o "$W/reordered.bin"
# The largest PCI segment the binary holds (0xff) compiles and reads back.
printf 'type core_t;
label core core_t;
label device 00ff:ff:1f.7 core_t;
' >"$W/seg.tpol"
if $T compile "$W/seg.tpol" -o "$W/seg.bin" && $T dump "$W/seg.bin" | grep -qx 'label device 00ff:ff:1f.7 core_t;'; then
	pass pci_segment_ff_round_trips
else
	fail pci_segment_ff_round_trips "$($T dump "$W/seg.bin" 2>&1 | grep device)"
fi
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
# A proposed self rule says that self is per type, not per domain.
if $T explain logs/sample.log 2>/dev/null | grep -qx '  note: self is per type: every domain of type c_t gets this on every domain of type c_t, not only on itself' &&
	! $T explain logs/sample.log 2>/dev/null | grep -q 'note: self.* log_t'; then
	pass explain_says_self_is_per_type
else
	fail explain_says_self_is_per_type "no note, or a note on a rule without self"
fi
# A record about a device names it by address (tdom=device); the rule targets its label.
printf '%s\n' 'tessera: avc: denied { config } hcall=dev_config_write sdom=2 sname=blk scontext=blk_t tdom=device tname=0000:00:04.0 tcontext=disk_dev_t tclass=device permissive=0' \
	'tessera: avc: denied { getinfo } hcall=dev_info sdom=2 sname=blk scontext=blk_t tdom=device tname=0000:00:04.0 tcontext=disk_dev_t tclass=device permissive=0' \
	'tessera: avc: denied { config } hcall=dev_config_read sdom=device sname=blk scontext=blk_t tdom=device tname=0000:00:04.0 tcontext=disk_dev_t tclass=device permissive=0' \
	'tessera: avc: denied { config } hcall=dev_config_read sdom=2 sname=blk scontext=blk_t tdom=device tname=00:04.0 tcontext=disk_dev_t tclass=device permissive=0' >"$W/device.log"
$T allow "$W/device.log" >"$W/device.out" 2>"$W/device.err"
if [ "$(cat "$W/device.out")" = "allow blk_t disk_dev_t:device { getinfo config };" ] &&
	grep -q "device.log:3:.*: error: bad domain id 'device': only a domain is a subject" "$W/device.err" &&
	grep -q "device.log:4:.*: error: bad device address" "$W/device.err" &&
	$T explain "$W/device.log" 2>/dev/null | grep -q "blk (domain 2) called dev_config_write on device 0000:00:04.0 once"; then
	pass allow_proposes_device_rules_from_device_records
else
	fail allow_proposes_device_rules_from_device_records "$(cat "$W/device.out" "$W/device.err")"
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
