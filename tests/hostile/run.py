#!/usr/bin/env python3
"""run.py — runs the hostile corpus (`make hostile`, part of `make check`).

    run.py [--bootlens BIN] [--out DIR] [--only NAME...] [--slow-cap SECONDS]

Generates the corpus with gen.py when it is missing or older than gen.py or
build/mkhive, then runs every case of DIR/cases.tsv (see gen.py) in its
directory, under an address-space limit (RLIMIT_AS: 4 GiB unless the case
says otherwise), and checks for each one:

  * it ends, with an allowed exit status (0, 1 or 2; never a signal or a
    sanitizer report), within its time budget (2 s; 10 s for multi-GB files);
  * its peak resident memory stays under 256 MB (as time(1) measures it);
  * on exit 2, standard error is one line naming an input (several lines are
    allowed where the case says so: a fleet's summary) and matches what the
    case expects (e.g. "checksum");
  * standard output matches what the case expects, when it says (the text
    caveat of a replay, the JSONL line of a hive over budget);
  * no input changed: every entry of the case directory keeps its type, size,
    modification time and SHA-256 (computed over the file's data extents,
    holes skipped by SEEK_DATA, so sparse multi-GB inputs cost what they
    hold), and nothing appears but the outputs a case declares.

Cases named in known-slow.txt are slow because of code outside the
input-handling layers (the rules and the simulation): they run with a
--slow-cap time limit (default 20 s) and are reported XFAIL with what they
took, or XPASS when they meet the budget (then take them off the list).  Any
other case over its time budget runs up to twice more (the machine may be
busy) and fails the run if no run meets it.
"""

import hashlib
import os
import re
import resource
import shlex
import signal
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RSS_LIMIT_KB = 256 * 1024
DEFAULT_VMEM_KB = 4 * 1024 * 1024
NOBODY = 65534


def opt(argv, name, default):
    if name in argv:
        return argv[argv.index(name) + 1]
    return default


def fingerprint(path):
    """SHA-256 over the data extents of a regular file, with their offsets."""
    h = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        return "unreadable:%s" % e.errno
    try:
        size = os.fstat(fd).st_size
        pos = 0
        while pos < size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break  # no data after pos: the rest is a hole
            try:
                hole = os.lseek(fd, data, os.SEEK_HOLE)
            except OSError:
                hole = size
            h.update(b"@%d:" % data)
            os.lseek(fd, data, os.SEEK_SET)
            left = hole - data
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 24))
                if not chunk:
                    break
                h.update(chunk)
                left -= len(chunk)
            pos = hole
    finally:
        os.close(fd)
    return h.hexdigest()


