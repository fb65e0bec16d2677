#!/bin/sh
# fuzz-smoke.sh FUZZER... — a short libFuzzer run of each target, as part of
# `make check`: catches crashes that new code makes reachable from the seed
# corpus, without the hours a real fuzzing campaign takes.
#
# For each build/fuzz/NAME it fuzzes a copy of fuzz/corpus/NAME/ (the seed
# corpus is never written to) under build/fuzz-smoke/NAME/ for $FUZZ_SECONDS
# seconds (default 10).  Targets whose name mentions "hive" also get the
# generated test hives (build/test_hives).  When $SHARED names an existing directory, real files
# from it are added as seeds: for fuzz_recover, each dirty hive of
# hives/logs/ with its logs, in the target's input format; for targets whose
# name mentions "hive", the decompressed hives of hives/; for "inf", the INF
# files of infs/.  When $FUZZ_HOSTILE names a corpus written by
# tests/hostile/gen.py, its cases are seeds too, each cut to $FUZZ_SEED_MAX
# bytes (default 262144): hives for the hive targets, each hive with its logs
# for fuzz_recover, INFs for the INF targets (regedit baselines for
# fuzz_apply), knowledge files for fuzz_knowledge.  $FUZZ_WORK (default
# build/fuzz-smoke) is where each target's corpus, log and reproducers go.
# Prints one summary line per target; exits non-zero if any target crashed
# (the reproducer stays in $FUZZ_WORK/NAME/).
set -u

