#!/bin/sh
# deb.sh — builds the Debian package (`make deb`) from a copy of the
# checkout in build/deb/src: what a clean clone holds (the files git tracks,
# and new ones it does not ignore; without git, everything but build/).
# dpkg-buildpackage writes its results beside the source tree, so they land
# in build/deb/src, never beside the checkout (whose parent may hold other
# checkouts).  The source package (dpkg-source -b, for lintian's source
# checks) is made first from the pristine copy, then the binary one with
# `dpkg-buildpackage -us -uc -b`, which runs the package's tests
# (DEB_BUILD_OPTIONS=nocheck skips them).  The .deb is copied to build/deb.
set -eu
cd "$(dirname "$0")/.."
for tool in dpkg-buildpackage dpkg-source dh; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "deb: $tool is missing (make deb-deps installs it)" >&2
        exit 2
    }
done
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
D=build/deb
src=$D/src/bootlens-$version
rm -rf "$D"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # --cached lists files deleted from the work tree too: skip those.
    git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$src"
else
    tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi
# Two jobs unless told otherwise (the machines it runs on are shared).
case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=2" ;;
esac
export DEB_BUILD_OPTIONS
start=$(date +%s)
(cd "$D/src" && dpkg-source -b "bootlens-$version") >"$D/source.log" 2>&1 || {
    tail -20 "$D/source.log" >&2
    echo "deb: dpkg-source failed (see $D/source.log)" >&2
    exit 1
}
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$D/build.log" 2>&1; then
    tail -40 "$D/build.log" >&2
    echo "deb: dpkg-buildpackage failed (see $D/build.log)" >&2
    exit 1
fi
cp "$D/src/bootlens_${version}_$arch.deb" "$D/"
echo "deb: $D/bootlens_${version}_$arch.deb built in $(($(date +%s) - start)) s (log: $D/build.log)"
