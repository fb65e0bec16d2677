#!/bin/sh
# schemas.sh — every command that writes JSON, run on the test hives (and a
# damaged, a dirty and a recovered one made here), on the disk images of
# tests/images when they are built, on the real hives of $SHARED when it is
# there, and the e2e goldens: each output validated against schemas/ by
# tests/schemas/validate.py (python3-jsonschema, Debian's), published and
# strict, with the envelope, the schema_version of include/bootlens/report.h
# and the inputs' digests checked; then validate.py's self-test proves the
# checks can fail.  Called by `make schemas` (part of `make check`).
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
MKDIRTY=${MKDIRTY:-build/tests/mkdirty}
OUT=build/schemas
H=build/test_hives
rm -rf "$OUT"
mkdir -p "$OUT/fleet"

# Debian's interpreter, where python3-jsonschema is installed (a python3
# earlier on PATH may be another one).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
    echo "schemas: FAIL: $PY cannot import jsonschema (install python3-jsonschema: make deps)" >&2
    exit 1
fi

fail=0
docs=""
n=0
# run COMMAND ARGS...: bootlens COMMAND ARGS, its output validated as
# COMMAND's; exit 0 or 1 expected (findings), never 2 unless max_status says
# so (a batch with an unusable hive).
max_status=1
run() {
    cmd=$1
    n=$((n + 1))
    out="$OUT/$n-$cmd.json"
    case " $* " in *" jsonl "*) out="$OUT/$n-$cmd.jsonl" ;; esac
    "$BOOTLENS" "$@" >"$out" 2>"$OUT/$n.err"
    status=$?
    if [ "$status" -gt "$max_status" ]; then
        echo "schemas: FAIL: bootlens $* exited $status: $(head -c 300 "$OUT/$n.err")" >&2
        fail=1
        return 1
    fi
    docs="$docs $cmd:$out"
}
# The first load-order service and the first device of an analysis.
first() { jq -r "$1 // empty" "$2"; }

