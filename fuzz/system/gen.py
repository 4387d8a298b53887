"""Inputs for the full-system fuzzer: sequences of hypercall records (fuzz/include/fuzzrec.h),
each for one of the fuzzing domains. Calls and their numbers come from
core/include/tessera/hypercall.def; ARGS says what kind of value each argument is, so
most records name live domains, ports, grant refs and slots, and reach past the
argument checks. Records of the hosted fuzzer's corpus are spliced in as they are."""
import os
import random
import re
import struct

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
REC = struct.Struct("<BBBBBBH5I")
K_HCALL, K_FAULT, K_HALT, K_IRQ, K_TICK, K_FORBIDDEN = 0, 3, 4, 5, 6, 7
W_PREV = 6
GRANT_WINDOW = 1 << 30
ERRNO = {1, 2, 3, 8, 12, 13, 14, 16, 17, 19, 22, 28, 30, 32, 34, 38, 75, 107, 116}

# What each argument is; a call missing here gets random words (and a warning).
ARGS = {
    "version": "", "console_write": "gpa len", "self_info": "gpa", "yield": "",
    "exit": "int", "domain_lookup": "name", "evtchn_setup": "page vector",
    "evtchn_alloc": "dom", "evtchn_bind": "dom port", "evtchn_send": "port",
    "evtchn_close": "port", "grant_offer": "dom gfn gflags", "grant_end": "ref",
    "grant_map": "dom ref slot mflags", "grant_unmap": "slot", "dev_info": "dev gpa",
    "dev_config_read": "dev cfg size", "dev_config_write": "dev cfg size int",
    "dev_irq_bind": "dev entry port", "dev_irq_unbind": "dev entry",
    "console_read": "gpa len seq", "console_claim": "port", "domain_info": "dom gpa",
    "console_publish": "ref port", "eventlog_read": "gpa len int",
}
# How often each call is drawn (1 unless said): exit ends a domain for the rest of the boot.
WEIGHT = {"exit": 0.005, "version": 0.3, "yield": 0.3, "grant_map": 3, "grant_offer": 2,
          "evtchn_bind": 2, "evtchn_alloc": 2, "evtchn_send": 2, "grant_unmap": 1.5}


def hypercalls():
    out = []
    with open(os.path.join(ROOT, "core/include/tessera/hypercall.def")) as f:
        for m in re.finditer(r"^HCALL\((\d+),\s*(\w+),\s*(\d+),", f.read(), re.M):
            out.append((int(m.group(1)), m.group(2), int(m.group(3))))
    return out


