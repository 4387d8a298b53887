#!/usr/bin/env python3
"""Tampers with saved evidence (tessera-attest quote/verify --evidence-out) for
tests/attest/run.sh. The evidence format is attest/README.md "Evidence"; the log is
the TCG crypto-agile format (core/include/tessera/tcg.h).

    evtool.py IN OUT OP [ARGS]
    get FIELD                   print a field's hex (OUT is ignored)
    flip FIELD OFFSET           xor the byte at OFFSET of FIELD with 0x01
    append FIELD HEX            append bytes to FIELD
    cut FIELD N                 drop the last N bytes of FIELD
    drop-events N               drop the last N events of the log (whole events)
    swap-events I J             exchange log events I and J (1 = first after the header)
    set-type I TYPE             set event I's type (hex, e.g. deadbeef)
    inject I no-action|ipl      insert an event before event I: EV_NO_ACTION at PCR 13
                                with zero digests, or EV_IPL at PCR 13 with digests
                                of "injected"
"""
import hashlib
import struct
import sys

FIELDS = ["nonce", "attest", "signature", "log", "info"]
ALGS = {0x0004: "sha1", 0x000B: "sha256", 0x000C: "sha384", 0x000D: "sha512"}


def read(path):
    lines = open(path).read().split("\n")
    assert lines[0] == "tessera-attest evidence 1" and lines[-1] == ""
    ev = {}
    for line in lines[1:-1]:
        name, hexval = line.split(" ", 1) if " " in line else (line, "")
        ev[name] = bytearray.fromhex(hexval)
    return ev


def write(path, ev):
    with open(path, "w") as f:
        f.write("tessera-attest evidence 1\n")
        for name in FIELDS:
            f.write(f"{name} {ev[name].hex()}\n")


def split_log(log):
    """(header bytes, bank list [(alg, size)], [event bytes])"""
    hsize = 32 + struct.unpack_from("<I", log, 28)[0]
    nalg = struct.unpack_from("<I", log, 32 + 24)[0]
    banks = [struct.unpack_from("<HH", log, 32 + 28 + 4 * i) for i in range(nalg)]
    events, off = [], hsize
    while off < len(log):
        at = off + 12
        for _, size in banks:
            at += 2 + size
        at += 4 + struct.unpack_from("<I", log, at)[0]
        events.append(log[off:at])
        off = at
    return log[:hsize], banks, events


def make_event(banks, pcr, etype, payload, data):
    out = struct.pack("<III", pcr, etype, len(banks))
    for alg, size in banks:
        digest = bytes(size) if payload is None else hashlib.new(ALGS[alg], payload).digest()
        out += struct.pack("<H", alg) + digest
    return out + struct.pack("<I", len(data)) + data


def main():
    src, dst, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    ev = read(src)
    if op == "get":
        print(ev[args[0]].hex())
        return
    if op == "flip":
        ev[args[0]][int(args[1])] ^= 0x01
    elif op == "append":
        ev[args[0]] += bytes.fromhex(args[1])
    elif op == "cut":
        ev[args[0]] = ev[args[0]][: len(ev[args[0]]) - int(args[1])]
    else:
        header, banks, events = split_log(ev["log"])
        if op == "drop-events":
            events = events[: len(events) - int(args[0])]
        elif op == "swap-events":
            i, j = int(args[0]) - 1, int(args[1]) - 1
            events[i], events[j] = events[j], events[i]
        elif op == "set-type":
            i = int(args[0]) - 1
            events[i] = events[i][:4] + struct.pack("<I", int(args[1], 16)) + events[i][8:]
        elif op == "inject":
            i = int(args[0]) - 1
            if args[1] == "no-action":
                new = make_event(banks, 13, 0x3, None, b"tessera:injected")
            else:
                new = make_event(banks, 13, 0xD, b"injected", b"tessera:injected")
            events.insert(i, new)
        else:
            sys.exit(__doc__)
        ev["log"] = bytearray(header + b"".join(events))
    write(dst, ev)


if __name__ == "__main__":
    main()
