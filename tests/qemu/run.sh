#!/usr/bin/env bash
# Boot tests: boot Tessera (QEMU -kernel, GRUB on SeaBIOS, GRUB on OVMF, GRUB under
# Bochs with an Intel VMX and an AMD SVM CPU) and check its serial console and exit status.
#
#   tests/qemu/run.sh [-j JOBS] [-l] [NAME-SUBSTRING...]
#
# Runs scripts/deps.sh and `make all iso` first, unless TESSERA_QEMU_NO_BUILD is set
# (`make qemu-test` sets it: it has done both). Prints "PASS name" or
# "FAIL name: reason" (and the end of the serial log) per test, in order, then
# "N passed, N failed". Logs: build/qemu-logs/NAME.log (serial), NAME.qemu.txt
# (QEMU command line and stderr) or NAME.bochs.txt (Bochs command line; Bochs's own
# files in build/bochs/NAME/), summary.txt (timings). The test language is
# described in tests/qemu/harness.sh. Exit status: 0 only if every test passed.
#
# Which test runs where: everything runs under QEMU TCG (AMD SVM, -kernel, fast); the
# boot paths and the isolation properties also through GRUB. Bochs (3-6 s a boot)
# runs the demo and every isolation attack on its Intel VMX+EPT CPU (the only
# machine here for the VMX backend), and the demo and the attacks again on its AMD
# SVM+NPT CPU (a second emulator for the SVM backend); tests named *_under_bochs_*.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$QEMU_TESTS_DIR/harness.sh"
cd "$ROOT" || exit 1
TEST_FILE=$QEMU_TESTS_DIR/run.sh

D=$B/domains
H=$B/qemu-hostile

# ---- helpers ---------------------------------------------------------------------

# hello_runs NAME ID MIB: a hello domain was created, ran all its rounds and exited 0.
hello_runs() {
	require_order "tessera: domain $1 (id $2) created: $3 MiB" \
		"[$1] hello from $1: domain $2, $3 MiB, ABI " \
		"[$1] $1: round 1" "[$1] $1: round 2" "[$1] $1: round 3" "[$1] $1: done" \
		"tessera: domain $1 (id $2) exited with code 0" \
		"^tessera: all domains ended"
}

# attacker_destroyed NAME ID REASON: the attack ran and the core destroyed the attacker.
attacker_destroyed() {
	require_order "tessera: domain $1 (id $2) created" "[$1] $1: attacking" \
		"tessera: domain $1 (id $2) destroyed: $3"
	forbid "tessera: domain $1 (id $2) exited"
}

# The demo system: alpha (4 MiB) and beta (2 MiB) take turns, three rounds each.
demo_modules() {
	module "$D/hello.elf" domain=alpha mem=4M
	module "$D/hello.elf" domain=beta mem=2M
}
demo_modules_after_console() {
	demo_modules
	hello_through_console alpha
	hello_through_console beta
}
demo_checks() {
	hello_runs alpha 0 4
	hello_runs beta 1 2
	# They take turns. How strictly depends on the host: a slice can run out before a
	# domain prints (a loaded host stalls TCG while the 10 ms timer runs on), so the
	# check is that each ran before the other finished (sched_test.c checks the order).
	require_order "[beta] beta: round 1" "[alpha] alpha: done"
	require_order "[alpha] alpha: round 1" "[beta] beta: done"
	require_order "[alpha] alpha: round 3" "^tessera: all domains ended"
	forbid "destroyed" "rejected"
}

# on_path PATH: the boot path of this test (boot PATH), plus, on Bochs, the check
# that the core picked the backend of that CPU.
on_path() {
	boot "$1"
	case $1 in
	bochs-intel) require "^tessera: virtualization backend intel-vmx" ;;
	bochs-amd) require "^tessera: virtualization backend amd-svm" ;;
	esac
}

# virt_insn PATH: the vendor's own virtualization instruction on PATH's CPU (what the
# virt-* attack executes): VMXON on Intel (Bochs tigerlake), VMRUN on AMD.
virt_insn() {
	if [[ $1 == bochs-intel ]]; then echo VMXON; else echo VMRUN; fi
}

# Before the tests: the tools and the images they boot.
prepare() {
	[[ -z ${TESSERA_QEMU_NO_BUILD:-} ]] || return 0
	"$ROOT/scripts/deps.sh" >&2 || return 1
	make -s -C "$ROOT" all iso >&2
}

# Hostile boot modules, made fresh for every run from the current hello.elf.
setup() {
	local hello=$D/hello.elf i
	mkdir -p "$H"
	# patched FILE OFFSET BYTES: overwrites bytes (printf escapes) of a copy of hello.elf.
	patched() {
		cp "$hello" "$1"
		# shellcheck disable=SC2059 # the bytes are printf escapes
		printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
	}
	for i in 1 2 3 4 5 6 7 8; do # longer than an ELF header, so the magic is what fails
		printf 'Line %d of a text file that is not a domain image.\n' "$i"
	done >"$H/text.txt"
	head -c 65536 /dev/urandom >"$H/random.bin"
	# The test policy with one byte of its type table flipped.
	cp "$B/policy/test.tpb" "$H/corrupt.tpb"
	printf '\x7f' | dd of="$H/corrupt.tpb" bs=1 seek=84 conv=notrunc status=none
	printf 'R' | dd of="$H/random.bin" bs=1 conv=notrunc status=none # never "\177ELF"
: >"$H/empty.bin"
	head -c 32 "$hello" >"$H/short-header.elf"
	head -c 1024 "$hello" >"$H/truncated.elf"      # headers intact, segment data cut off
	patched "$H/bad-phoff.elf" 32 '\360\377\377\377\377\377\377\377' # e_phoff = 2^64 - 16
	patched "$H/no-phdrs.elf" 56 '\000\000'          # e_phnum = 0
	patched "$H/i386.elf" 18 '\003\000'              # e_machine = EM_386
	patched "$H/entry-zero.elf" 24 '\000\000\000\000\000\000\000\000' # e_entry = 0
}

# ---- the demo, on every boot path ----------------------------------------------------

test_demo_runs_two_domains_round_robin() {
	boot kernel
	demo_modules
	demo_checks
	require "booted by multiboot1"
}

# demo_through_grub PATH: the demo from a per-test GRUB ISO.
demo_through_grub() {
	on_path "$1"
	demo_modules
	demo_checks
	require "booted by multiboot2"
}
test_demo_runs_two_domains_round_robin_under_bochs_intel() { demo_through_grub bochs-intel; }
test_demo_runs_two_domains_round_robin_under_bochs_amd() { demo_through_grub bochs-amd; }

test_grub_bios_iso_boots_demo() {
	boot bios
	iso "$B/tessera-test.iso"
	demo_checks
	require "booted by multiboot2"
}

test_grub_uefi_iso_boots_demo() {
	boot uefi
	iso "$B/tessera-test.iso"
	demo_checks
	require "booted by multiboot2"
}

