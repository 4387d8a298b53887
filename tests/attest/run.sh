#!/usr/bin/env bash
# Attestation host pieces: the event log parser against hostile logs
# (build/attest/eventlog-test, ASan+UBSan), and logs written by the core's own builder
# (core/tlog.c) read back by tpm2_eventlog (tpm2-tools): the digests, event types and
# data it prints and the PCR values it replays must equal our parser's, and the digests
# and PCRs computed here with coreutils. Then the verifier, tessera-attest, end to end
# against swtpm (tests/attest/verifier.sh), and the tboot path (tests/attest/drtm.sh).
# PASS/FAIL lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
W=$ROOT/build/attest-tests
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

rm -rf "$W"
mkdir -p "$W"
if ! command -v tpm2_eventlog >/dev/null || [ ! -e /usr/include/mbedtls/sha256.h ] ||
	[ ! -e /usr/include/tss2/tss2_esys.h ] || ! command -v swtpm_setup >/dev/null ||
	! command -v openssl >/dev/null || ! command -v python3 >/dev/null; then
	fail deps "tpm2-tools, libmbedtls-dev, libtss2-dev, swtpm, swtpm-tools, openssl or python3 missing: run scripts/deps.sh attest"
	finish
fi
if ! make -s build/attest/eventlog-test build/attest/logtool build/tools/tessera-attest \
	build/tools/tessera-attest-asan build/attest/simboot >"$W/build.log" 2>&1; then
	fail build "make failed: $(tail -n 5 "$W/build.log")"
	finish
fi
LOGTOOL=$ROOT/build/attest/logtool

# --- the parser on hostile logs (its own PASS/FAIL lines) -------------------------------
build/attest/eventlog-test >"$W/parser.out" 2>&1
rc=$?
grep -E '^(PASS|FAIL) ' "$W/parser.out"
p=$(grep -c '^PASS ' "$W/parser.out")
f=$(grep -c '^FAIL ' "$W/parser.out")
passed=$((passed + p))
failed=$((failed + f))
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	fail eventlog_test "exit status $rc: $(grep -m1 -E 'ERROR|runtime error' "$W/parser.out")"
fi

# --- tpm2_eventlog reads what the core writes -------------------------------------------
# tpm2_eventlog's YAML as the lines `logtool dump` prints (see tests/attest/logtool.c).
yaml_facts() {
	awk '
	/^- EventNum: / { num = $3; inev = num > 0; next }
	/^pcrs:/ { inev = 0; inpcr = 1; next }
	inev && /^  PCRIndex: / { pcr = $2 }
	inev && /^  EventType: / { print "event " num " pcr " pcr " type " $2 }
	inev && /^  - AlgorithmId: / { alg = $3 }
	inev && /^    Digest: / { d = $2; gsub(/"/, "", d); print "digest " alg " " d }
	inev && /^  EventSize: / { print "size " $2 }
	inev && /^  Event: "/ { h = $2; gsub(/"/, "", h); print "hex " h }
	inev && /^    String: \|-/ {
		getline; s = $0; sub(/^ *"/, "", s); sub(/"$/, "", s); print "string " s
	}
	inpcr && /^  [a-z0-9_]+:$/ { bank = $1; sub(/:$/, "", bank) }
	inpcr && /^    [0-9]+ +: 0x/ { v = $3; sub(/^0x/, "", v); print "pcr " bank " " $1 " " v }
	' "$1"
}

hexof() { od -An -v -tx1 | tr -d ' \n'; }
# digest ALG FILE
digest() { "${1}sum" "$2" | cut -d' ' -f1; }
# extend ALG PCR-HEX DIGEST-HEX: H(PCR || digest), by coreutils
extend() { printf "$(sed 's/../\\x&/g' <<<"$2$3")" | "${1}sum" | cut -d' ' -f1; }
zeros() { printf '%0*d' $(($1 * 2)) 0; }
declare -A SIZE=([sha1]=20 [sha256]=32 [sha384]=48 [sha512]=64)

