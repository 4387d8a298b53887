# shellcheck shell=bash
# The QEMU and Bochs test engine (bash, sourced by run.sh after lib.sh).
#
# A test is a function test_NAME that describes one boot with these commands:
#   boot PATH                 boot path (default kernel): kernel, bios, uefi (QEMU),
#                             bochs-intel, bochs-amd (Bochs; see below and lib.sh)
#   core_cmdline "ARGS"       the core's command line (default "debug_exit=on")
#   iso FILE                  bios/uefi/bochs-*: boot this prebuilt ISO; without it the
#                             harness builds build/qemu-iso/NAME.iso from the modules
#   module FILE [ARGS...]     a boot module and its command line
#   machine_args ARGS...      extra QEMU arguments for this test (devices, -machine q35,
#                             an IOMMU); QEMU paths only
#   policy FILE               the compiled MAC policy, added as the last module with
#                             kind=policy (default: TEST_POLICY, every domain test_t)
#   no_policy                 boot without a policy module
#   expect_status N           QEMU's exit status (default 33: all domains ended)
#   expect_halt [N]           the core must stop with the CPU halted and interrupts
#                             off (checked through the QEMU monitor) and QEMU still
#                             running; with N, exiting with status N also passes
#   require PATTERN...        each must appear in the serial log
#   require_order PATTERN...  must appear in this order, each on a later line
#   forbid PATTERN...         must not appear
#   allow PATTERN...          lift these from DEFAULT_FORBIDDEN for this test
#   cpus N                    boot with N CPUs (QEMU -smp N, Bochs count=N)
#   time_limit SECONDS        kill QEMU after this long (default by boot path)
#   monitor_when PATTERN CMD  once PATTERN is in the serial log, send CMD to the QEMU
#                             monitor (e.g. nmi); several run in the order given
#   guest_triple_faults N     the test makes domains triple-fault N times (bochs-amd
#                             needs to know: lib.sh bochs_config; others ignore it)
#   tpm tis|crb [BANKS]       a TPM 2.0: a swtpm of its own (state in TPMDIR/NAME, killed
#                             by PID after the boot) behind QEMU's tpm-tis or tpm-crb;
#                             BANKS (e.g. sha256 or sha1,sha256) manufactures the state
#                             with only those PCR banks active (swtpm_setup), otherwise
#                             swtpm's defaults (sha1 sha256 sha384 sha512); QEMU paths only
# Patterns are fixed strings; a leading '^' anchors one at the start of a line.
# Every test also forbids DEFAULT_FORBIDDEN.
#
# The test file may define prepare() (build what the tests boot) and setup() (make
# test inputs); harness_main calls them once, in that order, before any test runs.
# Tests run in parallel, each in its own subshell with its own files in LOGDIR.
#
# Bochs (boot bochs-intel / bochs-amd). The same test description runs under Bochs:
# - The ISO is built from the modules as for bios/uefi, with debug_exit=on in the
#   core's command line replaced by debug_exit=bochs (a prebuilt `iso` is booted
#   as it is). Bochs's files (bochsrc, bochs.log, its screen) are in BOCHSDIR/NAME/;
#   the serial log is LOGDIR/NAME.log as for QEMU, the command line LOGDIR/NAME.bochs.txt.
# - Status: Bochs only tells success (exit 0 after the magic breakpoint) from failure
#   (exit 1), and the core prints its exit code first ("tessera: debug exit 0xNN").
#   Both together stand for QEMU's status: expect_status 33 passes only for exit 0
#   with 0x10, any other N only for exit 1 with code (N-1)/2 (lib.sh bochs_status).
#   A triple fault or a Bochs panic (exit 1, no code) never passes.
# - expect_halt (the core's `cli; hlt` without debug_exit): once the required lines
#   are in the log, the harness waits for Bochs to log "HLT instruction with IF=0"
#   (at most 3 s) plus BOCHS_HALT_GRACE seconds, then stops Bochs with SIGINT: its
#   debugger quits and writes the final CPU state to bochs.log. The test passes only
#   if Bochs was still running and that state is "(halted)" with IF clear: the same
#   condition as the QEMU monitor check (HLT=1, IF=0), read from Bochs itself.
# - monitor_when needs the QEMU monitor: such a test fails on a Bochs path.
# - Default time limit 120 s (a Bochs test takes 3-6 s alone, ~12 s on busy cores). Bochs is
#   single-threaded; Bochs tests start first, with the other slow ones.