# The release ISO has no debug_exit: after the demo the core halts the CPU for good.
release_iso_halts() {
	on_path "$1"
	iso "$B/tessera.iso"
	demo_checks
	expect_halt
}
test_release_iso_halts_after_demo() { release_iso_halts bios; }
test_release_iso_halts_after_demo_under_bochs_intel() { release_iso_halts bochs-intel; }
test_release_iso_halts_after_demo_under_bochs_amd() { release_iso_halts bochs-amd; }

# ---- isolation: each attack destroys the attacker only -------------------------------
# One helper per attack, called with the boot path; the tests are one line each.
# The exit names are the same on both backends except for the vendor's own
# virtualization instruction (virt_insn). VMRUN on Intel is no VM exit but #UD in the
# guest (a triple fault there, with no IDT): vmrun-* runs on AMD CPUs only.

oob_past_end() {
	on_path "$1"
	module "$D/attack.elf" domain=oob-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	attacker_destroyed oob-1 0 "nested page fault at gpa 0x200000"
	hello_runs good 1 2
}
test_nested_page_fault_past_end_destroys_only_attacker() { oob_past_end kernel; }
test_nested_page_fault_past_end_destroys_only_attacker_under_bochs_intel() { oob_past_end bochs-intel; }
test_nested_page_fault_past_end_destroys_only_attacker_under_bochs_amd() { oob_past_end bochs-amd; }

write_far_outside() {
	on_path "$1"
	module "$D/hello.elf" domain=good mem=2M
	module "$D/attack.elf" domain=far-1 mem=4M
	attacker_destroyed far-1 1 "nested page fault at gpa 0x3ff00000"
	hello_runs good 0 2
}
test_write_far_outside_memory_destroys_only_attacker() { write_far_outside kernel; }
test_write_far_outside_memory_destroys_only_attacker_under_bochs_intel() { write_far_outside bochs-intel; }
test_write_far_outside_memory_destroys_only_attacker_under_bochs_amd() { write_far_outside bochs-amd; }

port_io() {
	on_path "$1"
	module "$D/attack.elf" domain=out-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	attacker_destroyed out-1 0 "forbidden instruction IN/OUT"
	hello_runs good 1 2
}
test_port_io_is_forbidden() { port_io kernel; }
test_port_io_is_forbidden_under_bochs_intel() { port_io bochs-intel; }
test_port_io_is_forbidden_under_bochs_amd() { port_io bochs-amd; }

msr_write() {
	on_path "$1"
	module "$D/attack.elf" domain=msr-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	attacker_destroyed msr-1 0 "forbidden instruction RDMSR/WRMSR"
	hello_runs good 1 2
}
test_msr_write_is_forbidden() { msr_write kernel; }
test_msr_write_is_forbidden_under_bochs_intel() { msr_write bochs-intel; }
test_msr_write_is_forbidden_under_bochs_amd() { msr_write bochs-amd; }

vmrun_forbidden() {
	on_path "$1"
	module "$D/hello.elf" domain=good mem=2M
	module "$D/attack.elf" domain=vmrun-1 mem=2M
	attacker_destroyed vmrun-1 1 "forbidden instruction VMRUN"
	hello_runs good 0 2
}
test_vmrun_is_forbidden() { vmrun_forbidden kernel; }
test_vmrun_is_forbidden_under_bochs_amd() { vmrun_forbidden bochs-amd; }

# virt-*: the CPU's own virtualization instruction, whichever vendor it is.
virt_insn_forbidden() {
	on_path "$1"
	module "$D/hello.elf" domain=good mem=2M
	module "$D/attack.elf" domain=virt-1 mem=2M
	attacker_destroyed virt-1 1 "forbidden instruction $(virt_insn "$1")"
	hello_runs good 0 2
}
test_virtualization_instruction_is_forbidden() { virt_insn_forbidden kernel; }
test_virtualization_instruction_is_forbidden_under_bochs_intel() { virt_insn_forbidden bochs-intel; }
test_virtualization_instruction_is_forbidden_under_bochs_amd() { virt_insn_forbidden bochs-amd; }

# HLT blocks a domain until an event arrives; with interrupts off none can: destroyed.
hlt_forbidden() {
	on_path "$1"
	module "$D/attack.elf" domain=hlt-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	attacker_destroyed hlt-1 0 "HLT with interrupts disabled"
	hello_runs good 1 2
}
test_hlt_with_interrupts_off_destroys_the_domain() { hlt_forbidden kernel; }
test_hlt_with_interrupts_off_destroys_the_domain_under_bochs_intel() { hlt_forbidden bochs-intel; }
test_hlt_with_interrupts_off_destroys_the_domain_under_bochs_amd() { hlt_forbidden bochs-amd; }

triple_fault() {
	on_path "$1"
	module "$D/hello.elf" domain=left mem=2M
	module "$D/attack.elf" domain=triple-1 mem=2M
	module "$D/hello.elf" domain=right mem=2M
	guest_triple_faults 1
	attacker_destroyed triple-1 1 "triple fault"
	hello_runs left 0 2
	hello_runs right 2 2
}
test_triple_fault_destroys_only_attacker() { triple_fault kernel; }
test_triple_fault_destroys_only_attacker_under_bochs_intel() { triple_fault bochs-intel; }
test_triple_fault_destroys_only_attacker_under_bochs_amd() { triple_fault bochs-amd; }

debug_register() {
	on_path "$1"
	module "$D/attack.elf" domain=dr-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	attacker_destroyed dr-1 0 "forbidden instruction MOV DR"
	hello_runs good 1 2
}
test_debug_register_access_is_forbidden() { debug_register kernel; }
test_debug_register_access_is_forbidden_under_bochs_intel() { debug_register bochs-intel; }
test_debug_register_access_is_forbidden_under_bochs_amd() { debug_register bochs-amd; }

# Platform NMIs (watchdogs, BMCs) reach the host after an intercepted guest NMI: the
# core must dismiss them, not stop the machine.
test_nmi_while_a_domain_runs_does_not_stop_the_core() {
	module "$D/attack.elf" domain=wait-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	monitor_when "[wait-1] wait-1: attacking" nmi
	monitor_when "[wait-1] wait-1: attacking" nmi
	require_order "[wait-1] wait-1: attacking" "[wait-1] wait-1: waited" \
		"tessera: domain wait-1 (id 0) exited with code 0"
	hello_runs good 1 2
}

hostile_hypercalls() {
	on_path "$1"
	module "$D/attack.elf" domain=hcall-1 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	require_order "[hcall-1] hcall-check ok version" "[hcall-1] hcall-check ok console good" \
		"[hcall-1] hcall-1: 0 failures" "tessera: domain hcall-1 (id 0) exited with code 0"
	forbid "hcall-check FAIL" "destroyed"
	hello_runs good 1 2
}
test_hostile_hypercall_arguments_fail_cleanly() { hostile_hypercalls kernel; }
test_hostile_hypercall_arguments_fail_cleanly_under_bochs_intel() { hostile_hypercalls bochs-intel; }
test_hostile_hypercall_arguments_fail_cleanly_under_bochs_amd() { hostile_hypercalls bochs-amd; }

# ---- sharing: preemption, event channels, grants, rings ------------------------------