# check_log NAME BANKS EVENT...: write the log, read it with tpm2_eventlog and compare.
check_log() {
	local name=$1 banks=$2 log=$W/$1.log
	shift 2
	if ! $LOGTOOL write "$log" "$banks" "$@" 2>"$W/$name.err"; then
		fail "${name}_written" "$(cat "$W/$name.err")"
		return
	fi
	if ! tpm2_eventlog "$log" >"$W/$name.yaml" 2>"$W/$name.tpm2err" ||
		grep -q ERROR "$W/$name.tpm2err"; then
		fail "${name}_parsed_by_tpm2_eventlog" "$(head -c 300 "$W/$name.tpm2err")"
		return
	fi
	pass "${name}_parsed_by_tpm2_eventlog"

	# The header it shows: Spec ID Event03 with exactly our banks, in order.
	local want_algs got_algs
	want_algs=$(tr ',' ' ' <<<"$banks")
	got_algs=$(awk '/^      algorithmId: / { printf "%s%s", sep, $2; sep = " " }' "$W/$name.yaml")
	if grep -q '^  - Signature: Spec ID Event03$' "$W/$name.yaml" &&
		grep -q "^    numberOfAlgorithms: $(wc -w <<<"$want_algs")\$" "$W/$name.yaml" &&
		[ "$got_algs" = "$want_algs" ]; then
		pass "${name}_header_lists_the_banks"
	else
		fail "${name}_header_lists_the_banks" "algorithms '$got_algs', expected '$want_algs'"
	fi

	# Every digest, type, datum and replayed PCR it prints equals our parser's.
	yaml_facts "$W/$name.yaml" >"$W/$name.tpm2"
	if ! $LOGTOOL dump "$log" >"$W/$name.ours" 2>"$W/$name.err"; then
		fail "${name}_parsed_by_attest" "$(cat "$W/$name.err")"
		return
	fi
	if [ -s "$W/$name.tpm2" ] && diff -u "$W/$name.ours" "$W/$name.tpm2" >"$W/$name.diff"; then
		pass "${name}_tpm2_eventlog_agrees_with_attest_parser"
	else
		fail "${name}_tpm2_eventlog_agrees_with_attest_parser" \
			"ours (-) and tpm2_eventlog's (+) differ: $(grep -E '^[-+][^-+]' "$W/$name.diff" |
				head -n 4 | tr '\n' ' ')"
	fi

	# And with what coreutils computes from the events we asked for.
	local n=0 spec pcr type file data alg why="" want
	declare -A pcrs=()
	for spec in "$@"; do
		n=$((n + 1))
		IFS=: read -r pcr type file data <<<"$spec"
		if [ "$type" = separator ]; then
			file=$W/four-zero-bytes
			printf '\0\0\0\0' >"$file"
		fi
		want="event $n pcr $pcr type EV_$(tr a-z A-Z <<<"$type")"
		grep -qx "$want" "$W/$name.tpm2" || why="$why; no '$want'"
		for alg in $want_algs; do
			want=$(digest "$alg" "$file")
			[ "$(grep -A4 -x "event $n pcr .*" "$W/$name.tpm2" |
				awk -v a="$alg" '$1 == "digest" && $2 == a { print $3; exit }')" = "$want" ] ||
				why="$why; event $n $alg digest is not $(head -c 16 <<<"$want")..."
			pcrs[$alg.$pcr]=$(extend "$alg" "${pcrs[$alg.$pcr]:-$(zeros "${SIZE[$alg]}")}" "$want")
		done
		case $type in
		ipl) want="string $data" ;;
		action) want="hex $(printf '%s' "$data" | hexof)" ;;
		separator) want="hex 00000000" ;;
		esac
		grep -A8 -x "event $n pcr .*" "$W/$name.tpm2" | grep -qxF -- "$want" ||
			why="$why; event $n data is not '$want'"
	done
	for alg in $want_algs; do
		for pcr in $(seq 0 23); do
			[ -n "${pcrs[$alg.$pcr]:-}" ] || continue
			grep -qx "pcr $alg $pcr ${pcrs[$alg.$pcr]}" "$W/$name.tpm2" ||
				why="$why; $alg PCR $pcr is not ${pcrs[$alg.$pcr]}"
		done
	done
	if [ -z "$why" ] && [ "$(grep -c '^pcr ' "$W/$name.tpm2")" -eq "${#pcrs[@]}" ]; then
		pass "${name}_digests_data_and_pcrs_match_coreutils"
	else
		fail "${name}_digests_data_and_pcrs_match_coreutils" "${why#; }"
	fi
}

printf 'policy-bytes' >"$W/policy.tpb"
printf 'debug_exit=on\n' >"$W/cmdline"
: >"$W/empty"
# A realistic component: a multi-block binary of a few hundred KiB.
IMAGE=$LOGTOOL

check_log all_banks sha1,sha256,sha384,sha512 \
	"12:ipl:$W/policy.tpb:policy default.tpb" \
	"12:ipl:$W/cmdline:boot configuration" \
	"13:ipl:$IMAGE:domain alpha mem=4M cpu=0" \
	"13:ipl:$W/empty:domain beta mem=2M" \
	"12:action:$W/cmdline:boot path: multiboot2" \
	"12:separator" "13:separator"

# One bank, every PCR, many events.
events=()
for i in $(seq 0 47); do
	printf 'component %d' "$i" >"$W/c$i"
	events+=("$((i % 24)):ipl:$W/c$i:component $i")
done
check_log sha256_every_pcr sha256 "${events[@]}" "23:separator"
check_log sha1_and_sha384 sha1,sha384 "12:ipl:$IMAGE:image" "12:separator"

# --- the verifier against swtpm ----------------------------------------------------------
. tests/attest/verifier.sh

# --- the tboot (Intel TXT) path: the DRTM profile, swtpm and QEMU -----------------------
. tests/attest/drtm.sh

finish
