#!/bin/sh
# outputs.sh — end-to-end checks that outputs never replace inputs (issue
# 12) and that fleets are directories of hives (issue 15): every command of
# the issue that used to overwrite evidence is refused with exit 2 and one
# line naming the output and the input, and no input changes a byte;
# `analyze DIR` works without -j, -r descends, stray files are skipped with a
# note.  Called by run.sh; prints "outputs: N passed, M failed".
set -u
BOOTLENS=${BOOTLENS:-build/bootlens}
W=build/e2e/outputs
rm -rf "$W"
mkdir -p "$W/case" "$W/fleet/sub/deeper"
pass=0
fail=0
no() {
    echo "FAIL: outputs: $*" >&2
    fail=$((fail + 1))
}

H=$W/case/SYSTEM
cp build/test_hives/vmci-filter-delay.hiv "$H"
cp build/test_hives/vmci-filter-fixed.hiv "$H.LOG1" # any file: what matters is that it is an input
: >"$H.LOG2"
cp test_infs/dlpflt-late.inf "$W/case/x.inf"
echo "vsepflt calls vsock" >"$W/case/k.txt"
ln "$H" "$W/case/hardlink"
ln -s SYSTEM "$W/case/symlink"
echo "keep" >"$W/case/existing.txt"
sums() { cksum "$W"/case/SYSTEM* "$W/case/x.inf" "$W/case/k.txt" "$W/case/existing.txt"; }
before=$(sums)

# refuse "ARGS" OUT INPUT: exit 2, one line naming OUT and INPUT (or the reason).
refuse() {
    args=$1 out=$2 what=$3
    # shellcheck disable=SC2086  # args split on purpose
    "$BOOTLENS" $args >"$W/out.txt" 2>"$W/err.txt"
    status=$?
    if [ "$status" != 2 ]; then
        no "'$args': exit $status, expected 2"
    elif [ "$(wc -l <"$W/err.txt")" != 1 ]; then
        no "'$args': not one line on stderr"
    elif ! grep -q -F "$out" "$W/err.txt" || ! grep -q -F -e "$what" "$W/err.txt"; then
        no "'$args': the message does not name $out and '$what': $(cat "$W/err.txt")"
    else
        pass=$((pass + 1))
    fi
}
C=$W/case
refuse "recover $H -o $H.LOG1" "$H.LOG1" "transaction log $H.LOG1"
refuse "recover $H -o $H.LOG1 --force" "$H.LOG1" "refusing to replace an input"
refuse "analyze $H -o $H" "$H" "hive $H"
refuse "analyze $H -o $H --force" "$H" "hive $H"
refuse "analyze $H -o $H.LOG2 --force" "$H.LOG2" "transaction log $H.LOG2"
refuse "analyze $H -o $C/system.log --force" "$C/system.log" "transaction log name of the hive $H"
refuse "lint $C/x.inf -o $C/x.inf --force" "$C/x.inf" "INF $C/x.inf"
refuse "lint --baseline $H $C/x.inf -o $H --force" "$H" "baseline $H"
refuse "analyze $H --knowledge $C/k.txt -o $C/k.txt --force" "$C/k.txt" "knowledge file $C/k.txt"
refuse "analyze $H --log $C/k.txt -o $C/k.txt --force" "$C/k.txt" "refusing to replace an input"
refuse "recover $H -o /dev/full --force" "/dev/full" "character device"
refuse "analyze $H -o /dev/null" "/dev/null" "character device"
refuse "analyze $H -o $C/hardlink --force" "$C/hardlink" "hive $H"
refuse "recover $H -o $C/symlink --force" "$C/symlink" "hive $H"
refuse "analyze $H -o $C --force" "$C" "directory"
refuse "analyze $H -o $C/existing.txt" "$C/existing.txt" "already exists"
refuse "recover $H -o $C/existing.txt" "$C/existing.txt" "already exists"
refuse "analyze $H $C/hardlink -o $H --force" "$H" "hive $H"
[ "$(sums)" = "$before" ] && pass=$((pass + 1)) || no "an input changed"
ls -a "$C" | grep -q 'bootlens-' && no "a temporary file was left behind" || pass=$((pass + 1))

# What is allowed: a new file; an existing one with --force; - for stdout.
"$BOOTLENS" recover "$H" -o "$W/copy.hiv" 2>/dev/null && cmp -s "$H" "$W/copy.hiv" && pass=$((pass + 1)) ||
    no "recover to a new file"
"$BOOTLENS" recover "$H" -o "$W/copy.hiv" --force 2>/dev/null && pass=$((pass + 1)) || no "recover --force"
"$BOOTLENS" analyze "$H" -o "$C/existing.txt" --force >/dev/null
[ $? = 1 ] && grep -q 'filter-delays-device' "$C/existing.txt" && pass=$((pass + 1)) || no "analyze -o --force"
"$BOOTLENS" analyze "$H" -o - --format json | grep -q '"tool":' && pass=$((pass + 1)) || no "-o -"

# A FIFO beside the hive is ignored with a note, never waited for; named,
# it is refused.
mkfifo "$W/fifo-case.LOG1" 2>/dev/null && cp "$H" "$W/fifo-case" && {
    timeout 10 "$BOOTLENS" analyze "$W/fifo-case" >"$W/fifo.out" 2>&1
    [ $? = 1 ] && grep -q 'Note: transaction log not used: .*fifo-case.LOG1: is a FIFO' "$W/fifo.out" &&
        pass=$((pass + 1)) || no "a FIFO log beside the hive: $(head -3 "$W/fifo.out")"
    timeout 10 "$BOOTLENS" analyze "$W/fifo-case" --log "$W/fifo-case.LOG1" >/dev/null 2>"$W/fifo.err"
    [ $? = 2 ] && grep -q 'fifo-case.LOG1: is a FIFO, not a regular file' "$W/fifo.err" && pass=$((pass + 1)) ||
        no "a named FIFO log: $(cat "$W/fifo.err")"
}

