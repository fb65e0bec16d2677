#!/bin/sh
# bench.sh — `make bench`: times `bootlens analyze --format json` on real
# SYSTEM hives (every one of ../shared/hives/real) and on a 15 MB-class Windows 10 hive
# derived from the real one (large-hive.sh), pinned to one core when taskset
# exists.  Prints, per hive, the median and spread (min..max) of each stage
# (open, model, simulation, rules, output, total; from --timings), the whole
# process wall time, CPU time and peak RSS; and, if RegRipper is installed
# (Debian package regripper), the median of `regripper -p services` on the
# same hive in the same run and the ratio.  Then the worst-case families of
# tests/hostile (gen.py --bench): median time and peak RSS of each.
# Machines are shared and noisy: read medians and ratios, not single runs.
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
RUNS=${BENCH_RUNS:-31}
RR_RUNS=${BENCH_RR_RUNS:-7}
DIR=build/bench
mkdir -p "$DIR"
if [ ! -d "$SHARED/hives/real" ]; then
    echo "bench: $SHARED/hives/real is absent: nothing to measure (set SHARED=DIR)" >&2
    exit 1
fi
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
PERF=""
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then PERF=perf; fi

real=""
for f in "$SHARED"/hives/real/*.xz; do
    [ -f "$f" ] || continue
    out="$DIR/$(basename "$f" .xz)"
    [ -f "$out" ] || xz -dc "$f" >"$out"
    real="$real $out"
done
large="$DIR/SYSTEM-win10-15MB-derived"
if [ ! -f "$large" ]; then
    if sh bench/large-hive.sh "$DIR/SYSTEM-win10-virtualbox" "$large" 2>"$DIR/large.err"; then :; else
        echo "bench: could not build the 15 MB hive: $(head -1 "$DIR/large.err")" >&2
    fi
fi

# median and min..max of a column of numbers
stats() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%8.2f  (%.2f..%.2f)", m, v[1], v[NR] }'
}
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

now_ms() {
    # GNU date: nanoseconds
    echo $(($(date +%s%N) / 1000)) | awk '{ printf "%.3f", $1 / 1000 }'
}

echo "bootlens benchmark: $RUNS runs per hive, analyze --format json to /dev/null${PIN:+, pinned to CPU 0}"
echo "host: $(nproc) CPUs; $(uname -sr)"
# Every real hive (found by listing the folder), then the 15 MB one.
for hive in $real "$large"; do
    [ -f "$hive" ] || continue
    size=$(wc -c <"$hive")
    : >"$DIR/t.txt"
    : >"$DIR/wall.txt"
    : >"$DIR/rss.txt"
    : >"$DIR/cpu.txt"
    i=0
    while [ $i -lt "$RUNS" ]; do
        t0=$(now_ms)
        /usr/bin/time -f "%M" -o "$DIR/time.txt" $PIN "$BOOTLENS" analyze "$hive" --format json --timings \
            >/dev/null 2>>"$DIR/t.txt" || true
        t1=$(now_ms)
        echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$DIR/wall.txt"
        cat "$DIR/time.txt" >>"$DIR/rss.txt"
        # CPU time of the whole process, where perf can count it.
        if [ -n "$PERF" ]; then
            $PERF stat -x, -e task-clock -o "$DIR/perf.txt" $PIN "$BOOTLENS" analyze "$hive" --format json \
                >/dev/null 2>/dev/null && awk -F, '/task-clock/ { print $1 }' "$DIR/perf.txt" >>"$DIR/cpu.txt"
        fi
        i=$((i + 1))
    done
    echo
    printf '%s (%.1f MB)\n' "$(basename "$hive")" "$(echo "$size" | awk '{ print $1 / 1048576 }')"
    printf '  %-12s %s ms (median, min..max)\n' "stage" ""
    for st in open model sim rules output total; do
        printf '  %-12s ' "$st"
        grep '^timings-ms' "$DIR/t.txt" | tr ' ' '\n' | sed -n "s/^$st=//p" | stats
        echo
    done
    printf '  %-12s ' "process"
    stats <"$DIR/wall.txt"
    echo "   (wall, fork+exec+dynamic linking included)"
    if [ -s "$DIR/cpu.txt" ]; then
        printf '  %-12s ' "cpu"
        stats <"$DIR/cpu.txt"
        echo "   (task-clock of the whole process, perf stat)"
    fi
    rss=$(awk '{ print $1 }' "$DIR/rss.txt" | median)
    printf '  peak RSS     %s KB = hive %s KB + %s KB\n' "$rss" $((size / 1024)) $((rss - size / 1024))
    bl_ms=$(median <"$DIR/wall.txt")
    if command -v regripper >/dev/null 2>&1; then
        : >"$DIR/rr.txt"
        i=0
        while [ $i -lt "$RR_RUNS" ]; do
            t0=$(now_ms)
            $PIN regripper -r "$hive" -p services >/dev/null 2>&1 || true
            t1=$(now_ms)
            echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$DIR/rr.txt"
            i=$((i + 1))
        done
        rr_ms=$(median <"$DIR/rr.txt")
        printf '  regripper -p services: %s ms median of %s runs; bootlens analyze is %sx faster\n' "$rr_ms" "$RR_RUNS" \
            "$(echo "$rr_ms $bl_ms" | awk '{ printf "%.1f", $1 / $2 }')"
    else
        echo "  regripper not installed (apt-get install regripper): no ratio"
    fi
done

# ---- the same hive inside disk images (issue 14): raw MBR, E01, VHDX ----
# Analysis from an image must cost at most 2x the extracted file.  The image
# is an NTFS volume sized for the hive (mkntfs; the hive written in 64 KiB
# fragments by tests/images/ntfsput), behind an MBR; E01 is compressed
# (deflate fast), VHDX dynamic.  Without --hash-image only the hive and its
# logs are hashed (as for a file); the last line shows what hashing the
# whole image costs.
image_bench() {
    ib_hive=$1
    PATH=$PATH:/usr/sbin:/sbin
    for t in mkntfs sfdisk qemu-img ewfacquirestream; do
        command -v $t >/dev/null 2>&1 || { echo "  images: $t missing (scripts/install-deps.sh): skipped"; return; }
    done
    [ -x build/tests/ntfsput ] || { echo "  images: build/tests/ntfsput not built: skipped"; return; }
    ib=$DIR/img
    mkdir -p "$ib"
    if [ ! -f "$ib/disk.vhdx" ] || [ "$ib_hive" -nt "$ib/disk.vhdx" ]; then
        mb=$(($(wc -c <"$ib_hive") / 1048576 + 8))
        rm -f "$ib"/*
        truncate -s "${mb}M" "$ib/vol.ntfs" && mkntfs -q -F -Q "$ib/vol.ntfs" >/dev/null 2>&1 &&
            cp "$ib_hive" "$ib/SYSTEM" &&
            build/tests/ntfsput "$ib/vol.ntfs" --interleave 65536 /Windows/System32/config/SYSTEM="$ib/SYSTEM" || return
        vsec=$(($(wc -c <"$ib/vol.ntfs") / 512))
        truncate -s $(((2048 + vsec) * 512)) "$ib/disk.raw"
        printf 'label: dos\nstart=2048, size=%s, type=7\n' "$vsec" | sfdisk -q "$ib/disk.raw" >/dev/null
        dd if="$ib/vol.ntfs" of="$ib/disk.raw" bs=512 seek=2048 conv=notrunc status=none
        ewfacquirestream -q -t "$ib/disk" -c deflate:fast -C bench -D bench -e bench -E 1 -N none <"$ib/disk.raw" >/dev/null 2>&1
        qemu-img convert -q -f raw -O vhdx "$ib/disk.raw" "$ib/disk.vhdx"
    fi
    echo
    echo "hive inside disk images: $(basename "$ib_hive"), analyze --format json, median of $RUNS runs (wall ms)"
    base=""
    for src in "$ib/SYSTEM" "$ib/disk.raw" "$ib/disk.E01" "$ib/disk.vhdx" "$ib/disk.raw --hash-image"; do
        : >"$DIR/img-wall.txt"
        i=0
        while [ $i -lt "$RUNS" ]; do
            t0=$(now_ms)
            # shellcheck disable=SC2086
            $PIN "$BOOTLENS" analyze $src --format json --fail-on never >/dev/null 2>/dev/null
            t1=$(now_ms)
            echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$DIR/img-wall.txt"
            i=$((i + 1))
        done
        m=$(median <"$DIR/img-wall.txt")
        [ -z "$base" ] && base=$m
        set -- $src
        printf '  %-28s %8.2f ms  %5.2fx the extracted file  (%s bytes)\n' "$(basename "$1")${2:+ $2}" "$m" \
            "$(echo "$m $base" | awk '{ printf "%.2f", $1 / $2 }')" "$(wc -c <"$1")"
    done
}
if [ -f "$large" ]; then image_bench "$large"; else image_bench "$DIR/SYSTEM-win10-virtualbox"; fi

# ---- worst cases (tests/hostile/gen.py --bench) ----
# The generated families of issue 12 beside the real hives: every stage must
# stay near-linear, so each should end within 2 s and 256 MB (≤ 64 MB
# inputs).  Families still slow because of the rules or the simulation are
# listed in tests/hostile/known-slow.txt; runs are capped at
# BENCH_HOSTILE_CAP seconds (">" marks a run stopped there) and limited to
# 8 GiB of address space so that a quadratic case cannot take the machine.
HRUNS=${BENCH_HOSTILE_RUNS:-5}
HCAP=${BENCH_HOSTILE_CAP:-30}
HDIR=$DIR/hostile
ABS_BOOTLENS=$(cd "$(dirname "$BOOTLENS")" && pwd)/$(basename "$BOOTLENS")
if ! command -v python3 >/dev/null; then
    echo "bench: python3 is missing: no worst-case families (apt-get install python3)" >&2
    exit 0
fi
if [ ! -f "$HDIR/cases.tsv" ] || [ tests/hostile/gen.py -nt "$HDIR/cases.tsv" ]; then
    rm -rf "$HDIR"
    python3 tests/hostile/gen.py "$HDIR" --bench || exit 1
fi
echo
echo "worst-case families: $HRUNS runs each, analyze --format json, capped at ${HCAP} s${PIN:+, pinned to CPU 0}"
printf '  %-24s %9s %12s %10s  %s\n' "family" "input MB" "median s" "peak MB" "note"
while IFS="$(printf '\t')" read -r name _ _ _ _ args; do
    : >"$DIR/h-wall.txt"
    : >"$DIR/h-rss.txt"
    capped=""
    i=0
    while [ $i -lt "$HRUNS" ]; do
        # shellcheck disable=SC2086  # the case's arguments, split on purpose
        rm -f "$HDIR/time.txt"
        (cd "$HDIR/$name" && ulimit -v 8388608 && eval "set -- $args" &&
            timeout -s KILL "$HCAP" /usr/bin/time -f "%e %M" -o ../time.txt $PIN "$ABS_BOOTLENS" "$@" \
                >/dev/null 2>&1) 2>/dev/null
        status=$?
        # time(1) puts "Command exited with non-zero status" first on exit 1/2.
        line=$(tail -1 "$HDIR/time.txt" 2>/dev/null)
        wall=${line% *} rss=${line#* }
        if [ "$status" = 137 ] || [ -z "$line" ]; then capped=">" wall=$HCAP rss=0; fi
        echo "$wall" >>"$DIR/h-wall.txt"
        echo "$rss" >>"$DIR/h-rss.txt"
        i=$((i + 1))
        # A capped run will be capped again: one is enough to say so.
        [ -n "$capped" ] && break
    done
    size=$(du -k --apparent-size "$HDIR/$name/SYSTEM" 2>/dev/null | awk '{ printf "%.1f", $1 / 1024 }')
    note=$(grep -E "^$name( |$)" tests/hostile/known-slow.txt | sed 's/^[^#]*# *//')
    peak=$(median <"$DIR/h-rss.txt" | awk '{ printf "%.0f", $1 / 1024 }')
    [ -n "$capped" ] && peak="?"
    printf '  %-24s %9s %11s%s %10s  %s\n' "$name" "$size" "$capped" "$(median <"$DIR/h-wall.txt")" \
        "$peak" "${note:+known slow: $note}"
done <"$HDIR/cases.tsv"

# One INF change against 200 real-sized baselines (lint --baseline DIR -j N).
BOOTLENS=$BOOTLENS SHARED=$SHARED sh bench/lint-fleet.sh
