#!/bin/sh
# pictures.sh — the pictures bootlens draws, checked by the programs that
# show them.  DOT through Graphviz: it parses, device ids keep their
# backslashes, `explain vsepflt` draws the victim's chain, big stacks stay a
# readable size and say what they left out.  The HTML report in headless
# Chromium: the screenshot has the expected size, is not blank, draws the
# held-back window's colour and crosses the row of the driver that fails
# inside it; the DOM has the sections, the timeline's elements and texts; a
# hostile service name stays text; the page prints to PDF.  Graphviz and
# Chromium come from scripts/install-deps.sh; when one is missing this
# script runs it, and skips that part with a message only if it could not
# install it.  Run by `make e2e` (BOOTLENS, MKHIVE name the binaries).
set -u
cd "$(dirname "$0")/.." || exit 1
BOOTLENS=${BOOTLENS:-build/bootlens}
MKHIVE=${MKHIVE:-build/mkhive}
W=build/pictures
mkdir -p "$W"
failed=0
fail() {
    echo "  pictures: FAIL: $*" >&2
    failed=1
}

# A tool, installing the project's packages once if it is missing.
have() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ -z "${deps_tried:-}" ]; then
        deps_tried=1
        scripts/install-deps.sh >"$W/install-deps.log" 2>&1 || true
    fi
    command -v "$1" >/dev/null 2>&1
}

seed=build/test_hives/vmci-filter-delay.hiv
[ -f "$seed" ] || { echo "pictures: $seed missing (tests/gen-hives.sh)" >&2; exit 1; }

# A fleet-sized System class: the seed plus 150 devices dlpflt holds back,
# one of them with the PCI id of the issue (backslashes, ampersands).
{
    # (printf, not echo: some shells' echo reads "\3" as an octal escape.)
    printf '%s\n' '!include ../../test_hives/vmci-filter-delay.reg' \
        '[ControlSet001\Enum\PCI\VEN_15AD&DEV_0740&SUBSYS_074015AD&REV_10\3&61aaa01&0&3F]' \
        '"ClassGUID"="{4D36E97D-E325-11CE-BFC1-08002BE10318}"' '"Service"="vmci"'
    i=1
    while [ $i -le 150 ]; do
        printf '[ControlSet001\\Enum\\ROOT\\SYSTEM\\%04d]\n"ClassGUID"="{4D36E97D-E325-11CE-BFC1-08002BE10318}"\n"Service"="volmgr"\n' $i
        i=$((i + 1))
    done
} >"$W/many.reg"
# Names no browser may take for markup.
{
    printf '%s\n' '!include ../../test_hives/vmci-filter-delay.reg' \
        '[ControlSet001\Control\Class\{4D36E97D-E325-11CE-BFC1-08002BE10318}]' \
        '"UpperFilters"=multi:"dlpflt","<script>alert(1)</script>"' \
        '[ControlSet001\Services\<script>alert(1)</script>]' \
        '"Type"=dword:00000001' '"Start"=dword:00000000' '"Group"="<img src=x onerror=alert(2)>"'
} >"$W/hostile.reg"
for n in many hostile; do
    "$MKHIVE" "$W/$n.reg" -o "$W/$n.hiv" || fail "mkhive $n.reg"
done
many=$W/many.hiv

