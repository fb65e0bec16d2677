#!/bin/sh
# run.sh — end-to-end tests of hives inside disk images (issue 14).
#
# Builds, at test time, with Debian's tools, the images an analyst receives —
# a bare NTFS volume (mkntfs, then tests/images/ntfsput through libntfs-3g),
# raw MBR disks with an extended partition and raw GPT disks (sfdisk), split
# raw (split), E01 and split E01 (ewfacquirestream), VHD, VHDX, VMDK
# (monolithic sparse, split sparse, flat) and QCOW2 (qemu-img) — around a
# dirty SYSTEM hive with its LOG1/LOG2 (tests/images/mkdirty: the real
# Windows 10 hive of ../shared when it is there, else a generated test hive),
# and checks that each gives exactly the findings of the extracted hive with
# its logs; then hostile images (looping and overlapping partition tables, an
# $MFT outside its volume, a 2 TB sparse VHDX, BitLocker, FAT, truncated and
# missing-segment images) must end in exit 2 with one line naming the image,
# in bounded memory.  Every image is checked byte-identical (sha256) before
# and after.  Images are kept in build/images and rebuilt when their inputs
# change; nothing large is committed.
#
#   BOOTLENS=build/bootlens SHARED=../shared tests/images/run.sh
#
# Skips (exit 0, one line saying why) when a tool is missing.
set -u
cd "$(dirname "$0")/../.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
T=build/tests
W=build/images
OUT=$W/out
mkdir -p "$W" "$OUT"
pass=0
fail=0
note_fail() {
    echo "FAIL: images: $*" >&2
    fail=$((fail + 1))
}
ok() { pass=$((pass + 1)); }

for tool in mkntfs sfdisk qemu-img ewfacquirestream jq split; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ] && [ ! -x "/sbin/$tool" ]; then
        echo "images: SKIPPED: $tool is missing (scripts/install-deps.sh installs it)"
        exit 0
    fi
done
PATH=$PATH:/usr/sbin:/sbin
for t in "$T/ntfsput" "$T/mkdirty"; do
    if [ ! -x "$t" ]; then
        echo "images: SKIPPED: $t is not built (make $t)"
        exit 0
    fi
done

crashed() {
    [ "$1" -ge 128 ] || grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$2"
}

# ---- the payload: a dirty SYSTEM hive with its logs ----
if [ -f "$SHARED/hives/real/SYSTEM-win10-19041-dissect-regf.xz" ]; then
    [ -f "$W/real.hiv" ] || xz -dc "$SHARED/hives/real/SYSTEM-win10-19041-dissect-regf.xz" >"$W/real.hiv"
    src=$W/real.hiv
    changes="ControlSet001\\Services\\MsSecFlt Start 4 ControlSet001\\Services\\acpiex Start 3"
    payload="the real Windows 10 hive of $SHARED"
else
    src=build/test_hives/vmci-filter-delay.hiv
    changes="ControlSet001\\Services\\vmci Start 3 ControlSet001\\Services\\dlpflt Start 4"
    payload="build/test_hives/vmci-filter-delay.hiv (no $SHARED)"
    # It lies before the cut of the truncated volume: only the cut is named.
    small_hive_note="(truncated image?): what lies past the end cannot be read"
fi
regback=build/test_hives/vmci-filter-fixed.hiv
X=$W/extracted
stamp=$W/stamp
inputs="$src $regback $T/ntfsput $T/mkdirty tests/images/run.sh"

# Rebuild the images when an input changed or the payload is another one
# (the stamp file records the build and names its payload).
rebuild=1
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$src" ] && [ -z "$(find $inputs -newer "$stamp" 2>/dev/null)" ]; then
    rebuild=0
fi

size_of() { wc -c <"$1" | tr -d ' '; }

# mkvol FILE MB DEST=SRC... : an NTFS volume image holding the files.
mkvol() {
    mv_file=$1 mv_mb=$2
    shift 2
    rm -f "$mv_file"
    truncate -s "${mv_mb}M" "$mv_file" &&
        mkntfs -q -F -Q -L TESTVOL "$mv_file" >/dev/null 2>&1 &&
        "$T/ntfsput" "$mv_file" --interleave 65536 "$@"
}

