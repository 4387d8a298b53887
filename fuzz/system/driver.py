#!/usr/bin/env python3
"""The full-system fuzzer (fuzz/system/README.md).

  driver.py campaign [--time S] [--seed N] [--jobs N] [--core MB1] [--out DIR] [--stop-on KINDS]
                     [--regressions DIR]
  driver.py replay [--core MB1] [--out DIR] JOURNAL

campaign: boots Tessera under QEMU TCG (machine.py), sends generated inputs (gen.py) to
the fuzzing domains and watches for findings: a core panic, a hang (no answer and no
sentinel heartbeat), an escape (the sentinel's memory changed), QEMU ending, a status the
ABI does not allow, a domain destroyed by a record that should not have killed it. Each
finding is kept as DIR/findings/KIND-N/ (journal.jsonl: every frame sent since the boot,
repro.jsonl when the last input alone reproduces it on a fresh boot, serial.log,
finding.txt), and with --regressions DIR its repro also as DIR/KIND-HASH.jsonl; then the
machine reboots and the campaign goes on. Progress every 10 s,
a summary at the end. Exit status: 0, or 1 when a finding was new to this campaign.

replay: boots once, sends a journal's frames in order, prints what was found ("finding
KIND: ..." or "no finding"); exit status 1 when something was found.
"""
import argparse
import collections
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import machine  # noqa: E402

ANSWER_TIMEOUT = 6.0    # no answer for this long: a hang (no heartbeat either) or a stuck domain
KILLERS = ("fault", "forbidden", "spliced")  # records that may get their domain destroyed


class Finding(Exception):
    def __init__(self, kind, text):
        super().__init__("%s: %s" % (kind, text))
        self.kind, self.text = kind, text


class Reboot(Exception):
    """Not a finding, but this boot cannot go on (a domain ended or is stuck)."""


class Session:
    """One boot and what was sent to it."""

    def __init__(self, core, work, smp):
        self.m = machine.Machine(core, work, smp)
        self.journal = []
        why = self.m.start()
        if why:
            ended = self.m.exited() is not None
            self.m.stop()
            if ended:  # it stopped by itself: a panic, or QEMU's own end
                self.check_dead()
            raise Finding("boot", why)

    def ctx(self, i):
        h, s = self.m.hello[i], self.m.serial
        me = machine.NAMES[i]
        return {"self": h.domid, "ids": list(h.peer.values()), "scratch": h.scratch, "mem": h.mem,
                "sentinel_refs": [r for pair in s.refs.get(me, {}).values() for r in pair]}

    def check_dead(self):
        """Findings the log or QEMU's end show: a panic, an escape, QEMU gone."""
        s = self.m.serial
        s.poll()
        if s.panic:
            raise Finding("panic", s.panic)
        if s.corrupt:
            raise Finding("escape", s.corrupt)
        st = self.m.exited()
        if st is not None:
            raise Finding("qemu-exit", "QEMU ended with status %d" % st)
        for kind, dom, text in s.events:
            if "vm entry failed" in text:
                raise Finding("entry-failed", "%s: %s" % (dom, text))
            if dom.startswith("sentinel"):  # it makes no call that could end it
                raise Finding("sentinel-killed", "%s: %s" % (dom, text))

    def send(self, dom, body, names):
        """Run one frame; the statuses, or None when the domain was destroyed (and restarted)."""
        self.journal.append({"d": dom, "hex": body.hex(), "calls": names})
        ch = self.m.chan[dom]
        nevents = len(self.m.serial.events)
        ch.send(b"TFZI", body)
        sentinel = self.m.sentinel_of(dom)
        beats = self.m.serial.beats.get(sentinel, 0)
        waited = 0.0
        while True:
            try:
                f = ch.frame(0.25)
            except RuntimeError as e:  # QEMU closed the channel: it ended, or is ending
                time.sleep(0.5)
                self.check_dead()
                if self.m.exited() is None:
                    raise Reboot("QEMU dropped the channel: %s" % e)
                raise Finding("qemu-exit", str(e))
            self.check_dead()
            if f is None:
                waited += 0.25
                gone = [e for e in self.m.serial.events[nevents:] if e[1] == machine.NAMES[dom] and
                        (e[0] == "exited" or "could not be restarted" in e[2])]
                if gone:
                    raise Reboot("%s ended: %s %s" % (machine.NAMES[dom], gone[-1][0], gone[-1][2]))
                if waited < ANSWER_TIMEOUT:
                    continue
                if self.m.serial.beats.get(sentinel, 0) == beats:
                    raise Finding("hang", "no answer from %s and no heartbeat from %s (its CPU's) for %d s"
                                  % (machine.NAMES[dom], sentinel, waited))
                ended = [e for e in self.m.serial.events[nevents:] if e[1] == machine.NAMES[dom]]
                raise Reboot("%s stopped answering (%s)" % (machine.NAMES[dom], ended or "no log"))
            if f[0] == b"TFZO":
                n = struct.unpack("<I", f[1][:4])[0]
                return [struct.unpack("<q", f[1][4 + 8 * i:12 + 8 * i])[0] for i in range(n)]
            if f[0] == b"TFZH":
                self.m.hello[dom] = machine.Hello(f[1])
                died = [e for e in self.m.serial.events[nevents:] if e[1] == machine.NAMES[dom]]
                if not any(k in KILLERS for k in names):
                    raise Finding("unexpected-kill", "%s: %s after %s" % (
                        machine.NAMES[dom], died[-1][2] if died else "restarted", names))
                return None
            if f[0] == b"TFZE":
                raise Finding("protocol", "%s refused a frame" % machine.NAMES[dom])