# A domain that never yields for many slices: the slice timer lets the other run and
# finish first. Bochs exits on a physical interrupt only when the guest's IF is set
# (real CPUs and QEMU do regardless), so there the spinner runs with interrupts on.
spinner_does_not_starve() {
	local spin=spin-1
	[[ $1 == bochs-* ]] && spin=spinsti-1
	on_path "$1"
	module "$D/attack.elf" domain=$spin mem=2M
	module "$D/hello.elf" domain=good mem=2M
	require_order "[good] good: done" "[$spin] $spin: spun"
	hello_runs good 1 2
}
test_spinning_domain_does_not_starve_others() { spinner_does_not_starve kernel; }
test_spinning_domain_does_not_starve_others_under_bochs_intel() { spinner_does_not_starve bochs-intel; }

# ping grants pong a ring page and binds an event channel; 100,000 requests and
# checked responses; pong's mapping of the dead ping's page outlives ping.
ring_demo() {
	on_path "$1"
	module "$D/ringdemo.elf" domain=ping mem=2M
	module "$D/ringdemo.elf" domain=pong mem=2M
	require "[ping] ping: 100000 messages exchanged, every response checked" \
		"[pong] pong: served 100000 requests" \
		"tessera: domain ping (id 0) exited with code 0" \
		"tessera: domain pong (id 1) exited with code 0"
	forbid "destroyed"
}
test_ring_demo_exchanges_100000_checked_messages() { ring_demo kernel; }
test_ring_demo_exchanges_100000_checked_messages_under_bochs_intel() { ring_demo bochs-intel; }

# pong dies mid-transfer: ping sees its channel closed and stops cleanly.
peer_killed_mid_transfer() {
	on_path "$1"
	module "$D/ringdemo.elf" domain=ping mem=2M
	module "$D/ringdemo.elf" domain=pong-crash mem=2M
	require_order "[pong-crash] pong-crash: crashing after 1000 requests" \
		"tessera: domain pong-crash (id 1) destroyed: nested page fault" \
		"[ping] ping: peer closed the channel after " \
		"tessera: domain ping (id 0) exited with code 0"
}
test_killing_a_peer_mid_transfer_closes_its_channel() { peer_killed_mid_transfer kernel; }
test_killing_a_peer_mid_transfer_closes_its_channel_under_bochs_intel() { peer_killed_mid_transfer bochs-intel; }

test_killing_a_peer_on_another_cpu_mid_transfer_closes_its_channel() {
	cpus 2
	module "$D/ringdemo.elf" domain=ping mem=2M
	module "$D/ringdemo.elf" domain=pong-crash mem=2M cpu=1
	require_order "[pong-crash] pong-crash: crashing after 1000 requests" \
		"tessera: domain pong-crash (id 1) destroyed: nested page fault" \
		"[ping] ping: peer closed the channel after " \
		"tessera: domain ping (id 0) exited with code 0"
}

# On the kernel path the peers sit on different CPUs (-smp 2).
channel_and_grant_misuse() {
	local peer_cpu=0
	on_path "$1"
	[[ $1 == kernel ]] && cpus 2 && peer_cpu=1
	module "$D/attack.elf" domain=evtmis-1 mem=2M
	module "$D/attack.elf" domain=spin-peer mem=2M cpu=$peer_cpu
	require_order "[evtmis-1] hcall-check ok send on a free port" \
		"[evtmis-1] hcall-check ok end a ref never offered" "[evtmis-1] evtmis-1: 0 failures" \
		"tessera: domain evtmis-1 (id 0) destroyed: access to an empty grant slot at gpa 0x40007000"
	require "[spin-peer] spin-peer: spun" "tessera: domain spin-peer (id 1) exited with code 0"
}
test_event_channel_and_grant_misuse_fails_cleanly() { channel_and_grant_misuse kernel; }
test_event_channel_and_grant_misuse_fails_cleanly_under_bochs_intel() { channel_and_grant_misuse bochs-intel; }

read_only_grant() {
	local peer_cpu=0
	on_path "$1"
	[[ $1 == kernel ]] && cpus 2 && peer_cpu=1
	module "$D/attack.elf" domain=rog-1 mem=2M
	module "$D/attack.elf" domain=row-1 mem=2M cpu=$peer_cpu
	require_order "[row-1] hcall-check ok map read-only grant" "[row-1] hcall-check ok map it twice" \
		"[row-1] hcall-check ok read through the grant" "[row-1] row-1: 0 failures before the write" \
		"tessera: domain row-1 (id 1) destroyed: write to a read-only grant at gpa 0x40003000"
	require_order "[rog-1] hcall-check ok end once the mapper is gone" "[rog-1] rog-1: 0 failures" \
		"tessera: domain rog-1 (id 0) exited with code 0"
}
test_write_to_a_read_only_grant_destroys_the_writer() { read_only_grant kernel; }
test_write_to_a_read_only_grant_destroys_the_writer_under_bochs_intel() { read_only_grant bochs-intel; }

# SMP: every CPU comes up (INIT-SIPI-SIPI through a trampoline below 1 MiB), loads
# its own GDT/TSS/stacks and idles; domains still run on the boot CPU.
all_cpus_come_up() {
	on_path "$1"
	cpus "$2"
	demo_modules
	require "^tessera: $2 CPUs online"
	demo_checks
}
test_all_cpus_come_up_with_smp_2() { all_cpus_come_up kernel 2; }
test_all_cpus_come_up_with_smp_4() { all_cpus_come_up kernel 4; }
test_all_cpus_come_up_with_smp_2_under_grub_uefi() { all_cpus_come_up uefi 2; }
test_all_cpus_come_up_with_smp_2_under_bochs_intel() { all_cpus_come_up bochs-intel 2; }

# Domains pinned to different CPUs (cpu=N): events and grants cross CPUs (a kick
# IPI takes the receiver out of guest mode or idle), and each CPU preempts its own.
ring_across_cpus() {
	on_path "$1"
	cpus 2
	module "$D/ringdemo.elf" domain=ping mem=2M
	module "$D/ringdemo.elf" domain=pong mem=2M cpu=1
	require "tessera: domain pong (id 1) created: 2 MiB, core overhead " \
		"[ping] ping: 100000 messages exchanged, every response checked" \
		"[pong] pong: served 100000 requests"
	forbid "destroyed" "blocked"
}
test_ring_demo_across_two_cpus() { ring_across_cpus kernel; }
test_ring_demo_across_two_cpus_under_bochs_intel() { ring_across_cpus bochs-intel; }

test_spinner_on_the_second_cpu_does_not_starve_its_neighbour() {
	cpus 2
	module "$D/ringdemo.elf" domain=ping mem=2M
	module "$D/attack.elf" domain=spin-1 mem=2M cpu=1
	module "$D/hello.elf" domain=good mem=2M cpu=1
	module "$D/ringdemo.elf" domain=pong mem=2M cpu=1
	require "[ping] ping: 100000 messages exchanged, every response checked"
	require_order "[good] good: done" "[spin-1] spin-1: spun"
	forbid "destroyed"
}

# The last runnable domain blocks on the second CPU: the boot CPU must still notice.
test_every_domain_blocked_on_the_second_cpu_is_reported() {
	cpus 2
	module "$D/attack.elf" domain=sleep-1 mem=2M cpu=1
	expect_status 69
	require "[sleep-1] sleep-1: attacking" "^tessera: every domain is blocked waiting for an event"
}

