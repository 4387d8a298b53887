# shellcheck shell=bash
# Shared by the QEMU scripts (bash, sourced): how to boot Tessera under QEMU.
#
# Boot paths:
#   kernel  QEMU -kernel build/tessera.mb1 (Multiboot 1), modules via -initrd
#   bios    a GRUB 2 ISO (multiboot2/module2) under SeaBIOS
#   uefi    the same ISO under OVMF, with a private copy of OVMF_VARS
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