def frames(inp):
    """Consecutive records of one domain go in one frame: [(dom, bytes, names)]."""
    out = []
    for dom, rec, name in inp:
        if out and out[-1][0] == dom:
            out[-1][1].extend(rec)
            out[-1][2].append(name)
        else:
            out.append((dom, bytearray(rec), [name]))
    return [(d, bytes(b), n) for d, b, n in out]


def key_of(f):
    """What a finding is, without the addresses and counts that differ between runs."""
    return "%s %s" % (f.kind, re.sub(r"0x[0-9a-f]+|\d+", "N", f.text)[:120])


def save(out, f, s, stats):
    key = key_of(f)
    stats["keys"].setdefault(key, 0)
    stats["keys"][key] += 1
    d = os.path.join(out, "findings", "%s-%d" % (f.kind, stats["findings"]))
    stats["findings"] += 1
    os.makedirs(d, exist_ok=True)
    write_journal(os.path.join(d, "journal.jsonl"), s.m.smp, s.journal)
    shutil.copy(s.m.serial.path, os.path.join(d, "serial.log"))
    if os.path.exists(os.path.join(s.m.work, "qemu.log")):
        shutil.copy(os.path.join(s.m.work, "qemu.log"), os.path.join(d, "qemu.log"))
    with open(os.path.join(d, "finding.txt"), "w") as fh:
        fh.write("%s\n%s\n" % (f.kind, f.text))
    return d, stats["keys"][key] == 1


def write_journal(path, smp, entries):
    """A journal: a first line saying which machine ran it, then one frame a line."""
    with open(path, "w") as fh:
        fh.write(json.dumps({"machine": {"smp": smp}}) + "\n")
        for e in entries:
            fh.write(json.dumps(e) + "\n")


def read_journal(path):
    """(smp, frames) of a journal."""
    smp, out = 1, []
    with open(path) as fh:
        for ln in fh:
            if ln.strip():
                e = json.loads(ln)
                if "machine" in e:
                    smp = int(e["machine"].get("smp", 1))
                else:
                    out.append(e)
    return smp, out


def replay(core, work, entries, smp):
    """Boot, send the entries; the Finding, or None."""
    try:
        s = Session(core, work, smp)
    except Finding as f:
        return f
    try:
        for e in entries:
            s.send(e["d"], bytes.fromhex(e["hex"]), e.get("calls", []))
        s.check_dead()
        time.sleep(2.0)  # let the sentinel finish a pass over what changed
        s.check_dead()
        return None
    except Finding as f:
        return f
    except Reboot as e:
        print("replay: the boot could not go on: %s" % e, file=sys.stderr)
        return None
    finally:
        s.m.stop()