test_domain_on_a_cpu_that_is_not_online_is_rejected() {
	module "$D/hello.elf" domain=far mem=2M cpu=3
	module "$D/hello.elf" domain=good mem=2M
	require "^tessera: module 0 rejected: its cpu is not online"
	hello_runs good 0 2
}

# ---- malformed boot modules and command lines ----------------------------------------

test_bad_module_cmdline_is_rejected_others_run() {
	module "$D/hello.elf" domain=bad0 mem=3M
	module "$D/hello.elf" domain=bad1 mem=2M colour=red
	module "$D/hello.elf" mem=2M
	module "$D/hello.elf" domain=Bad3 mem=2M
	module "$D/hello.elf" domain=bad4 mem=2M mem=4M
	module "$D/hello.elf" domain=bad5
	module "$D/hello.elf" domain=bad6 mem=2G
	module "$D/hello.elf" domain=bad7 mem=999999999999G
	module "$D/hello.elf" domain=bad8 mem=2M stray
	module "$D/hello.elf" domain=good mem=2M
	require "tessera: module 0 rejected: mem must be a multiple of 2M from 2M to 1G" \
		"tessera: module 1 rejected: unknown option 'colour'" \
		"tessera: module 2 rejected: not a domain module (no domain=NAME)" \
		"tessera: module 3 rejected: domain name must be 1-15 of [a-z0-9_-]" \
		"tessera: module 4 rejected: option 'mem' given twice" \
		"tessera: module 5 rejected: mem=SIZE is required" \
		"tessera: module 6 rejected: mem must be a multiple of 2M from 2M to 1G" \
		"tessera: module 7 rejected: mem must be a multiple of 2M from 2M to 1G" \
		"tessera: module 8 rejected: unexpected word without '='"
	forbid "domain bad" "[bad" "[Bad" "tessera: module 9 rejected"
	hello_runs good 0 2
}

test_non_elf_module_is_rejected_others_run() {
	module "$H/text.txt" domain=text mem=2M
	module "$H/random.bin" domain=random mem=2M
	module "$H/short-header.elf" domain=short mem=2M
	module "$B/tessera.mb1" domain=elf32 mem=2M
	module "$D/hello.elf" domain=good mem=2M
	require "tessera: module 0 rejected: not an ELF file" \
		"tessera: module 1 rejected: not an ELF file" \
		"tessera: module 2 rejected: image shorter than an ELF header" \
		"tessera: module 3 rejected: not a little-endian ELF64 version 1 file"
	forbid "tessera: module 4 rejected"
	hello_runs good 0 2
}

test_corrupted_elf_module_is_rejected_others_run() {
	module "$H/truncated.elf" domain=truncated mem=2M
	module "$H/bad-phoff.elf" domain=phoff mem=2M
	module "$H/no-phdrs.elf" domain=nophdrs mem=2M
	module "$H/i386.elf" domain=i386 mem=2M
	module "$H/entry-zero.elf" domain=entry mem=2M
	module "$B/tessera.elf" domain=core mem=2M # linked at 2 MiB: past a 2 MiB domain
	module "$D/hello.elf" domain=good mem=2M
	require "tessera: module 0 rejected: segment data outside the image" \
		"tessera: module 1 rejected: program headers outside the image" \
		"tessera: module 2 rejected: program header count out of range" \
		"tessera: module 3 rejected: not an x86-64 executable" \
		"tessera: module 4 rejected: entry point not inside an executable segment" \
		"tessera: module 5 rejected: segment outside the domain's memory"
	forbid "tessera: module 6 rejected"
	hello_runs good 0 2
}

test_no_domains_exits_with_no_domains_code() {
	module "$H/text.txt" domain=text mem=2M
	module "$D/hello.elf" domain=odd mem=3M
	expect_status 65
	require_order "tessera: module 0 rejected: not an ELF file" \
		"tessera: module 1 rejected: mem must be a multiple of 2M" "^tessera: no domain to run"
	forbid "created:"
}

# Only the policy module: a valid boot with nothing to run.
no_modules() {
	on_path "$1"
	expect_status 65
	require "1 modules" "^tessera: policy loaded: " "^tessera: no domain to run"
}
test_no_modules_exits_with_no_domains_code() { no_modules kernel; }
# Bochs reports failure codes through the serial line and exit status 1 (harness.sh).
test_no_modules_exits_with_no_domains_code_under_bochs_amd() { no_modules bochs-amd; }

# Valid options take effect even when another is bad, so the exit port reports 67.
test_bad_core_cmdline_is_rejected() {
	core_cmdline "bogus=1 debug_exit=on"
	module "$D/hello.elf" domain=good mem=2M
	expect_status 67
	require "^tessera: core command line rejected: unknown option 'bogus'"
	forbid "created:" "[good]"
}

# Without a valid debug_exit the port is never armed: the core halts (cli; hlt) for
# good and QEMU keeps running; the harness checks the halt through the monitor.
test_bad_core_cmdline_value_is_rejected() {
	core_cmdline "debug_exit=yes"
	module "$D/hello.elf" domain=good mem=2M
	expect_halt
	require "^tessera: core command line rejected: debug_exit must be on, bochs or off"
	forbid "created:" "[good]"
}

# selftest=trap faults in host mode on purpose: the IDT must report it and stop
# with the exception code.
host_exception() {
	boot "$1" # the trap comes before the backend is chosen: no on_path
	core_cmdline "debug_exit=on selftest=trap"
	module "$D/hello.elf" domain=good mem=2M
	expect_status 127
	require_order "^tessera: HOST EXCEPTION #UD vector 6 error 0x0" "  rip " "  rax " \
		"  r13 " "  cr0 "
	forbid "created:" "[good]"
	allow "HOST EXCEPTION"
}
test_host_exception_is_reported_and_stops_the_core() { host_exception kernel; }
test_host_exception_is_reported_and_stops_the_core_under_bochs_intel() { host_exception bochs-intel; }

test_empty_module_is_rejected_others_run() {
	module "$H/empty.bin" domain=empty mem=2M
	module "$D/hello.elf" domain=good mem=2M
	require "^tessera: module 0 rejected: image shorter than an ELF header"
	hello_runs good 0 2
}

test_second_domain_with_the_same_name_is_rejected() {
	module "$D/hello.elf" domain=twin mem=2M
	module "$D/hello.elf" domain=twin mem=4M
	require "^tessera: module 1 rejected: a domain with this name is already running"
	hello_runs twin 0 2
}

# ---- the same properties through GRUB (multiboot2, modules without file names) -------

test_port_io_is_forbidden_under_grub_bios() { port_io bios; }

test_bad_module_cmdline_is_rejected_under_grub_bios() {
	boot bios
	module "$D/hello.elf" domain=bad0 mem=3M
	module "$H/text.txt" domain=text mem=2M
	module "$D/hello.elf" domain=bad2 mem=2M stray
	module "$D/hello.elf" domain=good mem=2M
	require "tessera: module 0 rejected: mem must be a multiple of 2M from 2M to 1G" \
		"tessera: module 1 rejected: not an ELF file" \
		"tessera: module 2 rejected: unexpected word without '='"
	hello_runs good 0 2
}