def snapshot(root):
    """Every entry below root: type, and for files size, mtime and hash."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                out[rel] = ("file", st.st_size, st.st_mtime_ns, fingerprint(p))
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            else:
                out[rel] = (stat.filemode(st.st_mode)[0], st.st_mode)
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
    return out


def stale(out, gen, mkhive):
    tsv = os.path.join(out, "cases.tsv")
    if not os.path.exists(tsv):
        return True
    t = os.path.getmtime(tsv)
    return any(os.path.getmtime(p) > t for p in (gen, mkhive) if os.path.exists(p))


def known_slow():
    slow = {}
    path = os.path.join(HERE, "known-slow.txt")
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)
            name = line[0].strip()
            if name:
                slow[name] = line[1].strip() if len(line) > 1 else ""
    return slow


def run_case(bootlens, d, args, vmem_kb, cap, as_nobody, logs, name):
    # Peak memory is measured by time(1), not by this process's wait4: a
    # child forked from Python starts with Python's high-water mark (the
    # kernel carries it across exec), a grandchild forked from time(1) does
    # not.
    rss_path = os.path.join(logs, name + ".rss")
    argv = ["/usr/bin/time", "-f", "%M", "-o", rss_path, bootlens] + shlex.split(args)
    with open(rss_path, "w"):
        pass
    os.chmod(rss_path, 0o666)  # the unprivileged user of a "nobody" case writes it

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (vmem_kb * 1024, vmem_kb * 1024))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if as_nobody:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

    out_path = os.path.join(logs, name + ".out")
    err_path = os.path.join(logs, name + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, cwd=d, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=limits,
                             start_new_session=True)
        killed = False
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > cap:
                os.killpg(p.pid, signal.SIGKILL)
                killed = True
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.005)
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode > 128 and not killed:
        p.returncode = -(p.returncode - 128)  # time(1) reports a signal as 128 + N
    maxrss = ru.ru_maxrss
    try:
        with open(rss_path) as f:
            maxrss = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    with open(out_path, "rb") as f:
        stdout = f.read(1 << 20).decode("utf-8", "replace")
    return p.returncode, wall, maxrss, stderr, stdout, killed


def check(row, code, wall, rss, stderr, stdout, killed, before, after, budget):
    name, _, exits, expect, flags, args = row[:6]
    problems = []
    creates = [f[len("creates="):] for f in flags.split(",") if f.startswith("creates=")]
    if killed:
        problems.append("killed after %.1f s (hang or far over budget)" % wall)
    elif code < 0 or code >= 128:
        problems.append("died with %s" % (("signal %d" % -code) if code < 0 else "exit %d" % code))
    elif str(code) not in exits:
        problems.append("exit %d, expected one of %s" % (code, ",".join(exits)))
    if re.search(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:", stderr):
        problems.append("sanitizer report")
    if not killed and wall > budget:
        problems.append("%.2f s, over the %g s budget" % (wall, budget))
    if rss > RSS_LIMIT_KB:
        problems.append("peak RSS %d MB, over 256 MB" % (rss // 1024))
    if code == 2 and not killed:
        lines = [l for l in stderr.splitlines() if l.strip()]
        if not lines:
            problems.append("exit 2 without a message")
        elif len(lines) != 1 and "multiline" not in flags:
            problems.append("exit 2 with %d lines on stderr (one expected)" % len(lines))
        names = [a for a in shlex.split(args) if a in before or "/" in a or a.split("/")[0] in before]
        if names and not any(n in stderr for n in names):
            problems.append("the message names none of the files (%s)" % " ".join(names))
    if expect != "-" and not re.search(expect, stderr):
        problems.append("stderr does not match /%s/" % expect)
    if len(row) > 6 and not killed and not re.search(row[6], stdout):
        problems.append("stdout does not match /%s/" % row[6])
    for rel in sorted(set(before) | set(after)):
        if rel in creates:
            continue
        if rel not in after:
            problems.append("input %s disappeared" % rel)
        elif rel not in before:
            problems.append("%s appeared" % rel)
        elif before[rel] != after[rel]:
            problems.append("input %s changed" % rel)
    return problems


def main(argv):
    bootlens = os.path.abspath(opt(argv, "--bootlens", os.path.join(REPO, "build", "bootlens")))
    out = os.path.abspath(opt(argv, "--out", os.path.join(REPO, "build", "hostile")))
    cap_slow = float(opt(argv, "--slow-cap", "20"))
    only = argv[argv.index("--only") + 1:] if "--only" in argv else []
    gen = os.path.join(HERE, "gen.py")
    mkhive = os.path.join(REPO, "build", "mkhive")
    if not os.access(bootlens, os.X_OK):
        print("hostile: %s is not built" % bootlens, file=sys.stderr)
        return 2
    if only:
        subprocess.run([sys.executable, gen, out, "--only"] + only, check=True)
    elif stale(out, gen, mkhive):
        t0 = time.monotonic()
        subprocess.run([sys.executable, gen, out], check=True)
        print("hostile: corpus generated in %.1f s" % (time.monotonic() - t0))
    slow = known_slow()
    logs = os.path.join(out, ".logs")
    os.makedirs(logs, exist_ok=True)
    as_root = os.geteuid() == 0
    if as_root:
        # The unprivileged user must reach the case directories.
        for p in [out] + [os.path.dirname(out)]:
            os.chmod(p, os.stat(p).st_mode | 0o011)
    with open(os.path.join(out, "cases.tsv")) as f:
        rows = [tuple(l.rstrip("\n").split("\t")) for l in f if l.strip()]
    if only:
        rows = [r for r in rows if r[0] in only]
    npass = nfail = nxfail = 0
    for row in rows:
        name, budget, exits, expect, flags, args = row[:6]
        d = os.path.join(out, name)
        budget = float(budget)
        vmem = DEFAULT_VMEM_KB
        for fl in flags.split(","):
            if fl.startswith("vmem="):
                vmem = int(fl[5:])
        is_slow = name in slow
        cap = cap_slow if is_slow else max(3 * budget, budget + 5)
        if "fresh" in flags.split(","):
            # What the case creates must not be left from an earlier run.
            for fl in flags.split(","):
                if fl.startswith("creates="):
                    try:
                        os.unlink(os.path.join(d, fl[len("creates="):]))
                    except FileNotFoundError:
                        pass
        before = snapshot(d)
        code, wall, rss, stderr, stdout, killed = run_case(bootlens, d, args, vmem, cap, as_root and "nobody" in flags,
                                                  logs, name)
        after = snapshot(d)
        problems = check(row, code, wall, rss, stderr, stdout, killed, before, after, budget)
        # Shared machines are noisy: a case whose only problem is its time
        # runs twice more and keeps its fastest run.  Anything else (memory,
        # a crash, a changed input, a hang) is never retried.
        tries = 1
        while (tries < 3 and problems and not killed and "fresh" not in flags.split(",")
               and all(p.endswith("s budget") for p in problems)):
            tries += 1
            before = snapshot(d)
            code, wall, rss, stderr, stdout, killed = run_case(bootlens, d, args, vmem, cap,
                                                               as_root and "nobody" in flags, logs, name)
            after = snapshot(d)
            problems = check(row, code, wall, rss, stderr, stdout, killed, before, after, budget)
        took = "%s%.2f s, %d MB, exit %s%s" % (">" if killed else "", wall, rss // 1024, code,
                                              "" if tries == 1 else " (run %d: the earlier runs were over budget)" % tries)
        if is_slow:
            over = [p for p in problems if "budget" in p or "RSS" in p or "killed" in p]
            other = [p for p in problems if p not in over]
            if other:
                nfail += 1
                print("FAIL  %-32s %s: %s" % (name, took, "; ".join(other)))
            elif over:
                nxfail += 1
                print("XFAIL %-32s %s  (known slow: %s)" % (name, took, slow[name]))
            else:
                npass += 1
                print("XPASS %-32s %s  (within budget: take it off known-slow.txt)" % (name, took))
        elif problems:
            nfail += 1
            print("FAIL  %-32s %s: %s" % (name, took, "; ".join(problems)))
            for line in stderr.splitlines()[:3]:
                print("        " + line)
        else:
            npass += 1
            print("ok    %-32s %s" % (name, took))
    print("hostile: %d passed, %d known slow (XFAIL), %d failed" % (npass, nxfail, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
