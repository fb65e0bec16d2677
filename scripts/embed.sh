#!/bin/sh
# embed.sh NAME FILE — prints a C file defining `const char NAME[]` with FILE's
# text, so data files (knowledge, altitude table) are compiled into bootlens
# and it works without being installed.
set -eu
name=$1
file=$2
printf '/* generated from %s by scripts/embed.sh: do not edit */\n' "$file"
printf 'const char %s[] =\n' "$name"
LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/^/    "/' -e 's/$/\\n"/' "$file"
printf '    "";\n'
