#!/bin/sh
# Checks that the Debian packages the build and the boot tests (QEMU, Bochs) need are
# installed and installs the missing ones (as root) or prints the command to do it.
#
#   scripts/deps.sh [GROUP...]     GROUP: build qemu iso uefi bochs attest fuzz verify (default: all of them)
#
# A package counts as installed when the commands or files it provides are present,
# so the check is fast and needs no package database. Quiet when nothing is missing.
set -eu

# group  package  what-it-provides (cmd:NAME or file:PATH; '|' separates alternatives)
TABLE='
build gcc                 cmd:gcc
build make                cmd:make
build binutils            cmd:ld&cmd:objcopy
qemu  qemu-system-x86     cmd:qemu-system-x86_64
qemu  swtpm               cmd:swtpm
qemu  swtpm-tools         cmd:swtpm_setup
uefi  ovmf                file:/usr/share/OVMF/OVMF_CODE_4M.fd|file:/usr/share/OVMF/OVMF_CODE.fd
iso   grub-common         cmd:grub-mkrescue
iso   grub-pc-bin         file:/usr/lib/grub/i386-pc/multiboot2.mod
iso   grub-efi-amd64-bin  file:/usr/lib/grub/x86_64-efi/multiboot2.mod
iso   xorriso             cmd:xorriso
iso   mtools              cmd:mformat
iso   tboot               file:/boot/tboot.gz
bochs bochs               file:/usr/bin/bochs&file:/usr/bin/bochs-bin
bochs bochsbios           file:/usr/share/bochs/BIOS-bochs-latest
bochs vgabios             file:/usr/share/vgabios/vgabios.bin
bochs bochs-term          file:/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so|file:/usr/lib/bochs/plugins/libbx_term_gui.so
attest libmbedtls-dev     file:/usr/include/mbedtls/sha256.h
attest libtss2-dev        file:/usr/include/tss2/tss2_esys.h
attest tpm2-tools         cmd:tpm2_eventlog
attest swtpm              cmd:swtpm
attest swtpm-tools        cmd:swtpm_setup&cmd:swtpm_ioctl
attest openssl            cmd:openssl
attest python3            cmd:python3
fuzz  afl++               cmd:afl-fuzz&cmd:afl-clang-fast&cmd:afl-tmin
fuzz  clang               cmd:clang&file:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
fuzz  lld                 cmd:ld.lld
fuzz  llvm-14             cmd:llvm-cov-14&cmd:llvm-profdata-14&cmd:llvm-symbolizer-14
verify frama-c-base       cmd:frama-c
verify why3               cmd:why3
verify z3                 cmd:z3
verify cvc4               cmd:cvc4
verify spin               cmd:spin
'
ALL_GROUPS='build qemu iso uefi bochs attest fuzz verify'

usage() {
	echo "usage: $0 [build|qemu|iso|uefi|bochs|attest|fuzz|verify]..." >&2
	exit 2
}

groups=${*:-$ALL_GROUPS}
for g in $groups; do
	case " $ALL_GROUPS " in *" $g "*) ;; *) usage ;; esac
done

# has ITEM: cmd:NAME or file:PATH
has() {
	case $1 in
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
	file:*) [ -e "${1#file:}" ] ;;
	*) return 1 ;;
	esac
}

# provided SPEC: every '&' part holds, each part being one of several '|' alternatives
provided() {
	_rest=$1
	while [ -n "$_rest" ]; do
		_all=${_rest%%&*}
		if [ "$_all" = "$_rest" ]; then _rest=; else _rest=${_rest#*&}; fi
		_ok=no
		_alts=$_all
		while [ -n "$_alts" ]; do
			_one=${_alts%%|*}
			if [ "$_one" = "$_alts" ]; then _alts=; else _alts=${_alts#*|}; fi
			if has "$_one"; then _ok=yes; break; fi
		done
		[ $_ok = yes ] || return 1
	done
	return 0
}

missing() {
	echo "$TABLE" | while read -r g pkg spec; do
		[ -n "$g" ] || continue
		case " $groups " in *" $g "*) ;; *) continue ;; esac
		provided "$spec" || printf '%s ' "$pkg"
	done
}

pkgs=$(missing)
[ -n "$pkgs" ] || exit 0
pkgs=${pkgs% }

cmd="apt-get update && apt-get install -y $pkgs"
echo "deps: missing Debian packages: $pkgs" >&2
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: no apt-get here; install the equivalents of: $pkgs" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root:" >&2
	echo "  $cmd" >&2
	exit 1
fi
echo "deps: $cmd" >&2
export DEBIAN_FRONTEND=noninteractive
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin # dpkg needs them (e.g. when called from make)
apt-get update -q >&2 && apt-get install -y -q $pkgs >&2 || {
	echo "deps: installing failed: $cmd" >&2
	exit 1
}
still=$(missing)
if [ -n "$still" ]; then
	echo "deps: still missing after installing: $still" >&2
	exit 1
fi
echo "deps: installed $pkgs" >&2