test_nested_page_fault_destroys_only_attacker_under_grub_uefi() {
	boot uefi
	module "$D/hello.elf" domain=good mem=2M
	module "$D/attack.elf" domain=oob-1 mem=2M
	attacker_destroyed oob-1 1 "nested page fault at gpa 0x200000"
	hello_runs good 0 2
}

test_hostile_hypercall_arguments_fail_cleanly_under_grub_uefi() { hostile_hypercalls uefi; }

# restart=N: a crashed domain comes back from its boot image, N times at most, with a
# new id; a clean exit is final.
test_crashed_domain_restarts_at_most_n_times() {
	module "$D/attack.elf" domain=oob-r mem=2M restart=2
	module "$D/hello.elf" domain=good mem=2M restart=3
	require_order "tessera: domain oob-r (id 0) destroyed: nested page fault" \
		"tessera: domain oob-r restarted as id 2 (restart 1 of 2)" \
		"tessera: domain oob-r (id 2) destroyed: nested page fault" \
		"tessera: domain oob-r restarted as id 3 (restart 2 of 2)" \
		"tessera: domain oob-r (id 3) destroyed: nested page fault" \
		"^tessera: all domains ended"
	require "tessera: domain good (id 1) exited with code 0"
	forbid "oob-r restarted as id 4" "good restarted"
}

# ---- mandatory access control ---------------------------------------------------------

P=$B/policy

# mac_system PATH: mac-a may signal mac-b but not mac-c, grant to mac-b but not to
# mac-c, and may not map mac-c's grant (tests/qemu/policies/mac.tpol); each denial is
# refused with -EACCES (-13) and logged, everything allowed still works.
mac_system() {
	on_path "$1"
	policy "$P/mac.tpb"
	module "$D/mac.elf" domain=mac-a mem=2M
	module "$D/mac.elf" domain=mac-b mem=2M
	module "$D/mac.elf" domain=mac-c mem=2M
	require "tessera: policy loaded: " \
		"tessera: domain mac-a (id 0) created: 2 MiB, core overhead " \
		", label a_t" ", label b_t" ", label c_t" \
		"[mac-a] mac-a: bind to b = 0, bind to c = 1" \
		"[mac-a] mac-a: send to b = 0" \
		"[mac-a] mac-a: send to c = -13" \
		"[mac-a] mac-a: grant to b = 65536" \
		"[mac-a] mac-a: grant to c = -13" \
		"[mac-c] mac-c: port 0, grant to a = 65536" \
		"[mac-a] mac-a: map from c = -13" \
		"[mac-b] mac-b: mapped a's grant, magic ok" \
		"[mac-a] mac-a: b confirmed" \
		"[mac-c] mac-c: a is gone" \
		"^tessera: avc: denied { send } hcall=evtchn_send sdom=0 sname=mac-a scontext=a_t tdom=2 tname=mac-c tcontext=c_t tclass=event permissive=0" \
		"^tessera: avc: denied { offer } hcall=grant_offer sdom=0 sname=mac-a scontext=a_t tdom=2 tname=mac-c tcontext=c_t tclass=grant permissive=0" \
		"^tessera: avc: denied { map } hcall=grant_map sdom=0 sname=mac-a scontext=a_t tdom=2 tname=mac-c tcontext=c_t tclass=grant permissive=0" \
		"tessera: domain mac-a (id 0) exited with code 0" \
		"tessera: domain mac-b (id 1) exited with code 0" \
		"tessera: domain mac-c (id 2) exited with code 0"
	forbid "destroyed" "rejected" "denied { send } hcall=evtchn_send sdom=0 sname=mac-a scontext=a_t tdom=1"
}
test_mac_a_signals_and_grants_to_b_but_not_c() { mac_system kernel; }
test_mac_a_signals_and_grants_to_b_but_not_c_under_bochs_intel() { mac_system bochs-intel; }
test_mac_a_signals_and_grants_to_b_but_not_c_under_grub_bios() { mac_system bios; }

# The default system's least-privilege policy (policy/examples/default.tpol) runs the
# demos with not one denial.
test_default_policy_runs_the_demo_without_a_denial() {
	policy "$P/default.tpb"
	demo_modules
	demo_checks
	require ", label alpha_t" ", label beta_t"
	forbid "avc: denied"
}

# make run's system: the console domain prints the core's log and the demo's lines.
test_default_policy_runs_the_console_demo_without_a_denial() {
	policy "$P/default.tpb"
	module "$D/console.elf" domain=console mem=2M restart=3
	demo_modules_after_console
	require "^tessera: console: serial port handed to domain console (id 0)" \
		"[console] console: alpha gone after 5 lines" "[console] console: beta gone after 5 lines" \
		"[console] console: the last domain has ended, 10 client lines printed" \
		", label console_t"
	require_order "^tessera: domain console (id 0) exited with code 0" "^tessera: all domains ended"
	forbid "avc: denied" "destroyed"
}

test_default_policy_runs_the_ring_demo_without_a_denial() {
	policy "$P/default.tpb"
	module "$D/ringdemo.elf" domain=ping mem=2M
	module "$D/ringdemo.elf" domain=pong mem=2M
	require "[ping] ping: 100000 messages exchanged, every response checked" \
		"[pong] pong: served 100000 requests"
	forbid "avc: denied" "destroyed"
}

# Permissive only where the policy says so, and every grant it makes is on record.
test_mac_permissive_type_is_granted_and_logged() {
	policy "$P/permissive.tpb"
	module "$D/mac.elf" domain=mac-a mem=2M
	module "$D/mac.elf" domain=mac-b mem=2M
	module "$D/mac.elf" domain=mac-c mem=2M
	require "^tessera: policy loaded: " ", enforcing except for permissive types" \
		"^tessera: policy: type a_t is permissive: what it lacks is granted and logged" \
		"[mac-a] mac-a: send to c = 0" "[mac-a] mac-a: grant to c = 65537" \
		"^tessera: avc: denied { send } hcall=evtchn_send sdom=0 sname=mac-a scontext=a_t tdom=2 tname=mac-c tcontext=c_t tclass=event permissive=1" \
		"^tessera: avc: denied { offer } hcall=grant_offer sdom=0 sname=mac-a scontext=a_t tdom=2 tname=mac-c tcontext=c_t tclass=grant permissive=1" \
		"^tessera: avc: denied { map } hcall=grant_map sdom=0 sname=mac-a scontext=a_t tdom=2 tname=mac-c tcontext=c_t tclass=grant permissive=1"
	forbid "permissive=0" "type b_t is permissive" "type c_t is permissive"
}

# Fail closed: no policy, or one that does not validate, and no domain starts.
test_mac_without_policy_no_domain_starts() {
	no_policy
	module "$D/hello.elf" domain=alpha mem=2M
	expect_status 71
	require "tessera: no policy module (kind=policy); no domain will start"
	forbid "created"
}

test_mac_with_corrupt_policy_no_domain_starts() {
	policy "$H/corrupt.tpb"
	module "$D/hello.elf" domain=alpha mem=2M
	expect_status 71
	require "tessera: policy rejected: "
	forbid "created"
}

