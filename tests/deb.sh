#!/bin/sh
# deb.sh — the Debian package, end to end (`make deb-check`, part of `make
# check`): builds it from a copy of the checkout (scripts/deb.sh:
# dpkg-buildpackage -us -uc -b, whose dh_auto_test runs `make
# check-package`), lints the binary and the source package (lintian: no
# error, no warning; the overrides in debian/ say why), and installs the .deb
# into a scratch root (dpkg -x) to run what it installed: --version (the
# changelog's version, the schema version, the knowledge file's, every
# library), analyze of a test hive in text and in JSON (valid against the
# installed schemas), the man page through man -l (no warning), the bash
# completion, the docs.  Nothing may be written beside the checkout.
set -u
cd "$(dirname "$0")/.." || exit 1
D=build/deb
fail=0
note_fail() {
    echo "deb: FAIL: $*" >&2
    fail=1
}

parent_before=$(ls -a .. 2>/dev/null | sort)
status_before=$(git status --porcelain 2>/dev/null)
scripts/deb.sh || exit 1
[ "$(ls -a .. 2>/dev/null | sort)" = "$parent_before" ] || note_fail "the build wrote beside the checkout (in ..)"
[ "$(git status --porcelain 2>/dev/null)" = "$status_before" ] || note_fail "the build changed the checkout (git status)"

version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$D/bootlens_${version}_$arch.deb

# lintian: errors and warnings fail; what it says below that is shown.
lintian --fail-on error,warning --display-info --pedantic \
    "$D/src/bootlens_${version}_$arch.changes" "$D/src/bootlens_$version.dsc" >"$D/lintian.log" 2>&1 ||
    note_fail "lintian: $(grep -E '^[EW]:' "$D/lintian.log" | head -10)"
grep -E '^[EWIP]:' "$D/lintian.log" | sed 's/^/deb: lintian: /'

# Build-Depends name every library install-deps.sh builds with (the
# compiler and libc are build-essential; pkgconf provides pkg-config).
build=$(sed -n 's/^build="\(.*\)"$/\1/p' scripts/install-deps.sh)
[ -n "$build" ] || note_fail "no build= list in scripts/install-deps.sh"
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' debian/control)
for p in $build; do
    case $p in make | gcc | libc6-dev) continue ;; pkg-config) p=pkgconf ;; esac
    printf '%s\n' "$bdeps" | grep -q -E "(^|[ ,])$p( |,|$)" || note_fail "debian/control: Build-Depends lacks $p"
done

# The package's metadata.
[ "$(dpkg-deb -f "$deb" Package)" = bootlens ] || note_fail "package name"
dpkg-deb -f "$deb" Depends | grep -q libregf1 || note_fail "Depends lacks libregf1: $(dpkg-deb -f "$deb" Depends)"

# Installed into a scratch root.
root=$D/root
rm -rf "$root"
mkdir -p "$root"
dpkg -x "$deb" "$root" || note_fail "dpkg -x"
bin=$root/usr/bin/bootlens
for f in usr/bin/bootlens usr/share/man/man1/bootlens.1.gz usr/share/bash-completion/completions/bootlens \
    usr/share/bootlens/knowledge.txt usr/share/bootlens/altitudes.txt usr/share/bootlens/schemas/defs.schema.json \
    usr/share/doc/bootlens/README.md.gz usr/share/doc/bootlens/copyright usr/share/doc/bootlens/doc/json.md.gz; do
    [ -e "$root/$f" ] || note_fail "/$f is not in the package"
done
for cmd in analyze order stack explain filters lint diff ls; do
    [ -f "$root/usr/share/bootlens/schemas/$cmd.schema.json" ] || note_fail "schemas/$cmd.schema.json is not installed"
done

# --version: the changelog's version, the JSON contract's, the knowledge
# file's, and each library with the version it reports.
"$bin" --version >"$D/version.txt" 2>&1 || note_fail "--version exited $?"
[ "$(head -1 "$D/version.txt")" = "bootlens $version" ] ||
    note_fail "--version says '$(head -1 "$D/version.txt")', debian/changelog $version"
schema=$(sed -n 's/^#define BL_JSON_SCHEMA_VERSION "\(.*\)"$/\1/p' include/bootlens/report.h)
grep -q "^JSON schema_version: $schema$" "$D/version.txt" || note_fail "--version does not give schema_version $schema"
kv=$(sed -n 's/^@version //p' data/knowledge.txt)
grep -q "^knowledge file: $kv (built in)$" "$D/version.txt" || note_fail "--version does not give the knowledge version $kv"
for lib in libregf libbfio cJSON libvhdi libvmdk libqcow libfsntfs nettle libdeflate; do
    grep -q -E "^  $lib +[0-9][0-9.]* +\((built against [0-9][0-9.]*|compile time: the library has no version function)\)$" "$D/version.txt" ||
        note_fail "--version does not list $lib with its versions"
done

# analyze of a test hive, in text and JSON (validated with the installed schemas).
h=build/test_hives/vmci-filter-delay.hiv
"$bin" analyze "$h" >"$D/analyze.txt" 2>&1
[ $? = 1 ] && grep -q "filter-delays-device" "$D/analyze.txt" ||
    note_fail "the installed bootlens does not find the seed case: $(head -3 "$D/analyze.txt")"
"$bin" analyze "$h" --format json >"$D/analyze.json" 2>"$D/analyze.err"
[ $? = 1 ] || note_fail "analyze --format json: $(head -1 "$D/analyze.err")"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" tests/schemas/validate.py --schemas "$root/usr/share/bootlens/schemas" --schema-version "$schema" \
    --tool-version "$version" "analyze:$D/analyze.json" >"$D/validate.log" 2>&1 ||
    note_fail "the JSON does not validate against the installed schemas: $(head -3 "$D/validate.log")"

# The man page, as man shows it, without a warning from groff or man.
man --warnings -E UTF-8 -l -Tutf8 -Z "$root/usr/share/man/man1/bootlens.1.gz" >"$D/man.out" 2>"$D/man.err" ||
    note_fail "man -l failed: $(head -3 "$D/man.err")"
[ -s "$D/man.err" ] && note_fail "man -l warns: $(head -3 "$D/man.err")"
MANWIDTH=100 man -l -P cat "$root/usr/share/man/man1/bootlens.1.gz" >"$D/man.txt" 2>/dev/null
for cmd in analyze order stack explain filters lint recover diff ls; do
    grep -q "$cmd" "$D/man.txt" || note_fail "the man page does not mention $cmd"
done

# The bash completion completes the commands.
got=$(bash -c '. "$1"; COMP_WORDS=(bootlens an); COMP_CWORD=1; _bootlens; echo "${COMPREPLY[*]}"' sh \
    "$root/usr/share/bash-completion/completions/bootlens" 2>&1)
[ "$got" = analyze ] || note_fail "bash completion of 'bootlens an' gives '$got'"

[ "$fail" -eq 0 ] && echo "deb: passed: $deb installs and runs; lintian clean (no error, no warning)"
exit "$fail"
