#!/usr/bin/env bash
# `make verify`: the machine-checked proofs and models of verification/README.md.
#  1. the bit-arithmetic facts the WP proofs assume, proven on bit-vectors by z3;
#  2. Frama-C WP on each target of wp/targets: every goal of its functions'
#     contracts and run-time safety must be proven (z3, cvc4);
#  3. each Spin model passes, and each broken twin fails the way spin/models says.
# Prints PASS/FAIL per target, a table of goals per function, and "N passed, N failed".
#   VERIFY_PAR (default 2) provers at once, VERIFY_TIMEOUT (default 10) seconds a goal;
#   arguments select targets by name (e.g. verification/run.sh frame ring).
set -u
cd "$(dirname "$0")/.."
out=build/verify
mkdir -p "$out"
par=${VERIFY_PAR:-2}
timeout=${VERIFY_TIMEOUT:-10}
passed=0 failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
wanted() { # name: selected by the arguments?
	[ $# -eq 1 ] && [ ${#sel[@]} -eq 0 ] && return 0
	for s in "${sel[@]}"; do case $1 in *"$s"*) return 0 ;; esac; done
	return 1
}
sel=("$@")
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Provers: Debian's z3 and cvc4, found by why3 into a private configuration.
export WHY3CONFIG=$PWD/$out/why3.conf
if [ ! -s "$WHY3CONFIG" ] || ! grep -q CVC4 "$WHY3CONFIG" || ! grep -q Z3 "$WHY3CONFIG"; then
	why3 config detect </dev/null >"$out/why3-detect.log" 2>&1
fi

# 1. Bit facts.
if wanted bits; then
	r=$(z3 verification/wp/bits.smt2 2>&1 </dev/null)
	if [ "$(echo "$r" | sort -u)" = unsat ]; then pass "bits (z3: $(echo "$r" | wc -l) bit-vector facts)"
	else fail bits "z3 did not prove every fact in verification/wp/bits.smt2: $(echo $r)"; fi
fi

# 2. WP. One parse of the core files for every target, so each proof can use the
#    contracts the others prove.
FILES="core/policy.c core/avc.c core/guest.c core/hypercall.c core/evtchn.c core/domain.c
       core/grant.c core/frame.c"
parsed=
parse() {
	[ -n "$parsed" ] && return "$parsed"
	if frama-c -c11 -machdep gcc_x86_64 -cpp-command verification/wp/cpp.sh -cpp-frama-c-compliant \
		$FILES -save "$out/core.sav" </dev/null >"$out/parse.log" 2>&1; then parsed=0; else parsed=1; fi
	return "$parsed"
}
printf '%-14s %-22s %6s %7s %7s\n' target function goals proven seconds >"$out/table.txt"
while read -r name model fns; do
	case $name in '#'* | '') continue ;; esac
	wanted "$name" || continue
	if ! parse; then
		fail "$name" "Frama-C could not parse the core ($out/parse.log)"
		continue
	fi
	log=$out/wp-$name.log
	t0=$(now)
	frama-c -load "$out/core.sav" -wp -wp-rte -wp-model "$model" -wp-fct "${fns// /,}" \
		-wp-prover z3,cvc4 -wp-timeout "$timeout" -wp-par "$par" </dev/null >"$log" 2>&1
	rc=$?
	t=$(secs "$t0" "$(now)")
	line=$(grep -E '^\[wp\] Proved goals: +[0-9]+ / [0-9]+' "$log" | tail -n 1)
	proven=$(echo "$line" | sed -E 's/.*: +([0-9]+) \/ ([0-9]+).*/\1/')
	total=$(echo "$line" | sed -E 's/.*: +([0-9]+) \/ ([0-9]+).*/\2/')
	# Goals per function: WP names them typed[_cast]_FUNCTION_...
	for fn in $fns; do
		g=$(grep -oE "Goal typed(_cast)?_${fn}_[A-Za-z0-9_]+( : Valid)?" "$log" |
			grep -vE "Goal typed(_cast)?_${fn}_[0-9]+_" | sort -u)
		n=$(echo "$g" | grep -c . || true)
		v=$(echo "$g" | grep -c ': Valid' || true)
		printf '%-14s %-22s %6s %7s %7s\n' "$name" "$fn" "$n" "$v" "" >>"$out/table.txt"
	done
	printf '%-14s %-22s %6s %7s %7s\n' "$name" "(all)" "${total:-?}" "${proven:-?}" "$t" >>"$out/table.txt"
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		fail "$name" "Frama-C failed ($log)"
	elif [ "$proven" != "$total" ]; then
		fail "$name" "$((total - proven)) of $total goals not proven ($log): $(grep -oE '\[Failed\] Goal [A-Za-z0-9_]+' "$log" | sed 's/.*Goal //' | tr '\n' ' ')"
	else
		pass "$name ($total goals, ${t}s)"
	fi
done <verification/wp/targets
[ -s "$out/table.txt" ] && [ "$(wc -l <"$out/table.txt")" -gt 1 ] && cat "$out/table.txt"

# 3. Spin: each model passes, each broken twin fails as expected.
while read -r model twin expect; do
	case $model in '#'* | '') continue ;; esac
	name=spin-$model
	[ "$twin" = - ] || name=spin-$model-$twin
	wanted "$name" || continue
	dir=$out/spin/$name
	rm -rf "$dir" && mkdir -p "$dir"
	def=
	[ "$twin" = - ] || def=-D$twin
	t0=$(now)
	if ! (cd "$dir" && spin -a $def "$OLDPWD/verification/spin/$model.pml" </dev/null >spin.log 2>&1 &&
		gcc -O2 -DSAFETY -o pan pan.c </dev/null >gcc.log 2>&1); then
		fail "$name" "spin or gcc failed ($dir)"
		continue
	fi
	(cd "$dir" && ./pan -m1000000 </dev/null >pan.log 2>&1)
	t=$(secs "$t0" "$(now)")
	errors=$(sed -nE 's/.*errors: ([0-9]+).*/\1/p' "$dir/pan.log" | tail -n 1)
	got=pass
	if grep -q 'max search depth too small' "$dir/pan.log"; then got=truncated
	elif [ "${errors:-x}" = 0 ]; then got=pass
	elif grep -q 'assertion violated' "$dir/pan.log"; then got=assert
	elif grep -q 'invalid end state' "$dir/pan.log"; then got=deadlock
	else got=unknown; fi
	states=$(sed -nE 's/^ *([0-9]+) states, stored.*/\1/p' "$dir/pan.log")
	if [ "$got" = "$expect" ]; then
		if [ "$twin" = - ]; then pass "$name: no error in ${states:-?} states (${t}s)"
		else pass "$name: the broken twin fails as it must ($expect)"; fi
	else
		fail "$name" "expected $expect, pan says $got ($dir/pan.log)"
	fi
done <verification/spin/models

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
