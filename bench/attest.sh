#!/usr/bin/env bash
# What remote attestation costs, measured side by side in one run against swtpm (a
# fresh one, own state dir under build/bench/attest/, killed by PID):
#   a. the verifier alone: build/attest/attest-bench checks one saved evidence file
#      (signature, nonce, PCR selection, log parse and replay, every event against
#      the golden manifest) N times in a loop on one core (taskset -c 0): no TPM in
#      the loop, no state written. Quotes verified per second.
#   b. end to end: `tessera-attest enroll` (EK, AK, MakeCredential/ActivateCredential)
#      once, then `tessera-attest verify` live R times (nonce, EK and AK loaded, quote,
#      log, verdict): wall time per verification, best and median.
# The boot is build/attest/simboot's simulated boot (tests/attest/simboot.c) of three
# artifacts: two domain images and a policy.
#
#   BENCH_ATTEST_N=5000    verifications in the loop of (a)
#   BENCH_ATTEST_ROUNDS=9  live verifications in (b)
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
D=$B/bench/attest
N=${BENCH_ATTEST_N:-5000}
ROUNDS=${BENCH_ATTEST_ROUNDS:-9}
ATT=$B/tools/tessera-attest
SIM=$B/attest/simboot

die() { echo "bench/attest.sh: $*" >&2; exit 1; }
[[ $N =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "BENCH_ATTEST_N and BENCH_ATTEST_ROUNDS must be positive"
make -s $ATT $B/attest/attest-bench $SIM || die "build failed"
command -v swtpm >/dev/null || die "swtpm missing: run scripts/deps.sh attest"
rm -rf "$D"
mkdir -p "$D/state"

PORT=$(python3 -c 'import socket
for _ in range(100):
    a, b = socket.socket(), socket.socket()
    a.bind(("127.0.0.1", 0))
    try:
        b.bind(("127.0.0.1", a.getsockname()[1] + 1))
    except OSError:
        continue
    print(a.getsockname()[1])
    break')
TCTI=swtpm:host=127.0.0.1,port=$PORT
swtpm socket --tpm2 --tpmstate dir="$D/state" --flags not-need-init,startup-clear \
	--server type=tcp,port="$PORT",bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((PORT + 1)),bindaddr=127.0.0.1 >"$D/swtpm.log" 2>&1 &
SWTPM=$!
trap 'kill $SWTPM 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
	swtpm_ioctl --tcp "127.0.0.1:$((PORT + 1))" -g >/dev/null 2>&1 && break
	sleep 0.05
done

head -c 200000 /dev/urandom >"$D/alpha.elf"
head -c 30000 /dev/urandom >"$D/beta.elf"
head -c 5000 /dev/urandom >"$D/policy.tpb"
MODS=(--module "$D/alpha.elf" "alpha.elf domain=alpha mem=4M"
	--module "$D/beta.elf" "beta.elf domain=beta mem=2M"
	--module "$D/policy.tpb" "policy.tpb kind=policy")
$SIM boot --tcti "$TCTI" --log "$D/boot.log" --core-cmdline debug_exit=on "${MODS[@]}" ||
	die "simulated boot failed"
$ATT golden --core-cmdline debug_exit=on "${MODS[@]}" -o "$D/golden" || die "golden failed"

now() { date +%s.%N; }
t0=$(now)
$ATT enroll --tcti "$TCTI" --state "$D/verifier" --trust-ek-on-first-use >"$D/enroll.log" ||
	die "enroll failed: $(cat "$D/enroll.log")"
t1=$(now)
enroll=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
times=()
for i in $(seq 1 "$ROUNDS"); do
	t0=$(now)
	$ATT verify --tcti "$TCTI" --state "$D/verifier" --manifest "$D/golden" --log "$D/boot.log" \
		--evidence-out "$D/evidence" >"$D/verify.log" || die "verify $i: $(cat "$D/verify.log")"
	t1=$(now)
	times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
done
sorted=($(printf '%s\n' "${times[@]}" | sort -g))
best=${sorted[0]}
median=${sorted[$((ROUNDS / 2))]}
loop=$(taskset -c 0 $B/attest/attest-bench "$D/verifier" "$D/golden" "$D/evidence" "$N") ||
	die "attest-bench failed"
rate=$(sed -E 's/.*: ([0-9]+) per second/\1/' <<<"$loop")

swtpm_version=$(swtpm --version 2>&1 | grep -o 'version [0-9.]*' | head -1)
echo "== remote attestation: the verifier alone vs end to end (swtpm ${swtpm_version#version }) =="
echo "  a. verifier alone, one core: $loop"
awk -v rate="$rate" -v events="$(grep -c '^event ' "$D/golden")" -v enroll="$enroll" \
	-v best="$best" -v median="$median" -v rounds="$ROUNDS" 'BEGIN {
	printf "     %.0f us per quote (signature, nonce, selection, log replay, %d events vs the manifest)\n", 1e6 / rate, events
	printf "  b. enroll (EK, AK, MakeCredential + ActivateCredential): %.0f ms\n", enroll * 1000
	printf "     verify live (nonce, EK + AK loaded, quote, log, verdict): best %.0f ms, median %.0f ms of %d\n", best * 1000, median * 1000, rounds
	printf "     enroll + one verify: %.0f ms\n", (enroll + best) * 1000
	printf "  the verifier'"'"'s own checks are %.1f%% of a live verification (best); the rest is the\n", 100 / rate / best
}'
echo "  TPM (swtpm: CreatePrimary of the RSA EK, Load, Quote) and process start-up."
# Boot to trusted: make run's system (scripts/run.sh) from QEMU's start to the verdict,
# which includes its demo (alpha and beta run to their end before the verifier asks).
boots=()
for i in $(seq 1 3); do
	t0=$(now)
	scripts/run.sh </dev/null >"$D/run.log" 2>&1 || die "scripts/run.sh $i: $(tail -3 "$D/run.log")"
	t1=$(now)
	boots+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
done
sorted=($(printf '%s\n' "${boots[@]}" | sort -g))
echo "  c. boot to trusted (make run's system under QEMU TCG: swtpm, measured boot, demo,"
echo "     enroll, golden, verify): best $(awk -v t="${sorted[0]}" 'BEGIN { printf "%.1f", t }') s of 3"
echo "== machine =="
echo "  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
