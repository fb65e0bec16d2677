#!/bin/sh
# lint-fleet.sh — part of `make bench`: one INF change judged against a
# fleet of 200 real-sized baselines, `lint --baseline DIR -j N`, against the
# cost of linting it against one of them.  The fleet is copies of the real
# SYSTEM hives of ../shared/hives/real (Windows 7 and 10, 7.5 to 14 MB), 50
# of each of four, made once under build/bench/fleet.  Prints the median time
# of a single lint per hive kind, the fleet's wall time with 1 and with all
# CPUs, the cost per baseline and its ratio to a single lint, and the fleet
# run's peak RSS.  The design bar (DESIGN.md): N baselines cost N x one lint,
# spread over the cores.
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
N=${BENCH_FLEET:-200}
RUNS=${BENCH_LINT_RUNS:-5}
INF=${BENCH_INF:-test_infs/dlpflt-late.inf}
DIR=build/bench
FLEET=$DIR/fleet
mkdir -p "$DIR"
kinds="SYSTEM-win10-19041-dissect-regf SYSTEM-win10-virtualbox SYSTEM-win7-vmware SYSTEM-win7sp1-x64-shimcacheparser"
for k in $kinds; do
    [ -f "$SHARED/hives/real/$k.xz" ] || { echo "lint-fleet bench: $SHARED/hives/real/$k.xz is absent" >&2; exit 1; }
    [ -f "$DIR/$k" ] || xz -dc "$SHARED/hives/real/$k.xz" >"$DIR/$k"
done
# The fleet: N files, the four kinds in turn, each a copy (its own inode
# and pages, as customers' hives are).
have=$(ls "$FLEET" 2>/dev/null | wc -l)
if [ "$have" != "$N" ]; then
    rm -rf "$FLEET"
    mkdir -p "$FLEET"
    i=0
    while [ $i -lt "$N" ]; do
        set -- $kinds
        shift $((i % 4))
        cp "$DIR/$1" "$FLEET/$(printf 'customer-%04d' "$i")-$1"
        i=$((i + 1))
    done
fi
bytes=$(cat "$FLEET"/* | wc -c)

now_ms() {
    echo $(($(date +%s%N) / 1000)) | awk '{ printf "%.3f", $1 / 1000 }'
}
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "lint of one INF against a fleet: $INF, $N baselines ($(echo "$bytes" | awk '{ printf "%.0f", $1 / 1048576 }') MB of hives), --format json"
echo "  single lint (median of $RUNS, one process each):"
single_sum=0
for k in $kinds; do
    : >"$DIR/single.txt"
    r=0
    while [ $r -lt "$RUNS" ]; do
        t0=$(now_ms)
        "$BOOTLENS" lint --baseline "$DIR/$k" "$INF" --format json -o /dev/null 2>/dev/null
        t1=$(now_ms)
        echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$DIR/single.txt"
        r=$((r + 1))
    done
    m=$(median <"$DIR/single.txt")
    printf '    %-40s %8.1f ms\n' "$k" "$m"
    single_sum=$(echo "$single_sum $m" | awk '{ print $1 + $2 }')
done
single=$(echo "$single_sum" | awk '{ print $1 / 4 }')
printf '    %-40s %8.1f ms (the fleet holds the four kinds equally)\n' "mean" "$single"

ncpu=$(nproc)
for j in 1 "$ncpu"; do
    t0=$(now_ms)
    rm -f "$DIR/fleet.json" # -o never replaces a file without --force
    /usr/bin/time -f "%M" -o "$DIR/fleet-rss.txt" "$BOOTLENS" lint --baseline "$FLEET" "$INF" --format json -j "$j" \
        -o "$DIR/fleet.json" 2>"$DIR/fleet.err"
    status=$?
    t1=$(now_ms)
    wall=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
    rss=$(tail -1 "$DIR/fleet-rss.txt")
    per=$(echo "$wall $N" | awk '{ print $1 / $2 }')
    printf '  fleet -j %-2s %9.0f ms wall (exit %s): %6.1f ms per baseline = %.2f x a single lint; peak RSS %s MB\n' \
        "$j" "$wall" "$status" "$per" "$(echo "$per $single" | awk '{ print $1 / $2 }')" \
        "$(echo "$rss" | awk '{ printf "%.0f", $1 / 1024 }')"
    [ "$j" = 1 ] && wall1=$wall
    [ "$j" = "$ncpu" ] && [ "$ncpu" != 1 ] && printf '  speed-up with %s workers: %.2f x\n' "$ncpu" "$(echo "$wall1 $wall" | awk '{ print $1 / $2 }')"
done
grep -o '"breaks_boot":[^,]*' "$DIR/fleet.json" | head -1 | sed 's/^/  verdict: /'