DEFAULT_FORBIDDEN=("ESCAPED" "HOST EXCEPTION" "PANIC" "hcall-check FAIL")
TEST_POLICY=$B/policy/test.tpb
LOGDIR=$B/qemu-logs
ISODIR=$B/qemu-iso
BOCHSDIR=$B/bochs
TPMDIR=$B/qemu-tpm
BOCHS_HALT_GRACE=${BOCHS_HALT_GRACE:-0.5}
declare -A DEFAULT_TIME=([kernel]=20 [bios]=40 [uefi]=120 [bochs-intel]=120 [bochs-amd]=120)

t_reset() {
	T_BOOT=kernel T_CMDLINE=debug_exit=on T_ISO= T_STATUS=33 T_HALT=0 T_TIME=
	T_MODULES=() T_POLICY=$TEST_POLICY T_MARGS=() T_RULES=() T_NGROUPS=0 T_MON=() T_ALLOW=() T_TRIPLES=0 T_CPUS=1
	T_TPM= T_TPM_BANKS=
}
boot() { T_BOOT=$1; }
core_cmdline() { T_CMDLINE=$1; }
iso() { T_ISO=$1; }
module() {
	local f=$1
	shift
	T_MODULES+=("$f${*:+ $*}")
}
policy() { T_POLICY=$1; }
machine_args() { T_MARGS+=("$@"); }
no_policy() { T_POLICY=; }
expect_status() { T_STATUS=$1; }
expect_halt() { T_HALT=1 T_STATUS=${1:-}; }
require() { local p; for p; do T_RULES+=("R	$p"); done; }
forbid() { local p; for p; do T_RULES+=("F	$p"); done; }
allow() { T_ALLOW+=("$@"); }
cpus() { T_CPUS=$1; }
require_order() {
	local p
	T_NGROUPS=$((T_NGROUPS + 1))
	for p; do T_RULES+=("O$T_NGROUPS	$p"); done
}
time_limit() { T_TIME=$1; }
monitor_when() { T_MON+=("$1	$2"); }
guest_triple_faults() { T_TRIPLES=$1; }
tpm() { T_TPM=$1 T_TPM_BANKS=${2:-}; }

# tpm_start NAME: starts the test's swtpm (T_TPM, T_TPM_BANKS) with a fresh state in
# TPMDIR/NAME; sets TPM_ARGS (QEMU's) and TPM_PID, and records the PID in LOGDIR for
# harness_main's Ctrl-C trap. tpm_stop ends it by that PID.
tpm_start() {
	local dir=$TPMDIR/$1 k
	TPM_ARGS=() TPM_PID=
	[[ -z $T_TPM ]] && return 0
	[[ $T_TPM == tis || $T_TPM == crb ]] || { echo "tpm: tis or crb, not '$T_TPM'"; return 1; }
	command -v swtpm >/dev/null || { echo "swtpm not found (scripts/deps.sh qemu)"; return 1; }
	rm -rf "$dir"
	mkdir -p "$dir/state"
	if [[ -n $T_TPM_BANKS ]] && ! swtpm_setup --tpm2 --tpmstate "$dir/state" \
		--pcr-banks "$T_TPM_BANKS" >"$dir/setup.log" 2>&1; then
		echo "swtpm_setup failed (see $dir/setup.log)"
		return 1
	fi
	swtpm socket --tpm2 --tpmstate "dir=$dir/state" --ctrl "type=unixio,path=$dir/sock" \
		--terminate --log "file=$dir/swtpm.log" </dev/null >/dev/null 2>&1 &
	TPM_PID=$!
	echo "$TPM_PID" >"$LOGDIR/$1.tpm.pid"
	for ((k = 0; k < 100; k++)); do
		[[ -S $dir/sock ]] && break
		sleep 0.05
	done
	[[ -S $dir/sock ]] || { tpm_stop "$1"; echo "swtpm did not open $dir/sock"; return 1; }
	TPM_ARGS=(-chardev "socket,id=chrtpm,path=$dir/sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
		-device "tpm-$T_TPM,tpmdev=tpm0")
}
tpm_stop() {
	[[ -n $TPM_PID ]] || return 0
	kill "$TPM_PID" 2>/dev/null
	wait "$TPM_PID" 2>/dev/null
	rm -f "$LOGDIR/$1.tpm.pid"
	TPM_PID=
}

