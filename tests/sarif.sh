#!/bin/sh
# sarif.sh — every SARIF bootlens writes is valid SARIF 2.1.0, proven twice:
# against the OASIS JSON schema ($SHARED/schemas/sarif-schema-2.1.0.json,
# with Debian's python3-jsonschema) and by Microsoft's validator
# (`Sarif.Multitool validate`, SARIF and GitHub rule sets, installed into
# tools/node by scripts/install-deps.sh).  Checked: every SARIF golden of
# tests/e2e/expected, and logs made here — the seed case (analyze and lint,
# with fixes), unusable INFs and baselines (exit 2, the log still written,
# the error a notification at the INF line), suppressions, a fleet of
# baselines, the README's CI lint step run as written (tests/readme_ci.py),
# and analyze and lint of the real hives of $SHARED/hives/real.
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
PY=/usr/bin/python3
TOOL=tools/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
OUT=build/sarif
rm -rf "$OUT"
mkdir -p "$OUT"
pass=0
fail=0
note_fail() {
    echo "FAIL: $*" >&2
    fail=$((fail + 1))
}

# run NAME EXPECTED-EXIT ARGS...: bootlens writes $OUT/NAME.sarif with -o.
run() {
    name=$1 want=$2
    shift 2
    "$BOOTLENS" "$@" --format sarif -o "$OUT/$name.sarif" >"$OUT/$name.stdout" 2>"$OUT/$name.err"
    status=$?
    if [ "$status" != "$want" ]; then
        note_fail "$name: exit $status, expected $want"
        head -3 "$OUT/$name.err" >&2
    elif [ ! -s "$OUT/$name.sarif" ]; then
        note_fail "$name: no SARIF written to -o"
    else
        pass=$((pass + 1))
    fi
}

# expect NAME PYTHON-EXPRESSION: a fact about the log (j is the parsed log).
expect() {
    if "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$OUT/$1.sarif" 2>/dev/null; then
        pass=$((pass + 1))
    else
        note_fail "$1: expected $2"
    fi
}

H=build/test_hives
run seed-analyze 1 analyze $H/vmci-filter-delay.hiv
run seed-lint 1 lint --baseline $H/vmware-tools-baseline.hiv test_infs/dlpflt-late.inf
expect seed-lint "j['runs'][0]['results'][0]['locations'][0]['physicalLocation']['region']['startLine'] == 48"
run devfilter-lint 1 lint --baseline $H/vmware-tools-baseline.hiv test_infs/vmci-devfilter.inf
run minifilter-lint 0 lint test_infs/av-minifilter.inf
run two-infs 1 lint --baseline $H/vmware-tools-baseline.hiv test_infs/dlpflt-early.inf test_infs/vmci-devfilter.inf \
    --fail-on warning

