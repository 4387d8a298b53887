#!/usr/bin/env python3
"""The fuzzing domain's channel (fuzz/include/fuzzsys.h) against bad frames, for
fuzz/system/test.sh: a wrong magic and a length over FZS_INPUT_MAX are refused (TFZE) and
the stream starts over; a frame split across writes, two frames in one write, a record cut
short and an empty frame are answered exactly. Prints PASS/FAIL lines."""
import struct
import sys
import time

import gen
import machine

VERSION = gen.REC.pack(0, gen.K_HCALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
BOGUS = gen.REC.pack(0, gen.K_HCALL, 250, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def main():
    m = machine.Machine(machine.os.path.join(machine.B, "tessera.mb1"), sys.argv[1])
    why = m.start()
    if why:
        print("FAIL proto_boot: %s" % why)
        return 1
    c, bad = m.chan[0], 0

    def check(name, want):
        nonlocal bad
        f = c.frame(10)
        ok = f is not None and f[0] == want[0] and (want[1] is None or f[1] == want[1])
        print("%s proto_%s%s" % ("PASS" if ok else "FAIL", name, "" if ok else ": got %r" % (f,)))
        bad += not ok

    def answer(*st):
        return struct.pack("<I", len(st)) + b"".join(struct.pack("<q", s) for s in st)

    c.sock.sendall(b"XXXX" + struct.pack("<I", 28) + VERSION)
    check("bad_magic_refused", (b"TFZE", b""))
    c.sock.sendall(b"TFZI" + struct.pack("<I", 4097))
    check("oversize_refused", (b"TFZE", b""))
    f = b"TFZI" + struct.pack("<I", 56) + VERSION + BOGUS
    c.sock.sendall(f[:11])
    time.sleep(0.3)
    c.sock.sendall(f[11:])
    check("split_frame_answered", (b"TFZO", answer(1, -38)))
    c.sock.sendall(f + b"TFZI" + struct.pack("<I", 28 + 10) + VERSION + b"\0" * 10)
    check("two_frames_first", (b"TFZO", answer(1, -38)))
    check("short_tail_ignored", (b"TFZO", answer(1)))
    c.sock.sendall(b"TFZI" + struct.pack("<I", 0))
    check("empty_frame", (b"TFZO", answer()))
    m.stop()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
