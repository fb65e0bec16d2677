#!/bin/sh
# install-deps.sh [--deb] — installs what building and testing bootlens
# needs, only what is missing: Debian packages with apt-get (via sudo when not
# root), and Microsoft's SARIF validator from the npm registry into tools/node
# (inside the checkout, ignored by git; bootlens itself never downloads
# anything).  --deb adds what building and checking the Debian package needs.
# graphviz (dot) checks the DOT pictures; chromium renders the HTML report
# headless for its test (tests/html-render.sh), with a known font.
set -eu
cd "$(dirname "$0")/.."
# What building build/bootlens needs (the README's CI example installs exactly
# these; tests/readme_ci.py checks that the two agree): the compiler, the hive
# and JSON libraries, and for disk images (src/image/) the libyal readers,
# nettle (SHA-256) and libdeflate (EWF chunks).  Then what the tests need.
build="make gcc libc6-dev pkg-config libregf-dev libbfio-dev libcjson-dev libvhdi-dev libvmdk-dev libqcow-dev libfsntfs-dev nettle-dev libdeflate-dev"
need="$build clang libclang-rt-dev libcmocka-dev xz-utils libregf-utils libwin-hivex-perl graphviz chromium fonts-dejavu-core python3-jsonschema python3-yaml"
# Tools that build the test images at test time (tests/images/run.sh).
need="$need ntfs-3g ntfs-3g-dev fdisk qemu-utils ewf-tools jq time"
# The hostile corpus (tests/hostile) is generated and run by Python 3.
need="$need python3"
# --deb: what building and checking the Debian package needs (make deb-deps;
# debian/control's Build-Depends are the packages above).
[ "${1:-}" = --deb ] && need="$need debhelper dpkg-dev fakeroot lintian man-db"
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm comes with Debian's npm package or with a nodejs build that bundles it.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

# The SARIF validator of `make check` (tests/sarif.sh): @microsoft/sarif-multitool
# is a .NET program published as one self-contained executable per platform
# in @microsoft/sarif-multitool-<platform>; the npm wrapper only picks it.
SARIF_MULTITOOL_VERSION=5.7.0
dir=tools/node
tool=$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -f "$tool" ] || ! grep -q "\"version\": *\"$SARIF_MULTITOOL_VERSION\"" "$dir/node_modules/@microsoft/sarif-multitool-linux/package.json" 2>/dev/null; then
    echo "install-deps: installing @microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" \
        "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION"
fi
# The package's postinstall only sets the execute bit; npm may skip install
# scripts, so set it here.
[ -f "$tool" ] && chmod u+x "$tool"
exit 0
