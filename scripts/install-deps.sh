#!/bin/sh
# install-deps.sh — installs the Debian packages bootlens needs, only those
# missing, with apt-get (via sudo when not root).  Nothing else is downloaded.
# graphviz (dot) checks the DOT pictures; chromium renders the HTML report
# headless for its test (tests/html-render.sh), with a known font.
set -eu
need="make gcc clang libclang-rt-dev pkg-config libregf-dev libbfio-dev libcjson-dev libcmocka-dev xz-utils libregf-utils libwin-hivex-perl graphviz chromium fonts-dejavu-core"
# Disk images (src/image/): the libyal readers, nettle (SHA-256), zlib (EWF).
need="$need libvhdi-dev libvmdk-dev libqcow-dev libfsntfs-dev nettle-dev zlib1g-dev"
# Tools that build the test images at test time (tests/images/run.sh).
need="$need ntfs-3g ntfs-3g-dev fdisk qemu-utils ewf-tools jq time"
# The hostile corpus (tests/hostile) is generated and run by Python 3.
need="$need python3"
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
