#!/usr/bin/env bash
# Boots one Tessera system in QEMU with the serial console on this terminal.
#
#   boot.sh [-p kernel|bios|uefi] [-a CORE-CMDLINE] [-i ISO] [-t SECONDS] [-e STATUS]
#           ["FILE key=value..."]...
#
#   -p  boot path (default kernel: QEMU -kernel build/tessera.mb1)
#   -a  the core's command line (default: debug_exit=on, so QEMU exits at the end)
#   -i  bios/uefi: boot this ISO; without -i one is built from the modules given
#   -t  give up after SECONDS (default 120)
#   -e  succeed only if QEMU exits with STATUS (33: all domains ended)
# Example: tests/qemu/boot.sh -p uefi "build/domains/attack.elf domain=oob-1 mem=2M"
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

path=kernel cmdline=debug_exit=on iso= secs=120 want=
while getopts p:a:i:t:e: opt; do
	case $opt in
	p) path=$OPTARG ;;
	a) cmdline=$OPTARG ;;
	i) iso=$OPTARG ;;
	t) secs=$OPTARG ;;
	e) want=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

vars=
if [[ $path != kernel && -z $iso ]]; then
	iso=$B/qemu-iso/boot-sh.iso
	mkdir -p "$B/qemu-iso"
	mkiso_spec "tessera (boot.sh)" "$cmdline" "$@" |
		"$QEMU_TESTS_DIR/mkiso.sh" -o "$iso" -k "$B/tessera.elf" || exit 1
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
timeout --foreground -k 5 "$secs" "$QEMU_BIN" "${QEMU_BASE[@]}" -serial stdio -monitor none \
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
