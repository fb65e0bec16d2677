#!/usr/bin/env python3
"""gen.py — generates the hostile corpus (tests/hostile/README.md).

    gen.py OUTDIR [--only NAME...] [--bench]

Writes one directory per case under OUTDIR (OUTDIR/NAME/...) and the case
list OUTDIR/cases.tsv that tests/hostile/run.sh executes.  Each case is an
input an attacker (or a damaged disk) could hand bootlens: broken hive
structure built by patching a valid hive that build/mkhive wrote from a
generated source, huge generated configurations, lying and sparse files,
FIFOs and devices where files are expected, hostile INFs and knowledge files,
and -o aimed at every input.  Nothing here is committed: the corpus is
regenerated from this file.

cases.tsv columns (tab-separated):
    name  budget_s  exits  expect  flags  args  [stdout]
budget_s  wall time allowed; exits: the allowed exit statuses ("012", "2");
expect    a Python-free extended regex stderr must match ('-': none);
flags     comma-separated: multiline (stderr may have several lines),
          nobody (run as an unprivileged user when root), creates=F (the case
          may create file F), vmem=KB (address-space limit), or '-';
args      bootlens arguments, shell-quoted, run in the case directory;
stdout    optional: an extended regex standard output must match.

--bench lists only the worst-case families make bench measures.
"""

import os
import shlex
import struct
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKHIVE = os.environ.get("MKHIVE", os.path.join(REPO, "build", "mkhive"))
BASE_REG = os.path.join(REPO, "test_hives", "include", "win7-base.reg")
SEED_REG = os.path.join(REPO, "test_hives", "vmci-filter-delay.reg")
SEED_INF = os.path.join(REPO, "test_infs", "dlpflt-late.inf")

GB = 1 << 30
MB = 1 << 20

# ---------------------------------------------------------------------------
# regf helpers: just enough of the format to patch what mkhive writes.

BASE = 4096


def le32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def put32(b, off, v):
    struct.pack_into("<I", b, off, v & 0xFFFFFFFF)


def checksum(block):
    s = 0
    for i in range(0, 508, 4):
        s ^= le32(block, i)
    if s == 0:
        return 1
    if s == 0xFFFFFFFF:
        return 0xFFFFFFFE
    return s


class Hive:
    """A hive image (bytearray) with cell-level accessors.  Offsets are
    relative to the first hive bin, as in the file format."""

    def __init__(self, data):
        self.b = bytearray(data)

    # -- raw cells
    def cell(self, off):
        """File position of the cell's data (after its size field)."""
        return BASE + off + 4

    def nk(self, off):
        p = self.cell(off)
        assert self.b[p:p + 2] == b"nk", hex(off)
        return p

    def subkeys(self, off):
        p = self.nk(off)
        n, lst = le32(self.b, p + 0x14), le32(self.b, p + 0x1C)
        return self.list_items(lst) if n else []

    def list_items(self, lst):
        q = self.cell(lst)
        sig = bytes(self.b[q:q + 2])
        n = struct.unpack_from("<H", self.b, q + 2)[0]
        if sig in (b"lf", b"lh"):
            return [le32(self.b, q + 4 + 8 * i) for i in range(n)]
        if sig == b"li":
            return [le32(self.b, q + 4 + 4 * i) for i in range(n)]
        if sig == b"ri":
            out = []
            for i in range(n):
                out += self.list_items(le32(self.b, q + 4 + 4 * i))
            return out
        raise ValueError("list signature %r" % sig)

    def name(self, off):
        p = self.nk(off)
        n = struct.unpack_from("<H", self.b, p + 0x48)[0]
        raw = bytes(self.b[p + 0x4C:p + 0x4C + n])
        flags = struct.unpack_from("<H", self.b, p + 2)[0]
        return raw.decode("latin-1") if flags & 0x20 else raw.decode("utf-16-le")

    def root(self):
        return le32(self.b, 36)

    def find(self, path):
        off = self.root()
        for part in path.split("\\"):
            for c in self.subkeys(off):
                if self.name(c).lower() == part.lower():
                    off = c
                    break
            else:
                raise KeyError(path)
        return off

    def values(self, off):
        p = self.nk(off)
        n, lst = le32(self.b, p + 0x24), le32(self.b, p + 0x28)
        q = self.cell(lst)
        return [le32(self.b, q + 4 * i) for i in range(n)] if n else []

    def value(self, key_off, name):
        for v in self.values(key_off):
            q = self.cell(v)
            n = struct.unpack_from("<H", self.b, q + 2)[0]
            flags = struct.unpack_from("<H", self.b, q + 0x10)[0]
            raw = bytes(self.b[q + 0x14:q + 0x14 + n])
            vn = raw.decode("latin-1") if flags & 1 else raw.decode("utf-16-le")
            if vn.lower() == name.lower():
                return v
        raise KeyError(name)

    # -- growth: new cells in a new hive bin at the end
    def bins_size(self):
        return le32(self.b, 40)

    def append_cells(self, cells):
        """Appends a hive bin holding the given cell bodies; returns their
        offsets.  Each body is given its (negative) size and 8-byte padding."""
        start = self.bins_size()
        body = bytearray()
        offs = []
        for c in cells:
            size = (len(c) + 4 + 7) // 8 * 8
            offs.append(start + 32 + len(body))
            body += struct.pack("<i", -size) + c + b"\0" * (size - 4 - len(c))
        total = (32 + len(body) + 8 + 4095) // 4096 * 4096
        free = total - 32 - len(body)
        hbin = bytearray(b"hbin" + struct.pack("<III", start, total, 0) + b"\0" * 16)
        hbin += body + struct.pack("<i", free) + b"\0" * (free - 4)
        end = BASE + start
        self.b = self.b[:end] + hbin + self.b[end:]
        put32(self.b, 40, start + total)
        return offs

    def fix(self):
        put32(self.b, 508, checksum(self.b))
        return self

    def save(self, path):
        self.fix()
        with open(path, "wb") as f:
            f.write(self.b)


def nk_cell(name, parent, nsub=0, sublist=0xFFFFFFFF, nval=0, vallist=0xFFFFFFFF):
    raw = name.encode("latin-1")
    b = bytearray(0x4C) + raw
    b[0:2] = b"nk"
    struct.pack_into("<H", b, 2, 0x20)
    put32(b, 0x10, parent)
    put32(b, 0x14, nsub)
    put32(b, 0x1C, sublist)
    put32(b, 0x20, 0xFFFFFFFF)
    put32(b, 0x24, nval)
    put32(b, 0x28, vallist)
    put32(b, 0x2C, 0xFFFFFFFF)
    put32(b, 0x30, 0xFFFFFFFF)
    struct.pack_into("<H", b, 0x48, len(raw))
    return bytes(b)