test_mac_with_a_domain_image_as_policy_no_domain_starts() {
	policy "$D/hello.elf"
	module "$D/hello.elf" domain=alpha mem=2M
	expect_status 71
	require "tessera: policy rejected: not a Tessera policy (bad magic); no domain will start"
	forbid "created"
}

# A denial flood is rate-limited: the burst gets through, the rest is counted.
test_mac_denial_records_are_rate_limited() {
	policy "$P/mac.tpb"
	module "$D/attack.elf" domain=flood-1 mem=2M
	require_order "^tessera: avc: denied { setup } hcall=evtchn_setup sdom=0 sname=flood-1 scontext=flood_t tdom=0 tname=flood-1 tcontext=flood_t tclass=event permissive=0" \
		"denial records suppressed" "[flood-1] flood-1: 1001 calls denied" \
		"tessera: domain flood-1 (id 0) exited with code 0"
}

# ---- devices: assignment and the IOMMU (AMD-Vi, QEMU's edu DMA device) ------------------

# q35 with QEMU's AMD IOMMU and the edu device pinned at 00:04.0 (policy devices.tpol).
edu_machine() {
	machine_args -machine q35 -device amd-iommu -device edu,addr=0x4
	policy "$P/devices.tpb"
	time_limit 90
}

# edu's DMA reaches its own memory at device address = guest-physical address; its DMA
# writes and reads aimed outside it are dropped: the victim's memory is intact and every
# read brings back zeros (or nothing).
test_iommu_confines_edu_dma_to_its_domain() {
	edu_machine
	# The victim's memory comes right after edu's: the first place an overrun would hit.
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	module "$D/edu.elf" domain=victim-edu mem=8M
	require "^tessera: iommu amd-vi: DMA remapping on, every device blocked" \
		"tessera: pci 0000:00:04.0 1234:11e8 class 00ff00"
	require_order "tessera: domain edu (id 0) created" \
		"[edu] edu: device 0000:00:04.0 1234:11e8, BAR0 0x" \
		"[edu] edu: id 0x10000ed, liveness ok" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"[edu] edu: DMA to own last 8 bytes (0x3ffff8): landed" \
		"[edu] edu: dev_irq_bind(0, 0, port 0) = 0" \
		"[edu] edu: 8 raised interrupts and a DMA completion arrived as events on port 0" \
		"[edu] edu: dev_irq_unbind = 0, again = -2" \
		"[edu] edu: 27 canary DMA writes to [0x400000, 0xf000000) sent" \
		"[edu] edu: 14 DMA reads outside own memory: 14 zeros, 0 left the buffer unchanged, 0 leaked" \
		"[edu] edu: done" "tessera: domain edu (id 0) exited with code 0" \
		"[victim-edu] victim: memory intact (6 MiB checked)" \
		"tessera: domain victim-edu (id 1) exited with code 0"
	forbid "LEAKED" "CHANGED" "MISMATCH" "MISSING" "rejected" "destroyed"
}

# The same through GRUB (Multiboot2 hands over the ACPI tables): IVRS found, DMA confined.
test_iommu_confines_edu_dma_under_grub_bios() {
	boot bios
	edu_machine
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	require "^tessera: iommu amd-vi: DMA remapping on, every device blocked" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"[edu] edu: 14 DMA reads outside own memory: 14 zeros, 0 left the buffer unchanged, 0 leaked" \
		"tessera: domain edu (id 0) exited with code 0"
	forbid "LEAKED" "MISMATCH" "MISSING" "rejected" "destroyed"
}

# Without pci= the device is no one's: a driver domain has no device 0 to use.
test_iommu_unassigned_edu_is_nobodys() {
	edu_machine
	module "$D/edu.elf" domain=edu mem=4M
	require "^tessera: iommu amd-vi: DMA remapping on, every device blocked" \
		"[edu] edu: no device 0: dev_info = -19" \
		"tessera: domain edu (id 0) exited with code 1"
	forbid "rejected"
}

# A driver without device:irq is denied its device's interrupts (and still drives it).
test_iommu_interrupt_binding_needs_device_irq() {
	edu_machine
	module "$D/edu.elf" domain=noirq mem=4M pci=00:04.0
	require_order "[noirq] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"tessera: avc: denied { irq } " "[noirq] edu: dev_irq_bind(0, 0, port 0) = -13" \
		"tessera: domain noirq (id 0) exited with code 0"
	forbid "raised interrupts"
}

# The policy decides: rogue may not have the device; edu, started after it, gets it.
test_iommu_assignment_the_policy_denies_is_rejected() {
	edu_machine
	module "$D/edu.elf" domain=rogue mem=4M pci=00:04.0
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	require "tessera: module 0 rejected: device 0000:00:04.0: the policy does not allow it (device assign)" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"tessera: domain edu (id 1) exited with code 0"
	forbid "domain rogue"
}

# One device, one domain: the second domain that names it is rejected.
test_iommu_device_assigned_twice_is_rejected() {
	edu_machine
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	module "$D/edu.elf" domain=edu2 mem=4M pci=00:04.0
	require "tessera: module 1 rejected: device 0000:00:04.0: the device is already assigned" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"tessera: domain edu (id 0) exited with code 0"
	forbid "domain edu2"
}

# q35 without an IOMMU: the device is there (ECAM) but its DMA could not be confined.
test_iommu_absent_on_q35_pci_module_is_rejected() {
	policy "$P/devices.tpb"
	machine_args -machine q35 -device edu,addr=0x4
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	module "$D/edu.elf" domain=edu2 mem=4M
	require "tessera: pci 0000:00:04.0 1234:11e8 class 00ff00" \
		"^tessera: no IOMMU (no IOMMU driver for this machine's tables (AMD-Vi: IVRS, VT-d: DMAR)): no device can be assigned" \
		"tessera: module 0 rejected: device 0000:00:04.0: no IOMMU: the device's DMA could not be confined" \
		"[edu2] edu: no device 0: dev_info = -19"
	forbid "iommu amd-vi" "domain edu (id"
}

# The default pc machine has neither an IOMMU nor ECAM: nothing can be assigned, and
# the core says why; domains without devices still run.
test_iommu_absent_on_pc_machine_pci_module_is_rejected() {
	policy "$P/devices.tpb"
	machine_args -device edu,addr=0x4
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	module "$D/edu.elf" domain=edu2 mem=4M
	require "^tessera: no IOMMU (" "): no device can be assigned" \
		"tessera: module 0 rejected: device 0000:00:04.0: no PCI configuration access (no ACPI MCFG)" \
		"[edu2] edu: no device 0: dev_info = -19"
	forbid "iommu amd-vi" "domain edu (id"
}

# ---- devices: the same with Intel VT-d (QEMU's intel-iommu records blocked DMA) ---------

# q35 with QEMU's Intel IOMMU (39-bit, 3-level tables by default) and edu at 00:04.0.
vtd_machine() {
	machine_args -machine q35 -device intel-iommu${1:+,$1} -device edu,addr=0x4
	policy "$P/devices.tpb"
	time_limit 90
}

