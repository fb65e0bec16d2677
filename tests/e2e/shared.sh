#!/bin/sh
# shared.sh — end-to-end checks on the hives of ../shared (decompressed into
# build/shared): the real hives booted fine, so an error there is a false
# alarm; damaged and unusual hives must end in exit 0, 1 or 2 with a message,
# never a crash; dirty hives recover.  Called by run.sh when $SHARED exists.
set -u
BOOTLENS=${BOOTLENS:-build/bootlens}
SHARED=${SHARED:-../shared}
DIR=build/shared
mkdir -p "$DIR"
failed=0
fail() {
    echo "  shared: FAIL: $*" >&2
    failed=1
}

# Decompresses SHARED/rel.xz to DIR/rel once.
unpack() {
    out="$DIR/$1"
    if [ ! -f "$out" ]; then
        mkdir -p "$(dirname "$out")"
        xz -dc "$SHARED/$1.xz" >"$out.tmp" && mv "$out.tmp" "$out" || return 1
    fi
    echo "$out"
}

crashed() {
    [ "$1" -ge 128 ] || grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$2"
}

# Every real hive, found by listing the folder: machines that booted fine.
# No error and no warning (a dirty-hive warning for a hive shipped without
# its logs aside): anything else is a false alarm.
for f in "$SHARED"/hives/real/*.xz; do
    [ -f "$f" ] || continue
    real=$(basename "$f" .xz)
    h=$(unpack "hives/real/$real") || { fail "cannot unpack $real"; continue; }
    for cmd in analyze order stack filters; do
        "$BOOTLENS" $cmd "$h" >"$DIR/$real.$cmd.out" 2>"$DIR/$real.$cmd.err"
        status=$?
        if crashed "$status" "$DIR/$real.$cmd.err"; then fail "$real $cmd crashed"; fi
        [ "$status" = 0 ] || fail "$real: $cmd exit $status (an error on a machine that booted fine is a false alarm)"
    done
    "$BOOTLENS" analyze "$h" --format json >"$DIR/$real.json" 2>/dev/null || fail "$real: analyze --format json failed"
    bad=$(python3 - "$DIR/$real.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f"{x['severity']} [{x['rule']}] {x['message']}" for x in d["findings"]
       if x["severity"] in ("error", "warning")
       and not (x["rule"] == "dirty-hive" and not d["hive"]["recovered"])]
print("\n".join(bad))
PY
)
    if [ -n "$bad" ]; then
        fail "$real: findings above info on a machine that booted fine:"
        printf '%s\n' "$bad" | sed 's/^/      /' >&2
    fi
    printf '  shared: %-40s %s\n' "$real" "$(grep -m1 -E '^[0-9]+ errors?, ' "$DIR/$real.analyze.out")"
done

# Windows XP: ntldr adds the boot file system whatever its Start (Ntfs is
# Start=4 on these hives), in its group's slot.
for f in "$SHARED"/hives/real/*xp*.xz; do
    [ -f "$f" ] || continue
    h=$DIR/hives/real/$(basename "$f" .xz)
    "$BOOTLENS" order "$h" --phase boot | grep -q -E 'boot\+fs +.* Ntfs ' || fail "$(basename "$h"): Ntfs is not in the boot order"
    "$BOOTLENS" explain "$h" Ntfs | grep -q 'Windows 2000/XP/2003' || fail "$(basename "$h"): not told as Windows XP"
done
# Windows 10: MsSecFlt initializes from the Core Driver Services list, is
# not reported as loading before FltMgr, and explain names the list.
for f in "$SHARED"/hives/real/*win10*.xz; do
    [ -f "$f" ] || continue
    h=$DIR/hives/real/$(basename "$f" .xz)
    "$BOOTLENS" explain "$h" MsSecFlt >"$DIR/mssecflt.txt" 2>&1 || continue # not every build has it
    grep -q "Core Driver Services" "$DIR/mssecflt.txt" || fail "$(basename "$h"): explain MsSecFlt does not name the core list"
    if grep -q "minifilter-loads-before-fltmgr" "$DIR/mssecflt.txt"; then fail "$(basename "$h"): MsSecFlt reported before FltMgr"; fi
done

# Windows 7 VMware guest: vmci is demand-start in "Extended Base", so it is
# not in the boot order and it is explained as such.
w7=$DIR/hives/real/SYSTEM-win7-vmware
"$BOOTLENS" explain "$w7" vmci >"$DIR/w7-vmci.txt" 2>&1 || fail "explain vmci failed"
grep -q 'demand start' "$DIR/w7-vmci.txt" || fail "win7: vmci is not reported as demand start"
grep -q 'Extended Base' "$DIR/w7-vmci.txt" || fail "win7: vmci's group Extended Base is not shown"
if "$BOOTLENS" order "$w7" --phase boot | grep -q ' vmci '; then fail "win7: vmci listed among boot drivers"; fi

# Damaged and unusual hives: a defined result each, never a crash.
for f in "$SHARED"/hives/malformed/*.xz; do
    [ -f "$f" ] || continue
    rel=hives/malformed/$(basename "$f" .xz)
    h=$(unpack "$rel") || { fail "cannot unpack $rel"; continue; }
    name=$(basename "$h")
    "$BOOTLENS" analyze "$h" >"$DIR/$name.out" 2>"$DIR/$name.err"
    status=$?
    if crashed "$status" "$DIR/$name.err"; then
        fail "$name crashed (exit $status)"
    elif [ "$status" = 2 ]; then
        [ "$(wc -l <"$DIR/$name.err")" = 1 ] || fail "$name: exit 2 without exactly one line on stderr"
        grep -q "$name" "$DIR/$name.err" || fail "$name: the message does not name the file"
    elif [ "$status" != 0 ] && [ "$status" != 1 ]; then
        fail "$name: exit $status"
    fi
    printf '  shared: %-28s exit %s  %s\n' "$name" "$status" "$(head -c 150 "$DIR/$name.err" | head -1)"
done

# Dirty hives with their logs: analyze replays them; recover writes a copy.
for d in "$SHARED"/hives/logs/*/; do
    [ -d "$d" ] || continue
    case=$(basename "$d")
    for f in "$d"*.xz; do unpack "hives/logs/$case/$(basename "$f" .xz)" >/dev/null || fail "unpack $f"; done
    primary=$(ls "$DIR/hives/logs/$case/" | grep -v -i -e '\.LOG' -e Recovered | head -1)
    h=$DIR/hives/logs/$case/$primary
    "$BOOTLENS" analyze "$h" >"$DIR/$case.out" 2>"$DIR/$case.err"
    status=$?
    if crashed "$status" "$DIR/$case.err"; then fail "$case crashed"; fi
    rm -f "$DIR/$case.recovered"
    "$BOOTLENS" recover "$h" -o "$DIR/$case.recovered" 2>"$DIR/$case.recover.err"
    rstatus=$?
    if crashed "$rstatus" "$DIR/$case.recover.err"; then fail "$case recover crashed"; fi
    printf '  shared: %-28s analyze exit %s, recover exit %s  %s\n' "$case" "$status" "$rstatus" "$(head -c 150 "$DIR/$case.recover.err")"
done
exit $failed