# Unusable inputs: exit 2, and still a valid log whose invocation failed,
# the error located at the INF line.
for c in malformed-missing-section:8 malformed-binary:5 malformed-quote:10 malformed-number:14; do
    inf=${c%%:*} line=${c##*:}
    run "bad-$inf" 2 lint test_infs/$inf.inf
    expect "bad-$inf" "j['runs'][0]['invocations'][0]['executionSuccessful'] is False and j['runs'][0]['invocations'][0]['exitCode'] == 2"
    expect "bad-$inf" "[n['locations'][0]['physicalLocation']['region']['startLine'] for n in j['runs'][0]['invocations'][0]['toolExecutionNotifications']] == [$line]"
    expect "bad-$inf" "j['runs'][0]['invocations'][0]['toolExecutionNotifications'][0]['locations'][0]['physicalLocation']['artifactLocation']['uri'] == 'test_infs/$inf.inf'"
done
run bad-baseline 2 lint --baseline $H/does-not-exist.hiv test_infs/dlpflt-late.inf
expect bad-baseline "j['runs'][0]['invocations'][0]['toolExecutionNotifications'][0]['locations'][0]['physicalLocation']['artifactLocation']['uri'] == 'build/test_hives/does-not-exist.hiv'"

# Suppressions: inline and from a file, recorded as SARIF suppressions.
run suppressed-inline 0 lint --baseline $H/vmware-tools-baseline.hiv test_infs/dlpflt-late-suppressed.inf
expect suppressed-inline "j['runs'][0]['results'][0]['suppressions'][0]['kind'] == 'inSource'"
run suppressed-file 0 lint --baseline $H/vmware-tools-baseline.hiv test_infs/dlpflt-late.inf \
    --suppressions test_infs/dlpflt-late.suppressions
expect suppressed-file "j['runs'][0]['results'][0]['suppressions'][0]['kind'] == 'external'"

# A fleet: the seed chain's baseline and one without it.
run fleet 1 lint --baseline $H/vmware-tools-baseline.hiv --baseline $H/win7-base.hiv test_infs/dlpflt-late.inf -j 2
expect fleet "j['runs'][0]['results'][0]['properties']['baselineCount'] >= 1"
run fleet-unusable 2 lint --baseline $H/vmware-tools-baseline.hiv --baseline $H/software-hive.hiv test_infs/dlpflt-late.inf

# The README's GitHub Actions example: its lint step, run as written.
if "$PY" -c 'import yaml' 2>/dev/null; then
    if "$PY" tests/readme_ci.py "$BOOTLENS" "$OUT" >"$OUT/readme.log" 2>&1; then pass=$((pass + 1)); else note_fail "$(cat "$OUT/readme.log")"; fi
else
    note_fail "$PY has no yaml module: run scripts/install-deps.sh (Debian package python3-yaml)"
fi

# The real hives: analyze each, and lint a driver sample against it.
if [ -d "$SHARED/hives/real" ]; then
    mkdir -p build/shared/hives/real
    for f in "$SHARED"/hives/real/*.xz; do
        name=$(basename "$f" .xz)
        h=build/shared/hives/real/$name
        [ -f "$h" ] || { xz -dc "$f" >"$h.tmp" && mv "$h.tmp" "$h"; } || { note_fail "cannot unpack $f"; continue; }
        "$BOOTLENS" analyze "$h" --format sarif -o "$OUT/real-$name.sarif" 2>"$OUT/real-$name.err"
        status=$?
        if [ "$status" -gt 1 ] || [ ! -s "$OUT/real-$name.sarif" ]; then note_fail "analyze $name: exit $status"; else pass=$((pass + 1)); fi
        "$BOOTLENS" lint --baseline "$h" test_infs/dlpflt-late.inf --no-fixes --format sarif -o "$OUT/real-lint-$name.sarif" \
            2>"$OUT/real-lint-$name.err"
        status=$?
        if [ "$status" -gt 1 ] || [ ! -s "$OUT/real-lint-$name.sarif" ]; then note_fail "lint on $name: exit $status"; else pass=$((pass + 1)); fi
    done
else
    echo "sarif: SKIP the real hives: $SHARED/hives/real is absent (set SHARED=DIR to run them)"
fi

# Every SARIF golden of the e2e tests, as they are committed.
for g in tests/e2e/expected/*.out; do
    if head -c 200 "$g" | grep -q '"\$schema":[[:space:]]*"https://json.schemastore.org/sarif-2.1.0.json"'; then
        cp "$g" "$OUT/golden-$(basename "$g" .out).sarif"
    fi
done
ls "$OUT"/golden-*.sarif >/dev/null 2>&1 || note_fail "no SARIF golden found in tests/e2e/expected"

logs=$(ls "$OUT"/*.sarif)
nlogs=$(echo "$logs" | wc -l)

# A control the validators must reject: the seed log with a logical
# location repeated (the bug of issue 13).  It proves both checks run.
NEG=build/sarif-negative
rm -rf "$NEG"
mkdir -p "$NEG"
"$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
l = j["runs"][0]["results"][0]["locations"][0]["logicalLocations"]
l.append(dict(l[0]))
json.dump(j, open(sys.argv[2], "w"), indent=1)
' "$OUT/seed-lint.sarif" "$NEG/duplicate-logical-location.sarif" || note_fail "cannot make the negative control"

# 1. The OASIS schema, with Debian's python3-jsonschema.
schema=$SHARED/schemas/sarif-schema-2.1.0.json
if [ ! -f "$schema" ]; then
    echo "sarif: SKIP the OASIS schema check: $schema is absent (set SHARED=DIR)"
elif ! "$PY" -c 'import jsonschema' 2>/dev/null; then
    note_fail "$PY has no jsonschema module: run scripts/install-deps.sh (Debian package python3-jsonschema)"
else
    # shellcheck disable=SC2086  # one argument per log
    if "$PY" tests/sarif/schema_check.py "$schema" $logs >"$OUT/schema.log" 2>&1; then
        pass=$((pass + 1))
    else
        note_fail "OASIS schema (see $OUT/schema.log)"
        head -20 "$OUT/schema.log" >&2
    fi
    tail -1 "$OUT/schema.log"
    if "$PY" tests/sarif/schema_check.py "$schema" "$NEG/duplicate-logical-location.sarif" >"$NEG/schema.log" 2>&1; then
        note_fail "the OASIS schema check accepts a log with duplicate logical locations"
    else
        pass=$((pass + 1))
    fi
fi

# 2. Microsoft's validator: SARIF rules and GitHub's ingestion rules.  It is
# a self-contained .NET program; culture data is not needed, so it runs in
# invariant mode (no libicu).
if [ ! -x "$TOOL" ]; then
    note_fail "Microsoft's SARIF validator is not installed ($TOOL): run scripts/install-deps.sh"
elif ! version=$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$TOOL" --version 2>&1); then
    note_fail "Sarif.Multitool does not run here: $(echo "$version" | head -3)"
else
    # shellcheck disable=SC2086
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$TOOL" validate $logs -o "$OUT/multitool.sarif" --log ForceOverwrite \
        --level "Error;Warning;Note" --rule-kind "Sarif;Gh" -c tests/sarif/multitool.xml >"$OUT/multitool.log" 2>&1
    if [ ! -s "$OUT/multitool.sarif" ]; then
        note_fail "Sarif.Multitool wrote no result (see $OUT/multitool.log)"
        tail -5 "$OUT/multitool.log" >&2
    elif "$PY" tests/sarif/multitool_check.py "$OUT/multitool.sarif" >"$OUT/multitool-check.log" 2>&1; then
        pass=$((pass + 1))
    else
        note_fail "Sarif.Multitool (see $OUT/multitool-check.log)"
        head -20 "$OUT/multitool-check.log" >&2
    fi
    tail -1 "$OUT/multitool-check.log" 2>/dev/null
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$TOOL" validate "$NEG/duplicate-logical-location.sarif" -o "$NEG/multitool.sarif" \
        --log ForceOverwrite --level "Error;Warning;Note" --rule-kind "Sarif;Gh" -c tests/sarif/multitool.xml >"$NEG/multitool.log" 2>&1
    if "$PY" tests/sarif/multitool_check.py "$NEG/multitool.sarif" 2>&1 | grep -q JSON1020; then
        pass=$((pass + 1))
    else
        note_fail "Sarif.Multitool does not reject a log with duplicate logical locations"
    fi
fi

echo "sarif: $nlogs logs; $pass passed, $fail failed"
[ "$fail" -eq 0 ]
