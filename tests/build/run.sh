#!/usr/bin/env bash
# The build refuses a hypercall table entry that does not name a real class and
# permission: compile core/hypercall.c against altered copies of hypercall.def.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
CFLAGS="-std=c11 -ffreestanding -Wall -Wextra -Werror -fsyntax-only"

# try NAME EXPECT(ok|fail) SED-EXPRESSION [PATTERN-IN-ERRORS]
try() {
	local name=$1 expect=$2 expr=$3 pattern=${4:-} out rc
	rm -rf "$tmp/inc" && mkdir -p "$tmp/inc" && cp -r core/include/tessera "$tmp/inc/"
	sed -i "$expr" "$tmp/inc/tessera/hypercall.def"
	out=$(gcc $CFLAGS -I"$tmp/inc" -Icore/include -Itests/sim/include core/hypercall.c 2>&1)
	rc=$?
	if [ "$expect" = ok ] && [ $rc -eq 0 ]; then
		echo "PASS $name"; passed=$((passed + 1))
	elif [ "$expect" = fail ] && [ $rc -ne 0 ] && grep -q -- "$pattern" <<<"$out"; then
		echo "PASS $name"; passed=$((passed + 1))
	else
		echo "FAIL $name: compiler status $rc"; echo "$out" | head -5; failed=$((failed + 1))
	fi
}

try hcall_table_as_written_compiles ok ''
try hcall_entry_with_unknown_permission_does_not_compile fail \
	's/event, send, PORT/event, sned, PORT/' 'TESSERA_AIDX_event_sned'
try hcall_entry_with_unknown_class_does_not_compile fail \
	's/grant, map, DOMAIN/grnt, map, DOMAIN/' 'TESSERA_CLASS_grnt'
try hcall_entry_with_permission_of_another_class_does_not_compile fail \
	's/core, console, CORE/core, send, CORE/' 'TESSERA_AIDX_core_send'
try hcall_entry_without_class_and_permission_does_not_compile fail \
	's/HCALL(9, evtchn_send,   1, event, send, PORT,/HCALL(9, evtchn_send, 1, PORT,/' 'HCALL'
try hcall_entry_with_unknown_target_does_not_compile fail \
	's/grant, end, SELF/grant, end, OTHER/' 'HCALL_TARGET_OTHER'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
