#!/usr/bin/env python3
"""A test client of the attestation domain's channel (core/include/tessera/attest.h).

  chanclient.py SOCKET OUTDIR

Connects to the QEMU virtconsole socket, then: info; the event log (saved as
OUTDIR/log.bin); PCR_Read of PCRs 11-13 (sha256) saved as OUTDIR/pcrs.before; a list
of TPM commands that must all be refused, each printed as "refused NAME CODE"; PCR_Read
again (OUTDIR/pcrs.after); GetRandom; malformed frames. Prints one line per answer.
"""
import os
import struct
import sys

from attchan import connect, request


def req(s, t, p=b"", raw=None):
    return request(s, t, p, raw)


def cmd(tag, cc, body=b""):
    return struct.pack(">HII", tag, 10 + len(body), cc) + body


PW = struct.pack(">I", 9) + struct.pack(">IHBH", 0x40000009, 0, 0, 0)


def pcr_read(s):
    sel = struct.pack(">IHB", 1, 0x000B, 3) + bytes([0x00, 0x38, 0x00])
    t, d = req(s, 1, cmd(0x8001, 0x17E, sel))
    if t != 0x81 or struct.unpack(">I", d[6:10])[0] != 0:
        raise SystemExit("PCR_Read failed: %x %s" % (t, d.hex()))
    # header, updateCounter, pcrSelectionOut (4+2+1+3), count, then TPM2B digests
    off = 10 + 4 + 4 + 2 + 1 + 3
    n = struct.unpack(">I", d[off:off + 4])[0]
    off += 4
    out = []
    for _ in range(n):
        sz = struct.unpack(">H", d[off:off + 2])[0]
        out.append(d[off + 2:off + 2 + sz].hex())
        off += 2 + sz
    return out


def main():
    s = connect(sys.argv[1])
    out = sys.argv[2]
    t, d = req(s, 3)
    print("info %02x %s" % (t, d.decode().strip().replace("\n", " ")))
    t, d = req(s, 2)
    print("log %02x %d" % (t, len(d)))
    open(os.path.join(out, "log.bin"), "wb").write(d)
    before = pcr_read(s)
    open(os.path.join(out, "pcrs.before"), "w").write("\n".join(before) + "\n")
    zeros32 = b"\0" * 32
    refused = {
        "PCR_Extend": cmd(0x8002, 0x182, struct.pack(">I", 11) + PW + struct.pack(">IH", 1, 0x0B) + zeros32),
        "PCR_Event": cmd(0x8002, 0x13C, struct.pack(">I", 12) + PW + struct.pack(">H", 4) + b"evil"),
        "PCR_Reset": cmd(0x8002, 0x13D, struct.pack(">I", 13) + PW),
        "PCR_Allocate": cmd(0x8002, 0x12B, struct.pack(">I", 0x4000000C) + PW + struct.pack(">I", 0)),
        "HierarchyControl": cmd(0x8002, 0x121, struct.pack(">I", 0x4000000C) + PW + struct.pack(">IB", 0x4000000B, 0)),
        "HierarchyChangeAuth": cmd(0x8002, 0x129, struct.pack(">I", 0x40000001) + PW + struct.pack(">H", 0)),
        "Clear": cmd(0x8002, 0x126, struct.pack(">I", 0x4000000C) + PW),
        "ClearControl": cmd(0x8002, 0x127, struct.pack(">I", 0x4000000C) + PW + b"\1"),
        "Startup": cmd(0x8001, 0x144, struct.pack(">H", 0)),
        "Shutdown": cmd(0x8001, 0x145, struct.pack(">H", 0)),
        "EvictControl": cmd(0x8002, 0x120, struct.pack(">II", 0x40000001, 0x80000000) + PW + struct.pack(">I", 0x81000001)),
        "NV_Write": cmd(0x8002, 0x137, struct.pack(">II", 0x01500000, 0x01500000) + PW + struct.pack(">HH", 1, 0) + b"x"),
        "SequenceComplete": cmd(0x8002, 0x13E, struct.pack(">I", 0x80000001) + PW + struct.pack(">H", 0) + struct.pack(">I", 0x40000007)),
        "EventSequenceComplete": cmd(0x8002, 0x185, struct.pack(">II", 11, 0x80000001) + PW + struct.pack(">H", 0)),
        "CreatePrimary-platform": cmd(0x8002, 0x131, struct.pack(">I", 0x4000000C) + PW + b"\0" * 8),
    }
    for name, c in refused.items():
        t, d = req(s, 1, c)
        print("%s %s %08x" % ("refused" if t == 0xFF else "PASSED", name,
                              struct.unpack(">I", d[:4])[0] if t == 0xFF else 0))
    after = pcr_read(s)
    open(os.path.join(out, "pcrs.after"), "w").write("\n".join(after) + "\n")
    t, d = req(s, 1, cmd(0x8001, 0x17B, struct.pack(">H", 16)))
    print("getrandom %02x rc %08x bytes %d" % (t, struct.unpack(">I", d[6:10])[0], len(d) - 12))
    # Malformed: a size field that is not the frame's length, an unknown request type,
    # then a bad magic (the domain discards its input and answers once).
    bad = struct.pack(">HII", 0x8001, 99, 0x17B) + b"\0\0"
    t, d = req(s, 1, bad)
    print("badsize %02x %s" % (t, d[4:].decode()))
    t, d = req(s, 7)
    print("badtype %02x %s" % (t, d[4:].decode()))
    t, d = req(s, 0, raw=b"XXXX\x01\0\0\0\0")
    print("badmagic %02x %s" % (t, d[4:].decode()))
    t, d = req(s, 3)
    print("info-again %02x" % t)


main()