# Fleets: a directory without -j, -r, stray files skipped with a note.
F=$W/fleet
cp build/test_hives/vmci-filter-delay.hiv "$F/a.hiv"
cp build/test_hives/win7-base.hiv "$F/sub/b.hiv"
cp build/test_hives/missing-filter-service.hiv "$F/sub/deeper/c.hiv"
cp build/test_hives/software-hive.hiv "$F/SOFTWARE"
echo "notes" >"$F/README.txt"
mkfifo "$F/pipe" 2>/dev/null
"$BOOTLENS" analyze "$F" >"$W/fleet.out" 2>"$W/fleet.err"
status=$?
[ "$status" = 1 ] && [ "$(wc -l <"$W/fleet.out")" = 1 ] && grep -q "^$F/a.hiv: 1 error" "$W/fleet.out" &&
    pass=$((pass + 1)) || no "analyze DIR without -j: exit $status: $(cat "$W/fleet.out" "$W/fleet.err")"
for note in "README.txt: skipped: neither a registry hive" "pipe: skipped: a FIFO" \
    "SOFTWARE: skipped: this is a SOFTWARE hive" "sub: skipped: a directory (-r descends into it)"; do
    grep -q -F "$note" "$W/fleet.err" && pass=$((pass + 1)) || no "fleet note '$note' missing: $(cat "$W/fleet.err")"
done
"$BOOTLENS" analyze "$F" -r -j 1 >"$W/fleet-r.out" 2>"$W/fleet-r.err"
status=$?
[ "$status" = 1 ] && [ "$(wc -l <"$W/fleet-r.out")" = 3 ] && grep -q "^$F/sub/deeper/c.hiv: " "$W/fleet-r.out" &&
    pass=$((pass + 1)) || no "analyze DIR -r: exit $status: $(cat "$W/fleet-r.out")"
# A hive that cannot be used fails the run, and stderr says how many.
head -c 5000 build/test_hives/win7-base.hiv >"$F/sub/broken.hiv"
"$BOOTLENS" analyze "$F" -r --format jsonl >"$W/fleet-b.out" 2>"$W/fleet-b.err"
status=$?
[ "$status" = 2 ] && grep -q "1 of 4 hives could not be used" "$W/fleet-b.err" && grep -q '"error":' "$W/fleet-b.out" &&
    pass=$((pass + 1)) || no "unusable hive in a fleet: exit $status: $(tail -1 "$W/fleet-b.err")"
# Hives over a (tiny) memory budget: a line each saying so; the run ends.
"$BOOTLENS" analyze "$F" -r --format jsonl --hive-memory 1 >"$W/fleet-m.out" 2>"$W/fleet-m.err"
[ "$(grep -c '"budget":{"exceeded":"memory","limit":1,"unit":"MB"' "$W/fleet-m.out")" = 5 ] &&
    grep -q "5 stopped over their time or memory budget" "$W/fleet-m.err" && pass=$((pass + 1)) ||
    no "--hive-memory: $(head -c 300 "$W/fleet-m.out")"
"$BOOTLENS" analyze "$W/fleet/sub/deeper/" --hive-timeout x >/dev/null 2>"$W/usage.err"
[ $? = 2 ] && grep -q -- "--hive-timeout x: expected seconds" "$W/usage.err" && pass=$((pass + 1)) ||
    no "--hive-timeout usage error"
# Every command takes -o, with the same refusals.
"$BOOTLENS" explain build/test_hives/vmci-filter-delay.hiv vsepflt --format dot -o "$W/explain.dot" 2>"$W/usage.err" &&
    head -1 "$W/explain.dot" | grep -q '^digraph' && pass=$((pass + 1)) || no "explain -o: $(cat "$W/usage.err")"
cp build/test_hives/vmci-filter-delay.hiv "$W/copy.hiv"
for cmd in order stack filters "diff $W/copy.hiv"; do
    # shellcheck disable=SC2086
    "$BOOTLENS" $cmd "$W/copy.hiv" -o "$W/copy.hiv" --force >/dev/null 2>"$W/usage.err"
    [ $? = 2 ] && grep -q "refusing to replace an input" "$W/usage.err" && cmp -s "$W/copy.hiv" build/test_hives/vmci-filter-delay.hiv &&
        pass=$((pass + 1)) || no "$cmd -o over its hive was not refused: $(cat "$W/usage.err")"
done
# A fleet has no SARIF form (one log per hive would be ambiguous): refused,
# not JSON lines written under a .sarif name; one hive with -j is one report.
"$BOOTLENS" analyze "$F" --format sarif -o "$W/fleet.sarif" >/dev/null 2>"$W/usage.err"
[ $? = 2 ] && grep -q -- "--format sarif takes one HIVE" "$W/usage.err" && [ ! -e "$W/fleet.sarif" ] &&
    pass=$((pass + 1)) || no "analyze DIR --format sarif was not refused: $(cat "$W/usage.err")"
"$BOOTLENS" analyze build/test_hives/vmci-filter-delay.hiv -j 2 >"$W/one-j.out" 2>&1
grep -q "^ERROR \[filter-delays-device\]" "$W/one-j.out" && pass=$((pass + 1)) ||
    no "analyze HIVE -j 2 is not the full report: $(head -c 300 "$W/one-j.out")"

echo "outputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