class Gen:
    def __init__(self, seed, corpus_dirs=(), only=()):
        self.r = random.Random(seed)
        self.only = set(only)  # a focused campaign: these calls and kinds alone
        self.calls = hypercalls()
        self.byname = {n: (nr, k) for nr, n, k in self.calls}
        self.missing = [n for _, n, _ in self.calls if n not in ARGS]
        self.names = [n for _, n, _ in self.calls]
        self.weights = [WEIGHT.get(n, 1.0) for n in self.names]
        self.splice = []
        for d in corpus_dirs:
            for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                with open(os.path.join(d, f), "rb") as fh:
                    data = fh.read()[8:]  # past the hosted header
                at = 0
                while len(data) - at >= 28:
                    n = min(data[at + 5], len(data) - at - 28)
                    self.splice.append(data[at:at + 28] + data[at + 28:at + 28 + n])
                    at += 28 + n
        self.refs = [0x10000]    # grant refs seen: offered to us, or returned by grant_offer
        self.ports = [0, 1, 2]

    def learn(self, name, status):
        """A call's status: refs and ports it returned become likely arguments."""
        if status < 0:
            return
        if name == "grant_offer":
            self.refs = (self.refs + [status])[-16:]
        elif name in ("evtchn_alloc", "evtchn_bind"):
            self.ports = (self.ports + [status])[-16:]

    def value(self, kind, ctx):
        r = self.r
        if r.random() < 0.04:
            return r.choice([0, 1, 0xffffffff, 0x7fffffff, 0x80000000, r.getrandbits(32)])
        ids = [i for i in ctx["ids"] if i != 0xffffffff]
        if kind == "dom":
            return r.choice(ids + ids + [ctx["self"], r.randrange(8), 0xffff])
        if kind == "port":
            return r.choice(self.ports + [r.randrange(64), 63, 64])
        if kind == "ref":
            s = ctx["sentinel_refs"]
            return r.choice(self.refs + s + s + [(r.randrange(1, 4) << 16) | r.randrange(8), r.randrange(64)])
        if kind == "slot":
            return r.choice([0, 1, 2, 3, r.randrange(64), 63, 64])
        if kind in ("gpa", "page", "name"):
            sc = ctx["scratch"]
            return r.choice([sc, sc + 4096 * r.randrange(16), sc + r.randrange(4096), 0x100000,
                             GRANT_WINDOW + 4096 * r.randrange(4), ctx["mem"] - 8, ctx["mem"],
                             0x80000000, 0x1000])
        if kind == "len":
            return r.choice([0, 1, 8, 16, 255, 256, 257, 4096, 4097, r.randrange(512)])
        if kind == "gfn":
            return r.choice([ctx["scratch"] // 4096 + r.randrange(32), ctx["mem"] // 4096 - 1,
                             ctx["mem"] // 4096, 0, 0x110])
        if kind in ("gflags", "mflags"):
            return r.choice([0, 1, 1, 2, 3])
        if kind == "vector":
            return r.choice([32, 0x40, 0x41, 255, 31, 256])
        if kind == "dev":
            return r.choice([0, 0, 1, 2])
        if kind == "entry":
            return r.choice([0, 0, 1, 2, 40])
        if kind == "cfg":
            return r.choice([0, 4, 0x10, 0x34, 0x40, 0x44, 0x48, 0x4c, 0x50, 0x60, 0xfc, 0xffc, 0x1000])
        if kind == "size":
            return r.choice([1, 2, 4, 4, 3, 8])
        if kind == "seq":
            return r.choice([0, 0, 1, 16384, r.getrandbits(16)])
        return r.choice([0, 1, 2, r.getrandbits(8), r.getrandbits(32)])

    def record(self, caller, ctx):
        """One record (bytes) and the name of the call (or the kind: fault, forbidden, tick,
        spliced, unknown) it makes; with `only`, one of those."""
        for _ in range(10000):
            rec, name = self.draw(caller, ctx)
            if not self.only or (name if not name.startswith("nr") else "unknown") in self.only:
                return rec, name
        return REC.pack(caller, K_TICK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "tick"

    def draw(self, caller, ctx):
        r = self.r
        x = r.random()
        data = b""
        wide = 0
        if x < 0.04 and self.splice:
            rec = bytearray(r.choice(self.splice))
            rec[0] = caller
            if rec[1] % 8 < 3 and rec[2] == self.byname["exit"][0]:
                rec[2] = self.byname["version"][0]  # exits are drawn by WEIGHT alone
            return bytes(rec), "spliced"
        if x < 0.05:  # mostly where a write is fine: a destroyed domain costs a restart
            a = r.choice([ctx["scratch"] + r.randrange(1 << 16)] * 3 + [self.value("gpa", ctx)])
            return REC.pack(caller, K_FAULT, 0, 0, 0, 0, 0, a, r.getrandbits(8), 0, 0, 0), "fault"
        if x < 0.052:
            return REC.pack(caller, K_FORBIDDEN, 0, 0, 0, 0, 0, r.randrange(8), r.choice([0x10, 0xc0000080, 0x3f8]), 0, 0, 0), "forbidden"
        if x < 0.13:
            return REC.pack(caller, r.choice([K_HALT, K_TICK, K_IRQ]), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "tick"
        if x < 0.15:
            nr = r.choice([len(self.calls), len(self.calls) + 1, 255, r.randrange(len(self.calls), 256)])
            args = [r.getrandbits(32) for _ in range(5)]
            return REC.pack(caller, K_HCALL, nr, 0, 0, 0, 0, *args), "nr%d" % nr
        name = r.choices(self.names, self.weights)[0]
        nr, _ = self.byname[name]
        kinds = ARGS.get(name, "int int int int int").split()
        args = [self.value(k, ctx) for k in kinds] + [0] * (5 - len(kinds))
        if "name" in kinds and r.random() < 0.8:  # a name in the record's data
            data = r.choice([b"fuzza", b"fuzzb", b"sentinel", b"nobody", b"x" * 20]) + b"\0"
            wide |= (kinds.index("name") + 1) << 5
        elif "gpa" in kinds and r.random() < 0.3:
            data = bytes(r.getrandbits(8) for _ in range(r.randrange(64)))
            wide |= (kinds.index("gpa") + 1) << 5
        if r.random() < 0.03:
            wide |= 1 << r.randrange(5)
        off = r.randrange(4096)
        return REC.pack(caller, K_HCALL, nr, 0, wide, len(data), off, *[a & 0xffffffff for a in args]) + data, name

    def input(self, ctxs):
        """A list of (domain index, record bytes, call name)."""
        out = []
        caller = self.r.randrange(2)
        for _ in range(self.r.randint(1, 12)):
            if self.r.random() < 0.25:
                caller = 1 - caller
            rec, name = self.record(caller, ctxs[caller])
            out.append((caller, rec, name))
            if name == "grant_map" and self.r.random() < 0.5:  # write where the map said
                out.append((caller, REC.pack(caller, K_FAULT, 0, 0, W_PREV << 5, 0, 0, 0,
                                             self.r.getrandbits(8), 0, 0, 0), "fault"))
        return out


def status_ok(st):
    """A status the ABI allows: >= 0 or a known negative errno."""
    return st >= 0 or -st in ERRNO