# edu's DMA reaches its own memory only; its first blocked write is recorded by the
# IOMMU and reported when the device is taken back; the victim's memory is intact.
test_vtd_confines_edu_dma_to_its_domain() {
	vtd_machine
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	module "$D/edu.elf" domain=victim-edu mem=8M
	require "^tessera: iommu vt-d: DMA remapping on, every device blocked" \
		"^tessera: vt-d: unit at 0xfed90000, 3-level tables, 2 MiB pages, device interrupts blocked"
	require_order "tessera: domain edu (id 0) created" \
		"[edu] edu: id 0x10000ed, liveness ok" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"[edu] edu: DMA to own last 8 bytes (0x3ffff8): landed" \
		"[edu] edu: dev_irq_bind(0, 0, port 0) = 0" \
		"[edu] edu: 8 raised interrupts and a DMA completion arrived as events on port 0" \
		"[edu] edu: dev_irq_unbind = 0, again = -2" \
		"[edu] edu: 27 canary DMA writes to [0x400000, 0xf000000) sent" \
		"[edu] edu: 14 DMA reads outside own memory: 14 zeros, 0 left the buffer unchanged, 0 leaked" \
		"[edu] edu: done" "tessera: domain edu (id 0) exited with code 0" \
		"[victim-edu] victim: memory intact (6 MiB checked)" \
		"tessera: domain victim-edu (id 1) exited with code 0"
	# Reported within a time slice of the fault, or when edu's device is taken back.
	require "^tessera: iommu: DMA fault from 0000:00:04.0 at 0x400000 (reason 0x05, write)"
	forbid "LEAKED" "CHANGED" "MISMATCH" "MISSING" "rejected" "destroyed" "faults were lost"
}

# Without device:irq under VT-d too: denied, and the device's interrupts stay blocked.
test_vtd_interrupt_binding_needs_device_irq() {
	vtd_machine
	module "$D/edu.elf" domain=noirq mem=4M pci=00:04.0
	require_order "tessera: avc: denied { irq } " "[noirq] edu: dev_irq_bind(0, 0, port 0) = -13" \
		"tessera: domain noirq (id 0) exited with code 0"
}

# 48-bit addresses: 4-level tables; the same confinement.
test_vtd_confines_edu_dma_with_4_level_tables() {
	vtd_machine aw-bits=48
	module "$D/edu.elf" domain=edu mem=6M pci=00:04.0
	module "$D/edu.elf" domain=victim-edu mem=4M
	require "^tessera: vt-d: unit at 0xfed90000, 4-level tables, 2 MiB pages" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"[edu] edu: DMA to own last 8 bytes (0x5ffff8): landed" \
		"0 leaked" "^tessera: iommu: DMA fault from 0000:00:04.0 at 0x600000 (reason 0x05, write)" \
		"[victim-edu] victim: memory intact (2 MiB checked)" \
		"tessera: domain edu (id 0) exited with code 0"
	forbid "LEAKED" "CHANGED" "MISMATCH" "MISSING" "rejected" "destroyed"
}

# Through GRUB (Multiboot2 hands over the ACPI tables): DMAR found, DMA confined.
test_vtd_confines_edu_dma_under_grub_bios() {
	boot bios
	vtd_machine
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	require "^tessera: iommu vt-d: DMA remapping on, every device blocked" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"[edu] edu: 14 DMA reads outside own memory: 14 zeros, 0 left the buffer unchanged, 0 leaked" \
		"^tessera: iommu: DMA fault from 0000:00:04.0 at 0x400000 (reason 0x05, write)" \
		"tessera: domain edu (id 0) exited with code 0"
	forbid "LEAKED" "MISMATCH" "MISSING" "rejected" "destroyed"
}

# Without pci= the device is no one's; the policy's refusal and a second claim hold as
# with AMD-Vi.
test_vtd_assignment_rules_hold() {
	vtd_machine
	module "$D/edu.elf" domain=rogue mem=4M pci=00:04.0
	module "$D/edu.elf" domain=edu mem=4M pci=00:04.0
	module "$D/edu.elf" domain=edu2 mem=4M pci=00:04.0
	require "tessera: module 0 rejected: device 0000:00:04.0: the policy does not allow it (device assign)" \
		"tessera: module 2 rejected: device 0000:00:04.0: the device is already assigned" \
		"[edu] edu: DMA inside own memory: 4000 bytes there and back, all match" \
		"tessera: domain edu (id 1) exited with code 0"
	forbid "domain rogue" "domain edu2"
}

# ---- the console domain -------------------------------------------------------------
CP=$B/policy/console.tpb

# hello_through_console NAME: all of NAME's lines were printed.
hello_through_console() {
	require "[$1] hello from $1: domain " "[$1] $1: round 1" "[$1] $1: round 2" \
		"[$1] $1: round 3" "[$1] $1: done"
}

# The console domain takes COM1 once the core has booted and prints the core's log and
# its clients' lines; mute may not write to the core's console at all, so every line of
# it seen here came through the console domain's ring.
test_console_domain_prints_the_log_and_its_clients_lines() {
	policy "$CP"
	module "$D/console.elf" domain=console mem=2M
	module "$D/hello.elf" domain=alpha mem=2M
	module "$D/hello.elf" domain=mute mem=2M
	require_order "^tessera: console: serial port handed to domain console (id 0)" \
		"[console] console: serial port taken"
	hello_through_console alpha
	hello_through_console mute
	require "[console] console: alpha gone after 5 lines" "[console] console: mute gone after 5 lines"
	require_order "tessera: domain mute (id 2) exited with code 0" \
		"[console] console: the last domain has ended, 10 client lines printed" \
		"^tessera: console: serial port back to the core (console)" \
		"^tessera: domain console (id 0) exited with code 0" "^tessera: all domains ended"
	forbid "avc: denied" "destroyed" "overwritten"
}

# It crashes after its 4th client line: the core takes the port back and prints the log
# it had not acknowledged (its own record of the crash among them), makes it again, and
# the clients reconnect: no line is lost (the lines it printed but had not marked
# consumed in a client's ring are printed again).
test_console_domain_crash_loses_no_line() {
	policy "$CP"
	module "$D/conscrash.elf" domain=console mem=2M restart=1
	module "$D/hello.elf" domain=alpha mem=2M
	module "$D/hello.elf" domain=mute mem=2M
	require_order "^tessera: console: serial port handed to domain console (id 0)" \
		"^tessera: console: serial port back to the core (console)" \
		"^tessera: domain console (id 0) destroyed: access to an empty grant slot" \
		"^tessera: domain console restarted as id 3 (restart 1 of 1)" \
		"^tessera: console: serial port handed to domain console (id 3)" \
		"^tessera: console: serial port back to the core (console)" "^tessera: all domains ended"
	hello_through_console alpha
	hello_through_console mute
	forbid "avc: denied" "overwritten"
}

