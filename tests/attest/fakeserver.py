#!/usr/bin/env python3
"""Test stand-in for the attestation domain's channel (core/include/tessera/attest.h).

    fakeserver.py SOCKET TPM_PORT LOG INFO [MODE]

Listens on the unix socket SOCKET and serves one connection at a time: 0x01 frames go
to swtpm's TCP port TPM_PORT (raw TPM commands) and its responses come back as 0x81,
0x02 is answered with the bytes of the file LOG (0x82), 0x03 with INFO (0x83), any
other request with a refusal (0xff). MODE makes it misbehave, for the verifier's
transport tests:
    normal        as above
    refuse-quote  refuses TPM2_Quote (TPM_RC_COMMAND_CODE, "TPM2_Quote refused: test")
    bad-magic     answers the first TPM command with a frame magic of "XATT"
    oversize      answers the first TPM command with a 0x81 frame of 5000 bytes
    short         answers the first TPM command with a header promising 100 bytes,
                  sends 10 and closes
    wrong-type    answers the first TPM command with a 0x82 frame
"""
import os
import socket
import struct
import sys

MAGIC = b"TATT"
TPM_CC_QUOTE = 0x158
TPM_RC_COMMAND_CODE = 0x143


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        got = sock.recv(n - len(buf))
        if not got:
            raise EOFError
        buf += got
    return buf


def frame(kind, payload):
    return MAGIC + bytes([kind]) + struct.pack(">I", len(payload)) + payload


def tpm_roundtrip(tpm, cmd):
    tpm.sendall(cmd)
    hdr = read_exact(tpm, 10)
    size = struct.unpack(">I", hdr[2:6])[0]
    return hdr + read_exact(tpm, size - 10)


def serve(conn, port, log, info, mode):
    tpm = None
    misbehaved = False
    try:
        while True:
            hdr = read_exact(conn, 9)
            if hdr[:4] != MAGIC:
                return
            kind = hdr[4]
            payload = read_exact(conn, struct.unpack(">I", hdr[5:9])[0])
            if kind == 0x01:
                cc = struct.unpack(">I", payload[6:10])[0] if len(payload) >= 10 else 0
                if mode != "normal" and mode != "refuse-quote" and not misbehaved:
                    misbehaved = True
                    if mode == "bad-magic":
                        conn.sendall(b"XATT" + bytes([0x81]) + struct.pack(">I", 0))
                    elif mode == "oversize":
                        conn.sendall(frame(0x81, bytes(5000)))
                    elif mode == "short":
                        conn.sendall(MAGIC + bytes([0x81]) + struct.pack(">I", 100) + bytes(10))
                        return
                    elif mode == "wrong-type":
                        conn.sendall(frame(0x82, b"not a TPM response"))
                    continue
                if mode == "refuse-quote" and cc == TPM_CC_QUOTE:
                    conn.sendall(frame(0xFF, struct.pack(">I", TPM_RC_COMMAND_CODE) +
                                       b"TPM2_Quote refused: test"))
                    continue
                if tpm is None:
                    tpm = socket.create_connection(("127.0.0.1", port))
                conn.sendall(frame(0x81, tpm_roundtrip(tpm, payload)))
            elif kind == 0x02 and not payload:
                with open(log, "rb") as f:
                    conn.sendall(frame(0x82, f.read()))
            elif kind == 0x03 and not payload:
                conn.sendall(frame(0x83, info.encode()))
            else:
                conn.sendall(frame(0xFF, struct.pack(">I", TPM_RC_COMMAND_CODE) +
                                   b"unknown request"))
    except (EOFError, ConnectionError):
        pass
    finally:
        if tpm is not None:
            tpm.close()


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    path, port, log, info = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    mode = sys.argv[5] if len(sys.argv) == 6 else "normal"
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    while True:
        conn, _ = srv.accept()
        with conn:
            serve(conn, port, log, info.replace("\\n", "\n"), mode)


if __name__ == "__main__":
    main()
