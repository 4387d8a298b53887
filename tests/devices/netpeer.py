#!/usr/bin/env python3
"""Host-side peer for tests/devices/net.sh: the other end of QEMU's UDP socket
netdev (one raw Ethernet frame per datagram, no prefix, no FCS).

Binds 127.0.0.1 on a free port and writes that port to --port-file; sends
every frame of the test's type (0x88b5) back to 127.0.0.1:--reply-port with
destination and source swapped; logs one line per frame it saw to --log:
    frame LEN DST SRC TYPE TAG
(TAG: the payload's first 28 bytes, e.g. "netc-0 seq 00000003 len 0351", with
anything unprintable as '.'). Ends after --seconds, or when killed.
"""
import argparse
import os
import socket
import time

TEST_TYPE = 0x88B5


def mac(b):
    return ":".join("%02x" % x for x in b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--reply-port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--seconds", type=float, default=90)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)  # the script sees a whole number
    end = time.monotonic() + a.seconds
    with open(a.log, "w", buffering=1) as log:
        while time.monotonic() < end:
            s.settimeout(max(0.1, end - time.monotonic()))
            try:
                data, _ = s.recvfrom(65536)
            except socket.timeout:
                continue
            if len(data) < 14:
                log.write("runt %d\n" % len(data))
                continue
            kind = int.from_bytes(data[12:14], "big")
            tag = "".join(chr(c) if 32 <= c < 127 else "." for c in data[14:42])
            log.write("frame %d %s %s %04x %s\n" % (len(data), mac(data[0:6]), mac(data[6:12]),
                                                   kind, tag))
            if kind == TEST_TYPE:
                s.sendto(data[6:12] + data[0:6] + data[12:], ("127.0.0.1", a.reply_port))


if __name__ == "__main__":
    main()