# A client that breaks its ring is dropped; the others are served on.
test_console_domain_drops_a_client_that_breaks_its_ring() {
	policy "$CP"
	module "$D/console.elf" domain=console mem=2M
	module "$D/conshostile.elf" domain=hostile mem=2M
	module "$D/hello.elf" domain=alpha mem=2M
	require_order "[hostile] hostile: first line" \
		"[console] console: client hostile: ring indexes out of range (prod 100020, cons 20), dropped" \
		"[hostile] hostile: dropped by the console domain" \
		"tessera: domain hostile (id 1) exited with code 0"
	hello_through_console alpha
	require "[console] console: the last domain has ended"
	forbid "avc: denied"
}

# alpha's console is the domain named console, which (usually: console-2 runs first)
# loses the claim to console-2 and ends without serving, after alpha has written into
# its ring (alpha runs before it): alpha's lines still all come out (the client sends
# what the server never took through the core once it is gone).
test_console_client_of_a_server_that_ends_unserved_loses_no_line() {
	policy "$CP"
	module "$D/console.elf" domain=console-2 mem=2M
	module "$D/hello.elf" domain=alpha mem=2M
	module "$D/console.elf" domain=console mem=2M
	require "console: cannot take the serial port (-16)" "console: the last domain has ended"
	hello_through_console alpha
}

# Taking the serial port needs core:serial, and only one domain has it at a time
# (console or console-2: whichever claims first; the other gets -EBUSY).
test_console_claim_needs_core_serial_and_is_exclusive() {
	policy "$CP"
	module "$D/console.elf" domain=console mem=2M
	module "$D/console.elf" domain=console-2 mem=2M
	module "$D/console.elf" domain=noserial mem=2M
	module "$D/hello.elf" domain=alpha mem=2M
	require "console: cannot take the serial port (-16)" \
		"tessera: avc: denied { serial } hcall=console_claim sdom=2 sname=noserial scontext=noserial_t tdom=core" \
		"[noserial] console: cannot take the serial port (-13)" \
		"console: the last domain has ended"
	require_order "^tessera: console: serial port handed to domain console" \
		"^tessera: console: serial port back to the core (console"
	forbid "serial port handed to domain noserial"
	hello_through_console alpha
}

# ---- TPM 2.0 (swtpm): the core's TIS and CRB drivers and tpm= --------------------------

# tpm_pcr16 BANK SIZE: PCR 16 of BANK after tpm_selftest=1, computed here: the bank's
# hash of the reset value (SIZE zero bytes) and the test digest (bytes 0, 1, ..., SIZE-1).
tpm_pcr16() {
	local i bytes=
	for ((i = 0; i < $2; i++)); do bytes+=$(printf '\\%03o' "$i"); done
	# shellcheck disable=SC2059 # the bytes are printf escapes
	{ head -c "$2" /dev/zero; printf "$bytes"; } | "${1}sum" | cut -d' ' -f1
}

# tpm_selftest_checks BANK...: the core read back PCR 16 of each bank as computed here,
# then ran the demo domain; nothing said the boot is unmeasured.
tpm_selftest_checks() {
	local b
	declare -A size=([sha1]=20 [sha256]=32 [sha384]=48 [sha512]=64)
	core_cmdline "debug_exit=on tpm=required tpm_selftest=1"
	module "$D/hello.elf" domain=alpha mem=4M
	for b; do
		require_order "^tessera: tpm: pcr16 $b $(tpm_pcr16 "$b" "${size[$b]}")" \
			"tessera: domain alpha (id 0) created"
	done
	hello_runs alpha 0 4
	forbid "NOT measured"
}

test_tpm_tis_extends_pcr16_in_every_bank() {
	tpm tis
	tpm_selftest_checks sha1 sha256 sha384 sha512
	require_order "^tessera: tpm: TIS at 0xfed40000, DID_VID 0x" \
		"^tessera: tpm: already started by firmware" \
		"^tessera: tpm: tis interface, locality 0, active banks: sha1 sha256 sha384 sha512"
}

test_tpm_crb_extends_pcr16_in_every_bank() {
	tpm crb
	tpm_selftest_checks sha1 sha256 sha384 sha512
	require_order "^tessera: tpm: CRB at 0xfed40000, buffers 3968 and 3968 bytes, locality 0" \
		"^tessera: tpm: already started by firmware" \
		"^tessera: tpm: crb interface, locality 0, active banks: sha1 sha256 sha384 sha512"
}

# Only the banks the TPM has active are extended and read.
test_tpm_crb_with_only_a_sha256_bank() {
	tpm crb sha256
	tpm_selftest_checks sha256
	require "^tessera: tpm: crb interface, locality 0, active banks: sha256"
	forbid "pcr16 sha1" "pcr16 sha384" "pcr16 sha512"
}

# Without ACPI SeaBIOS neither finds the TPM nor runs TPM2_Startup: the core probes the
# fixed address, reads the interface type, and starts the TPM itself.
test_tpm_tis_fresh_without_acpi_is_probed_and_started() {
	tpm tis
	machine_args -machine acpi=off
	tpm_selftest_checks sha1 sha256 sha384 sha512
	require_order "^tessera: no ACPI tables" "^tessera: tpm: TIS at 0xfed40000" \
		"^tessera: tpm: started (TPM2_Startup)"
}

test_tpm_crb_fresh_without_acpi_is_probed_and_started() {
	tpm crb
	machine_args -machine acpi=off
	tpm_selftest_checks sha1 sha256 sha384 sha512
	require_order "^tessera: no ACPI tables" "^tessera: tpm: CRB at 0xfed40000" \
		"^tessera: tpm: started (TPM2_Startup)"
}

# OVMF's TPM2 table and GRUB EFI's own measurements (PCRs 8 and 9) leave PCR 16 alone.
test_tpm_tis_under_grub_uefi() {
	boot uefi
	tpm tis
	tpm_selftest_checks sha256
	require "^tessera: tpm: TIS at 0xfed40000"
}

test_tpm_required_without_a_tpm_no_domain_starts() {
	core_cmdline "debug_exit=on tpm=required"
	module "$D/hello.elf" domain=alpha mem=4M
	expect_status 65
	require_order "^tessera: tpm: no ACPI TPM2 table" \
		"^tessera: tpm: tpm=required and no TPM is usable; no domain will start"
	forbid "created"
}

test_tpm_required_without_acpi_or_tpm_no_domain_starts() {
	core_cmdline "debug_exit=on tpm=required"
	machine_args -machine acpi=off
	module "$D/hello.elf" domain=alpha mem=4M
	expect_status 65
	require_order "^tessera: tpm: no TPM answers at 0xfed40000" \
		"^tessera: tpm: tpm=required and no TPM is usable; no domain will start"
	forbid "created"
}

test_tpm_auto_without_a_tpm_boots_unmeasured() {
	module "$D/hello.elf" domain=alpha mem=4M
	require_order "^tessera: tpm: none found, boot is NOT measured" \
		"tessera: domain alpha (id 0) created"
	hello_runs alpha 0 4
}

test_tpm_off_leaves_the_tpm_alone() {
	tpm tis
	core_cmdline "debug_exit=on tpm=off tpm_selftest=1"
	module "$D/hello.elf" domain=alpha mem=4M
	require "^tessera: tpm: off (tpm=off), boot is NOT measured"
	hello_runs alpha 0 4
	forbid "TIS at" "pcr16"
}

harness_main "$@"