# ---- DOT through Graphviz ----
# svg_size FILE: "W H" in points.
svg_size() {
    sed -n 's/^<svg width="\([0-9]*\)pt" height="\([0-9]*\)pt".*/\1 \2/p' "$1" | head -1
}
# dot_case NAME MAXW MAXH bootlens-args...: renders, checks it parses and fits.
dot_case() {
    name=$1 maxw=$2 maxh=$3
    shift 3
    "$BOOTLENS" "$@" --format dot >"$W/$name.dot" 2>"$W/$name.err" || { fail "$name: bootlens $* exit $?"; return 1; }
    dot -Tsvg "$W/$name.dot" >"$W/$name.svg" 2>"$W/$name.dot-err" || { fail "$name: dot rejects it: $(head -1 "$W/$name.dot-err")"; return 1; }
    set -- $(svg_size "$W/$name.svg")
    if [ $# -ne 2 ] || [ "$1" -gt "$maxw" ] || [ "$2" -gt "$maxh" ]; then
        fail "$name: picture is ${1:-?}x${2:-?} pt (at most ${maxw}x${maxh})"
        return 1
    fi
    printf '  pictures: %-26s %5s x %-5s pt\n' "$name" "$1" "$2"
}
if have dot; then
    # The victim's chain: vsepflt -> vsock -> vmci's device, held back by dlpflt.
    if dot_case explain-vsepflt 1500 600 explain "$seed" vsepflt; then
        for t in vsepflt vsock dlpflt 'Root\VMWVMCIHOSTDEV\0000' 'needs it: vsepflt fails' 'holds it back until slot'; do
            grep -q -F ">$t" "$W/explain-vsepflt.svg" || fail "explain vsepflt: no \"$t\" in the picture"
        done
        [ "$(grep -c 'class="edge"' "$W/explain-vsepflt.svg")" -ge 3 ] || fail "explain vsepflt: the chain has fewer than 3 edges"
    fi
    # Device ids keep their backslashes (and ampersands).
    if dot_case explain-pci-device 1500 1500 explain "$many" 'PCI\VEN_15AD&DEV_0740&SUBSYS_074015AD&REV_10\3&61aaa01&0&3F'; then
        grep -q -F '>PCI\VEN_15AD&amp;DEV_0740&amp;SUBSYS_074015AD&amp;REV_10\3&amp;61aaa01&amp;0&amp;3F' \
            "$W/explain-pci-device.svg" || fail "explain PCI device: the id lost its backslashes"
    fi
    # Hundreds of devices: capped, and the picture says how many it left out.
    dot_case explain-dlpflt-many 1600 4000 explain "$many" dlpflt &&
        { grep -q -F '+131 more devices not drawn' "$W/explain-dlpflt-many.svg" || fail "explain dlpflt: no count of the devices left out"; }
    dot_case stack-system-many 2500 5000 stack "$many" --class System &&
        { grep -q -F 'more devices not drawn' "$W/stack-system-many.svg" || fail "stack --class System: no count of the devices left out"; }
    dot_case stack-seed 2500 3000 stack "$seed"
    dot_case explain-hostile 1600 1600 explain "$W/hostile.hiv" '<script>alert(1)</script>'
else
    echo "  pictures: SKIP DOT checks: Graphviz (dot) is not installed and scripts/install-deps.sh could not install it (see $W/install-deps.log)"
fi

# ---- HTML in headless Chromium ----
chrome=
for c in chromium chromium-browser; do
    if have "$c"; then chrome=$c; break; fi
done
# browse OUT-OPTION URL: one headless run with its own fresh profile.
browse() {
    profile=$(mktemp -d "${TMPDIR:-/tmp}/bootlens-chromium.XXXXXX")
    timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
        --force-device-scale-factor=1 --user-data-dir="$profile" "$@" 2>>"$W/chromium.log"
    rc=$?
    rm -rf "$profile"
    return $rc
}
if [ -n "$chrome" ]; then
    page=$W/seed.html
    "$BOOTLENS" analyze "$seed" --format html >"$page" 2>"$W/seed-html.err"
    [ $? = 1 ] || fail "analyze --format html: exit status is not 1 (the seed case has an error)"
    url="file://$(pwd)/$page"
    browse --window-size=1280,3600 --screenshot="$W/seed.png" "$url" >/dev/null || fail "chromium could not take a screenshot (see $W/chromium.log)"
    if [ -s "$W/seed.png" ]; then
        # Held-back window #f2a93b, the failing driver's row #fde3e3.
        perl tests/png-colours.pl "$W/seed.png" f2a93b fde3e3 >"$W/seed.pixels" || fail "cannot read the screenshot"
        set -- $(cat "$W/seed.pixels" | tr '\n' ' ')
        # size W H nonwhite N colour C N ROWS colour C N ROWS together A B N
        [ "${2:-}" = 1280 ] && [ "${3:-}" = 3600 ] || fail "screenshot is ${2:-?}x${3:-?}, not 1280x3600"
        [ "${5:-0}" -gt 200000 ] || fail "screenshot is nearly blank (${5:-0} non-white pixels)"
        [ "${8:-0}" -gt 2000 ] || fail "the held-back windows are not drawn (${8:-0} pixels of their colour)"
        [ "${12:-0}" -gt 1000 ] || fail "the failing driver's row is not drawn (${12:-0} pixels of its colour)"
        [ "${17:-0}" -ge 16 ] || fail "no held-back window crosses the failing driver's row (${17:-0} pixel rows)"
        echo "  pictures: seed.png ${2}x${3}, ${5} non-white pixels, window colour ${8} px, failing row ${12} px, crossing on ${17:-0} rows"
    fi
    browse --dump-dom "$url" >"$W/seed.dom" || fail "chromium --dump-dom failed"
    dom_has() {
        grep -q -F -- "$2" "$1" || fail "$(basename "$1"): the page does not show: $2"
    }
    for t in 'id="findings"' 'id="fix"' 'id="timeline"' 'id="stacks"' 'id="order"' '<svg class="timeline"' \
        'class="fails"' '>vsepflt<tspan fill="#c62828" font-weight="700">  ✖ fails: needs vmci'"'"'s device</tspan>' \
        '>dlpflt<tspan' 'holds back 3 devices' 'class="needs"' 'upper class filter dlpflt holds back 3 System devices' \
        'HKEY_LOCAL_MACHINE\OFFLINE\ControlSet001\Services\dlpflt' 'reg load HKLM\OFFLINE' '"Group"="Boot Bus Extender"'; do
        dom_has "$W/seed.dom" "$t"
    done
    [ "$(grep -o 'class="held"' "$W/seed.dom" | wc -l)" -ge 3 ] || fail "seed.dom: fewer than 3 held-back windows"
    grep -q '<script' "$W/seed.dom" && fail "seed.dom: a script element"
    # No row's text runs into the device columns: measured by the browser's
    # own layout, in a copy of the page (its script-forbidding policy removed)
    # given a script that writes the
    # right edge of the widest row text and the left edge of the first held-back window.
    measure() {
        sed -e '/Content-Security-Policy/d' -e 's|</body>|<script>window.onload=function(){var m=0,c=1e9;document.querySelectorAll("svg.timeline text.driver").forEach(function(t){var b=t.getBBox();m=Math.max(m,b.x+b.width)});document.querySelectorAll("svg.timeline rect.held").forEach(function(r){c=Math.min(c,r.getBBox().x)});var p=document.createElement("p");p.id="measured";p.textContent=Math.ceil(m)+" "+Math.floor(c);document.body.appendChild(p)}</script></body>|' "$1" >"$1.measure.html"
        browse --dump-dom "file://$(pwd)/$1.measure.html" | sed -n 's|.*<p id="measured">\([0-9]*\) \([0-9]*\)</p>.*|\1 \2|p'
    }
    "$BOOTLENS" analyze "$many" --format html >"$W/many.html" 2>/dev/null
    for h in "$page" "$W/many.html"; do
        [ -f "$h" ] || continue
        set -- $(measure "$h")
        if [ -z "${1:-}" ] || [ -z "${2:-}" ]; then
            fail "$(basename "$h"): could not measure the timeline's row text"
        elif [ "$1" -ge "$2" ]; then
            fail "$(basename "$h"): a row's text ends at x=$1, over the first held-back window at x=$2"
        else
            echo "  pictures: $(basename "$h"): row text ends at x=$1, held-back windows start at x=$2"
        fi
    done
    # Hostile names are text in the browser's own DOM.
    "$BOOTLENS" analyze "$W/hostile.hiv" --format html >"$W/hostile.html" 2>/dev/null
    browse --dump-dom "file://$(pwd)/$W/hostile.html" >"$W/hostile.dom" || fail "chromium --dump-dom failed (hostile)"
    if grep -q -i -e '<script' -e '<img' "$W/hostile.dom"; then fail "hostile.dom: a name from the hive became markup"; fi
    dom_has "$W/hostile.dom" '&lt;script&gt;alert(1)&lt;/script&gt;'
    # explain and diff pages render too.
    "$BOOTLENS" explain "$seed" vsepflt --format html >"$W/explain.html" || fail "explain --format html"
    browse --dump-dom "file://$(pwd)/$W/explain.html" >"$W/explain.dom" && dom_has "$W/explain.dom" 'class="fails"'
    "$BOOTLENS" diff "$seed" build/test_hives/vmci-filter-fixed.hiv --format html >"$W/diff.html" || fail "diff --format html"
    browse --dump-dom "file://$(pwd)/$W/diff.html" >"$W/diff.dom" && dom_has "$W/diff.dom" 'id="timeline-b"'
    # It prints.
    browse --print-to-pdf="$W/seed.pdf" --no-pdf-header-footer "$url" >/dev/null 2>&1
    if [ "$(head -c 5 "$W/seed.pdf" 2>/dev/null)" != "%PDF-" ]; then fail "the report does not print to PDF"; fi
else
    echo "  pictures: SKIP HTML rendering checks: Chromium is not installed and scripts/install-deps.sh could not install it (see $W/install-deps.log)"
fi
[ $failed = 0 ] && echo "pictures: passed"
exit $failed
