#!/bin/sh
# embed.sh NAME FILE — prints a C file defining `const char NAME[]` with FILE's
# text (NUL-terminated), so data files (knowledge, altitude table, baseline)
# are compiled into bootlens and it works without being installed.  The text
# is written as a list of byte values, not a string literal: ISO C only
# promises string literals of 4095 bytes, and the data files are larger.
set -eu
name=$1
file=$2
printf '/* generated from %s by scripts/embed.sh: do not edit */\n' "$file"
printf 'const char %s[] = {\n' "$name"
# Bytes above 127 are cast: char may be signed.
od -An -v -tu1 "$file" | awk '{ s = "   "; for (i = 1; i <= NF; i++) s = s " " ($i > 127 ? "(char)" $i : $i) ","; print s }'
printf '    0};\n'
