"""The attestation domain's channel for the test clients (core/include/tessera/attest.h):
connect to the QEMU virtconsole socket and exchange frames."""
import socket
import struct
import time


def connect(path, tries=600):
    """Connects, waiting up to tries tenths of a second for QEMU to open the socket."""
    s = socket.socket(socket.AF_UNIX)
    for _ in range(tries):
        try:
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.1)
    raise SystemExit("cannot connect to " + path)


def recv_exact(s, n):
    d = b""
    while len(d) < n:
        c = s.recv(n - len(d))
        if not c:
            raise SystemExit("channel closed")
        d += c
    return d


def request(s, t, p=b"", raw=None):
    """Sends one request frame (or raw bytes) and returns the answer's (type, payload)."""
    s.sendall(raw if raw is not None else b"TATT" + bytes([t]) + struct.pack(">I", len(p)) + p)
    h = recv_exact(s, 9)
    if h[:4] != b"TATT":
        raise SystemExit("bad magic in answer")
    return h[4], recv_exact(s, struct.unpack(">I", h[5:9])[0])
