#!/bin/sh
# run-unit.sh TEST... — runs each CMocka test binary; fails if any fails.
set -u
failed=0
for t in "$@"; do
    if ! "$t"; then
        echo "FAILED: $t" >&2
        failed=1
    fi
done
[ $failed -eq 0 ] && echo "unit: $# test programs passed"
exit $failed
