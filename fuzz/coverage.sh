#!/usr/bin/env bash
# `make fuzz-coverage`: every target's inputs (seeds, committed corpus, regressions)
# replayed through its clang source-based coverage build (build/fuzz/cov), merged;
# prints line and branch coverage per file of core/*.c (and the other code under
# test), and for each hypercall handler hc_* whether every line of it was reached.
set -u
cd "$(dirname "$0")/.."
FZ=build/fuzz
W=$FZ/coverage
targets=${*:-hcall}
rm -rf "$W" && mkdir -p "$W"
objs=()
for t in $targets; do
	files=()
	for d in "$FZ/seeds/$t" fuzz/corpus/"$t" fuzz/regressions/"$t"; do
		[ -d "$d" ] && for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
	done
	[ ${#files[@]} -gt 0 ] || continue
	LLVM_PROFILE_FILE="$W/$t.profraw" "$FZ/cov/$t" "${files[@]}" >"$W/$t.log" 2>&1 ||
		echo "coverage: $t stopped on an input (see $W/$t.log); its coverage is partial"
	objs+=(-object "$FZ/cov/$t")
done
llvm-profdata-14 merge -sparse "$W"/*.profraw -o "$W/all.profdata" || exit 1
# Each binary carries its own copy of the harness helpers: "mismatched data" warnings are those.
srcs=(core/*.c core/arch/x86/amdvi_ivrs.c core/arch/x86/vtd_dmar.c attest/eventlog.c
      attest/evidence_parse.c attest/verify.c attest/verify_events.c
      driver-domains/attest/filter.c driver-domains/blk/check.c driver-domains/net/frame.c
      driver-domains/console/lines.c)
echo "== lines and branches reached, per file"
llvm-cov-14 report -instr-profile "$W/all.profdata" "${objs[@]:1}" "${srcs[@]}" 2>/dev/null |
	awk 'NR > 2 && NF >= 13 && $1 != "TOTAL" && $1 !~ /^-/ {
		printf "%-36s lines %5s of %5s (%7s)  branches %5s of %5s (%7s)\n", $1,
		       $8 - $9, $8, $10, $11 - $12, $11, $13 }
	     $1 == "TOTAL" { printf "%-36s lines %5s of %5s (%7s)  branches %5s of %5s (%7s)\n",
		       "total", $8 - $9, $8, $10, $11 - $12, $11, $13 }'
echo "== hypercall handlers (hc_*): lines reached"
full=0 all=0
while read -r name lines missed pct; do
	all=$((all + 1))
	if [ "$missed" = 0 ]; then
		full=$((full + 1))
		echo "  full     $name ($lines lines)"
	else
		echo "  partial  $name ($missed of $lines lines not reached)"
	fi
done < <(llvm-cov-14 report -show-functions -instr-profile "$W/all.profdata" "${objs[@]:1}" core/*.c 2>/dev/null |
	awk '$1 ~ /^hc_/ { print $1, $5, $6, $7 }' | sort -u)
echo "$full of $all handlers fully reached"
