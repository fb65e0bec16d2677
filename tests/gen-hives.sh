#!/bin/sh
# gen-hives.sh — generates build/test_hives/NAME.hiv from every
# test_hives/NAME.reg with build/mkhive (the source format is described in
# test_hives/README.md).  A hive is regenerated only when its source, or
# mkhive itself, or a shared base in test_hives/include/, is newer than it; each generated file is printed.  Used by
# the Makefile's hives, e2e, asan, fuzz-smoke and demo targets.
#
# Exit status: 0 all up to date, 1 a source failed (mkhive printed
# FILE:LINE: why) or mkhive is not built.
set -u
cd "$(dirname "$0")/.." || exit 1
MKHIVE=${MKHIVE:-build/mkhive}
OUT_DIR=${OUT_DIR:-build/test_hives}
if [ ! -x "$MKHIVE" ]; then
    echo "gen-hives: $MKHIVE is not built (run: make build/mkhive)" >&2
    exit 1
fi
mkdir -p "$OUT_DIR" || exit 1
status=0
for src in test_hives/*.reg; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .reg)
    out="$OUT_DIR/$name.hiv"
    # find -newer is POSIX, unlike test -nt.
    # Shared bases under test_hives/include/ (pulled in with !include) count too.
    if [ -f "$out" ] && [ -z "$(find "$src" "$MKHIVE" test_hives/include -newer "$out" 2>/dev/null)" ]; then
        continue
    fi
    # Write beside the target and rename, so a failure never leaves a
    # truncated hive that a later run would take as up to date.
    if "$MKHIVE" "$src" -o "$out.tmp"; then
        mv "$out.tmp" "$out" || status=1
        echo "gen-hives: $out"
    else
        rm -f "$out.tmp"
        status=1
    fi
done
exit $status