def reduce(core, work, d, f, journal, smp):
    """The shortest tail of the journal (1, 4, 16, 64 frames or all of them) that reproduces
    the finding on a fresh boot, as repro.jsonl; its length, or 0. (Refs and ids a tail names
    may depend on what ran before it in the boot.)"""
    for n in (1, 4, 16, 64, len(journal)):
        tail = journal[-n:]
        g = replay(core, work, tail, smp)
        if g is not None and g.kind == f.kind:
            write_journal(os.path.join(d, "repro.jsonl"), smp, tail)
            return len(tail)
        if n >= len(journal):
            break
    return 0


def campaign(a):
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    g = gen.Gen(a.seed, [os.path.join(machine.ROOT, "fuzz/corpus/hcall")],
                [c for c in a.calls.split(",") if c])
    if g.missing:
        print("system: no argument kinds for %s (gen.ARGS): random words" % ", ".join(g.missing))
    stats = {"boots": 0, "inputs": 0, "records": 0, "kills": 0, "reboots": 0, "findings": 0,
             "new": 0, "keys": {}}
    seen = collections.Counter()
    stop = set(a.stop_on.split(",")) if a.stop_on else set()
    start = last = time.time()
    found = set()
    while time.time() - start < a.time and not (stop and stop <= found):
        s = None
        try:
            stats["boots"] += 1
            s = Session(a.core, os.path.join(out, "run"), a.smp)
            while time.time() - start < a.time:
                inp = g.input([s.ctx(0), s.ctx(1)])
                stats["inputs"] += 1
                for dom, body, names in frames(inp):
                    st = s.send(dom, body, names)
                    if st is None:
                        stats["kills"] += 1
                        break
                    stats["records"] += len(st)
                    for name, v in zip(names, st):
                        seen[(name, v if v < 0 else (">=0"))] += 1
                        g.learn(name, v)
                        if not gen.status_ok(v):
                            raise Finding("bad-status", "%s returned %d" % (name, v))
                if time.time() - last >= 10:
                    last = time.time()
                    el = last - start
                    print("[%4ds] boots %d  inputs %d  records %d (%d/s)  kills %d  reboots %d  findings %d"
                          % (el, stats["boots"], stats["inputs"], stats["records"], stats["records"] / el,
                             stats["kills"], stats["reboots"], stats["findings"]), flush=True)
        except Finding as f:
            if s is None:
                s = argparse.Namespace(journal=[], m=machine.Machine(a.core, os.path.join(out, "run"), a.smp))
            s.m.stop()
            d, new = save(out, f, s, stats)
            found.add(f.kind)
            if new:
                stats["new"] += 1
                r = s.journal and reduce(a.core, os.path.join(out, "reduce"), d, f, s.journal, a.smp)
                if r and a.regressions:  # replayed by `make test` from then on: fix the bug, keep it
                    os.makedirs(a.regressions, exist_ok=True)
                    name = "%s-%s.jsonl" % (f.kind, hashlib.sha1(key_of(f).encode()).hexdigest()[:12])
                    shutil.copy(os.path.join(d, "repro.jsonl"), os.path.join(a.regressions, name))
                print("system: finding %s -> %s%s" % (f, d, " (the last %d frames reproduce it: repro.jsonl)" % r
                                                       if r else " (no short tail reproduces it)"), flush=True)
        except Reboot as e:
            stats["reboots"] += 1
            s.m.stop()
            log = os.path.join(out, "reboots", "%d.log" % stats["reboots"])
            os.makedirs(os.path.dirname(log), exist_ok=True)
            shutil.copy(s.m.serial.path, log)
            write_journal(log[:-4] + ".jsonl", a.smp, s.journal[-20:])
            print("system: reboot: %s (log: %s)" % (e, log), flush=True)
        finally:
            if s is not None:
                s.m.stop()
    el = time.time() - start
    calls = {n for n, _ in seen}
    with open(os.path.join(out, "statuses.txt"), "w") as fh:
        for (n, v), c in sorted(seen.items(), key=lambda x: (x[0][0], str(x[0][1]))):
            fh.write("%-18s %6s %d\n" % (n, v, c))
    print("system: %d s, %d boots, %d inputs, %d records (%d/s), %d domains destroyed by their records, "
          "%d reboots, %d calls with %d distinct statuses" % (el, stats["boots"], stats["inputs"], stats["records"],
                                                            stats["records"] / max(el, 1), stats["kills"],
                                                            stats["reboots"], len(calls), len(seen)))
    print("system: findings %d, new %d%s" % (stats["findings"], stats["new"],
                                             "".join("\n  %dx %s" % (c, k) for k, c in stats["keys"].items())))
    return 1 if stats["new"] else 0


