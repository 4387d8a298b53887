# shellcheck shell=bash
# Shared by the QEMU scripts (bash, sourced): how to boot Tessera under QEMU and Bochs.
#
# Boot paths:
#   kernel       QEMU -kernel build/tessera.mb1 (Multiboot 1), modules via -initrd
#   bios         a GRUB 2 ISO (multiboot2/module2) under SeaBIOS
#   uefi         the same ISO under OVMF, with a private copy of OVMF_VARS
#   bochs-intel  the same ISO under Bochs (legacy BIOS), cpu model=tigerlake: Intel VMX+EPT
#   bochs-amd    the same ISO under Bochs, cpu model=ryzen: AMD SVM+NPT (a second emulator)
# A module is one string "FILE [key=value...]": the file and its command line.

QEMU_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$QEMU_TESTS_DIR/../.." && pwd)
B=build
QEMU_BIN=${QEMU:-qemu-system-x86_64}
# The machine of /work/shared/RUNBOOK.md: TCG emulates AMD SVM with nested paging.
QEMU_BASE=(-accel tcg -cpu EPYC -m 512M -display none -no-reboot -nic none
	-device isa-debug-exit,iobase=0xf4,iosize=4)

# QEMU exit status -> what it means (isa-debug-exit: status = (code << 1) | 1).
status_meaning() {
	case $1 in
	33) echo "all domains ended" ;;
	65) echo "no domain started" ;;
	67) echo "boot information rejected" ;;
	69) echo "every domain blocked waiting for an event" ;;
	125) echo "core panic" ;;
	127) echo "host exception" ;;
	124 | 137) echo "timed out" ;;
	0) echo "QEMU exited without a debug-exit code: triple fault or power-off" ;;
	1) echo "QEMU failed to start or to load something" ;;
	*) echo "unexpected status" ;;
	esac
}

# Sets OVMF_CODE and OVMF_VARS to a matching pair (the 4M one first).
ovmf_find() {
	local d=/usr/share/OVMF
	if [[ -e $d/OVMF_CODE_4M.fd && -e $d/OVMF_VARS_4M.fd ]]; then
		OVMF_CODE=$d/OVMF_CODE_4M.fd OVMF_VARS=$d/OVMF_VARS_4M.fd
	elif [[ -e $d/OVMF_CODE.fd && -e $d/OVMF_VARS.fd ]]; then
		OVMF_CODE=$d/OVMF_CODE.fd OVMF_VARS=$d/OVMF_VARS.fd
	else
		echo "OVMF not found under $d (scripts/deps.sh uefi installs it)" >&2
		return 1
	fi
}

# QEMU prints one warning per EPYC feature TCG lacks; they are expected, drop them.
qemu_stderr_filter() {
	grep -v "warning: TCG doesn't support requested feature" || true
}

# mkiso_spec TITLE CORE-CMDLINE MODULE...: a one-entry menu for mkiso.sh on stdout.
mkiso_spec() {
	local m
	printf 'title %s\n' "$1"
	printf 'core %s\n' "$2"
	shift 2
	for m; do printf 'module %s\n' "$m"; done
}

# qemu_args PATH CORE-CMDLINE ISO VARS MODULE...: sets QARGS to the path-specific
# arguments. kernel uses CORE-CMDLINE and the modules; bios/uefi boot ISO (already
# built), uefi with the writable VARS copy.
qemu_args() {
	local path=$1 cmdline=$2 iso=$3 vars=$4 m initrd=
	shift 4
	QARGS=()
	case $path in
	kernel)
		QARGS=(-kernel "$B/tessera.mb1" -append "$cmdline")
		for m; do
			if [[ $m == *,* ]]; then
				echo "module '$m': QEMU -initrd cannot take a comma" >&2
				return 1
			fi
			initrd+=${initrd:+,}$m
		done
		[[ -z $initrd ]] || QARGS+=(-initrd "$initrd")
		;;
	bios)
		QARGS=(-boot d -cdrom "$iso")
		;;
	uefi)
		ovmf_find || return 1
		QARGS=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,unit=1,file=$vars" -cdrom "$iso")
		;;
	*)
		echo "unknown boot path '$path' (kernel, bios or uefi)" >&2
		return 1
		;;
	esac
}

# ---- Bochs ---------------------------------------------------------------------------
# Bochs has no isa-debug-exit device. With debug_exit=bochs the core prints
# "tessera: debug exit 0xNN" on COM1 and then executes the magic breakpoint
# (xchg %bx,%bx) when every domain ended (0x10), or writes "Shutdown" to port 0x8900
# otherwise. With magic_break enabled and the debugger script "c; quit", Bochs exits 0
# after the breakpoint and 1 after the shutdown port (also after a triple fault or a
# Bochs panic). bochs_status turns that back into QEMU's status, so one expectation
# serves both emulators. Bochs ignores SIGTERM: time limits use SIGKILL. SIGINT stops
# Bochs in its debugger, which then reads "quit" from the script and exits 0 after
# writing the CPU state to bochs.log (harness.sh uses that for halt tests).

BOCHS_BIN=${BOCHS:-bochs}

# bochs_model PATH: the Bochs CPU model of a bochs-* boot path.
bochs_model() {
	case $1 in
	bochs-intel) echo tigerlake ;;
	bochs-amd) echo ryzen ;;
	*) echo "not a Bochs boot path: '$1' (bochs-intel or bochs-amd)" >&2; return 1 ;;
	esac
}

