# The verifier, build/tools/tessera-attest (ASan+UBSan build), end to end against swtpm:
# sourced by tests/attest/run.sh (its pass/fail/W). Two groups, one swtpm each (own
# state dir under build/, killed by PID):
#   tcti    swtpm manufactured by swtpm_setup with an EK certificate from a local CA
#           (swtpm_localca, offline): simulated boot (build/attest/simboot, the core's
#           own log builder), enroll, golden, verify -> trusted; then every way of
#           tampering with the evidence, each rejected with its reason and exit code;
#           reboots (swtpm_ioctl -i) with a changed domain image and a changed policy.
#   socket  a fresh swtpm without an EK certificate behind tests/attest/fakeserver.py,
#           the attestation channel: trust on first use, verify over the channel, and
#           a channel that lies (bad magic, oversize, short read, wrong type, refusal).

ATT=$ROOT/build/tools/tessera-attest-asan
SIM=$ROOT/build/attest/simboot
EVT="python3 $ROOT/tests/attest/evtool.py"
V=$W/verifier
SWTPM_PIDS=()
FAKE_PID=
mkdir -p "$V"

stop_all() {
	local p
	for p in "${SWTPM_PIDS[@]}" $FAKE_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
}
trap stop_all EXIT

# Two free TCP ports in a row: the swtpm TCTI finds the control port at port + 1.
free_ports() {
	python3 -c 'import socket
for _ in range(100):
    a, b = socket.socket(), socket.socket()
    a.bind(("127.0.0.1", 0))
    try:
        b.bind(("127.0.0.1", a.getsockname()[1] + 1))
    except OSError:
        continue
    print(a.getsockname()[1])
    break'
}

