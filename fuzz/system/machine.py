"""The full-system fuzzer's machine: Tessera under QEMU TCG with two fuzzing domains
(fuzza at 00:04.0, fuzzb at 00:05.0, each with a virtio-console on a unix socket) and
the sentinel, under fuzz/system/fuzzsys.tpol. It talks the frames of
fuzz/include/fuzzsys.h and watches the core's log on the serial port."""
import os
import re
import select
import socket
import struct
import subprocess
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
B = os.path.join(ROOT, "build")
HELLO = struct.Struct("<IIQQQ4I16s")
NAMES = ("fuzza", "fuzzb")
PEERS = ("fuzza", "fuzzb", "sentinel", "sentinel1")


class Hello:
    def __init__(self, body):
        f = HELLO.unpack(body[:HELLO.size])
        self.version, self.domid, self.mem, self.scratch, self.image_end = f[:5]
        self.peer = dict(zip(PEERS, f[5:9]))
        name = f[9]
        self.name = name.split(b"\0")[0].decode(errors="replace")


class Channel:
    """One fuzzing domain's virtio-console: whole frames in, whole frames out."""

    def __init__(self, path):
        self.path, self.buf, self.sock = path, b"", None

    def connect(self, deadline):
        while time.time() < deadline:
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.path)
                self.sock = s
                return True
            except OSError:
                s.close()
                time.sleep(0.1)
        return False

    def send(self, magic, body):
        self.sock.sendall(magic + struct.pack("<I", len(body)) + body)

    def frame(self, timeout):
        """(magic, body) of the next frame, or None when nothing came in time."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 8:
                n = struct.unpack("<I", self.buf[4:8])[0]
                if n > 1 << 20:
                    raise RuntimeError("%s: frame of %d bytes" % (self.path, n))
                if len(self.buf) >= 8 + n:
                    f = (self.buf[:4], self.buf[8:8 + n])
                    self.buf = self.buf[8 + n:]
                    return f
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], min(left, 0.2))
            if r:
                try:
                    d = self.sock.recv(65536)
                except OSError as e:
                    raise RuntimeError("%s: %s" % (self.path, e))
                if not d:
                    raise RuntimeError("%s: QEMU closed the channel" % self.path)
                self.buf += d


class Serial:
    """The core's log (serial.log), read as it grows, with what the campaign needs."""
    OFFER = re.compile(r"\[(\w+)\] sentinel: offered (\w+) \(id (\d+)\) ro 0x([0-9a-f]+) rw 0x([0-9a-f]+)")
    BEAT = re.compile(r"\[(\w+)\] sentinel: beat ")

    def __init__(self, path):
        self.path, self.pos, self.part = path, 0, ""
        self.beats = {}     # sentinel -> heartbeats seen
        self.panic = self.corrupt = None
        self.refs = {}      # fuzzing domain -> {sentinel: (ro ref, rw ref)} offered to it
        self.events = []    # (kind, domain name, text): destroyed, exited, restarted

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                d = f.read(1 << 22)
        except OSError:
            return
        self.pos += len(d)
        lines = (self.part + d.decode("latin-1")).split("\n")
        self.part = lines.pop()
        for ln in lines:
            self.line(ln)

    def line(self, ln):
        if ln.startswith("PANIC: ") and self.panic is None:
            self.panic = ln[7:].strip()
        elif "sentinel: beat " in ln:
            m = self.BEAT.search(ln)
            if m:
                self.beats[m.group(1)] = self.beats.get(m.group(1), 0) + 1
        elif "sentinel: CORRUPT" in ln and self.corrupt is None:
            self.corrupt = ln[ln.index("sentinel: CORRUPT"):].strip()
        elif "sentinel: offered" in ln:
            m = self.OFFER.search(ln)
            if m:
                self.refs.setdefault(m.group(2), {})[m.group(1)] = (int(m.group(4), 16), int(m.group(5), 16))
        else:
            m = re.match(r"tessera: domain (\S+) (?:\(id \d+\) )?(destroyed|exited|could not)(.*)", ln.strip())
            if m:
                self.events.append((m.group(2), m.group(1), (m.group(2) + m.group(3)).strip()))