def li_cell(items):
    return b"li" + struct.pack("<H", len(items)) + b"".join(struct.pack("<I", i) for i in items)


def mkhive(src_text, out):
    reg = out + ".reg"
    with open(reg, "w", encoding="utf-8") as f:
        f.write(src_text)
    subprocess.run([MKHIVE, reg, "-o", out], check=True)
    os.unlink(reg)


def seed_source():
    """The seed case's source with its !include made absolute."""
    with open(SEED_REG, encoding="utf-8") as f:
        text = f.read()
    return text.replace("!include include/win7-base.reg", "!include " + BASE_REG)


def base_source():
    return "!include %s\n" % BASE_REG


# ---------------------------------------------------------------------------
# Transaction logs (new format): Marvin32 and HvLE entries.

MARVIN_SEED = 0x82EF4D887A4E55C5


def marvin32(data, seed=MARVIN_SEED):
    lo, hi = seed & 0xFFFFFFFF, seed >> 32
    M = 0xFFFFFFFF

    def rnd(lo, hi):
        hi ^= lo
        lo = ((lo << 20) | (lo >> 12)) & M
        lo = (lo + hi) & M
        hi = ((hi << 9) | (hi >> 23)) & M
        hi ^= lo
        lo = ((lo << 27) | (lo >> 5)) & M
        lo = (lo + hi) & M
        hi = ((hi << 19) | (hi >> 13)) & M
        return lo, hi

    n = len(data) // 4 * 4
    for (w,) in struct.iter_unpack("<I", data[:n]):
        lo = (lo + w) & M
        lo, hi = rnd(lo, hi)
    last = 0x80
    for byte in reversed(data[n:]):
        last = (last << 8) | byte
    lo = (lo + last) & M
    lo, hi = rnd(lo, hi)
    lo, hi = rnd(lo, hi)
    return (hi << 32) | lo


def log_base(hive, seq):
    """The 512-byte base block of a new-format log of hive."""
    b = bytearray(hive.b[:512])
    put32(b, 4, seq)
    put32(b, 8, seq)
    put32(b, 28, 6)
    put32(b, 508, checksum(b))
    return bytes(b)


def hvle_entry(seq, hbins, pages, size=None):
    """pages: list of (offset, bytes).  Entry padded to 4096 as Windows does;
    a given size is written as claimed (a lie: the body is not padded)."""
    refs = b"".join(struct.pack("<II", off, len(p)) for off, p in pages)
    body = refs + b"".join(p for _, p in pages)
    used = 40 + len(body)
    total = size if size is not None else (used + 4095) // 4096 * 4096
    if size is None:
        body += b"\0" * (total - used)
    h1 = marvin32(body)
    head = b"HvLE" + struct.pack("<IIIII", total, 0, seq, hbins, len(pages)) + struct.pack("<Q", h1)
    h2 = marvin32(head)
    return head + struct.pack("<Q", h2) + body


def dirty(hive, primary, secondary):
    put32(hive.b, 4, primary)
    put32(hive.b, 8, secondary)
    return hive


# ---------------------------------------------------------------------------
# Generated configurations (as mkhive sources).

def svc(name, start, group=None, tag=None, typ=1, extra=""):
    s = '[ControlSet001\\Services\\%s]\n"Type"=dword:%x\n"Start"=dword:%x\n"ErrorControl"=dword:1\n' % (
        name, typ, start)
    s += '"ImagePath"=expand:"system32\\\\drivers\\\\%s.sys"\n' % name
    if group:
        s += '"Group"="%s"\n' % group
    if tag is not None:
        s += '"Tag"=dword:%x\n' % tag
    return s + extra


def multi(items):
    return "multi:" + ",".join('"%s"' % i for i in items)


def big_tagged_boot(n):
    parts = [base_source()]
    for i in range(n):
        parts.append(svc("tagged%06d" % i, 0, "Boot Bus Extender", 100 + i))
    return "".join(parts)


