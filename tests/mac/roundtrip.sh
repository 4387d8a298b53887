#!/usr/bin/env bash
# The policy author's loop, end to end in QEMU: boot with a policy that denies,
# feed the console log to `tessera-policy allow`, append the rules it proposes,
# recompile, boot again: what was denied now works, and nothing is denied.
#   tests/mac/roundtrip.sh     (after `make`; prints PASS/FAIL lines and a summary)
set -uo pipefail
cd "$(dirname "$0")/../.."
B=build D=build/domains TOOL=build/tools/tessera-policy
W=$B/mac-roundtrip
rm -rf "$W" && mkdir -p "$W"
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# boot POLICY LOG: the three mac domains under POLICY, serial console into LOG.
boot() {
	tests/qemu/boot.sh -e 33 -t 60 "$D/mac.elf domain=mac-a mem=2M" \
		"$D/mac.elf domain=mac-b mem=2M" "$D/mac.elf domain=mac-c mem=2M" \
		"$1 kind=policy" >"$2" 2>&1
}

# has NAME LOG PATTERN...: every fixed string is in the log.
has() {
	local name=$1 log=$2 p
	shift 2
	for p; do
		grep -qF -- "$p" "$log" || { fail "$name" "missing '$p' (see $log)"; return 1; }
	done
	pass "$name"
}

cp tests/qemu/policies/mac.tpol "$W/p1.tpol"
$TOOL compile "$W/p1.tpol" -o "$W/p1.tpb" || fail roundtrip_first_policy_compiles "compile failed"
boot "$W/p1.tpb" "$W/boot1.log" || fail roundtrip_first_boot_ends "status (see $W/boot1.log)"
has roundtrip_first_boot_denies_and_logs "$W/boot1.log" \
	"[mac-a] mac-a: send to c = -13" "[mac-a] mac-a: grant to c = -13" \
	"[mac-a] mac-a: map from c = -13" \
	"tessera: avc: denied { send } hcall=evtchn_send sdom=0 sname=mac-a scontext=a_t"

if $TOOL allow "$W/boot1.log" >"$W/rules.tpol" 2>"$W/allow.err"; then
	if diff -u - "$W/rules.tpol" >"$W/rules.diff" <<'RULES'
allow a_t c_t:event send;
allow a_t c_t:grant { offer map };
RULES
	then pass roundtrip_allow_proposes_exactly_the_missing_rules
	else fail roundtrip_allow_proposes_exactly_the_missing_rules "$(cat "$W/rules.diff")"
	fi
else
	fail roundtrip_allow_proposes_exactly_the_missing_rules "tessera-policy allow failed: $(cat "$W/allow.err")"
fi
$TOOL explain "$W/boot1.log" >"$W/explain.txt" 2>&1 &&
	has roundtrip_explain_names_the_hypercall_and_domains "$W/explain.txt" "evtchn_send" "mac-a" "mac-c"

{ cat "$W/p1.tpol"; echo; echo "# proposed by tessera-policy allow"; cat "$W/rules.tpol"; } >"$W/p2.tpol"
if $TOOL compile "$W/p2.tpol" -o "$W/p2.tpb" 2>"$W/p2.err"; then
	pass roundtrip_policy_with_the_proposed_rules_compiles
else
	fail roundtrip_policy_with_the_proposed_rules_compiles "$(cat "$W/p2.err")"
fi
$TOOL explain "$W/boot1.log" --policy "$W/p2.tpb" >"$W/explain2.txt" 2>&1
has roundtrip_explain_against_the_new_policy_says_allowed "$W/explain2.txt" "allows this now"

boot "$W/p2.tpb" "$W/boot2.log" || fail roundtrip_second_boot_ends "status (see $W/boot2.log)"
if has roundtrip_second_boot_allows_what_was_denied "$W/boot2.log" \
	"[mac-a] mac-a: send to c = 0" "[mac-a] mac-a: grant to c = 65537" \
	"[mac-a] mac-a: map from c = 1073745920" "[mac-b] mac-b: mapped a's grant, magic ok"; then
	if grep -q "avc: denied" "$W/boot2.log"; then
		fail roundtrip_second_boot_has_no_denial "$(grep "avc: denied" "$W/boot2.log" | head -3)"
	else
		pass roundtrip_second_boot_has_no_denial
	fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