# bochs_cmdline CORE-CMDLINE: the same command line with debug_exit=on replaced by
# debug_exit=bochs (other words, and other debug_exit values, are kept).
bochs_cmdline() {
	local w words=() out=()
	read -r -a words <<<"$1"
	for w in "${words[@]}"; do
		[[ $w == debug_exit=on ]] && w=debug_exit=bochs
		out+=("$w")
	done
	printf '%s' "${out[*]}"
}

# bochs_config DIR PATH ISO SERIAL-FILE [SVM-TRIPLE-FAULTS]: writes DIR/bochsrc (CPU
# model by PATH, boot from ISO, COM1 into SERIAL-FILE) and DIR/dbg.rc (the debugger
# script). Bochs opens the serial file at its first byte, truncating it; a FIFO works too.
# SVM-TRIPLE-FAULTS (bochs-amd only): the number of guest triple faults the test
# causes. Bochs 2.7 checks the SVM SHUTDOWN intercept only after its triple-fault
# handling has stopped in the debugger and raised a CPU panic (fixed after 2.7, Bochs
# commit f8c94e83f "add missing SVM VMEXIT in case of triple fault shutdown"); VMX's
# triple-fault exit comes first. So for each one the debugger script continues once
# more, and CPU panics are reported instead of fatal (a real host triple fault then
# leaves the CPU shut down: the test times out instead of failing at once).
bochs_config() {
	local dir=$1 model iso serial f cont=${5:-0} panic="panic: action=fatal" script=$'c\n' i
	model=$(bochs_model "$2") || return 1
	iso=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
	serial=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
	for f in "$iso" "$serial"; do
		if [[ $f =~ [[:space:],\"] ]]; then
			echo "bochs: a path with a space, comma or quote cannot go into a bochsrc: $f" >&2
			return 1
		fi
	done
	if [[ $2 == bochs-amd ]] && ((cont > 0)); then
		panic+=", cpu0=report"
		for ((i = 0; i < cont; i++)); do script+=$'c\n'; done
	fi
	cat >"$dir/bochsrc" <<-EOF
		# Generated by tests/qemu/lib.sh (bochs_config) for boot path $2.
		display_library: term
		megs: 256
		cpu: model=$model, count=${BOCHS_CPUS:-1}, ips=50000000, reset_on_triple_fault=0
		romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		ata0-master: type=cdrom, path=$iso, status=inserted
		boot: cdrom
		com1: enabled=1, mode=file, dev=$serial
		speaker: enabled=0
		sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
		magic_break: enabled=1
		log: bochs.log
		$panic
		error: action=report
	EOF
	printf '%squit\n' "$script" >"$dir/dbg.rc"
}

# bochs_exec DIR SECONDS: runs Bochs on DIR/bochsrc in DIR (its screen, an ncurses
# terminal, goes to DIR/term.out; stderr to DIR/stderr.txt) and replaces the calling
# (sub)shell with timeout(1), so the caller's $! is timeout's PID and Bochs its only
# child (child_of). timeout puts Bochs in a process group of its own: a terminal's
# Ctrl-C does not reach it. SIGTERM to timeout reaches Bochs as SIGKILL 2 s later.
bochs_exec() {
	cd "$1" || return 1
	# The term display needs a terminal type it knows; the screen is never looked at.
	TERM=dumb exec timeout -s KILL -k 2 "$2" "$BOCHS_BIN" -q -f bochsrc -rc dbg.rc \
		</dev/null >term.out 2>stderr.txt
}

# child_of PID: the PID of PID's (only) child process (Bochs, when PID is the
# timeout(1) of bochs_exec).
child_of() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	[[ -n $c ]] || c=$(pgrep -P "$1" 2>/dev/null)
	c=${c%% *}
	printf '%s' "${c%%$'\n'*}"
}

# bochs_debug_exit SERIAL-LOG: the hex digits of the last "tessera: debug exit 0xNN".
bochs_debug_exit() {
	[[ -e $1 ]] || return 0
	tr -d '\r' <"$1" | sed -n 's/^tessera: debug exit 0x\([0-9a-fA-F]\{1,8\}\)$/\1/p' | tail -n 1
}

# bochs_status BOCHS-STATUS SERIAL-LOG: the QEMU status this outcome stands for, or
# nothing when the two disagree or the core reported nothing. Success: Bochs exited 0
# and the core reported 0x10 -> 33. Failure code C: Bochs exited 1 and the core
# reported C (not 0x10) -> (C << 1) | 1.
bochs_status() {
	local code
	code=$(bochs_debug_exit "$2")
	[[ -n $code ]] || return 0
	if (($1 == 0 && 0x$code == 0x10)); then
		echo 33
	elif (($1 == 1 && 0x$code != 0x10)); then
		echo $(((0x$code << 1) | 1))
	fi
}

# bochs_outcome BOCHS-STATUS SERIAL-LOG: one line describing what happened.
bochs_outcome() {
	local code what
	code=$(bochs_debug_exit "$2")
	case $1 in
	0) what="Bochs exited 0 (magic breakpoint, or stopped by SIGINT)" ;;
	1) what="Bochs exited 1 (shutdown port, triple fault or Bochs panic)" ;;
	124 | 137) what="Bochs timed out" ;;
	*) what="Bochs exited $1 (failed to start? see its bochs.log and stderr.txt)" ;;
	esac
	if [[ -n $code ]]; then
		what+=", the core reported debug exit 0x$code"
	else
		what+=", no \"tessera: debug exit\" line from the core"
	fi
	printf '%s\n' "$what"
}
