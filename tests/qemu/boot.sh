#!/usr/bin/env bash
# Boots one Tessera system in QEMU or Bochs with the serial console on this terminal.
#
#   boot.sh [-p PATH] [-s CPUS] [-a CORE-CMDLINE] [-i ISO] [-t SECONDS] [-e STATUS]
#           [-P POLICY] ["FILE key=value..."]...
#
#   -p  boot path: kernel (default: QEMU -kernel build/tessera.mb1), bios, uefi (QEMU),
#       bochs-intel (Bochs, Intel VMX CPU), bochs-amd (Bochs, AMD SVM CPU)
#   -s  number of CPUs (default 1)
#   -a  the core's command line (default: debug_exit=on, so the emulator exits at the
#       end; on Bochs debug_exit=on becomes debug_exit=bochs)
#   -i  bios/uefi/bochs-*: boot this ISO; without -i one is built from the modules given
#   -t  give up after SECONDS (default 120)
#   -P  the compiled MAC policy added as the last module (kind=policy), unless a module
#       given already is one; default build/policy/default.tpb, "none" for no policy
#   -e  succeed only if QEMU exits with STATUS (33: all domains ended); on Bochs, if
#       its outcome stands for STATUS (lib.sh bochs_status)
# Bochs: its files are in build/bochs/boot-sh/ (bochsrc, bochs.log, serial.log); the
# serial log is shown here as it grows. Ctrl-C stops Bochs (its debugger quits).
# Example: tests/qemu/boot.sh -p uefi "build/domains/attack.elf domain=oob-1 mem=2M"
#          tests/qemu/boot.sh -p bochs-intel "build/domains/hello.elf domain=alpha mem=2M"
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

path=kernel cmdline=debug_exit=on iso= secs=120 want=
cpus=1 policy=$B/policy/default.tpb
while getopts p:s:a:i:t:e:P: opt; do
	case $opt in
	p) path=$OPTARG ;;
	s) cpus=$OPTARG ;;
	a) cmdline=$OPTARG ;;
	i) iso=$OPTARG ;;
	t) secs=$OPTARG ;;
	e) want=$OPTARG ;;
	P) policy=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [[ $policy != none && -z $iso && " $* " != *" kind=policy"* ]]; then
	set -- "$@" "$policy kind=policy"
fi

vars=
[[ $path != bochs-* ]] || cmdline=$(bochs_cmdline "$cmdline")
if [[ $path != kernel && -z $iso ]]; then
	iso=$B/qemu-iso/boot-sh.iso
	mkdir -p "$B/qemu-iso"
	mkiso_spec "tessera (boot.sh)" "$cmdline" "$@" |
		"$QEMU_TESTS_DIR/mkiso.sh" -o "$iso" -k "$B/tessera.elf" || exit 1
fi

if [[ $path == bochs-* ]]; then
	dir=$B/bochs/boot-sh serial=$B/bochs/boot-sh/serial.log
	rm -rf "$dir"
	mkdir -p "$dir"
	BOCHS_CPUS=$cpus bochs_config "$dir" "$path" "$iso" "$serial" || exit 2
	# Bochs writes COM1 into a file (its screen is a terminal UI we do not want here):
	# show that file as it grows. timeout(1) puts Bochs in a process group of its own,
	# so Ctrl-C reaches only this script, which passes one SIGINT on: Bochs's debugger
	# then quits cleanly (two at once can leave it hanging until the time limit).
	tail -n +1 -F -s 0.1 "$serial" 2>/dev/null &
	tailpid=$!
	(bochs_exec "$dir" "$secs") &
	pid=$!
	interrupted=
	trap 'interrupted=1; kill -INT "$(child_of "$pid")" 2>/dev/null' INT
	trap 'kill "$pid" 2>/dev/null; kill "$tailpid" 2>/dev/null; exit 143' TERM HUP
	while kill -0 "$pid" 2>/dev/null; do
		wait "$pid"
	done
	wait "$pid"
	bstatus=$?
	trap - INT TERM HUP
	sleep 0.3
	kill "$tailpid" 2>/dev/null
	wait "$tailpid" 2>/dev/null
	status=$(bochs_status "$bstatus" "$serial")
	[[ ! -s $serial || -z $(tail -c 1 "$serial") ]] || echo # Bochs stopped mid-line
	echo "boot.sh: ${interrupted:+interrupted: }$(bochs_outcome "$bstatus" "$serial") (files in $dir)" >&2
	if [[ -n $want ]]; then
		if [[ $status != "$want" ]]; then
			echo "boot.sh: that is ${status:-no status} ($(status_meaning "${status:-x}")), expected $want ($(status_meaning "$want"))" >&2
			exit 1
		fi
		exit 0
	fi
	[[ -z $interrupted ]] || exit 130
	# Like QEMU: the status the outcome stands for (e.g. 33), else Bochs's own.
	exit "${status:-$bstatus}"
fi
if [[ $path == uefi ]]; then
	ovmf_find || exit 1
	vars=$B/qemu-iso/boot-sh.vars.fd
	mkdir -p "$B/qemu-iso"
	cp "$OVMF_VARS" "$vars" || exit 1
fi
qemu_args "$path" "$cmdline" "$iso" "$vars" "$@" || exit 2

# --foreground: QEMU stays in the terminal's process group, so Ctrl-C reaches it (and
# it is not stopped for touching the terminal). Domains read no input: stdin is
# /dev/null, which also keeps QEMU from switching the terminal to raw mode.
timeout --foreground -k 5 "$secs" "$QEMU_BIN" "${QEMU_BASE[@]}" -smp "$cpus" -serial stdio -monitor none \
	"${QARGS[@]}" </dev/null 2> >(qemu_stderr_filter >&2)
status=$?

if [[ -n $want ]]; then
	if ((status != want)); then
		echo "boot.sh: QEMU exit status $status ($(status_meaning "$status")), expected $want ($(status_meaning "$want"))" >&2
		exit 1
	fi
	exit 0
fi
exit $status
