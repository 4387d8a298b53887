#!/usr/bin/env bash
# `make run`: the default system in QEMU (TCG, AMD SVM, q35 with AMD-Vi) with a swtpm
# TPM 2.0: the core measures the boot, the console domain owns the serial port, the
# attestation domain owns the TPM and listens on a virtio-console at
# build/run/attest.sock, and alpha and beta run the hello demo. Once the demo has
# ended, a remote verifier checks the host: tessera-attest enroll, golden and verify
# through that socket (attest/README.md); then QEMU is stopped.
#
#   scripts/run.sh [-k]     -k: keep the machine running after the verification
#                           (Ctrl-A X quits QEMU)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. tests/qemu/lib.sh
R=$B/run
keep=0
[[ ${1:-} == -k ]] && keep=1
rm -rf "$R"
mkdir -p "$R/tpm" "$R/state"

MODULES=("$B/domains/console.elf domain=console mem=2M restart=3"
	"$B/domains/attest.elf domain=attest mem=4M pci=00:04.0 tpm=1"
	"$B/domains/hello.elf domain=alpha mem=4M"
	"$B/domains/hello.elf domain=beta mem=2M"
	"$B/policy/default.tpb kind=policy")
CMDLINE="debug_exit=on tpm=required"

swtpm socket --tpm2 --tpmstate "dir=$R/tpm" --ctrl "type=unixio,path=$R/tpm.sock" \
	--terminate --log "file=$R/swtpm.log" </dev/null >/dev/null 2>&1 &
SWTPM=$!
QEMU_PID=
cleanup() {
	[[ -z $QEMU_PID ]] || kill "$QEMU_PID" 2>/dev/null
	kill "$SWTPM" 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -S $R/tpm.sock ]] && break; sleep 0.1; done

initrd=
for m in "${MODULES[@]}"; do initrd+=${initrd:+,}$m; done
"$QEMU_BIN" "${QEMU_BASE[@]}" -machine q35 -device amd-iommu \
	-chardev "socket,id=chrtpm,path=$R/tpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
	-device tpm-tis,tpmdev=tpm0 \
	-device virtio-serial-pci,addr=0x4,disable-legacy=on,iommu_platform=on \
	-chardev "socket,id=att,path=$R/attest.sock,server=on,wait=off" -device virtconsole,chardev=att \
	-chardev "stdio,id=ser,logfile=$R/serial.log,signal=off" -serial chardev:ser \
	-monitor "unix:$R/monitor.sock,server=on,wait=off" \
	-kernel "$B/tessera.mb1" -append "$CMDLINE" -initrd "$initrd" 2> >(qemu_stderr_filter >&2) &
QEMU_PID=$!

# The demo's end, and the attestation domain listening.
for _ in $(seq 1200); do
	grep -q "console: beta gone" "$R/serial.log" 2>/dev/null &&
		grep -q "attest: serving the verifier" "$R/serial.log" 2>/dev/null && break
	kill -0 "$QEMU_PID" 2>/dev/null || exit 1
	sleep 0.1
done

echo
echo "== remote attestation of the host through $R/attest.sock"
A=$B/tools/tessera-attest
golden=()
for m in "${MODULES[@]}"; do
	golden+=(--module "${m%% *}" "$m") # QEMU passes the file name first
done
if "$A" enroll --socket "$R/attest.sock" --state "$R/state" --trust-ek-on-first-use &&
	"$A" golden --boot-path multiboot1 --core-cmdline "$B/tessera.mb1 $CMDLINE" "${golden[@]}" -o "$R/manifest" &&
	"$A" verify --socket "$R/attest.sock" --state "$R/state" --manifest "$R/manifest"; then
	echo "== the host is trusted: what booted is exactly what was built"
	status=0
else
	status=$?
	echo "== verification failed (status $status)"
fi
if ((keep)); then
	wait "$QEMU_PID"
else
	echo "quit" | python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"quit\n")' "$R/monitor.sock" 2>/dev/null
	wait "$QEMU_PID" 2>/dev/null
fi
QEMU_PID=
exit "$status"
