#!/bin/sh
# batch.sh — the batch runner (`analyze -j N DIR`) on a fleet of copies and
# variants of the test hives: one JSON line per hive, a bad hive does not
# stop the batch, and the --summary counts match the fleet's make-up.  Run
# under ThreadSanitizer by `make tsan`; any race report fails it.
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
FLEET=build/fleet
rm -rf "$FLEET"
mkdir -p "$FLEET"
n=0
for i in 1 2 3 4 5 6 7 8 9 10; do
    for v in vmci-filter-delay vmci-filter-fixed missing-filter-service win7-base; do
        cp build/test_hives/$v.hiv "$FLEET/$v-$i.hiv"
        n=$((n + 1))
    done
done
head -c 3000 build/test_hives/win7-base.hiv >"$FLEET/truncated.hiv"
n=$((n + 1))
fail=0
"$BOOTLENS" analyze -j 4 "$FLEET" --format jsonl >"$FLEET.jsonl" 2>"$FLEET.err"
status=$?
grep -q 'ThreadSanitizer' "$FLEET.err" && { echo "batch: FAIL: data race" >&2; head -30 "$FLEET.err" >&2; fail=1; }
[ "$status" = 2 ] || { echo "batch: FAIL: exit $status, expected 2 (one unusable hive)" >&2; fail=1; }
[ "$(wc -l <"$FLEET.jsonl")" = "$n" ] || { echo "batch: FAIL: $(wc -l <"$FLEET.jsonl") lines for $n hives" >&2; fail=1; }
grep -q '"error":' "$FLEET.jsonl" || { echo "batch: FAIL: the truncated hive has no error line" >&2; fail=1; }
"$BOOTLENS" analyze -j 4 "$FLEET" --summary >"$FLEET.summary" 2>"$FLEET.err2"
grep -q 'ThreadSanitizer' "$FLEET.err2" && { echo "batch: FAIL: data race in --summary" >&2; fail=1; }
grep -q 'Fleet summary: 41 hives (40 usable, 1 unusable); 20 with warnings or errors, 20 clean' "$FLEET.summary" ||
    { echo "batch: FAIL: wrong fleet summary:" >&2; head -3 "$FLEET.summary" >&2; fail=1; }
grep -q -E '^  10 +dlpflt +System' "$FLEET.summary" || { echo "batch: FAIL: dlpflt/System on 10 hives not in the summary" >&2; fail=1; }
grep -q -E '^  10 +error +missing-filter-service' "$FLEET.summary" || { echo "batch: FAIL: missing-filter-service count" >&2; fail=1; }
[ $fail = 0 ] && echo "batch: $n hives, 4 workers: one line each, summary right, no race"
exit $fail