# Every SYSTEM test hive (exit 2 marks the SOFTWARE and NTUSER ones).
cover_hive() {
    h=$1
    "$BOOTLENS" analyze "$h" --format json >"$OUT/probe.json" 2>/dev/null
    [ $? -gt 1 ] && return 0
    run analyze "$h" --format json
    run order "$h" --format json
    run order "$h" --format json --phase boot
    run stack "$h" --format json --all
    run filters "$h" --format json
    svc=$(first '.load_order[0].service' "$OUT/probe.json")
    dev=$(first '.devices[0].instance' "$OUT/probe.json")
    [ -n "$svc" ] && run explain "$h" "$svc" --format json
    [ -n "$dev" ] && run explain "$h" "$dev" --format json
    return 0
}
for h in "$H"/*.hiv; do
    cover_hive "$h"
done
run stack "$H/vmci-filter-delay.hiv" --format json
run stack "$H/vmci-filter-delay.hiv" --format json --class System
run analyze "$H/vmci-filter-delay.hiv" --format json --no-fixes --knowledge data/knowledge.txt
run diff "$H/win7-base.hiv" "$H/missing-filter-service.hiv" --format json
run diff "$H/vmci-filter-delay.hiv" "$H/vmci-filter-fixed.hiv" --format json
run diff "$H/two-control-sets.hiv" --format json
run lint test_infs/av-minifilter.inf --format json
run lint --baseline "$H/vmware-tools-baseline.hiv" test_infs/dlpflt-late.inf test_infs/vmci-devfilter.inf --format json
run lint --baseline "$H/vmware-tools-baseline.hiv" test_infs/dlpflt-late-utf16.inf test_infs/dlpflt-early.inf --format json --no-fixes
run lint --baseline test_hives/vmware-tools-baseline.reg test_infs/dlpflt-late.inf --format json --knowledge data/knowledge.txt
run lint --baseline "$H/vmware-tools-baseline.hiv" test_infs/dlpflt-late.inf --suppressions test_infs/dlpflt-late.suppressions --format json
run lint --baseline "$H/vmware-tools-baseline.hiv" --baseline "$H/win7-base.hiv" --baseline test_hives/vmware-tools-baseline.reg \
    test_infs/dlpflt-late.inf test_infs/vmci-devfilter.inf --format json -j 2

# A damaged hive: RpcSs's key node broken, as tests/unit/test_damage.c does.
"$PY" - "$H/damage-base.hiv" "$OUT/damaged.hiv" <<'PY'
import sys
img = bytearray(open(sys.argv[1], "rb").read())
name = b"RpcSs"
for off in range(4096 + 4, len(img) - 0x4C - len(name), 8):
    p = img[off:off + 0x4C + len(name)]
    if p[:2] == b"nk" and p[2] & 0x20 and int.from_bytes(p[0x48:0x4A], "little") == len(name) and p[0x4C:] == name:
        img[off:off + 2] = b"XX"
        break
else:
    sys.exit("no RpcSs key node in " + sys.argv[1])
open(sys.argv[2], "wb").write(img)
PY
cover_hive "$OUT/damaged.hiv"
jq -e '.hive.damage.damaged and (.hive.unreadable | length) > 0' "$OUT/probe.json" >/dev/null ||
    { echo "schemas: FAIL: the damaged hive is not reported damaged" >&2; fail=1; }

# A dirty hive with its logs (tests/images/mkdirty): recovered, and as found.
if "$MKDIRTY" "$H/vmci-filter-delay.hiv" "$OUT/dirty.hiv" 'ControlSet001\Services\vmci' Start 3 >"$OUT/mkdirty.log" 2>&1; then
    run analyze "$OUT/dirty.hiv" --format json
    jq -e '.hive.recovered and (.inputs[0].logs | map(select(.applied)) | length) > 0' "$OUT/$n-analyze.json" >/dev/null ||
        { echo "schemas: FAIL: the dirty hive's logs are not reported applied" >&2; fail=1; }
    run analyze "$OUT/dirty.hiv" --format json --no-recovery
    run order "$OUT/dirty.hiv" --format json --log "$OUT/dirty.hiv.LOG1"
else
    echo "schemas: FAIL: mkdirty: $(cat "$OUT/mkdirty.log")" >&2
    fail=1
fi

# A batch: good hives, one that is no SYSTEM hive, one that is no hive.
cp "$H/vmci-filter-delay.hiv" "$H/win7-base.hiv" "$H/software-hive.hiv" "$OUT/fleet/"
head -c 5000 /dev/zero >"$OUT/fleet/zeros.hiv"
max_status=2
run lint --baseline "$OUT/fleet" test_infs/dlpflt-late.inf --format json --no-fixes
# (the SOFTWARE hive is an unusable baseline; zeros.hiv, no hive at all, is
# skipped with a note, as analyze DIR skips it)
jq -e '[.baselines[] | select(.status == "unusable")] | length == 1' "$OUT/$n-lint.json" >/dev/null ||
    { echo "schemas: FAIL: the fleet lint does not report its unusable baseline" >&2; fail=1; }
jq -e '[.baselines[] | select(.path | endswith("zeros.hiv"))] | length == 0' "$OUT/$n-lint.json" >/dev/null ||
    { echo "schemas: FAIL: the fleet lint took a file of zeros for a baseline" >&2; fail=1; }
run analyze "$OUT/fleet" --format jsonl --summary -j 2
# Found in a directory, what is no SYSTEM hive is skipped (counted), not unusable.
jq -e -s '(map(select(.error)) | length == 0) and (last.summary.skipped == 2)' "$OUT/$n-analyze.jsonl" >/dev/null ||
    { echo "schemas: FAIL: the directory batch does not skip its two non-SYSTEM files" >&2; fail=1; }
run analyze "$OUT/fleet/vmci-filter-delay.hiv" "$OUT/fleet/zeros.hiv" --format json --summary
max_status=1
# Named on the command line, a file that is no hive is an error line.
jq -e -s '(map(select(.error)) | length == 1) and (last.summary.unusable == 1)' "$OUT/$n-analyze.json" >/dev/null ||
    { echo "schemas: FAIL: the batch has no error line for its unusable hive" >&2; fail=1; }

# Hives inside disk images, when tests/images/run.sh has built them.
I=build/images
if [ -f "$I/case.E01" ] && [ -f "$I/segs.E01" ]; then
    run ls "$I/case.E01" --format json
    run ls "$I/segs.E01" --format json --hash-image
    for img in "$I/case.E01" "$I/gpt.raw" "$I/vol.ntfs"; do
        [ -f "$img" ] && run analyze "$img" --format json --no-fixes
    done
    run analyze "$I/segs.E01" --format json --hash-image --no-fixes
    run order "$I/case.E01#RegBack" --format json
    run diff "$I/case.E01#SYSTEM" "$I/case.E01#RegBack" --format json
else
    echo "schemas: SKIP disk images: $I is not built (tests/images/run.sh, run by make e2e, builds it)"
fi

# The real hives of $SHARED, decompressed into build/shared as shared.sh does.
if [ -d "$SHARED/hives/real" ]; then
    prev=""
    mkdir -p build/shared/hives/real "$OUT/real"
    for f in "$SHARED"/hives/real/*.xz; do
        [ -f "$f" ] || continue
        h=build/shared/hives/real/$(basename "$f" .xz)
        [ -f "$h" ] || { xz -dc "$f" >"$h.tmp" && mv "$h.tmp" "$h"; } || { fail=1; continue; }
        cover_hive "$h"
        run lint --baseline "$h" test_infs/dlpflt-late.inf --format json --no-fixes
        [ -n "$prev" ] && run diff "$prev" "$h" --format json
        prev=$h
        ln -sf "$(pwd)/$h" "$OUT/real/"
    done
    run analyze "$OUT/real" --format jsonl --summary -j 2 --no-fixes
    run lint --baseline "$OUT/real" test_infs/dlpflt-late.inf --format json --no-fixes -j 2
else
    echo "schemas: SKIP shared hives: $SHARED/hives/real is absent (set SHARED=DIR to run them)"
fi

# The e2e goldens that are bootlens JSON (SARIF has its own schema).
for f in tests/e2e/expected/*.out; do
    cmd=$(jq -r 'select(type == "object") | .command // empty' "$f" 2>/dev/null | head -1)
    [ -n "$cmd" ] && docs="$docs $cmd:$f"
done

# The commands that write JSON: those whose help offers --format json.
json_cmds=""
for cmd in $("$BOOTLENS" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
    "$BOOTLENS" help "$cmd" 2>/dev/null | grep -q -E 'format [a-z|]*json' && json_cmds="$json_cmds,$cmd"
done
version=$(sed -n 's/^#define BL_JSON_SCHEMA_VERSION "\(.*\)"$/\1/p' include/bootlens/report.h)
tool=$("$BOOTLENS" --version | sed -n '1s/^bootlens //p')
# shellcheck disable=SC2086  # one argument per document
"$PY" tests/schemas/validate.py --schemas schemas --schema-version "$version" --tool-version "$tool" \
    --commands "${json_cmds#,}" --self-test $docs || fail=1
[ "$fail" -eq 0 ] && echo "schemas: passed"
exit "$fail"