seconds=${FUZZ_SECONDS:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
hostile=${FUZZ_HOSTILE:-}
seed_max=${FUZZ_SEED_MAX:-262144}
work_root=${FUZZ_WORK:-$root/build/fuzz-smoke}
shared=${SHARED:-}
if [ -n "$shared" ] && [ ! -d "$shared" ]; then
    shared=
fi
failed=0

# fuzz_recover input: flags byte, primary, then "BLSPLIT!" before each log.
# (Shell functions share variables with the caller: theirs are prefixed.)
recover_seeds() {
    rs_dest=$1
    for rs_dir in "$shared"/hives/logs/*/; do
        [ -d "$rs_dir" ] || continue
        for rs_hive in "$rs_dir"*.xz; do
            rs_name=$(basename "$rs_hive" .xz)
            case $rs_name in *.LOG*|Recovered*) continue ;; esac
            rs_out="$rs_dest/shared-$(basename "$rs_dir")"
            printf '\000' >"$rs_out"
            xz -dc "$rs_hive" >>"$rs_out" || continue
            for rs_log in "$rs_dir$rs_name".LOG*.xz; do
                [ -f "$rs_log" ] || continue
                printf 'BLSPLIT!' >>"$rs_out"
                xz -dc "$rs_log" >>"$rs_out"
            done
        done
    done
}

hive_seeds() {
    # The generated test hives (make hives) are small, varied seeds.
    for hs_f in "$root"/build/test_hives/*.hiv; do
        [ -f "$hs_f" ] && cp "$hs_f" "$1/gen-$(basename "$hs_f")"
    done
    [ -n "$shared" ] || return 0
    for hs_f in "$shared"/hives/*/*.xz "$shared"/hives/*/*/*.xz; do
        [ -f "$hs_f" ] || continue
        xz -dc "$hs_f" >"$1/shared-$(basename "$(dirname "$hs_f")")-$(basename "$hs_f" .xz)" 2>/dev/null
    done
}

# The partition tables and first clusters of the test images (make e2e
# builds them in build/images), and a small NTFS volume whole.
image_seeds() {
    for is_f in "$root"/build/images/mbr.raw "$root"/build/images/gpt.raw "$root"/build/images/loop.raw \
        "$root"/build/images/overlap.raw; do
        [ -f "$is_f" ] && head -c 65536 "$is_f" >"$1/gen-$(basename "$is_f")"
    done
    if command -v mkntfs >/dev/null 2>&1 || [ -x /usr/sbin/mkntfs ]; then
        is_v="$1/gen-small.ntfs"
        truncate -s 2M "$is_v" && PATH=$PATH:/usr/sbin mkntfs -q -F -Q "$is_v" >/dev/null 2>&1 || rm -f "$is_v"
        [ -f "$is_v" ] && [ -x "$root/build/tests/ntfsput" ] && [ -f "$root/build/test_hives/fuzz-min-system.hiv" ] &&
            "$root/build/tests/ntfsput" "$is_v" /Windows/System32/config/SYSTEM="$root/build/test_hives/fuzz-min-system.hiv" 2>/dev/null
    fi
    return 0
}

inf_seeds() {
    find "$shared/infs" -type f \( -iname '*.inf' -o -iname '*.inx' \) 2>/dev/null |
        while IFS= read -r is_f; do
            cp "$is_f" "$1/shared-$(echo "$is_f" | cksum | cut -d' ' -f1)-$(basename "$is_f")"
        done
}

# The hostile corpus's cases of the target's kind ($2), regular files only
# (its FIFOs and devices are for the CLI, not for a fuzzer).
hostile_seeds() {
    [ -n "$hostile" ] && [ -d "$hostile" ] || return 0
    for hz_dir in "$hostile"/*/; do
        hz_case=$(basename "$hz_dir")
        case $2 in
        hive)
            for hz_f in "$hz_dir"*; do
                [ -f "$hz_f" ] && [ ! -L "$hz_f" ] && [ "$(head -c 4 "$hz_f" 2>/dev/null)" = regf ] &&
                    head -c "$seed_max" "$hz_f" >"$1/hostile-$hz_case-$(basename "$hz_f")"
            done ;;
        recover)
            hz_h="${hz_dir}SYSTEM"
            [ -f "$hz_h" ] && [ ! -L "$hz_h" ] || continue
            ls "$hz_dir" | grep -q '^SYSTEM\.LOG' || continue
            for hz_flag in 0 1; do
                hz_out="$1/hostile-$hz_case-$hz_flag"
                { printf "\\00$hz_flag"; head -c "$seed_max" "$hz_h"; } >"$hz_out"
                for hz_log in "$hz_dir"SYSTEM.LOG*; do
                    [ -f "$hz_log" ] && [ ! -L "$hz_log" ] || continue
                    { printf 'BLSPLIT!'; head -c "$seed_max" "$hz_log"; } >>"$hz_out"
                done
            done ;;
        inf | apply)
            for hz_f in "$hz_dir"*.inf "$hz_dir"*.reg; do
                [ -f "$hz_f" ] && [ ! -L "$hz_f" ] || continue
                case $2:$hz_f in inf:*.reg) continue ;; esac
                head -c "$seed_max" "$hz_f" >"$1/hostile-$hz_case-$(basename "$hz_f")"
            done ;;
        knowledge)
            case $hz_case in knowledge-*) ;; *) continue ;; esac
            [ -f "${hz_dir}k.txt" ] && head -c "$seed_max" "${hz_dir}k.txt" >"$1/hostile-$hz_case" ;;
        esac
    done
}

for fuzzer in "$@"; do
    name=$(basename "$fuzzer")
    work="$work_root/$name"
    rm -rf "$work"
    mkdir -p "$work/corpus"
    if [ -d "$root/fuzz/corpus/$name" ]; then
        cp "$root/fuzz/corpus/$name"/* "$work/corpus/" 2>/dev/null
    fi
    case $name in
    *hive*) hive_seeds "$work/corpus" ;;
    *image*) image_seeds "$work/corpus" ;;
    esac
    if [ -n "$shared" ]; then
        case $name in
        fuzz_recover) recover_seeds "$work/corpus" ;;
        *inf*) inf_seeds "$work/corpus" ;;
        esac
    fi
    case $name in
    fuzz_hive) hostile_seeds "$work/corpus" hive ;;
    fuzz_recover) hostile_seeds "$work/corpus" recover ;;
    fuzz_inf) hostile_seeds "$work/corpus" inf ;;
    fuzz_apply) hostile_seeds "$work/corpus" apply ;;
    fuzz_knowledge) hostile_seeds "$work/corpus" knowledge ;;
    esac
    seeds=$(ls "$work/corpus" | wc -l)

    "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
    status=$?

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    files=$(ls "$work/corpus" | wc -l)
    bytes=$(du -sk "$work/corpus" | cut -f1)
    crashes=$(ls "$work" | grep -c -E '^(crash|leak|timeout|oom)-')
    if [ $status -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        echo "fuzz-smoke: $name: FAILED (exit $status, $crashes reproducer(s) in $work/); last lines:"
        tail -n 15 "$work/log" | sed 's/^/    /'
    else
        echo "fuzz-smoke: $name: ${execs:-?} execs in ${seconds}s, corpus $seeds -> $(echo $files) files (${bytes} KB), no crash"
    fi
done
exit $failed