def parallel(a):
    """--jobs N: N campaigns side by side (one QEMU each), seeds seed..seed+N-1, in DIR/jK;
    their lines prefixed [jK]; then the totals. Exit status 1 when any found something new."""
    procs = []
    for k in range(a.jobs):
        cmd = [sys.executable, os.path.abspath(__file__), "campaign", "--jobs", "1", "--smp", str(a.smp),
               "--time", str(a.time),
               "--seed", str(a.seed + k), "--core", a.core, "--out", os.path.join(a.out, "j%d" % k)]
        if a.regressions:
            cmd += ["--regressions", a.regressions]
        if a.stop_on:
            cmd += ["--stop-on", a.stop_on]
        if a.calls:
            cmd += ["--calls", a.calls]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1))
    total = collections.Counter()
    lock = threading.Lock()

    def relay(k, pr):  # a job's lines as they come, whole
        for ln in pr.stdout:
            with lock:
                print("[j%d] %s" % (k, ln.rstrip()), flush=True)
                m = re.match(r"system: \d+ s, (\d+) boots, (\d+) inputs, (\d+) records", ln)
                if m:
                    total.update(boots=int(m.group(1)), inputs=int(m.group(2)), records=int(m.group(3)))
                m = re.match(r"system: findings (\d+), new (\d+)", ln)
                if m:
                    total.update(findings=int(m.group(1)), new=int(m.group(2)))
    threads = [threading.Thread(target=relay, args=(k, pr)) for k, pr in enumerate(procs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rc = 0
    for pr in procs:
        rc |= pr.wait()
    print("system: %d jobs, %d s: %d boots, %d inputs, %d records (%d/s), findings %d, new %d" % (
        a.jobs, a.time, total["boots"], total["inputs"], total["records"], total["records"] / max(a.time, 1),
        total["findings"], total["new"]))
    return 1 if rc else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("campaign", "replay"))
    p.add_argument("journal", nargs="?")
    p.add_argument("--time", type=float, default=600)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--core", default=os.path.join(machine.B, "tessera.mb1"))
    p.add_argument("--out", default=os.path.join(machine.B, "fuzz/system/campaign"))
    p.add_argument("--smp", type=int, choices=(1, 2), default=2,
                   help="CPUs: with 2, fuzzb and a second sentinel run on CPU 1 (replay: the journal says)")
    p.add_argument("--jobs", type=int, default=1, help="campaigns side by side (one QEMU each)")
    p.add_argument("--calls", default="", help="a focused campaign: these calls and kinds (fault, "
                   "forbidden, tick, spliced, unknown) alone, comma-separated")
    p.add_argument("--regressions", default="", help="copy each new finding's repro.jsonl here")
    p.add_argument("--stop-on", default="", help="end once findings of these kinds (a,b,...) were made")
    a = p.parse_intermixed_args()
    if a.seed is None:
        a.seed = int.from_bytes(os.urandom(4), "little")
    if a.mode == "campaign":
        print("system: campaign of %d s, seed %d, %d CPU(s), core %s" % (a.time, a.seed, a.smp, a.core), flush=True)
        return parallel(a) if a.jobs > 1 else campaign(a)
    if not a.journal:
        p.error("replay needs a journal")
    smp, entries = read_journal(a.journal)
    f = replay(a.core, os.path.join(os.path.abspath(a.out), "replay"), entries, smp)
    print("finding %s" % f if f else "no finding")
    return 1 if f else 0


if __name__ == "__main__":
    sys.exit(main())