# start_swtpm DIR: swtpm on DIR/state; sets PORT, CTRL and TCTI. 1 if it does not answer.
start_swtpm() {
	local dir=$1 i
	PORT=$(free_ports)
	CTRL=$((PORT + 1))
	TCTI=swtpm:host=127.0.0.1,port=$PORT
	swtpm socket --tpm2 --tpmstate dir="$dir/state" --flags not-need-init,startup-clear \
		--server type=tcp,port="$PORT",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port="$CTRL",bindaddr=127.0.0.1 >"$dir/swtpm.log" 2>&1 &
	SWTPM_PIDS+=($!)
	for i in $(seq 1 100); do
		swtpm_ioctl --tcp "127.0.0.1:$CTRL" -g >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# expect NAME RC REGEX CMD...: CMD exits RC and its output (stdout and stderr) matches REGEX.
expect() {
	local name=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qE -- "$re" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "exit $rc (expected $want, output matching '$re'): $(head -c 500 <<<"$out" | tr '\n' ' ')"
	fi
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# --- artifacts: two domain images and a policy, as `make` would build them -------------
A=$V/artifacts
mkdir -p "$A"
head -c 200000 /dev/urandom >"$A/alpha.elf"
head -c 30000 /dev/urandom >"$A/beta.elf"
head -c 5000 /dev/urandom >"$A/policy.tpb"
cp "$A/alpha.elf" "$A/alpha-changed.elf"
printf '\x90' | dd of="$A/alpha-changed.elf" bs=1 seek=4096 conv=notrunc status=none
cp "$A/policy.tpb" "$A/policy-changed.tpb"
printf 'X' >>"$A/policy-changed.tpb"
CORE_CMDLINE="debug_exit=on"
MODS=(--module "$A/alpha.elf" "/boot/alpha.elf domain=alpha mem=4M"
	--module "$A/beta.elf" "/boot/beta.elf domain=beta mem=2M"
	--module "$A/policy.tpb" "/boot/policy.tpb kind=policy")
# the same boot with one module's file replaced: mods_with INDEX FILE
mods_with() {
	local i=$(($1 * 3 + 1))
	MODS2=("${MODS[@]}")
	MODS2[$i]=$2
}

# =====================================================================================
# group tcti: swtpm with an EK certificate
G=$V/tcti
mkdir -p "$G/state" "$G/ca"
cat >"$G/localca.conf" <<EOF
statedir = $G/ca
signingkey = $G/ca/signkey.pem
issuercert = $G/ca/issuercert.pem
certserial = $G/ca/certserial
EOF
cat >"$G/swtpm_setup.conf" <<EOF
create_certs_tool = /usr/bin/swtpm_localca
create_certs_tool_config = $G/localca.conf
create_certs_tool_options = /etc/swtpm-localca.options
EOF
if swtpm_setup --tpm2 --tpmstate "$G/state" --create-ek-cert --config "$G/swtpm_setup.conf" \
	--pcr-banks sha1,sha256 >"$G/setup.log" 2>&1 && start_swtpm "$G"; then
	pass swtpm_with_ek_certificate_started
else
	fail swtpm_with_ek_certificate_started "$(tail -n 3 "$G/setup.log" "$G/swtpm.log" | tr '\n' ' ')"
fi
TA=$TCTI
CTRL_A=$CTRL
S=$G/verifier # the verifier's state directory
M=$G/golden
LOG=$G/boot.log
cat "$G/ca/issuercert.pem" "$G/ca/swtpm-localca-rootca-cert.pem" >"$G/ca-chain.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$G/other-key.pem" -out "$G/other-ca.pem" \
	-subj /CN=other-ca -days 2 >/dev/null 2>&1

# reboot: TPM2_Shutdown, a TPM reset (swtpm_ioctl -i), TPM2_Startup, then the simulated
# boot with MODS2
reboot_with() {
	$SIM shutdown --tcti "$TA" && swtpm_ioctl --tcp "127.0.0.1:$CTRL_A" -i >/dev/null &&
		$SIM startup --tcti "$TA" &&
		$SIM boot --tcti "$TA" --log "$LOG" --core-cmdline "$CORE_CMDLINE" "${MODS2[@]}"
}

expect simulated_boot_measures_into_swtpm 0 '' \
	$SIM boot --tcti "$TA" --log "$LOG" --core-cmdline "$CORE_CMDLINE" "${MODS[@]}"
$ATT golden --core-cmdline "$CORE_CMDLINE" "${MODS[@]}" -o "$M" 2>"$G/golden.err"
$ATT golden --core-cmdline "$CORE_CMDLINE" "${MODS[@]}" -o "$M.again" 2>>"$G/golden.err"
if [ -s "$M" ] && cmp -s "$M" "$M.again" && [ "$(grep -c '^event ' "$M")" -eq 11 ]; then
	pass golden_manifest_is_reproducible
else
	fail golden_manifest_is_reproducible "$(cat "$G/golden.err") $(diff "$M" "$M.again" | head -n 4)"
fi
# The golden PCRs, computed from the artifacts with mbedTLS, are what swtpm holds after
# the simulated boot (core/hash.c + TPM2_PCR_Extend): three implementations agree.
why=
for b in sha1 sha256; do
	for p in 11 12 13; do
		want=$(awk -v b=$b -v p=$p '$1 == "pcr" && $2 == b && $3 == p { print $4 }' "$M")
		got=$(TPM2TOOLS_TCTI=$TA tpm2_pcrread "$b:$p" 2>&1 | awk '/: 0x/ { print tolower(substr($2, 3)) }')
		[ -n "$want" ] && [ "$want" = "$got" ] || why="$why $b PCR $p is '$got', golden '$want';"
	done
done
[ -z "$why" ] && pass golden_pcrs_equal_swtpm_after_simulated_boot ||
	fail golden_pcrs_equal_swtpm_after_simulated_boot "$why"

expect enroll_refuses_ek_certificate_of_another_ca 20 'does not chain to' \
	$ATT enroll --tcti "$TA" --state "$G/other-state" --ek-ca "$G/other-ca.pem"
expect enroll_with_certificate_needs_ek_ca 21 'give --ek-ca' \
	$ATT enroll --tcti "$TA" --state "$G/other-state"
$SIM mkkey --tcti "$TA" --out "$G/unrestricted" --unrestricted 2>"$G/mkkey.err"
$SIM mkkey --tcti "$TA" --out "$G/other-ak" 2>>"$G/mkkey.err"
expect enroll_refuses_unrestricted_key_as_ak 22 'not a restricted key' \
	$ATT enroll --tcti "$TA" --state "$G/other-state" --ek-ca "$G/ca-chain.pem" --ak "$G/unrestricted"
[ ! -e "$G/other-state/enrollment" ] && pass refused_enrolment_leaves_no_record ||
	fail refused_enrolment_leaves_no_record "$G/other-state/enrollment exists"
expect enroll_checks_ek_certificate_chain 0 'trusted by its certificate' \
	$ATT enroll --tcti "$TA" --state "$S" --ek-ca "$G/ca-chain.pem"
expect enroll_accepts_chain_through_given_intermediate 0 'trusted by its certificate' \
	$ATT enroll --tcti "$TA" --state "$G/state-root-only" \
	--ek-ca "$G/ca/swtpm-localca-rootca-cert.pem" --ek-intermediate "$G/ca/issuercert.pem"
expect enroll_refuses_chain_missing_intermediate 20 'does not chain to' \
	$ATT enroll --tcti "$TA" --state "$G/state-root-only2" --ek-ca "$G/ca/swtpm-localca-rootca-cert.pem"

expect verify_simulated_boot_is_trusted 0 '^trusted: every measurement matches' \
	$ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG"
$ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG" --json >"$G/trusted.json" 2>&1
if python3 -c 'import json, sys; j = json.load(open(sys.argv[1]));
assert j["result"] == "trusted" and j["exit_code"] == 0 and j["log"]["events"] == 11
assert j["log"]["boot_path"] == "multiboot2" and len(j["quote"]["nonce"]) == 64' "$G/trusted.json" 2>"$G/json.err"; then
	pass verify_json_reports_trusted
else
	fail verify_json_reports_trusted "$(cat "$G/trusted.json" "$G/json.err" | head -c 400)"
fi
expect enroll_ecc_ak_then_verify_is_trusted 0 '^trusted' sh -c \
	"'$ATT' enroll --tcti '$TA' --state '$G/state-ecc' --ek-ca '$G/ca-chain.pem' --ak-alg ecc &&
	 '$ATT' verify --tcti '$TA' --state '$G/state-ecc' --manifest '$M' --log '$LOG'"

expect golden_refuses_two_policy_modules 2 'modules 0 and 1 are both kind=policy' \
	$ATT golden --core-cmdline x --module "$A/policy.tpb" "a kind=policy" --module "$A/policy.tpb" "b kind=policy"
expect golden_refuses_policy_with_options 2 'a policy module takes no other options' \
	$ATT golden --core-cmdline x --module "$A/policy.tpb" "p.tpb kind=policy domain=x"
sed 's/^pcr sha256 12 ./pcr sha256 12 /' "$M" >"$G/golden-bad"
expect malformed_manifest_is_refused 5 'manifest .*golden-bad: line 19 is not what' \
	$ATT verify --tcti "$TA" --state "$S" --manifest "$G/golden-bad" --log "$LOG"
# the release build: ASan would report a leak inside the TCTI loader's failure path
expect unreachable_tpm_is_a_transport_error 3 "cannot open TCTI 'swtpm:host=127.0.0.1,port=1'" \
	"$ROOT/build/tools/tessera-attest" verify --tcti swtpm:host=127.0.0.1,port=1 --state "$S" --manifest "$M" --log "$LOG"

# --- saved evidence, tampered ----------------------------------------------------------
# fresh OUT [quote options]: evidence from swtpm, its nonce issued by the verifier in $S
fresh() {
	local out=$1
	shift
	rm -f "$out"
	$ATT quote --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG" --evidence-out "$out" "$@" \
		2>>"$G/quote.err"
}
vin() { $ATT verify --state "$S" --manifest "$M" --evidence-in "$@"; }
E=$G/evidence
mkdir -p "$E"

fresh "$E/good"
head -c 300 "$E/good" >"$E/truncated"
expect truncated_evidence_file_is_refused 5 'evidence .*truncated is malformed' vin "$E/truncated"
expect saved_evidence_is_trusted 0 '^trusted' vin "$E/good"
expect replayed_nonce_is_refused 13 'replayed nonce' vin "$E/good"
fresh "$E/a" && rm -f "$E/x" && $SIM resign --tcti "$TA" --key "$S" --in "$E/a" --out "$E/x" --flip-magic 2>>"$G/quote.err"
expect attest_without_tpm_magic_is_refused_though_ak_signed 11 'magic 0xfe544347 is not TPM_GENERATED_VALUE' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" flip attest 80
expect flipped_attest_byte_fails_signature 12 'signature does not verify with the enrolled AK' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" flip signature 100
expect forged_signature_is_refused 12 'signature does not verify with the enrolled AK' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $SIM resign --tcti "$TA" --key "$G/unrestricted" --in "$E/a" --out "$E/x" 2>>"$G/quote.err"
expect attest_resigned_by_unrestricted_key_is_refused 12 'does not verify with the enrolled AK' vin "$E/x"
fresh "$E/x" --ak "$G/unrestricted"
expect quote_by_unrestricted_key_is_refused 18 'not by the enrolled AK' vin "$E/x"
fresh "$E/x" --ak "$G/other-ak"
expect quote_by_another_ak_is_refused 18 'not by the enrolled AK' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" append attest 00
expect trailing_bytes_after_attest_are_refused 11 '1 trailing bytes after the TPMS_ATTEST' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" cut attest 20
expect truncated_attest_is_refused 11 'is not a TPMS_ATTEST' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" append signature 00
expect trailing_bytes_after_signature_are_refused 11 'trailing bytes after the TPMT_SIGNATURE' vin "$E/x"
fresh "$E/x" --nonce "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
expect nonce_never_issued_is_refused 13 'never issued' vin "$E/x"
fresh "$E/a"
other_nonce=$($ATT nonce --state "$S")
expect quote_over_another_nonce_is_refused 13 'not the expected nonce' vin "$E/a" --nonce "$other_nonce"
fresh "$E/x" --pcrs sha256:11,12
expect quote_over_too_few_pcrs_is_refused 15 'covers sha256:11,12, the manifest expects exactly sha256:11,12,13' vin "$E/x"
fresh "$E/x" --pcrs sha1:11,12,13
expect quote_over_wrong_bank_is_refused 15 'covers sha1:11,12,13, the manifest expects exactly sha256' vin "$E/x"
fresh "$E/x" --pcrs sha256:11,12,13,14
expect quote_over_more_pcrs_is_refused 15 'covers sha256:11,12,13,14' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" drop-events 2
expect truncated_log_does_not_replay 16 'does not replay to the quoted PCRs' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" cut log 2
expect log_cut_mid_event_is_malformed 10 'event 11 at offset 0x[0-9a-f]+: event data of 4 bytes runs past the end of the log \(2 bytes left\)' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" inject 8 ipl
expect injected_event_does_not_replay 16 'does not replay to the quoted PCRs' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" inject 8 no-action
expect injected_unextended_event_is_not_in_manifest 17 "event 8 \(EV_NO_ACTION at PCR 13, data 'tessera:injected'\) is not in the manifest" vin "$E/x"
# events 6 (policy, PCR 11) and 7 (alpha's image, PCR 13): each PCR replays the same
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" swap-events 6 7
expect reordered_events_are_refused 17 'event 6 is the domain image of module 0 \(domain=alpha\), expected the policy \(module 2\) there \(events out of order\)' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" set-type 3 deadbeef
expect unknown_event_type_is_malformed 10 'event 3 at offset 0x[0-9a-f]+: unknown event type 0xdeadbeef' vin "$E/x"
fresh "$E/a" && rm -f "$E/x" && $EVT "$E/a" "$E/x" set-type 3 00000001
expect firmware_event_type_in_core_log_is_malformed 10 'event type EV_POST_CODE not allowed in a core log' vin "$E/x"

# stale: evidence taken, then a newer quote accepted, then the older one shown
fresh "$E/old"
expect newer_live_quote_is_trusted 0 '^trusted' $ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG"
expect older_quote_after_newer_is_stale 14 'stale quote: TPM clock' vin "$E/old"

# --- reboots with changed artifacts: the verdict names the component -------------------
mods_with 0 "$A/alpha-changed.elf"
reboot_with 2>"$G/reboot.err" || fail reboot_with_changed_image "$(cat "$G/reboot.err")"
expect changed_domain_image_is_named 17 \
	"domain image of module 0 \(domain=alpha\) differs: sha256 $(sha256 "$A/alpha-changed.elf"), expected $(sha256 "$A/alpha.elf")" \
	$ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG"
$ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG" --json >"$G/changed.json" 2>&1
if python3 -c 'import json, sys; j = json.load(open(sys.argv[1]));
assert j["result"] == "untrusted" and j["class"] == "measurement-differs" and j["exit_code"] == 17
d = j["differences"]; assert len(d) == 1 and d[0]["kind"] == "digest" and d[0]["event"] == 7' "$G/changed.json" 2>"$G/json.err"; then
	pass changed_image_json_names_one_difference
else
	fail changed_image_json_names_one_difference "$(cat "$G/changed.json" "$G/json.err" | head -c 400)"
fi
mods_with 2 "$A/policy-changed.tpb"
reboot_with 2>"$G/reboot.err" || fail reboot_with_changed_policy "$(cat "$G/reboot.err")"
expect changed_policy_is_named 17 \
	"policy \(module 2\) differs: sha256 $(sha256 "$A/policy-changed.tpb"), expected $(sha256 "$A/policy.tpb")" \
	$ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG"
MODS2=("${MODS[@]}")
reboot_with 2>"$G/reboot.err" || fail reboot_with_good_artifacts "$(cat "$G/reboot.err")"
expect good_boot_after_reboot_is_trusted 0 '^trusted' \
	$ATT verify --tcti "$TA" --state "$S" --manifest "$M" --log "$LOG"
# a manifest for another boot path is not this boot
$ATT golden --boot-path tboot --core-cmdline "$CORE_CMDLINE" "${MODS[@]}" -o "$G/golden-tboot"
expect other_boot_path_is_named 17 "event 1 \(EV_ACTION at PCR 12, data 'tessera:boot-path:multiboot2'\) is not in the manifest" \
	$ATT verify --tcti "$TA" --state "$S" --manifest "$G/golden-tboot" --log "$LOG"

# =====================================================================================
# group socket: a fresh swtpm (no EK certificate) behind the attestation channel
G=$V/socket
mkdir -p "$G/state"
if start_swtpm "$G"; then
	pass swtpm_without_ek_certificate_started
else
	fail swtpm_without_ek_certificate_started "$(tail -n 3 "$G/swtpm.log" | tr '\n' ' ')"
fi
TB=$TCTI
SOCK=$G/attest.sock
S=$G/verifier
LOG=$G/boot.log
$SIM boot --tcti "$TB" --log "$LOG" --core-cmdline "$CORE_CMDLINE" "${MODS[@]}" 2>"$G/boot.err" ||
	fail simulated_boot_on_second_swtpm "$(cat "$G/boot.err")"

# fake MODE: (re)start the channel's stand-in in MODE; waits for its socket
fake() {
	[ -z "$FAKE_PID" ] || { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }
	rm -f "$SOCK"
	python3 "$ROOT/tests/attest/fakeserver.py" "$SOCK" "$PORT" "$LOG" 'boot-path=multiboot2\n' "$1" \
		>>"$G/fake.log" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$SOCK" ] && return
		sleep 0.05
	done
}

fake normal
expect enroll_without_ek_certificate_needs_trust_on_first_use 21 'no EK certificate: enrol with --trust-ek-on-first-use' \
	$ATT enroll --socket "$SOCK" --state "$S"
expect enroll_with_ca_but_no_certificate_is_refused 20 'has no EK certificate' \
	$ATT enroll --socket "$SOCK" --state "$S" --ek-ca "$V/tcti/ca-chain.pem"
expect enroll_on_first_use_over_channel_says_so 0 'trusted on first use' \
	$ATT enroll --socket "$SOCK" --state "$S" --trust-ek-on-first-use
expect verify_over_channel_is_trusted 0 'log: 11 events, boot path multiboot2' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
expect verify_over_channel_saves_evidence 0 '^trusted' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M" --evidence-out "$G/evidence"
expect saved_channel_evidence_keeps_info 0 "$(printf 'boot-path=multiboot2\n' | od -An -tx1 | tr -d ' \n')" \
	$EVT "$G/evidence" - get info
fake refuse-quote
expect refusal_by_attestation_domain_is_reported 3 'TPM2_Quote: .*command code.*TPM2_Quote refused: test' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
fake bad-magic
expect channel_bad_magic_is_refused 3 'bad frame magic 58415454, expected "TATT"' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
fake oversize
expect channel_oversized_response_is_refused 3 'response of 5000 bytes to a 0x01 request exceeds the maximum of 4096' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
fake short
expect channel_short_read_is_refused 3 'short read: the attestation channel closed after 10 of 100 bytes' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
fake wrong-type
expect channel_wrong_response_type_is_refused 3 'response type 0x82 to a 0x01 request' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
fake normal
expect verify_after_channel_errors_is_trusted 0 '^trusted' \
	$ATT verify --socket "$SOCK" --state "$S" --manifest "$M"
stop_all
SWTPM_PIDS=()
FAKE_PID=