def big_groups(n):
    groups = ["Group%06d" % i for i in range(n)]
    parts = [base_source()]
    parts.append("[ControlSet001\\Control\\ServiceGroupOrder]\n\"List\"=%s\n" % multi(
        ["System Reserved", "Boot Bus Extender", "System Bus Extender"] + groups))
    parts.append("[ControlSet001\\Control\\GroupOrderList]\n")
    for g in groups:
        parts.append('"%s"=hex:01,00,00,00,01,00,00,00\n' % g)
    for i in range(0, n, max(1, n // 1000)):
        parts.append(svc("grouped%06d" % i, 0, groups[i], 1))
    return "".join(parts)


def big_devices(n):
    """n System-class devices behind the seed case's late class filter."""
    parts = [seed_source()]
    for i in range(n):
        parts.append("[ControlSet001\\Enum\\PCI\\VEN_15AD&DEV_%04X\\%X]\n"
                     "\"ClassGUID\"=\"{4d36e97d-e325-11ce-bfc1-08002be10318}\"\n\"Service\"=\"vmci\"\n"
                     % (i % 256, i))
    return "".join(parts)


def parent_chain(n):
    """A device tree n deep, linked by ParentIdPrefix with short ids: each
    device's instance is its parent's prefix + '&0'."""
    parts = [base_source()]
    prefix = "7&d0"
    for i in range(n):
        nxt = "7&d%X" % (i + 1)
        parts.append("[ControlSet001\\Enum\\PCI\\CHAIN%06d\\%s&0]\n\"ParentIdPrefix\"=\"%s\"\n\"Service\"=\"pci\"\n"
                     % (i, prefix, nxt))
        prefix = nxt
    return "".join(parts)


def parent_cycle(n):
    """n devices whose ParentIdPrefix links close into one loop."""
    parts = [base_source()]
    for i in range(n):
        parts.append("[ControlSet001\\Enum\\PCI\\LOOP%06d\\8&c%X&0]\n\"ParentIdPrefix\"=\"8&c%X\"\n"
                     % (i, i, (i + 1) % n))
    return "".join(parts)


def dup_altitude(n):
    parts = [base_source()]
    for i in range(n):
        name = "mf%05d" % i
        parts.append(svc(name, 0, "FSFilter Activity Monitor", typ=2))
        parts.append("[ControlSet001\\Services\\%s\\Instances]\n\"DefaultInstance\"=\"%s Instance\"\n"
                     "[ControlSet001\\Services\\%s\\Instances\\%s Instance]\n\"Altitude\"=\"385100\"\n"
                     "\"Flags\"=dword:0\n" % (name, name, name, name))
    return "".join(parts)


def missing_deps(n):
    parts = [base_source()]
    for i in range(n):
        parts.append(svc("dep%05d" % i, 2, typ=0x10,
                         extra='"DependOnService"=%s\n' % multi(["nosuch%05d" % i, "alsomissing%05d" % i])))
    return "".join(parts)


def one_big_depend(n):
    parts = [base_source()]
    targets = ["target%05d" % i for i in range(n)]
    parts.append(svc("hub", 2, typ=0x10, extra='"DependOnService"=%s\n' % multi(targets)))
    for t in targets[: n // 2]:  # half exist, half are missing
        parts.append(svc(t, 2, typ=0x10))
    return "".join(parts)


def depend_ring(n):
    parts = [base_source()]
    for i in range(n):
        parts.append(svc("ring%05d" % i, 0, "Boot Bus Extender",
                         extra='"DependOnService"=%s\n' % multi(["ring%05d" % ((i + 1) % n)])))
    return "".join(parts)


def many_services(n):
    parts = [base_source()]
    for i in range(n):
        parts.append(svc("plain%06d" % i, 3, "Extended Base"))
    return "".join(parts)


def many_classes(nclasses, nfilters):
    parts = [base_source()]
    for c in range(nclasses):
        parts.append("[ControlSet001\\Control\\Class\\{%08x-0000-0000-0000-000000000000}]\n"
                     "\"Class\"=\"C%d\"\n\"UpperFilters\"=%s\n"
                     % (c, c, multi(["flt%05d" % ((c * nfilters + k) % 5000) for k in range(nfilters)])))
    return "".join(parts)


# ---------------------------------------------------------------------------
# The cases.

class Corpus:
    def __init__(self, out, only=None):
        self.out = out
        self.only = set(only or [])
        self.rows = []

    def case(self, name, args, exits="012", expect="-", budget=2, flags="-", stdout=None):
        """Declares a case and returns its directory (created empty) or None
        when the case is filtered out."""
        if self.only and name not in self.only:
            return None
        d = os.path.join(self.out, name)
        subprocess.run(["rm", "-rf", d], check=True)
        os.makedirs(d)
        row = (name, str(budget), exits, expect, flags, " ".join(shlex.quote(a) for a in args))
        self.rows.append(row + ((stdout,) if stdout else ()))
        return d

    def write(self):
        """Writes cases.tsv; with --only, the other cases' rows are kept."""
        path = os.path.join(self.out, "cases.tsv")
        rows = self.rows
        if self.only and os.path.exists(path):
            fresh = {r[0]: r for r in self.rows}
            with open(path) as f:
                old = [tuple(l.rstrip("\n").split("\t")) for l in f if l.strip()]
            rows = [fresh.pop(r[0], r) for r in old] + list(fresh.values())
        with open(path + ".tmp", "w") as f:
            for r in rows:
                f.write("\t".join(r) + "\n")
        os.replace(path + ".tmp", path)


def seed_hive(path):
    mkhive(seed_source(), path)
    with open(path, "rb") as f:
        return Hive(f.read())


def structure_cases(c):
    """Broken cells: each case patches the seed hive in one hostile way."""

    def patched(name, patch, extra_args=(), exits="012", expect="-"):
        d = c.case(name, ["analyze", "SYSTEM", "--format", "json", "--no-fixes"] + list(extra_args), exits, expect)
        if d is None:
            return
        h = seed_hive(os.path.join(d, "SYSTEM"))
        patch(h)
        h.save(os.path.join(d, "SYSTEM"))

    def self_cycle(h):
        svcs = h.find("ControlSet001\\Services")
        p = h.nk(svcs)
        lst = le32(h.b, p + 0x1C)
        q = h.cell(lst)
        put32(h.b, q + 4, svcs)  # the first subkey of Services is Services

    def cycle_to_root(h):
        vmci = h.find("ControlSet001\\Services\\vmci")
        # vmci gets one subkey: the control set itself.
        (lst,) = h.append_cells([li_cell([h.find("ControlSet001")])])
        p = h.nk(vmci)
        put32(h.b, p + 0x14, 1)
        put32(h.b, p + 0x1C, lst)

    def ri_loop(h):
        svcs = h.find("ControlSet001\\Services")
        items = h.subkeys(svcs)
        ri_off = h.append_cells([b"ri" + struct.pack("<H", 2) + b"\0" * 8])[0]
        q = h.cell(ri_off)
        put32(h.b, q + 4, ri_off)  # the index names itself ...
        put32(h.b, q + 8, le32(h.b, h.nk(svcs) + 0x1C))  # ... and the real list
        p = h.nk(svcs)
        put32(h.b, p + 0x14, len(items))
        put32(h.b, p + 0x1C, ri_off)

    def ri_nested(h):
        svcs = h.find("ControlSet001\\Services")
        real = le32(h.b, h.nk(svcs) + 0x1C)
        inner = h.append_cells([b"ri" + struct.pack("<HI", 1, real)])[0]
        outer = h.append_cells([b"ri" + struct.pack("<HI", 1, inner)])[0]
        put32(h.b, h.nk(svcs) + 0x1C, outer)

    def cross_linked(h):
        # Every subkey list under Enum points at the one list of Services
        # (tens of thousands of references to the same keys).
        svcs = h.find("ControlSet001\\Services")
        lst = le32(h.b, h.nk(svcs) + 0x1C)
        n = le32(h.b, h.nk(svcs) + 0x14)
        ids = [lst] * 60000
        cells = []
        for k in range(0, len(ids), 16000):
            cells.append(b"ri" + struct.pack("<H", len(ids[k:k + 16000])) + b"".join(struct.pack("<I", i) for i in ids[k:k + 16000]))
        offs = h.append_cells(cells)
        enum = h.find("ControlSet001\\Enum")
        top = h.append_cells([li_cell(offs)])[0]
        p = h.nk(enum)
        put32(h.b, p + 0x14, n * 60000 & 0xFFFFFFFF)
        put32(h.b, p + 0x1C, top)

    def deep_nesting(h):
        # 100,000 nested keys under Services\vmci (each records its parent).
        n = 100000
        vmci = h.find("ControlSet001\\Services\\vmci")
        start = h.bins_size() + 32
        cells, offs = [], []
        pos = start
        for i in range(n):
            nk_size = (0x4C + 1 + 4 + 7) // 8 * 8
            li_size = (8 + 4 + 7) // 8 * 8
            offs.append((pos, pos + nk_size))
            pos += nk_size + li_size
        for i in range(n):
            nk_off, li_off = offs[i]
            parent = vmci if i == 0 else offs[i - 1][0]
            child = offs[i + 1][0] if i + 1 < n else None
            cells.append(nk_cell("d", parent, 1 if child else 0, li_off if child else 0xFFFFFFFF))
            cells.append(li_cell([child] if child else []))
        got = h.append_cells(cells)
        assert got[0] == offs[0][0]
        (top,) = h.append_cells([li_cell([offs[0][0]])])
        p = h.nk(vmci)
        put32(h.b, p + 0x14, 1)
        put32(h.b, p + 0x1C, top)

    def counts(h):
        put32(h.b, h.nk(h.find("ControlSet001\\Services")) + 0x14, 0xFFFFFFFF)
        put32(h.b, h.nk(h.find("ControlSet001\\Services\\vsock")) + 0x24, 0x3FFFFFFF)
        put32(h.b, h.nk(h.find("ControlSet001\\Enum")) + 0x14, 0x7FFFFFFF)

    def list_count(h):
        ctl = h.find("ControlSet001\\Control")
        q = h.cell(le32(h.b, h.nk(ctl) + 0x1C))
        struct.pack_into("<H", h.b, q + 2, 0xFFFF)

    def data_oob(h):
        vmci = h.find("ControlSet001\\Services\\vmci")
        v = h.cell(h.value(vmci, "ImagePath"))
        put32(h.b, v + 4, 0x7FFFFFF0)
        put32(h.b, v + 8, 0x7FFFFFF8)
        v = h.cell(h.value(vmci, "Group"))
        put32(h.b, v + 8, h.bins_size() - 8)

    def db_oob(h):
        vmci = h.find("ControlSet001\\Services\\vmci")
        db = h.append_cells([b"db" + struct.pack("<HI", 0xFFFF, 0x7FFFFFF8)])[0]
        v = h.cell(h.value(vmci, "DisplayName"))
        put32(h.b, v + 4, 0x00100000)
        put32(h.b, v + 8, db)

    def hbin_huge(h):
        put32(h.b, BASE + 8, 0xFFFFF000)

    def hbin_zero(h):
        second = le32(h.b, BASE + 8)
        if BASE + second + 12 <= len(h.b):
            put32(h.b, BASE + second + 8, 0)

    def hbin_offset(h):
        second = le32(h.b, BASE + 8)
        if BASE + second + 12 <= len(h.b):
            put32(h.b, BASE + second + 4, 0x1234000)

    def bins_short(h):
        put32(h.b, 40, 4096)

    def root_oob(h):
        put32(h.b, 36, 0x7FFFFFF0)

    def root_vk(h):
        vmci = h.find("ControlSet001\\Services\\vmci")
        put32(h.b, 36, h.value(vmci, "Type"))

    for name, fn in [("subkey-self-cycle", self_cycle), ("subkey-cycle-to-root", cycle_to_root),
                     ("ri-loop", ri_loop), ("ri-nested", ri_nested), ("cross-linked-lists", cross_linked),
                     ("nesting-100k", deep_nesting), ("counts-absurd", counts), ("list-count-absurd", list_count),
                     ("data-cell-oob", data_oob), ("db-cell-oob", db_oob), ("hbin-size-huge", hbin_huge),
                     ("hbin-size-zero", hbin_zero), ("hbin-offset-wrong", hbin_offset),
                     ("bins-size-short", bins_short), ("root-cell-oob", root_oob), ("root-cell-is-vk", root_vk)]:
        patched(name, fn)
    for name, fn in [("subkey-self-cycle-libregf", self_cycle), ("ri-loop-libregf", ri_loop),
                     ("cross-linked-lists-libregf", cross_linked), ("data-cell-oob-libregf", data_oob)]:
        patched(name, fn, ["--reader", "libregf"])

    # The base block itself.
    d = c.case("base-bins-size-lies", ["analyze", "SYSTEM"], "2", "SYSTEM")
    if d:
        h = seed_hive(os.path.join(d, "SYSTEM"))
        put32(h.b, 40, 0x70000000)
        h.save(os.path.join(d, "SYSTEM"))
    for name, extra in [("base-bad-checksum", []), ("base-bad-checksum-libregf", ["--reader", "libregf"])]:
        d = c.case(name, ["analyze", "SYSTEM"] + extra, "2", "SYSTEM.*checksum")
        if d:
            h = seed_hive(os.path.join(d, "SYSTEM"))
            h.fix()
            h.b[100] ^= 0xFF  # after the checksum was computed
            with open(os.path.join(d, "SYSTEM"), "wb") as f:
                f.write(h.b)


def value_cases(c):
    """Values a hostile or sloppy writer leaves: odd strings, wrong types,
    absurd Select."""
    strings = seed_source() + r'''
[ControlSet001\Services\vmci]
"ImagePath"=hex(2):41,00,42
"Group"=hex(1):53,00,79,00,73,00
"DisplayName"=hex(1):00,d8,00,d8,41,00
"DependOnService"=hex(7):76,00,73,00
[ControlSet001\Services\vsock]
"DependOnService"=hex(7):76,00,6d,00,00,00,00,00,00,00,00,00,00,00,00,00,41,00
"Group"=fill:1:1048576:41
[ControlSet001\Control\Class\{4D36E97D-E325-11CE-BFC1-08002BE10318}]
"UpperFilters"=hex(7):64,00,6c,00,70,00
'''
    d = c.case("strings-odd", ["analyze", "SYSTEM", "--format", "json"])
    if d:
        mkhive(strings, os.path.join(d, "SYSTEM"))
    types = seed_source() + r'''
[ControlSet001\Services\vmci]
"Start"="0"
"Type"=hex:01
"Tag"="twelve"
"ErrorControl"=qword:ffffffffffffffff
"DependOnService"=dword:00000001
[ControlSet001\Services\vsock]
"Start"=hex(4):00,00
"Group"=dword:00000007
"Tag"=hex(b):01,00,00,00,00,00,00,00
[ControlSet001\Services\vsepflt\Instances\vsepflt Instance]
"Altitude"=dword:00050208
[ControlSet001\Control\ServiceGroupOrder]
"List"=dword:00000001
[ControlSet001\Control\GroupOrderList]
"System Bus Extender"="not binary"
"Boot Bus Extender"=hex:ff,ff,ff,ff,01
[ControlSet001\Control\Class\{4D36E97D-E325-11CE-BFC1-08002BE10318}]
"UpperFilters"=hex:01,02,03
'''
    d = c.case("types-wrong", ["analyze", "SYSTEM", "--format", "json"])
    if d:
        mkhive(types, os.path.join(d, "SYSTEM"))
    for name, sel in [("select-huge", "dword:ffffffff"), ("select-zero", "dword:00000000"),
                      ("select-missing-set", "dword:000003e7"), ("select-string", '"1"'),
                      ("select-binary", "hex:01")]:
        exits = "2" if name in ("select-huge", "select-zero", "select-missing-set") else "012"
        d = c.case(name, ["analyze", "SYSTEM"], exits, "SYSTEM" if exits == "2" else "-")
        if d:
            mkhive(seed_source() + "[Select]\n\"Current\"=%s\n" % sel, os.path.join(d, "SYSTEM"))


def big_cases(c):
    """Huge generated configurations: every stage must stay near-linear."""
    fams = [
        ("services-150k", lambda: many_services(150000), []),
        ("tagged-boot-100k", lambda: big_tagged_boot(100000), []),
        ("groups-100k", lambda: big_groups(100000), []),
        ("devices-200k", lambda: big_devices(200000), []),
        ("parent-chain-50k", lambda: parent_chain(50000), []),
        ("parent-cycle-50k", lambda: parent_cycle(50000), []),
        ("dup-altitude-3000", lambda: dup_altitude(3000), []),
        ("missing-deps-5000", lambda: missing_deps(5000), []),
        ("depend-on-20k", lambda: one_big_depend(20000), []),
        ("depend-ring-50k", lambda: depend_ring(50000), []),
        ("class-filters-2000x50", lambda: many_classes(2000, 50), []),
    ]
    for name, src, extra in fams:
        d = c.case(name, ["analyze", "SYSTEM", "--format", "json"] + extra, "012", "-", 2)
        if d:
            mkhive(src(), os.path.join(d, "SYSTEM"))


def sparse(path, size, head=b""):
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)


def file_cases(c):
    """Sizes that lie, files that are not files."""
    # A 1.9 GB sparse hive: a few real bins, the rest zeros; dirty, with a
    # log that replays one page (the replay must not copy 1.9 GB).
    big = 1900 * MB

    def sparse_seed(d, with_log):
        h = seed_hive(os.path.join(d, "SYSTEM"))
        page = bytes(h.b[BASE:BASE + 4096])
        put32(h.b, 40, big - BASE)
        if with_log:
            dirty(h, 6, 5)
            with open(os.path.join(d, "SYSTEM.LOG1"), "wb") as f:
                f.write(log_base(h.fix(), 5) + hvle_entry(5, big - BASE, [(0, page)]))
        sparse(os.path.join(d, "SYSTEM"), big, bytes(h.fix().b))

    for name, args, with_log, flags in [
            ("sparse-hive-1.9G", ["analyze", "SYSTEM", "--format", "json"], False, "vmem=8388608"),
            ("sparse-hive-1.9G-libregf", ["analyze", "SYSTEM", "--reader", "libregf"], False, "vmem=8388608"),
            ("sparse-hive-1.9G-dirty", ["analyze", "SYSTEM"], True, "vmem=8388608"),
            ("sparse-hive-1.9G-recover", ["recover", "SYSTEM", "-o", "OUT"], True, "vmem=8388608,creates=OUT")]:
        d = c.case(name, args, "012", "-", 10, flags)
        if d:
            sparse_seed(d, with_log)
    d = c.case("sparse-hive-3G", ["analyze", "SYSTEM"], "2", "SYSTEM.*limit", 2, "vmem=8388608")
    if d:
        h = seed_hive(os.path.join(d, "SYSTEM"))
        sparse(os.path.join(d, "SYSTEM"), 3 * GB, bytes(h.fix().b))
    # Three 1000 MB logs beside a dirty hive: a valid log base block, then zeros.
    d = c.case("logs-3x1000M-sparse", ["analyze", "SYSTEM"], "012", "-", 10, "vmem=8388608")
    if d:
        h = dirty(seed_hive(os.path.join(d, "SYSTEM")), 6, 5)
        h.save(os.path.join(d, "SYSTEM"))
        for ext in ("LOG", "LOG1", "LOG2"):
            sparse(os.path.join(d, "SYSTEM." + ext), 1000 * MB, log_base(h, 5))
    # ... and three whose single entry is consistent but for its data hash,
    # over 500 MB of pages each: 1.5 GB hashed in slices and given back as
    # it goes (bounded memory, time linear in the bytes: ~1.3 ns each).
    d = c.case("logs-3x1000M-lying-entry", ["analyze", "SYSTEM"], "012", "-", 10, "vmem=8388608")
    if d:
        h = dirty(seed_hive(os.path.join(d, "SYSTEM")), 6, 5)
        h.save(os.path.join(d, "SYSTEM"))
        pages = 500 * MB
        refs = struct.pack("<II", 0, pages)
        size = (40 + 8 + pages + 4095) // 4096 * 4096  # consistent: only its data hash is wrong
        head = b"HvLE" + struct.pack("<IIIII", size, 0, 5, pages, 1) + struct.pack("<Q", 0)
        head += struct.pack("<Q", marvin32(head))
        for ext in ("LOG", "LOG1", "LOG2"):
            sparse(os.path.join(d, "SYSTEM." + ext), 1000 * MB, log_base(h, 5) + head + refs)
    d = c.case("log-over-limit", ["analyze", "SYSTEM", "--log", "BIG.LOG1"], "2", "BIG.LOG1.*limit", 2,
               "vmem=8388608")
    if d:
        h = dirty(seed_hive(os.path.join(d, "SYSTEM")), 6, 5)
        h.save(os.path.join(d, "SYSTEM"))
        sparse(os.path.join(d, "BIG.LOG1"), 3 * GB, log_base(h, 5))

    # FIFOs and devices where files are expected.
    def fifo_case(name, args, fifo, expect, extra=None, exits="2"):
        d = c.case(name, args, exits, expect)
        if d:
            seed_hive(os.path.join(d, "SYSTEM"))
            with open(SEED_INF, "rb") as f:
                open(os.path.join(d, "x.inf"), "wb").write(f.read())
            os.mkfifo(os.path.join(d, fifo))
            if extra:
                extra(d)

    fifo_case("fifo-hive", ["analyze", "F"], "F", "F.*FIFO")
    fifo_case("fifo-image", ["analyze", "F#SYSTEM"], "F", "F.*FIFO")
    fifo_case("fifo-log-beside", ["analyze", "SYSTEM"], "SYSTEM.LOG1", "-", exits="01")
    fifo_case("fifo-log-named", ["analyze", "SYSTEM", "--log", "F"], "F", "F.*FIFO")
    fifo_case("fifo-knowledge", ["analyze", "SYSTEM", "--knowledge", "F"], "F", "F.*FIFO")
    fifo_case("fifo-baseline", ["lint", "--baseline", "F", "x.inf"], "F", "F.*FIFO")
    fifo_case("fifo-inf", ["lint", "F"], "F", "F.*FIFO")
    fifo_case("fifo-output", ["analyze", "SYSTEM", "-o", "F", "--force"], "F", "F.*FIFO")
    d = c.case("devzero-hive", ["analyze", "Z"], "2", "Z.*character device")
    if d:
        os.symlink("/dev/zero", os.path.join(d, "Z"))
    d = c.case("devzero-log", ["analyze", "SYSTEM"], "01")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
        os.symlink("/dev/zero", os.path.join(d, "SYSTEM.LOG2"))
    d = c.case("log-is-directory", ["analyze", "SYSTEM"], "01")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
        os.mkdir(os.path.join(d, "SYSTEM.LOG1"))
    d = c.case("hive-is-directory", ["analyze", "D", "--format", "json", "-j", "1"], "2", "D: no registry hive")
    if d:
        os.mkdir(os.path.join(d, "D"))
    d = c.case("dangling-symlink", ["analyze", "L"], "2", "L.*No such file")
    if d:
        os.symlink("nowhere", os.path.join(d, "L"))
    d = c.case("symlink-loop", ["analyze", "L"], "2", "L.*(symbolic links|Too many)")
    if d:
        os.symlink("L", os.path.join(d, "L"))
    d = c.case("not-a-directory", ["analyze", "SYSTEM/x"], "2", "SYSTEM/x")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
    # Unreadable: chmod 000.  As root the harness runs it as nobody, so the
    # refusal is still tested; the file must never change either way.
    d = c.case("unreadable-hive", ["analyze", "SYSTEM"], "2", "SYSTEM.*(Permission denied)", 2, "nobody")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
        os.chmod(os.path.join(d, "SYSTEM"), 0)
    d = c.case("unreadable-log", ["analyze", "SYSTEM", "--log", "L"], "2", "L.*Permission denied", 2, "nobody")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
        open(os.path.join(d, "L"), "wb").write(b"regf")
        os.chmod(os.path.join(d, "L"), 0)

    # A fleet directory with everything a copy job leaves behind.
    d = c.case("fleet-strays", ["analyze", "fleet", "-r", "--format", "jsonl"], "012",
               "(skipped|not used)", 10, "multiline")
    if d:
        f = os.path.join(d, "fleet")
        os.makedirs(os.path.join(f, "sub", "deeper"))
        seed_hive(os.path.join(f, "SYSTEM"))
        seed_hive(os.path.join(f, "sub", "deeper", "SYSTEM"))
        open(os.path.join(f, "notes.txt"), "w").write("hives from the customer\n")
        open(os.path.join(f, "SYSTEM.sha256"), "w").write("0" * 64 + "\n")
        os.mkfifo(os.path.join(f, "pipe"))
        os.symlink("/dev/zero", os.path.join(f, "zero"))
        os.symlink("..", os.path.join(f, "sub", "loop"))
        mkhive("[Microsoft\\Windows\\CurrentVersion]\n\"ProgramFilesDir\"=\"C:\\\\Program Files\"\n[Classes]\n",
               os.path.join(f, "SOFTWARE"))
    # One slow hive (2,000 classes with 50 filters each: the rules take
    # seconds) and one large one in a fleet: each is stopped at its budget,
    # the others complete.
    d = c.case("fleet-time-budget", ["analyze", "fleet", "--format", "jsonl", "--hive-timeout", "1"], "012",
               "-", 10, "multiline")
    if d:
        f = os.path.join(d, "fleet")
        os.makedirs(f)
        seed_hive(os.path.join(f, "a-SYSTEM"))
        mkhive(many_classes(2000, 50), os.path.join(f, "b-SLOW"))
        seed_hive(os.path.join(f, "c-SYSTEM"))
    d = c.case("fleet-memory-budget", ["analyze", "fleet", "--format", "jsonl", "--hive-memory", "48"], "2",
               "1 of 3 hives could not be used.*budget", 10, "multiline",
               r'"path":"fleet/b-LARGE"\},"error":"analysis stopped.*"budget":\{"exceeded":"memory","limit":48')
    if d:
        f = os.path.join(d, "fleet")
        os.makedirs(f)
        seed_hive(os.path.join(f, "a-SYSTEM"))
        mkhive(many_services(150000), os.path.join(f, "b-LARGE"))
        seed_hive(os.path.join(f, "c-SYSTEM"))


def log_cases(c):
    """Transaction logs that lie."""

    def log_case(name, make_log, args=("analyze", "SYSTEM"), exits="012", expect="-", flags="-", seqs=(6, 5)):
        d = c.case(name, list(args), exits, expect, 2, flags)
        if d is None:
            return
        h = dirty(seed_hive(os.path.join(d, "SYSTEM")), *seqs)
        h.save(os.path.join(d, "SYSTEM"))
        make_log(d, h)

    page = lambda h: bytes(h.b[BASE:BASE + 4096])

    def write(d, name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    log_case("log-bad-checksum", lambda d, h: write(d, "SYSTEM.LOG1", bytearray(log_base(h, 5)[:508]) + b"BAD!"))
    log_case("log-symlink-to-hive", lambda d, h: os.symlink("SYSTEM", os.path.join(d, "SYSTEM.LOG1")),
             ("recover", "SYSTEM", "-o", "OUT"), "2", "SYSTEM.LOG1.*the hive SYSTEM itself")
    log_case("log-hardlink-to-hive", lambda d, h: os.link(os.path.join(d, "SYSTEM"), os.path.join(d, "SYSTEM.LOG2")),
             ("recover", "SYSTEM", "-o", "OUT"), "2", "SYSTEM.LOG2.*the hive SYSTEM itself")
    log_case("log-entry-size-huge", lambda d, h: write(d, "SYSTEM.LOG1", log_base(h, 5) + hvle_entry(
        5, h.bins_size(), [(0, page(h))], size=0xFFFFFE00)[:8192]))
    log_case("log-npages-huge", lambda d, h: write(d, "SYSTEM.LOG1", log_base(h, 5) + bytes(
        bytearray(hvle_entry(5, h.bins_size(), [(0, page(h))])[:20]) + struct.pack("<I", 0x10000000)) + b"\0" * 8192))
    log_case("log-page-offset-oob", lambda d, h: write(d, "SYSTEM.LOG1", log_base(h, 5) + hvle_entry(
        5, h.bins_size(), [(h.bins_size() + 0x100000, page(h))])))
    log_case("log-hbins-huge", lambda d, h: write(d, "SYSTEM.LOG1", log_base(h, 5) + hvle_entry(
        5, 0x7FFFF000, [(0, page(h))])))

    def chain(d, h):
        e = [hvle_entry(5 + i, h.bins_size(), [(0, page(h))]) for i in range(1)]
        body = e[0][40:]
        h1 = struct.unpack_from("<Q", e[0], 24)[0]
        out = [log_base(h, 5)]
        for i in range(10000):
            head = b"HvLE" + struct.pack("<IIIII", len(e[0]), 0, 5 + i, h.bins_size(), 1) + struct.pack("<Q", h1)
            out.append(head + struct.pack("<Q", marvin32(head)) + body)
        write(d, "SYSTEM.LOG1", b"".join(out))

    log_case("log-chain-10k", chain)
    log_case("log-garbage", lambda d, h: write(d, "SYSTEM.LOG1", os.urandom(MB)))
    log_case("log-truncated-entry", lambda d, h: write(d, "SYSTEM.LOG1", log_base(h, 5) + hvle_entry(
        5, h.bins_size(), [(0, page(h))])[:3000]))

    def old_log(d, h):
        b = bytearray(h.b[:512])
        put32(b, 28, 1)
        put32(b, 40, 0x7FFFF000)
        put32(b, 508, checksum(b))
        write(d, "SYSTEM.LOG", bytes(b) + b"DIRT" + b"\xff" * 4096)

    log_case("log-old-dirty-vector-huge", old_log)
    # The replay's caveat (entries 5..8 are not in any log) is part of the
    # text answer, not only of the JSON.
    d = c.case("log-missing-entries", ["analyze", "SYSTEM"], "01", "-", 2, "-",
               r"Note: log entries 5\.\.8 are missing")
    if d:
        h = dirty(seed_hive(os.path.join(d, "SYSTEM")), 6, 5)
        h.save(os.path.join(d, "SYSTEM"))
        write(d, "SYSTEM.LOG1", log_base(h, 5) + hvle_entry(9, h.bins_size(), [(0, page(h))]))


def inf_cases(c):
    def inf_case(name, text, exits="012", expect="-", args=None, binary=False, budget=2):
        d = c.case(name, args or ["lint", "x.inf"], exits, expect, budget)
        if d is None:
            return
        with open(os.path.join(d, "x.inf"), "wb") as f:
            f.write(text if binary else text.encode("utf-8"))

    head = '[Version]\nSignature="$WINDOWS NT$"\nClass=System\nClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\n'
    inst = ('[DefaultInstall.NTamd64]\nAddReg=r\n[DefaultInstall.NTamd64.Services]\nAddService=x,,svc\n'
            '[svc]\nServiceType=1\nStartType=0\nErrorControl=1\nServiceBinary=%12%\\x.sys\nDisplayName=%a%\n'
            '[r]\nHKLM,System\\CurrentControlSet\\Control\\Class\\{4d36e97d-e325-11ce-bfc1-08002be10318},'
            'UpperFilters,0x00010008,%a%\n')
    inf_case("inf-strings-recursion", head + inst + "[Strings]\na=%b%\nb=%a%\n")
    laughs = "".join('s%d="%s"\n' % (i, "".join("%%s%d%%" % (i - 1) for _ in range(10))) for i in range(1, 10))
    inf_case("inf-billion-laughs", head + inst + '[Strings]\ns0="lol"\n' + laughs + "a=%s9%\n")
    inf_case("inf-include-self", head + "Include=x.inf\nNeeds=DefaultInstall.NTamd64\n" + inst + "[Strings]\na=f\n")
    inf_case("inf-needs-loop", head + inst.replace("AddReg=r\n", "AddReg=r\nNeeds=A\n") +
             "[A]\nNeeds=B\n[B]\nNeeds=A\n[Strings]\na=f\n")
    inf_case("inf-1M-sections", head + "".join("[S%d]\n" % i for i in range(1000000)), budget=2)
    inf_case("inf-10MB-line", head + "[Strings]\na=" + "x" * (10 * MB) + "\n", "2", "x.inf")
    inf_case("inf-empty", "", "2", "x.inf")
    inf_case("inf-nul-bytes", b"\0" * 4096, "2", "x.inf", binary=True)
    inf_case("inf-bom-only", b"\xef\xbb\xbf", "2", "x.inf", binary=True)
    inf_case("inf-utf16-bom-only", b"\xff\xfe", "2", "x.inf", binary=True)
    inf_case("inf-comments-only", "; nothing but a comment\n\n", "2", "x.inf")
    # Scale: 50,000 AddService entries (each a new tag in a few groups),
    # 100,000 [Strings] keys, a regedit baseline of 100,000 services.
    many = 50000
    inf_case("inf-addservice-50k", head + "[DefaultInstall.NTamd64]\n[DefaultInstall.NTamd64.Services]\n" +
             "".join("AddService=s%d,,svc%d\n" % (i, i % 100) for i in range(many)) +
             "".join("[svc%d]\nServiceType=1\nStartType=0\nErrorControl=1\nServiceBinary=%%12%%\\s%d.sys\n"
                     "LoadOrderGroup=G%d\n" % (i, i, i % 5) for i in range(100)), args=["lint", "x.inf", "--no-fixes"])
    inf_case("inf-strings-100k", head + "[DefaultInstall.NTamd64]\nAddReg=r\n[r]\n" +
             "".join("HKLM,System\\CurrentControlSet\\Services\\x,V%d,,%%s%d%%\n" % (i, i) for i in range(100000)) +
             "[Strings]\n" + "".join('s%d="v%d"\n' % (i, i) for i in range(100000)))
    d = c.case("baseline-regtext-100k", ["lint", "--baseline", "b.reg", "x.inf"])
    if d:
        open(os.path.join(d, "b.reg"), "w").write(
            "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n\"Current\"=dword:1\n" +
            "".join("[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\r%d]\n\"Type\"=dword:1\n"
                    "\"Start\"=dword:3\n" % i for i in range(100000)))
        open(os.path.join(d, "x.inf"), "wb").write(open(SEED_INF, "rb").read())
    d = c.case("inf-huge-sparse", ["lint", "x.inf"], "2", "x.inf", 2)
    if d:
        sparse(os.path.join(d, "x.inf"), 200 * MB, head.encode())
    # Baselines and knowledge files that lie.
    d = c.case("baseline-10MB-line", ["lint", "--baseline", "b.reg", "x.inf"], "2", "b.reg")
    if d:
        open(os.path.join(d, "b.reg"), "w").write("Windows Registry Editor Version 5.00\n\n[ControlSet001]\n\"a\"=\"%s\"\n"
                                                  % ("y" * (10 * MB)))
        open(os.path.join(d, "x.inf"), "wb").write(open(SEED_INF, "rb").read())
    d = c.case("baseline-include-self", ["lint", "--baseline", "b.reg", "x.inf"], "2", "b.reg")
    if d:
        open(os.path.join(d, "b.reg"), "w").write("Windows Registry Editor Version 5.00\n!include b.reg\n")
        open(os.path.join(d, "x.inf"), "wb").write(open(SEED_INF, "rb").read())
    d = c.case("knowledge-10MB-line", ["analyze", "SYSTEM", "--knowledge", "k.txt"], "012", "-")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
        open(os.path.join(d, "k.txt"), "w").write("vsepflt calls " + "v" * (10 * MB) + "\n")
    d = c.case("knowledge-1M-facts", ["analyze", "SYSTEM", "--knowledge", "k.txt"], "012", "-")
    if d:
        seed_hive(os.path.join(d, "SYSTEM"))
        open(os.path.join(d, "k.txt"), "w").write("".join("d%d calls d%d\n" % (i, i + 1) for i in range(1000000)))


def output_cases(c):
    """-o aimed at every input: each must be refused, naming both files."""

    def setup(d):
        seed_hive(os.path.join(d, "SYSTEM"))
        log = log_base(Hive(open(os.path.join(d, "SYSTEM"), "rb").read()), 1)
        for ext in ("LOG1", "LOG2"):
            open(os.path.join(d, "SYSTEM." + ext), "wb").write(log)
        open(os.path.join(d, "x.inf"), "wb").write(open(SEED_INF, "rb").read())
        open(os.path.join(d, "k.txt"), "w").write("vsepflt calls vsock\n")
        open(os.path.join(d, "named.LOG"), "wb").write(log)
        open(os.path.join(d, "existing.txt"), "w").write("keep me\n")
        os.link(os.path.join(d, "SYSTEM"), os.path.join(d, "hardlink"))
        os.symlink("SYSTEM", os.path.join(d, "symlink"))
        os.mkdir(os.path.join(d, "dir"))
        os.mkfifo(os.path.join(d, "fifo"))

    refusals = [
        ("o-hive", ["analyze", "SYSTEM", "-o", "SYSTEM"], "SYSTEM.*hive SYSTEM"),
        ("o-hive-force", ["analyze", "SYSTEM", "-o", "SYSTEM", "--force"], "SYSTEM.*hive SYSTEM"),
        ("o-found-log1", ["analyze", "SYSTEM", "-o", "SYSTEM.LOG1", "--force"], "SYSTEM.LOG1.*transaction log"),
        ("o-found-log2", ["analyze", "SYSTEM", "-o", "SYSTEM.LOG2"], "SYSTEM.LOG2.*transaction log"),
        ("o-log-name-absent", ["analyze", "SYSTEM", "-o", "system.log"], "system.log.*transaction log name.*SYSTEM"),
        ("o-named-log", ["analyze", "SYSTEM", "--log", "named.LOG", "-o", "named.LOG", "--force"],
         "named.LOG.*transaction log named.LOG"),
        ("o-knowledge", ["analyze", "SYSTEM", "--knowledge", "k.txt", "-o", "k.txt", "--force"], "k.txt.*knowledge"),
        ("o-inf", ["lint", "x.inf", "-o", "x.inf", "--force"], "x.inf.*INF x.inf"),
        ("o-baseline", ["lint", "--baseline", "SYSTEM", "x.inf", "-o", "SYSTEM", "--force"], "SYSTEM.*baseline"),
        ("o-baseline-log", ["lint", "--baseline", "SYSTEM", "x.inf", "-o", "SYSTEM.LOG1", "--force"],
         "SYSTEM.LOG1.*transaction log"),
        ("o-recover-found-log", ["recover", "SYSTEM", "-o", "SYSTEM.LOG1", "--force"], "SYSTEM.LOG1.*transaction log"),
        ("o-recover-hive", ["recover", "SYSTEM", "-o", "SYSTEM", "--force"], "SYSTEM.*hive SYSTEM"),
        ("o-recover-dev-full", ["recover", "SYSTEM", "-o", "/dev/full", "--force"], "/dev/full.*character device"),
        ("o-dev-null", ["analyze", "SYSTEM", "-o", "/dev/null"], "/dev/null.*character device"),
        ("o-hardlink", ["analyze", "SYSTEM", "-o", "hardlink", "--force"], "hardlink.*hive SYSTEM"),
        ("o-symlink", ["recover", "SYSTEM", "-o", "symlink", "--force"], "symlink.*hive SYSTEM"),
        ("o-existing", ["analyze", "SYSTEM", "-o", "existing.txt"], "existing.txt.*already exists"),
        ("o-recover-existing", ["recover", "SYSTEM", "-o", "existing.txt"], "existing.txt.*already exists"),
        ("o-directory", ["analyze", "SYSTEM", "-o", "dir", "--force"], "dir.*directory"),
        ("o-fifo", ["recover", "SYSTEM", "-o", "fifo", "--force"], "fifo.*FIFO"),
        ("o-fleet-member", ["analyze", "SYSTEM", "hardlink", "-o", "SYSTEM", "--force"], "SYSTEM.*hive"),
    ]
    for name, args, expect in refusals:
        d = c.case(name, args, "2", expect)
        if d:
            setup(d)
    d = c.case("o-new-file", ["analyze", "SYSTEM", "-o", "report.txt"], "01", "-", 2, "creates=report.txt,fresh")
    if d:
        setup(d)
    d = c.case("o-force-existing", ["analyze", "SYSTEM", "-o", "existing.txt", "--force"], "01", "-", 2,
               "creates=existing.txt")
    if d:
        setup(d)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    out = args[0]
    only = None
    if "--only" in argv:
        only = argv[argv.index("--only") + 1:]
    os.makedirs(out, exist_ok=True)
    c = Corpus(out, only)
    if "--bench" in argv:
        big_cases(c)
        c.only = {"sparse-hive-1.9G", "sparse-hive-1.9G-dirty", "logs-3x1000M-lying-entry"}
        file_cases(c)
    else:
        structure_cases(c)
        value_cases(c)
        big_cases(c)
        file_cases(c)
        log_cases(c)
        inf_cases(c)
        output_cases(c)
    c.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
