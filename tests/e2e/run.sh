#!/bin/sh
# run.sh — end-to-end tests: runs the bootlens binary ($BOOTLENS) on the
# generated test hives (cases.txt, golden outputs in expected/), on damaged
# inputs (truncated, garbage, empty: exit 2 with one line, never a crash), on
# outputs aimed at inputs and fleets of directories (outputs.sh), on
# the writer's round trip, and — when $SHARED is there — on the real and
# malformed hives of ../shared (shared.sh).  UPDATE=1 rewrites the goldens.
set -u
cd "$(dirname "$0")/../.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
EXP=tests/e2e/expected
WORK=build/e2e
mkdir -p "$WORK" "$EXP"
# Text wraps to COLUMNS when it is set: the goldens are at the default 100.
unset COLUMNS
pass=0
fail=0

note_fail() {
    echo "FAIL: $*" >&2
    fail=$((fail + 1))
}

# A crash (signal) or sanitizer report is always a failure.
check_sane() {
    name=$1 status=$2 err=$3
    if [ "$status" -ge 128 ] || grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$err"; then
        note_fail "$name: crashed or sanitizer report (exit $status)"
        sed 's/^/    /' "$err" | head -20 >&2
        return 1
    fi
    return 0
}

while IFS='|' read -r name code args; do
    name=$(printf '%s' "$name" | tr -d ' ')
    case "$name" in '' | \#*) continue ;; esac
    code=$(printf '%s' "$code" | tr -d ' ')
    # HIVE:x -> build/test_hives/x.hiv
    args=$(printf '%s' "$args" | sed -e 's/^ *//' -e 's|HIVE:\([A-Za-z0-9_-]*\)|build/test_hives/\1.hiv|g')
    out="$WORK/$name.out"
    err="$WORK/$name.err"
    # shellcheck disable=SC2086  # args are split on purpose
    eval "set -- $(printf '%s' "$args" | sed 's/\\/\\\\/g')"
    "$BOOTLENS" "$@" >"$out" 2>"$err"
    status=$?
    check_sane "$name" "$status" "$err" || continue
    if [ "$status" != "$code" ]; then
        note_fail "$name: exit $status, expected $code"
        sed 's/^/    /' "$err" | head -5 >&2
        continue
    fi
    if [ "$code" = 2 ]; then
        if [ "$(wc -l <"$err")" != 1 ]; then
            note_fail "$name: exit 2 must come with exactly one line on stderr"
            continue
        fi
        if [ -n "${UPDATE:-}" ]; then cp "$err" "$EXP/$name.err"; fi
        if ! cmp -s "$err" "$EXP/$name.err"; then
            note_fail "$name: stderr differs from $EXP/$name.err"
            diff "$EXP/$name.err" "$err" | head -10 >&2
            continue
        fi
    else
        if [ -n "${UPDATE:-}" ]; then cp "$out" "$EXP/$name.out"; fi
        if ! cmp -s "$out" "$EXP/$name.out"; then
            note_fail "$name: output differs from $EXP/$name.out"
            diff "$EXP/$name.out" "$out" | head -20 >&2
            continue
        fi
    fi
    pass=$((pass + 1))
done <tests/e2e/cases.txt

# Damaged copies of a good hive, made here so every byte is reviewable.
good=build/test_hives/vmci-filter-delay.hiv
: >"$WORK/empty.hiv"
head -c 2048 "$good" >"$WORK/short.hiv"
head -c 6000 "$good" >"$WORK/truncated-bins.hiv"
head -c 65536 /dev/urandom >"$WORK/garbage.hiv" 2>/dev/null || dd if=/dev/zero of="$WORK/garbage.hiv" bs=1024 count=64 2>/dev/null
# A flipped byte in the base block: checksum mismatch.
cp "$good" "$WORK/badsum.hiv" && printf 'X' | dd of="$WORK/badsum.hiv" bs=1 seek=100 conv=notrunc 2>/dev/null
for f in empty short truncated-bins garbage badsum; do
    for cmd in analyze order stack; do
        "$BOOTLENS" $cmd "$WORK/$f.hiv" >"$WORK/$f.$cmd.out" 2>"$WORK/$f.$cmd.err"
        status=$?
        check_sane "$f/$cmd" "$status" "$WORK/$f.$cmd.err" || continue
        if [ "$status" != 2 ] || [ "$(wc -l <"$WORK/$f.$cmd.err")" != 1 ] || ! grep -q "$f.hiv" "$WORK/$f.$cmd.err"; then
            note_fail "$f/$cmd: expected exit 2 with one line naming the file (got $status)"
            head -3 "$WORK/$f.$cmd.err" >&2
            continue
        fi
        pass=$((pass + 1))
    done
done

# The direct cell reader and libregf must build the same analysis.
for hv in build/test_hives/*.hiv; do
    case $(basename "$hv") in software-hive.hiv | ntuser-hive.hiv | writer-coverage.hiv) continue ;; esac
    "$BOOTLENS" analyze "$hv" --format json --no-fixes >"$WORK/fast.json" 2>/dev/null
    "$BOOTLENS" analyze "$hv" --format json --no-fixes --reader libregf >"$WORK/regf.json" 2>/dev/null
    if cmp -s "$WORK/fast.json" "$WORK/regf.json"; then pass=$((pass + 1)); else note_fail "$hv: the two readers disagree"; fi
done

# The input is never written.
sum_before=$(cksum <"$good")
"$BOOTLENS" analyze "$good" >/dev/null 2>&1
"$BOOTLENS" recover "$good" -o "$WORK/copy.hiv" --force >/dev/null 2>&1
if [ "$(cksum <"$good")" != "$sum_before" ]; then note_fail "the input hive was modified"; else pass=$((pass + 1)); fi
if "$BOOTLENS" recover "$good" -o "$good" 2>/dev/null; then note_fail "recover overwrote its input"; else pass=$((pass + 1)); fi

# Outputs never replace inputs; fleets are directories (outputs.sh).
if BOOTLENS=$BOOTLENS sh tests/e2e/outputs.sh; then pass=$((pass + 1)); else note_fail "outputs (tests/e2e/outputs.sh)"; fi

# The test-hive writer reads back in libregf and hivex.
if sh tests/writer-roundtrip.sh >"$WORK/writer.log" 2>&1; then
    pass=$((pass + 1))
else
    note_fail "writer round trip (see $WORK/writer.log)"
    tail -5 "$WORK/writer.log" >&2
fi

# One INF change against a directory of baselines, in parallel.
if BOOTLENS=$BOOTLENS sh tests/lint-fleet.sh >"$WORK/lint-fleet.log" 2>&1; then
    pass=$((pass + 1))
else
    note_fail "lint against a directory of baselines (see $WORK/lint-fleet.log)"
    tail -5 "$WORK/lint-fleet.log" >&2
fi

if [ -d "$SHARED/hives" ]; then
    if BOOTLENS=$BOOTLENS SHARED=$SHARED sh tests/e2e/shared.sh; then
        pass=$((pass + 1))
    else
        note_fail "shared hives (tests/e2e/shared.sh)"
    fi
else
    echo "e2e: SKIP shared-hive tests: $SHARED/hives is absent (set SHARED=DIR to run them)"
fi

# Hives inside disk images (tests/images/run.sh builds the images).
if BOOTLENS=$BOOTLENS SHARED=$SHARED sh tests/images/run.sh; then
    pass=$((pass + 1))
else
    note_fail "disk images (tests/images/run.sh)"
fi

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
