#!/usr/bin/env bash
# `make test`: every suite, then one closing line with the totals.
# A suite that dies before printing its own summary counts as one failure.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
passed=0 failed=0

suite() { # name command...
	local name=$1 log=build/test-$1.log line p f
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$log" | sed -E "s/^([0-9]+ passed, [0-9]+ failed)$/$name: \1/"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $name: the suite did not complete (see $log)"
		failed=$((failed + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
}

suite docs scripts/hcall-doc.sh --check
suite build tests/build/run.sh
suite unit make -s unit
suite verify verification/run.sh
suite fuzz make -s fuzz-smoke
suite fuzz-system make -s fuzz-system-test
suite policy tests/policy/run.sh
suite attest tests/attest/run.sh
suite qemu tests/qemu/run.sh
suite mac tests/mac/roundtrip.sh
suite devices tests/devices/blk.sh
suite net tests/devices/net.sh
suite blk-crash tests/devices/blk-crash.sh
suite net-crash tests/devices/net-crash.sh
suite attest-domain tests/attest/domain.sh
suite attest-grub tests/attest/grub.sh
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