build_images() {
    rm -rf "$W"/*.raw "$W"/*.ntfs "$W"/*.E0? "$W"/*.vhd* "$W"/*.vmdk "$W"/*.qcow2 "$W"/*.0?? "$X"
    mkdir -p "$X/case" "$OUT"
    # Eval keeps the backslashes of the key paths.
    eval "set -- $(printf '%s' "$changes" | sed 's/\\/\\\\/g')"
    args=""
    while [ $# -ge 3 ]; do
        args="$args '$1' $2 $3"
        shift 3
    done
    eval "\"$T/mkdirty\" \"$src\" \"$X/SYSTEM\" $args" || return 1
    cp "$regback" "$X/RegBack-SYSTEM"
    hive_mb=$(($(size_of "$X/SYSTEM") * 2 / 1048576 + 12))
    # The bare NTFS volume, Windows spelled as Windows spells it.
    mkvol "$W/vol.ntfs" "$hive_mb" \
        /Windows/System32/config/SYSTEM="$X/SYSTEM" \
        /Windows/System32/config/SYSTEM.LOG1="$X/SYSTEM.LOG1" \
        /Windows/System32/config/SYSTEM.LOG2="$X/SYSTEM.LOG2" \
        /Windows/System32/config/RegBack/SYSTEM="$X/RegBack-SYSTEM" \
        /Windows/System32/config/SOFTWARE=build/test_hives/software-hive.hiv || return 1
    # The same files in odd letter cases (the lookup is case-insensitive).
    mkvol "$W/odd.ntfs" "$hive_mb" \
        /WINDOWS/system32/CONFIG/system="$X/SYSTEM" \
        /WINDOWS/system32/CONFIG/system.log1="$X/SYSTEM.LOG1" \
        /WINDOWS/system32/CONFIG/System.Log2="$X/SYSTEM.LOG2" \
        /WINDOWS/system32/CONFIG/regback/system="$X/RegBack-SYSTEM" || return 1
    vsec=$(($(size_of "$W/vol.ntfs") / 512))
    # MBR: p1 (FAT type, never formatted), extended p2 holding logical p5.
    total=$((20480 + vsec + 2048))
    truncate -s $((total * 512)) "$W/mbr.raw"
    printf 'label: dos\nunit: sectors\nstart=2048, size=16384, type=c\nstart=18432, type=5\nstart=20480, size=%s, type=7\n' \
        "$vsec" | sfdisk -q "$W/mbr.raw" >/dev/null || return 1
    dd if="$W/vol.ntfs" of="$W/mbr.raw" bs=512 seek=20480 conv=notrunc status=none || return 1
    # GPT: EFI system (empty), Microsoft reserved, basic data with odd case.
    total=$((8192 + vsec + 2048))
    truncate -s $((total * 512)) "$W/gpt.raw"
    printf 'label: gpt\nunit: sectors\nstart=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=6144, size=2048, type=E3C9E316-0B5C-4DB8-817D-F92DF00215AE\nstart=8192, size=%s, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' \
        "$vsec" | sfdisk -q "$W/gpt.raw" >/dev/null || return 1
    dd if="$W/odd.ntfs" of="$W/gpt.raw" bs=512 seek=8192 conv=notrunc status=none || return 1
    # Split raw: disk.001, disk.002, …
    split -b 8M -a 3 -d --numeric-suffixes=1 "$W/gpt.raw" "$W/split." || return 1
    # EWF: one compressed segment, and split into 4 MiB segments.
    ewfacquirestream -q -t "$W/case" -c deflate:fast -C case-14 -D "bootlens test" -e tests -E 1 -N none \
        <"$W/gpt.raw" >/dev/null 2>&1 || return 1
    ewfacquirestream -q -t "$W/segs" -c none -S 4194304 -C case-14 -D "bootlens test" -e tests -E 1 -N none \
        <"$W/mbr.raw" >/dev/null 2>&1 || return 1
    # Virtual disks.
    qemu-img convert -q -f raw -O vhdx "$W/gpt.raw" "$W/dynamic.vhdx" &&
        qemu-img convert -q -f raw -O vhdx -o subformat=fixed "$W/mbr.raw" "$W/fixed.vhdx" &&
        qemu-img convert -q -f raw -O vpc "$W/mbr.raw" "$W/dynamic.vhd" &&
        qemu-img convert -q -f raw -O vpc -o subformat=fixed "$W/gpt.raw" "$W/fixed.vhd" &&
        qemu-img convert -q -f raw -O vmdk "$W/gpt.raw" "$W/sparse.vmdk" &&
        qemu-img convert -q -f raw -O vmdk -o subformat=twoGbMaxExtentSparse "$W/mbr.raw" "$W/split.vmdk" &&
        qemu-img convert -q -f raw -O vmdk -o subformat=monolithicFlat "$W/gpt.raw" "$W/flat.vmdk" &&
        qemu-img convert -q -f raw -O qcow2 "$W/gpt.raw" "$W/disk.qcow2" || return 1
    build_hostile || return 1
    printf '%s' "$src" >"$stamp"
}

# Patches bytes (printf escapes) into FILE at OFFSET.
patch() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
# The printf escapes of a 32-bit little-endian number.
le32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
# mbr_entry FILE N TYPE LBA COUNT: writes primary partition entry N (1-4).
mbr_entry() {
    patch "$1" $((446 + 16 * ($2 - 1))) "\\000\\000\\000\\000$(printf '\\%03o' "$3")\\000\\000\\000$(le32 "$4")$(le32 "$5")"
}

build_hostile() {
    # An extended partition chain that links back to itself.
    cp "$W/mbr.raw" "$W/loop.raw"
    # The EBR at 18432 describes logical p5 and links to "next" EBR at
    # relative sector 0: itself; overwrite p5 so no volume is left to read.
    patch "$W/loop.raw" $((18432 * 512 + 446 + 16 + 4)) '\005'
    patch "$W/loop.raw" $((18432 * 512 + 446 + 16 + 8)) '\000\000\000\000\001\000\000\000'
    patch "$W/loop.raw" $((18432 * 512 + 446 + 4)) '\000'
    # Two primary partitions over the same sectors.
    cp "$W/mbr.raw" "$W/overlap.raw"
    mbr_entry "$W/overlap.raw" 1 7 20480 "$vsec"
    mbr_entry "$W/overlap.raw" 2 7 20488 "$vsec"
    # An $MFT cluster number far outside its volume.
    cp "$W/vol.ntfs" "$W/mft-outside.ntfs"
    patch "$W/mft-outside.ntfs" 48 '\000\000\000\000\000\000\001\000'
    # BitLocker's signature where NTFS's was.
    cp "$W/vol.ntfs" "$W/bitlocker.ntfs"
    patch "$W/bitlocker.ntfs" 3 '\055FVE\055FS\055'
    # A FAT32 boot sector in the GPT's data partition.
    cp "$W/gpt.raw" "$W/fat.raw"
    patch "$W/fat.raw" $((8192 * 512 + 3)) 'MSDOS5.0'
    patch "$W/fat.raw" $((8192 * 512 + 82)) 'FAT32   '
    # A 2 TB virtual disk that holds nothing.
    qemu-img create -q -f vhdx "$W/sparse-2tb.vhdx" 2T || return 1
    # A disk cut short in the middle of the hive's clusters.
    head -c $(($(size_of "$W/gpt.raw") * 2 / 5)) "$W/gpt.raw" >"$W/truncated.raw"
    # A volume cut short after the start of the hive: part of it is there.
    head -c $(($(size_of "$W/vol.ntfs") * 7 / 10)) "$W/vol.ntfs" >"$W/truncated.ntfs"
    # A split E01 whose second segment is gone; a split VMDK without its extent.
    mkdir -p "$W/missing"
    cp "$W/segs.E01" "$W/missing/segs.E01"
    [ -f "$W/segs.E03" ] && cp "$W/segs.E03" "$W/missing/segs.E03"
    cp "$W/split.vmdk" "$W/missing/split.vmdk"
    return 0
}

if [ $rebuild = 1 ]; then
    if ! build_images 2>"$W/build.err"; then
        echo "FAIL: images: could not build the test images:" >&2
        sed 's/^/    /' "$W/build.err" | head -10 >&2
        exit 1
    fi
fi

images=$(ls "$W"/*.raw "$W"/*.ntfs "$W"/*.E0? "$W"/*.vhd* "$W"/*.vmdk "$W"/*.qcow2 "$W"/split.0?? "$W"/missing/* 2>/dev/null)
# shellcheck disable=SC2086
sha256sum $images >"$OUT/before.sha256"

# ---- the extracted hive with its logs: the reference ----
"$BOOTLENS" analyze "$X/SYSTEM" --format json --fail-on never >"$OUT/extracted.json" 2>"$OUT/extracted.err"
jq -S .findings "$OUT/extracted.json" >"$OUT/extracted.findings"
grep -q '"dirty-hive:recovered"' "$OUT/extracted.findings" || note_fail "the extracted reference hive was not recovered from its logs"
"$BOOTLENS" analyze "$X/SYSTEM" --format json --fail-on never --no-recovery | jq -S .findings >"$OUT/extracted-norec.findings"
cmp -s "$OUT/extracted.findings" "$OUT/extracted-norec.findings" && note_fail "the logs change nothing: the test would prove nothing"

# same_findings NAME SOURCE PREFIX: analyze SOURCE, replace PREFIX (the
# origin of the config folder) by the extracted folder, compare findings.
same_findings() {
    sf_name=$1 sf_src=$2 sf_prefix=$3
    shift 3
    "$BOOTLENS" analyze "$sf_src" --format json --fail-on never "$@" >"$OUT/$sf_name.json" 2>"$OUT/$sf_name.err"
    sf_status=$?
    if crashed "$sf_status" "$OUT/$sf_name.err"; then
        note_fail "$sf_name: crashed (exit $sf_status)"
        sed 's/^/    /' "$OUT/$sf_name.err" | head -10 >&2
        return
    fi
    if [ "$sf_status" != 0 ]; then
        note_fail "$sf_name: exit $sf_status: $(head -1 "$OUT/$sf_name.err")"
        return
    fi
    # Logs are spelled as each volume spells them: compare the names
    # case-insensitively, as Windows does.
    sed -e "s|$sf_prefix|$X/|gI" -e "s|$X/SYSTEM\.LOG\([12]\)|$X/SYSTEM.LOG\1|gI" "$OUT/$sf_name.json" |
        jq -S .findings >"$OUT/$sf_name.findings"
    if ! cmp -s "$OUT/extracted.findings" "$OUT/$sf_name.findings"; then
        note_fail "$sf_name: findings differ from the extracted hive's"
        diff "$OUT/extracted.findings" "$OUT/$sf_name.findings" | head -10 >&2
        return
    fi
    # The origin and the digests of what was read are reported.
    sf_origin=$(jq -r ".inputs[0].origin" "$OUT/$sf_name.json")
    case $sf_origin in "$sf_prefix"SYSTEM | "$sf_prefix"system) ;; *) note_fail "$sf_name: origin is $sf_origin" ;; esac
    [ "$(jq -r ".inputs[0].sha256" "$OUT/$sf_name.json")" = "$(sha256sum "$X/SYSTEM" | cut -d' ' -f1)" ] ||
        note_fail "$sf_name: the hive's sha256 is not that of the extracted file"
    [ "$(jq '[.inputs[0].logs[] | select(.applied)] | length' "$OUT/$sf_name.json")" = 2 ] ||
        note_fail "$sf_name: LOG1 and LOG2 from the image were not both applied"
    ok
}

std=/Windows/System32/config/
odd=/WINDOWS/system32/CONFIG/
same_findings bare-ntfs "$W/vol.ntfs" "$W/vol.ntfs#$std"
same_findings raw-mbr "$W/mbr.raw" "$W/mbr.raw#p5:$std"
same_findings raw-gpt "$W/gpt.raw" "$W/gpt.raw#p3:$odd"
same_findings split-raw "$W/split.001" "$W/split.001#p3:$odd"
same_findings e01 "$W/case.E01" "$W/case.E01#p3:$odd"
same_findings e01-split "$W/segs.E01" "$W/segs.E01#p5:$std"
same_findings vhdx-dynamic "$W/dynamic.vhdx" "$W/dynamic.vhdx#p3:$odd"
same_findings vhdx-fixed "$W/fixed.vhdx" "$W/fixed.vhdx#p5:$std"
same_findings vhd-dynamic "$W/dynamic.vhd" "$W/dynamic.vhd#p5:$std"
same_findings vhd-fixed "$W/fixed.vhd" "$W/fixed.vhd#p3:$odd"
same_findings vmdk-sparse "$W/sparse.vmdk" "$W/sparse.vmdk#p3:$odd"
same_findings vmdk-split "$W/split.vmdk" "$W/split.vmdk#p5:$std"
same_findings vmdk-flat "$W/flat.vmdk" "$W/flat.vmdk#p3:$odd"
same_findings qcow2 "$W/disk.qcow2" "$W/disk.qcow2#p3:$odd"
# The explicit forms name the same hive.
same_findings e01-system "$W/case.E01#SYSTEM" "$W/case.E01#p3:$odd"
same_findings e01-path "$W/case.E01#p3:/windows/system32/config/system" "$W/case.E01#p3:$odd"
same_findings mbr-volume "$W/mbr.raw" "$W/mbr.raw#p5:$std" --volume p5
same_findings mbr-installation "$W/mbr.raw" "$W/mbr.raw#p5:$std" --installation p5:/windows

# ---- the other commands take image sources too ----
run() { # run NAME EXPECTED-EXIT ARGS...
    r_name=$1 r_code=$2
    shift 2
    "$BOOTLENS" "$@" >"$OUT/$r_name.out" 2>"$OUT/$r_name.err"
    r_status=$?
    if crashed "$r_status" "$OUT/$r_name.err"; then
        note_fail "$r_name: crashed (exit $r_status)"
        sed 's/^/    /' "$OUT/$r_name.err" | head -10 >&2
        return 1
    fi
    if [ "$r_status" != "$r_code" ]; then
        note_fail "$r_name: exit $r_status, expected $r_code: $(head -1 "$OUT/$r_name.err")"
        return 1
    fi
    return 0
}

run ls 0 ls "$W/gpt.raw" &&
    grep -q "p3:/WINDOWS" "$OUT/ls.out" && grep -q 'LOG2 .*gpt.raw#p3:/WINDOWS/system32/CONFIG/System.Log2' "$OUT/ls.out" &&
    grep -q 'p1 .*EFI system' "$OUT/ls.out" && ok || note_fail "ls gpt.raw: volumes or installation missing"
run ls-json 0 ls "$W/case.E01" --format json --hash-image &&
    [ "$(jq -r '.installations[0].system.origin' "$OUT/ls-json.out")" = "$W/case.E01#p3:${odd}system" ] &&
    [ "$(jq -r '.image.files[0].sha256' "$OUT/ls-json.out")" = "$(sha256sum "$W/case.E01" | cut -d' ' -f1)" ] &&
    ok || note_fail "ls --format json: origin or image sha256 wrong"
run hash-image 0 analyze "$W/segs.E01" --format json --hash-image --fail-on never &&
    [ "$(jq '.inputs[0].image.files | length' "$OUT/hash-image.out")" -ge 2 ] &&
    [ "$(jq -r '.inputs[0].image.files[1].sha256' "$OUT/hash-image.out")" = "$(sha256sum "$W/segs.E02" | cut -d' ' -f1)" ] &&
    ok || note_fail "analyze --hash-image: segment sha256 missing or wrong"
run text-origin 0 analyze "$W/mbr.raw" --hash-image --fail-on never &&
    grep -q "^bootlens: $W/mbr.raw#p5:${std}SYSTEM," "$OUT/text-origin.out" &&
    grep -q "^Evidence: $W/mbr.raw (raw), read-only; sha256 $(sha256sum "$W/mbr.raw" | cut -d' ' -f1)" "$OUT/text-origin.out" &&
    ok || note_fail "analyze text: origin or evidence line missing"
for cmd in order stack filters; do
    run "$cmd" 0 "$cmd" "$W/dynamic.vhdx" && grep -q "^bootlens: $W/dynamic.vhdx#p3:" "$OUT/$cmd.out" && ok ||
        note_fail "$cmd from a VHDX: no origin line"
done
run diff-regback 0 diff "$W/case.E01#SYSTEM" "$W/case.E01#RegBack" --fail-on never &&
    grep -q "case.E01#p3:${odd}regback/system" "$OUT/diff-regback.out" && ok ||
    note_fail "diff IMAGE#SYSTEM IMAGE#RegBack"
rm -f "$OUT/recovered.hiv" "$OUT/recovered-x.hiv"
run recover 0 recover "$W/disk.qcow2" -o "$OUT/recovered.hiv" &&
    "$BOOTLENS" recover "$X/SYSTEM" -o "$OUT/recovered-x.hiv" 2>/dev/null &&
    cmp -s "$OUT/recovered.hiv" "$OUT/recovered-x.hiv" && ok ||
    note_fail "recover from a QCOW2 differs from recover of the extracted hive"
run recover-over-image 2 recover "$W/vol.ntfs#SYSTEM" -o "$W/vol.ntfs" &&
    grep -q "refusing to replace an input" "$OUT/recover-over-image.err" && ok ||
    note_fail "recover -o IMAGE was not refused"
inf=$(ls test_infs/*.inf 2>/dev/null | head -1)
if [ -n "$inf" ]; then
    "$BOOTLENS" lint --baseline "$W/case.E01#SYSTEM" "$inf" >"$OUT/lint.out" 2>"$OUT/lint.err"
    st=$?
    if crashed $st "$OUT/lint.err" || [ $st -gt 1 ]; then note_fail "lint --baseline IMAGE#SYSTEM: exit $st: $(head -1 "$OUT/lint.err")"; else ok; fi
fi

# ---- a case folder: each image analyzed once, by its first file ----
# Links to the images (nothing written beside them): a split E01, a split
# raw, a VMDK with its extents, a VHDX, and a note; the later segments and
# extents are skipped with a note naming their first file, not analyzed
# (nor made baselines) on their own.
CASE=$OUT/case
rm -rf "$CASE" && mkdir -p "$CASE"
for f in "$W"/segs.E* "$W"/split.0?? "$W"/split.vmdk "$W"/split-s0*.vmdk "$W"/fixed.vhdx; do
    ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$CASE/$(basename "$f")"
done
echo "chain of custody" >"$CASE/notes.txt"
nsegs=$(ls "$CASE" | grep -c -e '^segs\.E' -e '^split\.0')
nimages=4
run case-folder 0 analyze "$CASE" --format jsonl --fail-on never &&
    [ "$(grep -c '"command"' "$OUT/case-folder.out")" = "$nimages" ] &&
    [ "$(grep -c 'skipped: a later file of the split image' "$OUT/case-folder.err")" = "$((nsegs + $(ls "$CASE" | grep -c -- '-s0') - 2))" ] &&
    grep -q "segs.E02: skipped: a later file of the split image $CASE/segs.E01" "$OUT/case-folder.err" &&
    grep -q "split-s001.vmdk: skipped: a later file of the split image $CASE/split.vmdk" "$OUT/case-folder.err" &&
    grep -q "notes.txt: skipped: neither a registry hive" "$OUT/case-folder.err" &&
    ! grep -q '"error":' "$OUT/case-folder.out" && ok ||
    note_fail "analyze CASE-FOLDER: not one result per image, or segments not skipped ($(head -c 300 "$OUT/case-folder.err"))"
if [ -n "$inf" ]; then
    run lint-case-folder 0 lint "$inf" --baseline "$CASE" --fail-on never --format json &&
        [ "$(jq '.baselines | length' "$OUT/lint-case-folder.out")" = "$nimages" ] &&
        ! jq -r '.baselines[].path' "$OUT/lint-case-folder.out" | grep -q -e 'E02' -e '\.002' -e -s001 && ok ||
        note_fail "lint --baseline CASE-FOLDER: the later segments became baselines"
fi

# ---- refusals: exit 2, one line naming the image and what is wrong ----
refuse() { # refuse NAME PATTERN ARGS...
    rf_name=$1 rf_pat=$2
    shift 2
    /usr/bin/time -f %M -o "$OUT/$rf_name.rss" "$BOOTLENS" "$@" >"$OUT/$rf_name.out" 2>"$OUT/$rf_name.err"
    rf_status=$?
    sed -i '/^Command exited with non-zero status/d' "$OUT/$rf_name.err" 2>/dev/null
    if crashed "$rf_status" "$OUT/$rf_name.err"; then
        note_fail "$rf_name: crashed (exit $rf_status)"
        sed 's/^/    /' "$OUT/$rf_name.err" | head -10 >&2
        return
    fi
    if [ "$rf_status" != 2 ] || [ "$(wc -l <"$OUT/$rf_name.err")" != 1 ]; then
        note_fail "$rf_name: expected exit 2 with one line, got exit $rf_status: $(head -2 "$OUT/$rf_name.err")"
        return
    fi
    grep -q -e "$rf_pat" "$OUT/$rf_name.err" || {
        note_fail "$rf_name: message does not say \"$rf_pat\": $(cat "$OUT/$rf_name.err")"
        return
    }
    rss=$(tail -1 "$OUT/$rf_name.rss" 2>/dev/null)
    if [ -n "$rss" ] && [ "$rss" -gt 262144 ]; then
        note_fail "$rf_name: peak memory ${rss} KB is over 256 MB"
        return
    fi
    ok
}
refuse loop "loops back to sector" analyze "$W/loop.raw"
refuse overlap "overlaps" analyze "$W/overlap.raw"
refuse mft-outside "mft-outside.ntfs.*NTFS volume unreadable" analyze "$W/mft-outside.ntfs"
refuse bitlocker "bitlocker.ntfs: BitLocker-encrypted volume (signature -FVE-FS-)" analyze "$W/bitlocker.ntfs"
refuse fat "fat.raw: .*p3: unsupported file system (FAT)" analyze "$W/fat.raw"
refuse sparse-2tb "sparse-2tb.vhdx: no file system (its first sector is zeros)" analyze "$W/sparse-2tb.vhdx"
refuse sparse-2tb-path "sparse-2tb.vhdx: no file system" analyze "$W/sparse-2tb.vhdx#/x"
refuse missing-segment "missing/segs.E01" analyze "$W/missing/segs.E01"
refuse missing-extent "missing/split.vmdk" analyze "$W/missing/split.vmdk"
refuse no-such-hive "no such file in the image" analyze "$W/vol.ntfs#/Windows/System32/config/NOPE"
refuse bad-spec "unknown hive in the image" analyze "$W/vol.ntfs#SOFTWAREX"
refuse software-not-system "not a SYSTEM hive" analyze "$W/vol.ntfs#/Windows/System32/config/SOFTWARE"
refuse no-installation-named "no Windows installation /Nope" analyze "$W/vol.ntfs" --installation /Nope
refuse not-an-image "not a disk or volume image" ls "$X/SYSTEM"
refuse no-volume "no volume p9" analyze "$W/gpt.raw#p9:/Windows/System32/config/SYSTEM"
refuse efi-partition "gpt.raw#p1:/x: no file system" analyze "$W/gpt.raw#p1:/x"
refuse no-volume-option "mbr.raw: no volume p9" analyze "$W/mbr.raw" --volume p9
# A later segment or extent of the image is an input too, even with --force
# (the sha256 check at the end proves none was touched).
refuse analyze-over-segment "segs.E02: is the same file as the disk image segment" \
    analyze "$W/segs.E01" -o "$W/segs.E02" --force
refuse analyze-over-raw-segment "split.003: is the same file as the disk image segment" \
    analyze "$W/split.001#SYSTEM" -o "$W/split.003" --force
refuse order-over-extent "split-s001.vmdk: is the same file as the disk image" \
    order "$W/split.vmdk" -o "$W/split-s001.vmdk" --force
refuse ls-over-segment "segs.E03: is the same file as the disk image" ls "$W/segs.E01" -o "$W/segs.E03" --force
# An extent whose name says nothing (a VMDK descriptor may name any file):
# known from the files the open image read, for one hive, --fix-out, lint
# and a fleet alike.
R=$OUT/renamed
rm -rf "$R" && mkdir -p "$R"
cp "$W/flat-flat.vmdk" "$R/data.bin"
sed 's/"flat-flat.vmdk"/"data.bin"/' "$W/flat.vmdk" >"$R/d.vmdk"
sha256sum "$R/data.bin" >"$OUT/renamed.sha256"
refuse renamed-extent-o "data.bin: is the same file as the disk image file" analyze "$R/d.vmdk" -o "$R/data.bin" --force
refuse renamed-extent-fix-out "data.bin: is the same file as the disk image file" \
    analyze "$R/d.vmdk" --fix-out "$R/data.bin" --force
refuse renamed-extent-fleet "data.bin: is the same file as the disk image file" \
    analyze --summary "$R/d.vmdk" -o "$R/data.bin" --force
if [ -n "$inf" ]; then
    refuse renamed-extent-lint "data.bin: is the same file as the disk image file" \
        lint --baseline "$R/d.vmdk" "$inf" -o "$R/data.bin" --force
fi
if sha256sum -c --quiet "$OUT/renamed.sha256" >/dev/null 2>&1; then ok; else note_fail "a renamed VMDK extent was overwritten"; fi
refuse volume-of-a-hive "SYSTEM: --volume names a volume or installation of a disk image, and this is no image" \
    analyze "$X/SYSTEM" --volume p1
# A disk cut short: a one-line refusal, or a partial analysis that says what
# it could not read — never a crash.
"$BOOTLENS" analyze "$W/truncated.raw" --fail-on never >"$OUT/truncated.out" 2>"$OUT/truncated.err"
st=$?
if crashed $st "$OUT/truncated.err"; then
    note_fail "truncated: crashed"
elif [ $st = 2 ]; then
    [ "$(wc -l <"$OUT/truncated.err")" = 1 ] && grep -q truncated.raw "$OUT/truncated.err" && ok ||
        note_fail "truncated: exit 2 without one line naming the image"
elif grep -q -e "could not be read" -e "truncated" "$OUT/truncated.out"; then
    ok
else
    note_fail "truncated: exit $st without saying what could not be read"
fi

# What the image could not give is named, in the refusal or the report:
# the hive's bytes past the end, or for the small generated hive (no
# $SHARED), which lies before the cut, the truncation itself.
"$BOOTLENS" analyze "$W/truncated.ntfs" --fail-on never >"$OUT/truncated-vol.out" 2>"$OUT/truncated-vol.err"
st=$?
if crashed $st "$OUT/truncated-vol.err"; then
    note_fail "truncated volume: crashed"
elif grep -q -e "bytes could not be read from the image" -e "${small_hive_note:-bytes could not be read from the image}" \
    "$OUT/truncated-vol.err" "$OUT/truncated-vol.out"; then
    ok
else
    note_fail "truncated volume: exit $st, and nothing says which bytes could not be read: $(head -1 "$OUT/truncated-vol.err")"
fi

# ---- evidence discipline: every image byte-identical, nothing beside it ----
# shellcheck disable=SC2086
sha256sum $images >"$OUT/after.sha256"
if cmp -s "$OUT/before.sha256" "$OUT/after.sha256"; then ok; else
    note_fail "an image changed during the runs"
    diff "$OUT/before.sha256" "$OUT/after.sha256" >&2
fi
# shellcheck disable=SC2012
if ls "$W" | grep -q -i -e '\.tmp' -e '\.lock' -e '\.cache'; then note_fail "a file was written beside the images"; else ok; fi

echo "images: $pass passed, $fail failed (payload: $payload)"
[ "$fail" = 0 ]
