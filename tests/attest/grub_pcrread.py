#!/usr/bin/env python3
"""Reads PCRs through the attestation domain's channel (core/include/tessera/attest.h).

  grub_pcrread.py SOCKET BANK[,BANK...] PCR...

Connects to the QEMU virtconsole socket (waiting up to 60 s for it, 120 s for each answer), sends
TPM2_PCR_Read for the PCRs in each BANK (sha1, sha256, sha384, sha512), eight at a
time, and prints "BANK PCR HEX" lines. Each answer is checked: response code 0, the
selection echoed, one digest of the bank's size per PCR, no trailing bytes.
"""
import struct
import sys

from attchan import connect, request

ALGS = {"sha1": (0x0004, 20), "sha256": (0x000B, 32), "sha384": (0x000C, 48), "sha512": (0x000D, 64)}


def tpm(s, command):
    t, d = request(s, 1, command)
    if t != 0x81:
        raise SystemExit("request refused: %02x %s" % (t, d.hex()))
    return d


def pcr_read(s, alg, size, pcrs):
    bits = bytearray(3)
    for p in pcrs:
        bits[p // 8] |= 1 << (p % 8)
    sel = struct.pack(">IHB", 1, alg, 3) + bytes(bits)
    cmd = struct.pack(">HII", 0x8001, 10 + len(sel), 0x17E) + sel
    d = tpm(s, cmd)
    tag, length, rc = struct.unpack(">HII", d[:10])
    if rc != 0 or length != len(d):
        raise SystemExit("PCR_Read: rc %08x length %d of %d" % (rc, length, len(d)))
    off = 14  # header, updateCounter
    if d[off:off + 10] != sel:
        raise SystemExit("PCR_Read: selection out %s, asked %s" % (d[off:off + 10].hex(), sel.hex()))
    off += 10
    n = struct.unpack(">I", d[off:off + 4])[0]
    off += 4
    if n != len(pcrs):
        raise SystemExit("PCR_Read: %d digests for %d PCRs" % (n, len(pcrs)))
    out = []
    for p in sorted(pcrs):
        sz = struct.unpack(">H", d[off:off + 2])[0]
        if sz != size:
            raise SystemExit("PCR_Read: digest of %d bytes" % sz)
        out.append((p, d[off + 2:off + 2 + sz].hex()))
        off += 2 + sz
    if off != len(d):
        raise SystemExit("PCR_Read: %d trailing bytes" % (len(d) - off))
    return out


def main():
    banks = sys.argv[2].split(",") if len(sys.argv) >= 4 else []
    if not banks or any(b not in ALGS for b in banks):
        raise SystemExit("usage: grub_pcrread.py SOCKET sha1|sha256|sha384|sha512[,...] PCR...")
    pcrs = sorted({int(p) for p in sys.argv[3:]})
    if any(p < 0 or p > 23 for p in pcrs):
        raise SystemExit("PCRs are 0-23")
    s = connect(sys.argv[1])
    s.settimeout(120)  # the domain answers once the machine has booted
    for bank in banks:
        alg, size = ALGS[bank]
        for i in range(0, len(pcrs), 8):
            for p, v in pcr_read(s, alg, size, pcrs[i:i + 8]):
                print(bank, p, v)


main()