def qemu_command(core, work, smp):
    """smp 2: fuzzb and a second sentinel run on CPU 1."""
    mods = []
    for i, name in enumerate(NAMES):
        mods.append("%s/domains/fuzz.elf domain=%s mem=4M pci=00:0%d.0 restart=%s cpu=%d"
                    % (B, name, 4 + i, os.environ.get("FUZZ_SYSTEM_RESTART", "100"), i if smp > 1 else 0))
    mods.append("%s/domains/sentinel.elf domain=sentinel mem=2M" % B)
    if smp > 1:
        mods.append("%s/domains/sentinel.elf domain=sentinel1 mem=2M cpu=1" % B)
    mods.append("%s/policy/fuzzsys.tpb kind=policy" % B)
    cmd = [os.environ.get("QEMU", "qemu-system-x86_64"), "-accel", os.environ.get("FUZZ_SYSTEM_ACCEL", "tcg"),
           "-cpu", "EPYC", "-m", "512M",
           "-smp", str(smp), "-display", "none", "-no-reboot", "-nic", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-machine", "q35", "-device", "amd-iommu"]
    for i, name in enumerate(NAMES):
        cmd += ["-device", "virtio-serial-pci,id=vs%d,addr=0x%d,disable-legacy=on,iommu_platform=on" % (i, 4 + i),
                "-chardev", "socket,id=c%d,path=%s/%s.sock,server=on,wait=off" % (i, work, name),
                "-device", "virtconsole,bus=vs%d.0,chardev=c%d" % (i, i)]
    cmd += ["-serial", "file:%s/serial.log" % work, "-monitor", "none", "-kernel", core,
            "-append", "debug_exit=on", "-initrd", ",".join(mods)]
    # QEMU's own view of a campaign: FUZZ_SYSTEM_QEMU="-d cpu_reset,guest_errors -D {work}/qemu.log"
    # ({work}: the boot's directory; a finding keeps its qemu.log).
    return cmd + os.environ.get("FUZZ_SYSTEM_QEMU", "").replace("{work}", work).split()


class Machine:
    """One boot. start() returns once both fuzzing domains said hello."""
    BOOT_TIMEOUT = 120

    def __init__(self, core, work, smp=1):
        self.core, self.work, self.smp = core, work, smp
        self.qemu = None
        self.serial = Serial(os.path.join(work, "serial.log"))
        self.chan = [Channel(os.path.join(work, n + ".sock")) for n in NAMES]
        self.hello = [None, None]

    def start(self):
        os.makedirs(self.work, exist_ok=True)
        for f in ["serial.log"] + [n + ".sock" for n in NAMES]:
            try:
                os.unlink(os.path.join(self.work, f))
            except OSError:
                pass
        err = open(os.path.join(self.work, "qemu.err"), "wb")
        self.qemu = subprocess.Popen(qemu_command(self.core, self.work, self.smp), stdin=subprocess.DEVNULL,
                                     stdout=err, stderr=err)
        deadline = time.time() + self.BOOT_TIMEOUT
        for c in self.chan:
            if not c.connect(deadline):
                return "QEMU did not open %s" % c.path
        for i, c in enumerate(self.chan):
            while self.hello[i] is None:
                f = c.frame(max(0.0, deadline - time.time()))
                if f is None or self.exited() is not None:
                    return "no hello from %s" % NAMES[i]
                if f[0] == b"TFZH":
                    self.hello[i] = Hello(f[1])
        return None

    def sentinel_of(self, dom):
        """The sentinel on the CPU fuzzing domain dom runs on."""
        return "sentinel1" if self.smp > 1 and dom == 1 else "sentinel"

    def exited(self):
        return self.qemu.poll() if self.qemu else None

    def stop(self):
        if self.qemu and self.qemu.poll() is None:
            self.qemu.kill()
        if self.qemu:
            self.qemu.wait()
        for c in self.chan:
            if c.sock:
                c.sock.close()
        self.serial.poll()
