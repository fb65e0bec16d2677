#!/bin/sh
# lint-fleet.sh — one INF change judged against a directory of baselines
# (`lint --baseline DIR -j N`): the directory stands for its files (logs and
# hidden files skipped, hives and regedit text both read), the verdict is per
# baseline and the same whatever the number of workers, a bad baseline is
# reported and does not stop the others, and the run ends with exit 1 when
# one baseline breaks.  Called by tests/e2e/run.sh; `make tsan` runs it under
# ThreadSanitizer too, where any race report fails it.
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
DIR=build/lint-fleet
rm -rf "$DIR"
mkdir -p "$DIR/customers" "$DIR/empty"
H=build/test_hives
fail=0
bad() {
    echo "lint-fleet: FAIL: $*" >&2
    fail=1
}
race() {
    if grep -q 'ThreadSanitizer' "$1"; then
        bad "data race ($1)"
        head -30 "$1" >&2
    fi
}

# Six customers with VMware Tools (the seed chain), six without, one as
# regedit text; a log file and a hidden file that are not baselines.
for i in 1 2 3 4 5 6; do
    cp $H/vmware-tools-baseline.hiv "$DIR/customers/vmware-$i.hiv"
    cp $H/win7-base.hiv "$DIR/customers/plain-$i.hiv"
done
cp test_hives/vmware-tools-baseline.reg "$DIR/customers/vmware-text.reg"
cp -r test_hives/include "$DIR/customers/include" # its !include files; a directory is not a baseline
: >"$DIR/customers/vmware-1.hiv.LOG1"
: >"$DIR/customers/.hidden"

"$BOOTLENS" lint --baseline "$DIR/customers" test_infs/dlpflt-late.inf --no-fixes -j 1 >"$DIR/j1.txt" 2>"$DIR/j1.err"
s1=$?
"$BOOTLENS" lint --baseline "$DIR/customers" test_infs/dlpflt-late.inf --no-fixes -j 3 >"$DIR/j3.txt" 2>"$DIR/j3.err"
s3=$?
race "$DIR/j3.err"
[ "$s1" = 1 ] && [ "$s3" = 1 ] || bad "exit $s1 / $s3, expected 1 (the VMware baselines break)"
cmp -s "$DIR/j1.txt" "$DIR/j3.txt" || bad "-j 1 and -j 3 report differently"
grep -q '^Breaks boot on 7 of 13 configurations' "$DIR/j3.txt" || bad "verdict: $(sed -n 3p "$DIR/j3.txt")"
[ "$(grep -c '^  .*: 1 new error' "$DIR/j3.txt")" = 7 ] || bad "not one error line per VMware baseline"
grep -q 'LOG1\|\.hidden' "$DIR/j3.txt" && bad "a log or hidden file was taken for a baseline"

"$BOOTLENS" lint --baseline "$DIR/customers" test_infs/dlpflt-late.inf --no-fixes --format json -j 2 >"$DIR/fleet.json" 2>"$DIR/json.err"
race "$DIR/json.err"
/usr/bin/python3 - "$DIR/fleet.json" <<'EOF' || bad "JSON summary (see $DIR/fleet.json)"
import json, sys
j = json.load(open(sys.argv[1]))
s = j["summary"]
assert s["baselines"] == 13 and s["breaks_boot"] == 7 and s["unusable"] == 0, s
f = j["findings"][0]
assert f["rule"] == "filter-delays-device" and f["severity"] == "error", f
err = [b for b in f["baselines"] if b["severity"] == "error"]
assert len(err) == 7 and all("vmware" in b["path"] for b in err), err
EOF

# A bad file among them: reported, the others still judged, exit 2.
head -c 3000 $H/win7-base.hiv >"$DIR/customers/truncated.hiv"
"$BOOTLENS" lint --baseline "$DIR/customers" test_infs/dlpflt-late.inf --no-fixes -j 2 >"$DIR/bad.txt" 2>"$DIR/bad.err"
s=$?
race "$DIR/bad.err"
[ "$s" = 2 ] || bad "with a truncated baseline: exit $s, expected 2"
[ "$(grep -c . "$DIR/bad.err")" = 1 ] && grep -q 'truncated.hiv' "$DIR/bad.err" || bad "stderr: $(cat "$DIR/bad.err")"
grep -q 'truncated.hiv: unusable' "$DIR/bad.txt" || bad "the truncated baseline is not reported as unusable"
grep -q '^Breaks boot on 7 of 14 configurations' "$DIR/bad.txt" || bad "verdict with a bad baseline: $(sed -n 3p "$DIR/bad.txt")"

# An empty directory is unusable input; --log makes no sense for many hives.
"$BOOTLENS" lint --baseline "$DIR/empty" test_infs/dlpflt-late.inf >/dev/null 2>"$DIR/empty.err"
[ $? = 2 ] && [ "$(grep -c . "$DIR/empty.err")" = 1 ] || bad "empty directory: $(cat "$DIR/empty.err")"
"$BOOTLENS" lint --baseline "$DIR/customers" --log x.LOG1 test_infs/dlpflt-late.inf >/dev/null 2>"$DIR/log.err"
[ $? = 2 ] || bad "--log with several baselines accepted"

[ $fail = 0 ] && echo "lint-fleet: 13 baselines from a directory, -j 1 = -j 3, 7 broken, a bad one reported, no race"
exit $fail