# All test names, in the order they are defined in the given file.
list_tests() {
	sed -n 's/^test_\([A-Za-z0-9_]*\)() *{.*/\1/p' "$1"
}

# monitor_regs FD-IN FD-OUT: asks the QEMU monitor for the CPU registers and prints
# the line with RFL= and HLT=.
monitor_regs() {
	local line
	printf 'info registers\n' >&"$1" || return 1
	while IFS= read -r -t 5 -u "$2" line; do
		line=${line//$'\r'/}
		if [[ $line == *HLT=* ]]; then
			printf '%s\n' "$line"
			return 0
		fi
	done
	return 1
}

# log_has_required LOG: all R and O rules are met (the stop condition of halt tests).
log_has_required() {
	local out
	out=$(printf '%s\n' "${T_RULES[@]}" | grep -v '^F' |
		awk -f "$QEMU_TESTS_DIR/check.awk" - "$1" 2>/dev/null)
	[[ -z $out ]]
}

# run_test NAME: runs one test and writes LOGDIR/NAME.result ("PASS NAME" or
# "FAIL NAME: reasons" and the end of the serial log).
run_test() {
	local name=$1 log=$LOGDIR/$1.log err=$LOGDIR/$1.qemu.txt rules=$LOGDIR/$1.rules
	local res=$LOGDIR/$1.result iso= vars= status pid reasons=() halted= regs= t0 t1 secs mon
	local bochs=0 bstatus= cmdline
	t_reset
	"test_$name"
	if [[ -n $T_POLICY && -z $T_ISO ]]; then T_MODULES+=("$T_POLICY kind=policy"); fi
	secs=${T_TIME:-${DEFAULT_TIME[$T_BOOT]:-60}}
	cmdline=$T_CMDLINE
	if [[ $T_BOOT == bochs-* ]]; then
		bochs=1 err=$LOGDIR/$name.bochs.txt
		cmdline=$(bochs_cmdline "$T_CMDLINE")
	fi
	rm -f "$log" "$err" "$res" "$res.tmp"
	t0=$(date +%s.%N)

	fail_now() {
		printf 'FAIL %s: %s\n' "$name" "$1" >"$res.tmp"
		mv "$res.tmp" "$res"
	}
	if ((bochs)); then
		bochs_model "$T_BOOT" >/dev/null 2>&1 || { fail_now "bad test description: unknown boot path $T_BOOT"; return; }
		((${#T_MON[@]} == 0)) || { fail_now "bad test description: monitor_when needs QEMU's monitor, not $T_BOOT"; return; }
		((${#T_MARGS[@]} == 0)) || { fail_now "bad test description: machine_args are QEMU's, not $T_BOOT"; return; }
		[[ -z $T_TPM ]] || { fail_now "bad test description: tpm is QEMU's, not $T_BOOT"; return; }
		if [[ -n $T_STATUS ]] && ! ((T_STATUS >= 3 && T_STATUS < 512 && T_STATUS % 2)); then
			fail_now "bad test description: status $T_STATUS is no (code << 1) | 1, Bochs cannot report it"
			return
		fi
		command -v "$BOCHS_BIN" >/dev/null || { fail_now "$BOCHS_BIN not found (scripts/deps.sh bochs)"; return; }
	fi
	if [[ $T_BOOT != kernel ]]; then
		iso=$T_ISO
		if [[ -z $iso ]]; then
			iso=$ISODIR/$name.iso
			if ! mkiso_spec "$name" "$cmdline" "${T_MODULES[@]}" |
				"$QEMU_TESTS_DIR/mkiso.sh" -o "$iso" -k "$B/tessera.elf" >"$err" 2>&1; then
				fail_now "could not build $iso (see $err)"
				return
			fi
		fi
		[[ -f $iso ]] || { fail_now "no ISO $iso (make iso builds it)"; return; }
	fi
	if [[ $T_BOOT == uefi ]]; then
		ovmf_find 2>>"$err" || { fail_now "OVMF not found"; return; }
		vars=$ISODIR/$name.vars.fd
		cp "$OVMF_VARS" "$vars"
	fi
	if ((bochs)); then
		boot_bochs || return
	else
		boot_qemu || return
	fi
	t1=$(date +%s.%N)
	judge
}

# boot_qemu: the QEMU part of run_test (it shares run_test's variables): boots, waits,
# sets status, and for halt tests halted and regs. Returns 1 after fail_now.
boot_qemu() {
	qemu_args "$T_BOOT" "$T_CMDLINE" "$iso" "$vars" "${T_MODULES[@]}" 2>>"$err" ||
		{ fail_now "bad test description: $(tail -1 "$err")"; return 1; }

	tpm_start "$name" >>"$err" 2>&1 || { fail_now "could not start swtpm: $(tail -1 "$err")"; return 1; }
	mon=(-monitor none)
	if ((T_HALT)) || ((${#T_MON[@]})); then
		rm -f "$LOGDIR/$name.mon.in" "$LOGDIR/$name.mon.out"
		mkfifo "$LOGDIR/$name.mon.in" "$LOGDIR/$name.mon.out"
		mon=(-monitor "pipe:$LOGDIR/$name.mon")
	fi
	printf '%q ' timeout -k 5 "$secs" "$QEMU_BIN" "${QEMU_BASE[@]}" -smp "$T_CPUS" -serial "file:$log" \
		"${mon[@]}" "${T_MARGS[@]}" "${TPM_ARGS[@]}" "${QARGS[@]}" >>"$err"
	printf '\n' >>"$err"
	timeout -k 5 "$secs" "$QEMU_BIN" "${QEMU_BASE[@]}" -smp "$T_CPUS" -serial "file:$log" "${mon[@]}" \
		"${T_MARGS[@]}" "${TPM_ARGS[@]}" "${QARGS[@]}" </dev/null 2> >(qemu_stderr_filter >>"$err") &
	pid=$!
	echo "$pid" >"$LOGDIR/$name.pid"

	if ((${#T_MON[@]})) && ! ((T_HALT)); then
		# Send each monitor command once its trigger line has appeared.
		exec {min}<>"$LOGDIR/$name.mon.in" {mout}<>"$LOGDIR/$name.mon.out"
		local deadline=$((SECONDS + secs - 1)) k=0 pat cmd
		while ((k < ${#T_MON[@]})) && kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
			pat=${T_MON[k]%%	*} cmd=${T_MON[k]#*	}
			if [[ -s $log ]] && grep -qF -- "$pat" "$log"; then
				printf '%s\n' "$cmd" >&"$min"
				printf 'monitor: %s (after "%s")\n' "$cmd" "$pat" >>"$err"
				k=$((k + 1))
				continue
			fi
			sleep 0.05
		done
		((k == ${#T_MON[@]})) || reasons+=("monitor command ${T_MON[k]#*	} was never sent")
	fi
	if ((T_HALT)); then
		# Wait for the required output, then ask the monitor whether the CPU halted.
		# Read-write opens never block, even if QEMU is already gone.
		exec {min}<>"$LOGDIR/$name.mon.in" {mout}<>"$LOGDIR/$name.mon.out"
		local deadline=$((SECONDS + secs - 1)) r
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
			if [[ -s $log ]] && log_has_required "$log"; then
				sleep 0.5
				r=$(monitor_regs "$min" "$mout") && regs=$r
				if [[ $regs =~ RFL=([0-9a-fA-F]+).*HLT=1 ]] && ((!(0x${BASH_REMATCH[1]} & 0x200))); then
					halted=1
					break
				fi
			fi
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			printf 'quit\n' >&"$min"
			sleep 0.5
			kill "$pid" 2>/dev/null
		fi
		exec {min}>&- {mout}>&-
		rm -f "$LOGDIR/$name.mon.in" "$LOGDIR/$name.mon.out"
	fi
	wait "$pid"
	status=$?
	tpm_stop "$name"
	if ((${#T_MON[@]})) && ! ((T_HALT)); then
		exec {min}>&- {mout}>&-
		rm -f "$LOGDIR/$name.mon.in" "$LOGDIR/$name.mon.out"
	fi
	rm -f "$LOGDIR/$name.pid"
	return 0
}

# boot_bochs: the Bochs part of run_test (it shares run_test's variables): boots the
# ISO under Bochs, sets bstatus (Bochs's exit status), status (the QEMU status that
# outcome stands for; empty if there is none), and for halt tests halted and regs.
boot_bochs() {
	local dir=$BOCHSDIR/$name child k seen= stopped= state
	rm -rf "$dir"
	mkdir -p "$dir"
	BOCHS_CPUS=$T_CPUS bochs_config "$dir" "$T_BOOT" "$iso" "$log" "$T_TRIPLES" 2>>"$err" ||
		{ fail_now "bad test description: $(tail -1 "$err")"; return 1; }
	printf '(cd %q && TERM=dumb timeout -s KILL -k 2 %q %q -q -f bochsrc -rc dbg.rc)\n' \
		"$dir" "$secs" "$BOCHS_BIN" >>"$err"
	(bochs_exec "$dir" "$secs") &
	pid=$!
	echo "$pid" >"$LOGDIR/$name.pid"

	if ((T_HALT)); then
		# The required output, then the core's `cli; hlt` (Bochs logs it), then a grace
		# period; then SIGINT, and the debugger's "quit" logs the CPU state.
		local deadline=$((SECONDS + secs - 1))
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
			if [[ -s $log ]] && log_has_required "$log"; then
				seen=1
				break
			fi
			sleep 0.2
		done
		if [[ -n $seen ]]; then
			for ((k = 0; k < 30; k++)); do
				grep -qF "HLT instruction with IF=0" "$dir/bochs.log" 2>/dev/null && break
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			sleep "$BOCHS_HALT_GRACE"
		fi
		child=$(child_of "$pid")
		if kill -0 "$pid" 2>/dev/null && [[ -n $child ]]; then
			stopped=1
			printf 'harness: SIGINT to Bochs (PID %s)%s\n' "$child" \
				"${seen:+ after the required output}" >>"$err"
			kill -INT "$child" 2>/dev/null
			for ((k = 0; k < 50; k++)); do
				kill -0 "$child" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$child" 2>/dev/null
		fi
	fi
	wait "$pid"
	bstatus=$?
	rm -f "$LOGDIR/$name.pid"
	printf 'Bochs exit status %s\n' "$bstatus" >>"$err"
	status=$(bochs_status "$bstatus" "$log")
	if [[ -n $stopped ]]; then
		status= # stopped by the harness: Bochs's status says nothing about the core
		state=$(sed -n '/Ctrl-C detected/,$p' "$dir/bochs.log" 2>/dev/null |
			sed -n 's/^[0-9]*i\[CPU0 *\] \(CPU is in .*\)/\1/p; s/^[0-9]*i\[CPU0 *\] | \(IOPL=.*\)/\1/p' |
			tr '\n' ' ')
		state=${state% }
		if [[ $state == *"(halted)"* && " $state " =~ [[:space:]]if[[:space:]] ]]; then
			halted=1
		else
			regs="Bochs CPU state: ${state:-unknown (no state in $dir/bochs.log)}"
		fi
	fi
	return 0
}

# judge: the verdict of run_test (it shares run_test's variables); writes LOGDIR/NAME.result.
judge() {
	local what
	if ((bochs)); then
		what=$(bochs_outcome "$bstatus" "$log")
	else
		what="QEMU status $status ($(status_meaning "$status"))"
	fi
	if ((T_HALT)) && [[ -n $halted ]]; then
		:
	elif ((T_HALT)) && [[ -z $T_STATUS ]]; then
		if [[ -n $regs ]]; then
			reasons+=("the core did not halt: $regs")
		elif ((bochs)); then
			reasons+=("the core did not halt ($what)")
		else
			reasons+=("the core did not halt (QEMU status $status: $(status_meaning "$status"))")
		fi
	elif [[ $status != "$T_STATUS" ]]; then
		if ((bochs)); then
			if ((bstatus == 124 || bstatus == 137)); then
				reasons+=("timed out after ${secs}s")
			else
				reasons+=("$what; expected $T_STATUS ($(status_meaning "$T_STATUS"))")
			fi
		elif ((status == 124 || status == 137)); then
			reasons+=("timed out after ${secs}s")
		else
			reasons+=("QEMU status $status ($(status_meaning "$status")), expected $T_STATUS")
		fi
		((T_HALT)) && [[ -n $regs ]] && reasons+=("and the CPU did not halt: $regs")
	fi
	{
		printf '%s\n' "${T_RULES[@]}"
		local f a
		for f in "${DEFAULT_FORBIDDEN[@]}"; do
			for a in "${T_ALLOW[@]}"; do [[ $f == "$a" ]] && continue 2; done
			printf 'F\t%s\n' "$f"
		done
	} >"$rules"
	if [[ ! -e $log ]]; then
		reasons+=("no serial log")
	else
		while IFS= read -r line; do
			reasons+=("$line")
		done < <(awk -f "$QEMU_TESTS_DIR/check.awk" "$rules" "$log")
	fi

	awk -v r="$([[ ${#reasons[@]} == 0 ]] && echo PASS || echo FAIL)" -v n="$name" \
		-v a="$t0" -v b="$t1" 'BEGIN { printf "%s %s %.1fs\n", r, n, b - a }' >"$LOGDIR/$name.time"
	if ((${#reasons[@]} == 0)); then
		printf 'PASS %s\n' "$name" >"$res.tmp"
		# Per-test ISOs are 9 MB each: keep only those of failed tests.
		[[ -n $T_ISO || $T_BOOT == kernel ]] || rm -rf "$iso" "${iso%.iso}.iso-root" "${iso%.iso}.iso-root.log"
		[[ -z $vars ]] || rm -f "$vars"
	else
		local joined
		printf -v joined '%s; ' "${reasons[@]}"
		printf 'FAIL %s: %s\n' "$name" "${joined%; }" >"$res.tmp"
		{
			echo "    --- last 30 lines of $log ---"
			# (the last line may lack its newline: Bochs stops before the UART sends it)
			[[ -e $log ]] && tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g' | tail -n 30 |
				sed -e 's/^/    | /' -e '$a\'
			if ((bochs)); then
				local bl=$BOCHSDIR/$name/bochs.log
				if grep -qE '^[0-9]+[pe]\[' "$bl" 2>/dev/null; then
					echo "    --- last panics and errors in $bl ---"
					grep -E '^[0-9]+[pe]\[' "$bl" | tail -n 5 | sed 's/^/    ! /'
				fi
				if grep -qv '^[0-9]\{11\}[a-z]\[' "$BOCHSDIR/$name/stderr.txt" 2>/dev/null; then
					echo "    --- Bochs stderr ($BOCHSDIR/$name/stderr.txt) ---"
					grep -v '^[0-9]\{11\}[a-z]\[' "$BOCHSDIR/$name/stderr.txt" | tail -n 5 | sed 's/^/    ! /'
				fi
			elif grep -qv '^timeout ' "$err" 2>/dev/null; then
				echo "    --- QEMU stderr ($err) ---"
				grep -v '^timeout ' "$err" | tail -n 5 | sed 's/^/    ! /'
			fi
		} >>"$res.tmp"
	fi
	mv "$res.tmp" "$res"
}

# harness_main [-j JOBS] [-l] [FILTER...]: runs the tests whose names contain any
# FILTER (all without one), JOBS QEMUs at a time, printing results in test order.
harness_main() {
	local jobs=${QEMU_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)} list=0 opt all=() names=() n
	local next=0 printed=0 passed=0 failed=0 running i f t_start lock
	while getopts j:lh opt; do
		case $opt in
		j) jobs=$OPTARG ;;
		l) list=1 ;;
		*) echo "usage: $0 [-j JOBS] [-l] [NAME-SUBSTRING...]" >&2; return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	mapfile -t all < <(list_tests "$TEST_FILE")
	for n in "${all[@]}"; do
		if (($# == 0)); then
			names+=("$n")
		else
			for f; do [[ $n == *"$f"* ]] && { names+=("$n"); break; }; done
		fi
	done
	if ((list)); then
		printf '%s\n' "${names[@]}"
		return 0
	fi
	if ((${#names[@]} == 0)); then
		echo "no test matches: $*" >&2
		echo "0 passed, 0 failed"
		return 1
	fi
	# One run at a time: runs share the build, LOGDIR, ISODIR, BOCHSDIR and the test
	# inputs; a second run waits for the first (the lock goes with this process).
	mkdir -p "$LOGDIR" || return 1
	exec {lock}>"$LOGDIR/.lock"
	if ! flock -n "$lock"; then
		echo "another tests/qemu/run.sh holds $LOGDIR/.lock: waiting for it to end" >&2
		flock "$lock"
	fi
	if declare -F prepare >/dev/null; then
		prepare || { echo "preparing the tests failed" >&2; return 1; }
	fi
	for f in "$B/tessera.elf" "$B/tessera.mb1" "$B/domains/hello.elf" "$B/domains/attack.elf"; do
		[[ -f $f ]] || { echo "$f is missing: run make first" >&2; return 1; }
	done
	command -v "$QEMU_BIN" >/dev/null || { echo "$QEMU_BIN not found (scripts/deps.sh)" >&2; return 1; }
	mkdir -p "$LOGDIR" "$ISODIR" "$BOCHSDIR" "$TPMDIR"
	if declare -F setup >/dev/null; then
		setup || { echo "test setup failed" >&2; return 1; }
	fi
	for n in "${names[@]}"; do rm -f "$LOGDIR/$n.result" "$LOGDIR/$n.time"; done

	# On Ctrl-C or TERM, stop the QEMUs still running (each test records its PID).
	rm -f "$LOGDIR"/*.pid
	trap 'for f in "$LOGDIR"/*.pid; do [[ -e $f ]] && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
		exit 130' INT TERM
	# Start the slow boots first (Bochs and OVMF take seconds, -kernel a fraction of
	# one): the suite ends sooner. Results are still printed in the order of the file.
	local launch=() slow=() medium=() fast=()
	for n in "${names[@]}"; do
		case $(t_reset; "test_$n"; echo "$T_BOOT") in
		bochs-* | uefi) slow+=("$n") ;;
		bios) medium+=("$n") ;;
		*) fast+=("$n") ;;
		esac
	done
	launch=("${slow[@]}" "${medium[@]}" "${fast[@]}")
	t_start=$SECONDS
	while ((printed < ${#names[@]})); do
		running=0
		for ((i = 0; i < next; i++)); do
			[[ -e $LOGDIR/${launch[i]}.result ]] || running=$((running + 1))
		done
		while ((next < ${#launch[@]} && running < jobs)); do
			n=${launch[next]}
			{
				(run_test "$n") >/dev/null 2>>"$LOGDIR/$n.harness.txt"
				[[ -e $LOGDIR/$n.result ]] || printf 'FAIL %s: harness error (see %s)\n' "$n" \
					"$LOGDIR/$n.harness.txt" >"$LOGDIR/$n.result"
			} &
			next=$((next + 1)) running=$((running + 1))
		done
		if [[ -e $LOGDIR/${names[printed]}.result ]]; then
			cat "$LOGDIR/${names[printed]}.result"
			if head -n 1 "$LOGDIR/${names[printed]}.result" | grep -q '^PASS '; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
			fi
			printed=$((printed + 1))
			continue
		fi
		sleep 0.05
	done
	wait
	for n in "${names[@]}"; do
		[[ -s $LOGDIR/$n.harness.txt ]] || rm -f "$LOGDIR/$n.harness.txt"
	done
	{
		for n in "${names[@]}"; do cat "$LOGDIR/$n.time" 2>/dev/null || echo "FAIL $n ?"; done
		echo "total $((SECONDS - t_start))s with $jobs jobs: $passed passed, $failed failed"
	} >"$LOGDIR/summary.txt"
	echo "$passed passed, $failed failed"
	((failed == 0))
}
