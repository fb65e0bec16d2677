#!/bin/sh
# writer-roundtrip.sh — proves that build/mkhive writes hives other software
# reads back exactly as their sources say.  For each test_hives/*.reg it
# generates the hive, then:
#   structure  an independent walk of the regf layout (written in Perl from the
#              format documentation, not from mkhive): base block and checksum,
#              bins tiled by cells, every cell referenced once, nk/vk/lh/ri/db/sk
#              fields, subkey order and lh hashes as Windows computes them;
#   libregf    regfexport (Debian libregf-utils) — its export, normalized;
#   hivex      hivexregedit --export (Debian libwin-hivex-perl) — normalized;
# and compares each reader's content with `mkhive --dump-source` (canonical
# lines, see tools/mkhive.c).  writer-coverage.reg is also checked in variants
# (other minor versions, !maxlist 1, a dirty hive) by appending directives.
# A reader whose package is missing is skipped with a message.
#
# Usage: tests/writer-roundtrip.sh [SOURCE.reg...]   (default: test_hives/*.reg)
# Exit status: 0 all passed, 1 any mismatch or failure, 2 mkhive missing.
set -u
cd "$(dirname "$0")/.." || exit 2
MKHIVE=${MKHIVE:-build/mkhive}
if [ ! -x "$MKHIVE" ]; then
    echo "writer-roundtrip: $MKHIVE not built (make build/mkhive)" >&2
    exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
LC_ALL=C
export LC_ALL

have_perl=no; command -v perl >/dev/null 2>&1 && have_perl=yes
have_libregf=no; command -v regfexport >/dev/null 2>&1 && have_libregf=yes
have_hivex=no; command -v hivexregedit >/dev/null 2>&1 && have_hivex=yes
if [ $have_perl = no ]; then
    echo "writer-roundtrip: SKIP all checks: perl is not installed (the normalizers are Perl)"
    exit 0
fi
[ $have_libregf = yes ] || echo "writer-roundtrip: SKIP libregf: regfexport not found (apt-get install libregf-utils)"
[ $have_hivex = yes ] || echo "writer-roundtrip: SKIP hivex: hivexregedit not found (apt-get install libwin-hivex-perl)"

# ---- canonical lines from regfexport's text export --------------------------
# regfexport prints strings decoded, integers in decimal, the rest as a hex
# dump; this turns each back into bytes.  Known limits: a value literally named
# "(default)" is indistinguishable from the default value.
cat >"$tmp/from-regfexport.pl" <<'EOF'
use strict; use warnings; use Encode qw(encode);
binmode STDIN; binmode STDOUT;
my %types = (REG_NONE => 0, REG_SZ => 1, REG_EXPAND_SZ => 2, REG_BINARY => 3,
    REG_DWORD_LITTLE_ENDIAN => 4, REG_DWORD_BIG_ENDIAN => 5, REG_LINK => 6,
    REG_MULTI_SZ => 7, REG_RESOURCE_LIST => 8, REG_FULL_RESOURCE_DESCRIPTOR => 9,
    REG_RESOURCE_REQUIREMENTS_LIST => 10, REG_QWORD_LITTLE_ENDIAN => 11);
sub esc { my ($s, $bs) = @_; $s =~ s/\\/\\\\/g if $bs; $s =~ s/([\x00-\x1f\x7f])/sprintf("\\x%02x", ord $1)/ge; $s }
my ($path, $v);
sub flush_value {
    return unless $v;
    my $data = $v->{hex} // '';
    if (defined $v->{text}) {
        my $t = $v->{type};
        my $txt = $v->{text};
        if ($t == 1 || $t == 2) { $data = unpack 'H*', encode('UTF-16LE', Encode::decode('UTF-8', $txt)) . "\0\0" }
        elsif ($t == 4) { $data = unpack 'H*', pack 'V', $txt }
        elsif ($t == 5) { $data = unpack 'H*', pack 'N', $txt }
        elsif ($t == 11) { $data = unpack 'H*', pack 'Q<', $txt }
        else { die "regfexport: unexpected inline data for type $t\n" }
    }
    $data = '' if $v->{size} == 0;
    if ($v->{corrupted}) { printf "V\t%s\t%s\t%u\tcorrupted\t\n", $path, $v->{name}, $v->{type}; undef $v; return }
    printf "V\t%s\t%s\t%u\t%u\t%s\n", $path, $v->{name}, $v->{type}, length($data) / 2, $data;
    undef $v;
}
while (my $line = <STDIN>) {
    chomp $line;
    if ($line =~ /^Key path: (.*)$/) {
        flush_value();
        my @parts = split /\\/, $1, -1;
        shift @parts; # the root key's own name
        $path = @parts ? join('', map { '\\' . esc($_, 0) } @parts) : '\\';
        print "K\t$path\n";
    } elsif ($line =~ /^Value: \d+ (.*)$/) {
        flush_value();
        $v = { name => $1 eq '(default)' ? '@' : '"' . esc($1, 1) . '"' };
    } elsif ($v && $line =~ /^Type: .*\((REG_\w+)\)$/) {
        defined($v->{type} = $types{$1}) or die "regfexport: unknown type $1\n";
    } elsif ($v && $line =~ /^Type: unknown: 0x([0-9a-f]+)$/) {
        $v->{type} = hex $1;
    } elsif ($v && $line eq 'Is corrupted') {
        $v->{corrupted} = 1;
    } elsif ($v && $line =~ /^Data size: (\d+)$/) {
        $v->{size} = $1;
    } elsif ($v && $line =~ /^Data: (.*)$/) {
        $v->{text} = $1;
    } elsif ($v && $line eq 'Data:') {
        $v->{hex} = '';
    } elsif ($v && defined $v->{hex} && $line =~ /^[0-9a-f]{8}: /) {
        $v->{hex} .= join '', substr($line, 10, 49) =~ /([0-9a-f]{2})/g;
    } elsif ($line eq '' || $line =~ /^(Key: |regfexport |Mismatch in data size)/) {
        # separators, banners and warnings carry no content
    } else {
        die "regfexport: unexpected line: $line\n";
    }
}
flush_value();
EOF

# What libregf 20201007 can show of the source content (hive given as the
# argument): strings up to their first NUL, and two libregf quirks --
#  - value data of 1 to 3 bytes, kept in the vk's offset field, is read from
#    the field's last bytes instead of its first ones (Windows stores them
#    first and hivex reads them right: on a real Windows 7 SYSTEM hive,
#    "Data"=hex(3):ff reads as 00 in regfexport);
#  - big data (db) is only recognized from hive version 1.5, although Windows
#    writes it from 1.4 on (Windows XP); in a 1.4 hive such values show as
#    corrupted.
cat >"$tmp/libregf-view.pl" <<'EOF'
use strict; use warnings;
open my $fh, '<:raw', $ARGV[0] or die "$ARGV[0]: $!\n";
read($fh, my $base, 28) == 28 or die "$ARGV[0]: too short\n";
my $minor = unpack 'V', substr($base, 24, 4);
while (my $line = <STDIN>) {
    chomp $line;
    my @f = split /\t/, $line, -1;
    if ($f[0] eq 'V') {
        my ($type, $size, $hex) = @f[3, 4, 5];
        if ($minor == 4 && $size > 16344) {
            @f[4, 5] = ('corrupted', '');
            print join("\t", @f), "\n";
            next;
        } elsif ($type == 1 || $type == 2) {
            my @units = $hex =~ /(....)/g;
            my @text;
            for (@units) { last if $_ eq '0000'; push @text, $_ }
            $hex = join('', @text) . '0000';
        } elsif ($size >= 1 && $size <= 3) {
            $hex = substr($hex . '0' x 8, 0, 8);
            $hex = substr($hex, 8 - 2 * $size);
        }
        @f[4, 5] = (length($hex) / 2, $hex);
    }
    print join("\t", @f), "\n";
}
EOF

# ---- canonical lines from hivexregedit's .reg export ------------------------
# hivexregedit exports every value as hex(N): bytes (dword: for 4-byte DWORDs);
# run with PERL_UNICODE=O so that every name comes out as UTF-8.
cat >"$tmp/from-hivexregedit.pl" <<'EOF'
use strict; use warnings;
binmode STDIN; binmode STDOUT;
sub esc { my ($s, $bs) = @_; $s =~ s/\\/\\\\/g if $bs; $s =~ s/([\x00-\x1f\x7f])/sprintf("\\x%02x", ord $1)/ge; $s }
my ($path, $logical) = ('', '');
while (my $line = <STDIN>) {
    $line =~ s/\r?\n$//;
    if ($logical ne '' || $line =~ /^["@]/) {
        $logical .= $line;
        if ($logical =~ s/\\$//) { next }
        $line = $logical; $logical = '';
    }
    if ($line =~ /^\[(\\.*)\]$/) {
        my @parts = split /\\/, substr($1, 1), -1;
        $path = @parts ? join('', map { '\\' . esc($_, 0) } @parts) : '\\';
        print "K\t$path\n";
    } elsif ($line =~ /^(@|"((?:[^"\\]|\\.)*)")=(.*)$/) {
        my ($name, $data) = ($1 eq '@' ? '@' : $2, $3);
        if ($name ne '@') { $name =~ s/\\(.)/$1/g; $name = '"' . esc($name, 1) . '"' }
        my ($type, $hex);
        if ($data =~ /^dword:([0-9a-f]{8})$/) { ($type, $hex) = (4, unpack 'H*', pack 'V', hex $1) }
        elsif ($data =~ /^hex(?:\(([0-9a-f]+)\))?:(.*)$/) {
            $type = defined $1 ? hex $1 : 3;
            $hex = join '', $2 =~ /([0-9a-f]{2})/g;
        } else { die "hivexregedit: unexpected value data: $data\n" }
        printf "V\t%s\t%s\t%u\t%u\t%s\n", $path, $name, $type, length($hex) / 2, $hex;
    } elsif ($line eq '' || $line eq 'Windows Registry Editor Version 5.00') {
    } else {
        die "hivexregedit: unexpected line: $line\n";
    }
}
EOF

# ---- independent structural check of a regf file ---------------------------
cat >"$tmp/check-regf.pl" <<'EOF'
use strict; use warnings; use feature 'unicode_strings'; no warnings qw(surrogate non_unicode);
my $file = shift;
open my $fh, '<:raw', $file or die "$file: $!\n";
my $d = do { local $/; <$fh> };
my @err;
sub bad { push @err, sprintf(shift, @_) }
sub u16 { unpack 'v', substr($d, $_[0], 2) }
sub u32 { unpack 'V', substr($d, $_[0], 4) }
sub s32 { unpack 'l<', substr($d, $_[0], 4) }
use constant NIL => 0xFFFFFFFF;

# Base block.
length($d) >= 8192 or die "$file: too short\n";
substr($d, 0, 4) eq 'regf' or bad('base block: no regf signature');
my ($major, $minor, $ftype, $format, $root, $bins_size, $cluster) = map { u32($_) } 20, 24, 28, 32, 36, 40, 44;
$major == 1 && $minor >= 3 && $minor <= 6 or bad('base block: version %u.%u', $major, $minor);
$ftype == 0 && $format == 1 && $cluster == 1 or bad('base block: type %u format %u clustering %u', $ftype, $format, $cluster);
$bins_size % 4096 == 0 && $bins_size + 4096 == length($d) or bad('base block: hive bins size %u, file %u', $bins_size, length $d);
my $sum = 0; $sum ^= u32(4 * $_) for 0 .. 126;
$sum = 1 if $sum == 0; $sum = 0xFFFFFFFE if $sum == NIL;
$sum == u32(508) or bad('base block: checksum %08x, stored %08x', $sum, u32(508));

# Bins: contiguous, each tiled exactly by cells, free space only at a bin's tail.
my (%alloc, %refs);
for (my $bin = 0; $bin < $bins_size;) {
    my $b = 4096 + $bin;
    substr($d, $b, 4) eq 'hbin' && u32($b + 4) == $bin or do { bad('bin at %#x: bad header', $bin); last };
    my $size = u32($b + 8);
    $size >= 4096 && $size % 4096 == 0 && $bin + $size <= $bins_size or do { bad('bin at %#x: size %u', $bin, $size); last };
    substr($d, 12, 8) eq substr($d, $b + 20, 8) or bad('first bin: timestamp differs from the base block') if $bin == 0;
    my $c = $bin + 32;
    while ($c < $bin + $size) {
        my $cs = s32(4096 + $c); my $len = abs $cs;
        $len >= 8 && $len % 8 == 0 && $c + $len <= $bin + $size or do { bad('cell at %#x: size %d crosses its bin', $c, $cs); last };
        if ($cs < 0) { $alloc{$c} = $len - 4 }
        elsif ($c + $len != $bin + $size) { bad('free cell at %#x is not at its bin tail', $c) }
        $c += $len;
    }
    $bin += $size;
}

# A referenced cell: allocated, big enough, returns the file offset of its data.
sub cell {
    my ($off, $need, $what) = @_;
    if (!exists $alloc{$off}) { bad('%s at %#x is not an allocated cell', $what, $off); return undef }
    $alloc{$off} >= $need or bad('%s at %#x: %u-byte cell, needs %u', $what, $off, $alloc{$off}, $need);
    $refs{$off}++;
    return 4096 + $off + 4;
}
sub up { my $c = chr shift; my $u = uc $c; length($u) == 1 ? ord $u : ord $c }
sub name_units {
    my ($p, $len, $compressed) = @_;
    return $compressed ? unpack('C*', substr($d, $p, $len)) : unpack('v*', substr($d, $p, $len));
}
sub cmp_names {
    my ($a, $b) = @_;
    for my $i (0 .. ($#$a < $#$b ? $#$a : $#$b)) { my $x = up($a->[$i]) <=> up($b->[$i]); return $x if $x }
    return @$a <=> @$b;
}
my ($sk, $nkeys) = (undef, 0);
sub check_value {
    my ($vk) = @_;
    my $p = cell($vk, 20, 'vk') // return (0, 0);
    substr($d, $p, 2) eq 'vk' or bad('vk at %#x: bad signature', $vk);
    my ($nl, $size, $doff, $flags) = (u16($p + 2), u32($p + 4), u32($p + 8), u16($p + 16));
    cell_fits($vk, 20 + $nl);
    my @units = name_units($p + 20, $nl, $flags & 1);
    ($flags & 1) == ((@units && !grep({ $_ >= 0x80 } @units)) ? 1 : 0) or bad('vk at %#x: compressed flag does not match the name', $vk);
    if ($size & 0x80000000) {
        ($size & 0x7FFFFFFF) <= 4 or bad('vk at %#x: inline data of %u bytes', $vk, $size & 0x7FFFFFFF);
        $size &= 0x7FFFFFFF;
    } elsif ($size <= 4) {
        bad('vk at %#x: %u bytes of data not stored inline', $vk, $size);
    } elsif ($size > 16344 && $minor >= 4) {
        my $db = cell($doff, 8, 'db') // return (0, 0);
        substr($d, $db, 2) eq 'db' or do { bad('vk at %#x: %u bytes without a db cell', $vk, $size); return (0, 0) };
        my ($nseg, $list) = (u16($db + 2), u32($db + 4));
        $nseg == int(($size + 16343) / 16344) or bad('db at %#x: %u segments for %u bytes', $doff, $nseg, $size);
        my $lp = cell($list, 4 * $nseg, 'db segment list') // return (0, 0);
        # Every segment is a full 16344 bytes, the last one too, as Windows writes them.
        cell(u32($lp + 4 * $_), 16344, 'db segment') for 0 .. $nseg - 1;
    } else {
        cell($doff, $size, 'value data');
    }
    return (2 * @units, $size);
}
sub cell_fits { my ($off, $need) = @_; !exists $alloc{$off} || $alloc{$off} >= $need or bad('cell at %#x too small for its record', $off) }
sub check_key {
    my ($nk, $parent) = @_;
    my $p = cell($nk, 76, 'nk') // return [];
    $nkeys++;
    substr($d, $p, 2) eq 'nk' or do { bad('nk at %#x: bad signature', $nk); return [] };
    my $flags = u16($p + 2);
    my ($nsub, $nvsub, $subl, $vsubl, $nval, $vl, $skoff, $class) = map { u32($p + $_) } 20, 24, 28, 32, 36, 40, 44, 48;
    my ($namelen, $classlen) = (u16($p + 72), u16($p + 74));
    cell_fits($nk, 76 + $namelen);
    my @name = name_units($p + 76, $namelen, $flags & 0x20);
    ($flags & 0x20 ? 1 : 0) == (grep({ $_ >= 0x80 } @name) ? 0 : 1) or bad('nk at %#x: compressed flag does not match the name', $nk);
    @name >= 1 && @name <= 255 or bad('nk at %#x: name of %u characters', $nk, scalar @name);
    defined $parent ? !($flags & 4) && u32($p + 16) == $parent : ($flags & 4) or bad('nk at %#x: hive-entry flag or parent wrong', $nk);
    $nvsub == 0 && $vsubl == NIL && $class == NIL && $classlen == 0 or bad('nk at %#x: volatile subkeys or class set', $nk);
    $sk //= $skoff;
    $skoff == $sk or bad('nk at %#x: security cell %#x, others use %#x', $nk, $skoff, $sk);
    my ($max_vname, $max_data) = (0, 0);
    if ($nval) {
        my $lp = cell($vl, 4 * $nval, 'value list');
        for my $i (0 .. $nval - 1) {
            last unless defined $lp;
            my ($vn, $vd) = check_value(u32($lp + 4 * $i));
            $max_vname = $vn if $vn > $max_vname;
            $max_data = $vd if $vd > $max_data;
        }
    } else {
        $vl == NIL or bad('nk at %#x: no values but a value list', $nk);
    }
    my ($max_sub, @children) = (0);
    if ($nsub) {
        my @leaves;
        my $lp = cell($subl, 4, 'subkey list');
        if (defined $lp && substr($d, $lp, 2) eq 'ri') {
            my $n = u16($lp + 2);
            cell_fits($subl, 4 + 4 * $n);
            push @leaves, u32($lp + 4 + 4 * $_) for 0 .. $n - 1;
        } elsif (defined $lp) {
            $refs{$subl}--;
            push @leaves, $subl;
        }
        my @prev;
        for my $leaf (@leaves) {
            my $q = cell($leaf, 4, 'lh list') // next;
            substr($d, $q, 2) eq 'lh' or do { bad('subkey list at %#x is not lh', $leaf); next };
            my $n = u16($q + 2);
            cell_fits($leaf, 4 + 8 * $n);
            for my $i (0 .. $n - 1) {
                my ($child, $hash) = (u32($q + 4 + 8 * $i), u32($q + 8 + 8 * $i));
                my $units = check_key($child, $nk);
                my $h = 0; $h = ($h * 37 + up($_)) % 4294967296 for @$units;
                $h == $hash or bad('lh at %#x: hash %08x for subkey at %#x, expected %08x', $leaf, $hash, $child, $h);
                cmp_names(\@prev, $units) < 0 or bad('nk at %#x: subkeys out of order or duplicated', $nk) if @prev;
                @prev = @$units;
                $max_sub = 2 * @$units if 2 * @$units > $max_sub;
                push @children, $child;
            }
        }
        @children == $nsub or bad('nk at %#x: %u subkeys counted, %u listed', $nk, $nsub, scalar @children);
    } else {
        $subl == NIL or bad('nk at %#x: no subkeys but a subkey list', $nk);
    }
    (u32($p + 52) & 0xFFFF) == $max_sub && u32($p + 60) == $max_vname && u32($p + 64) == $max_data
        or bad('nk at %#x: largest-length fields %u/%u/%u, expected %u/%u/%u', $nk,
               u32($p + 52) & 0xFFFF, u32($p + 60), u32($p + 64), $max_sub, $max_vname, $max_data);
    return \@name;
}
check_key($root, undef);

# The shared security cell and its descriptor.
if (defined $sk && exists $alloc{$sk}) {
    my $p = 4096 + $sk + 4;
    $refs{$sk} = 1;
    substr($d, $p, 2) eq 'sk' or bad('sk at %#x: bad signature', $sk);
    u32($p + 4) == $sk && u32($p + 8) == $sk or bad('sk at %#x: flink/blink do not point to itself', $sk);
    u32($p + 12) == $nkeys or bad('sk at %#x: reference count %u for %u keys', $sk, u32($p + 12), $nkeys);
    my ($sdlen, $sd) = (u32($p + 16), $p + 20);
    cell_fits($sk, 20 + $sdlen);
    my ($rev, $control) = (unpack('C', substr($d, $sd, 1)), u16($sd + 2));
    $rev == 1 && ($control & 0x8000) && ($control & 0x0004) or bad('sk: descriptor revision %u control %#x', $rev, $control);
    my $sid_ok = sub { my $o = shift; return 0 if !$o || $o + 8 > $sdlen; my $n = unpack 'C', substr($d, $sd + $o + 1, 1);
                       unpack('C', substr($d, $sd + $o, 1)) == 1 && $n <= 15 && $o + 8 + 4 * $n <= $sdlen };
    $sid_ok->(u32($sd + 4)) && $sid_ok->(u32($sd + 8)) or bad('sk: owner or group SID invalid');
    my $dacl = u32($sd + 16);
    if ($dacl && $dacl + 8 <= $sdlen) {
        my ($arev, $asize, $count) = (unpack('C', substr($d, $sd + $dacl, 1)), u16($sd + $dacl + 2), u16($sd + $dacl + 4));
        my $o = 8;
        for (1 .. $count) { last if $o + 4 > $asize; my $sz = u16($sd + $dacl + $o + 2); $sid_ok->($dacl + $o + 8) or bad('sk: ACE SID invalid'); $o += $sz }
        $arev == 2 && $o == $asize && $dacl + $asize <= $sdlen or bad('sk: DACL malformed');
    } else {
        bad('sk: no DACL');
    }
} else {
    bad('no security cell');
}
for my $c (sort { $a <=> $b } keys %alloc) {
    my $n = $refs{$c} // 0;
    $n == 1 or bad('cell at %#x referenced %u times', $c, $n);
}
if (@err) { print STDERR "  $_\n" for @err[0 .. ($#err < 19 ? $#err : 19)]; exit 1 }
EOF

failures=0
# compare NAME WANT GOT: reports and counts a mismatch between sorted dumps.
compare() {
    if cmp -s "$2" "$3"; then
        printf ' %s:ok' "$1"
    else
        printf ' %s:MISMATCH\n' "$1"
        diff "$2" "$3" | cut -c1-200 | head -20 | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

# check LABEL SOURCE: generates SOURCE and runs every check on it.  (POSIX sh
# has no local variables: it only sets hive, want and failures.)
check() {
    hive="$tmp/hive" want="$tmp/want"
    printf '%s:' "$1"
    if ! "$MKHIVE" "$2" -o "$hive" || ! "$MKHIVE" --dump-source "$2" >"$want" || ! sort -o "$want" "$want"; then
        echo " mkhive FAILED"
        failures=$((failures + 1))
        return
    fi
    if perl "$tmp/check-regf.pl" "$hive" 2>"$tmp/err"; then
        printf ' structure:ok'
    else
        printf ' structure:INVALID\n'
        sed 's/^/  /' "$tmp/err"
        failures=$((failures + 1))
    fi
    if [ $have_libregf = yes ]; then
        perl "$tmp/libregf-view.pl" "$hive" <"$want" | sort >"$tmp/want-libregf"
        if regfexport "$hive" >"$tmp/export" 2>"$tmp/err" &&
            perl "$tmp/from-regfexport.pl" <"$tmp/export" >"$tmp/got" 2>>"$tmp/err" && sort -o "$tmp/got" "$tmp/got"; then
            compare libregf "$tmp/want-libregf" "$tmp/got"
        else
            printf ' libregf:FAILED\n'; sed 's/^/    /' "$tmp/err" | head -5
            failures=$((failures + 1))
        fi
    fi
    if [ $have_hivex = yes ]; then
        # '\' is hivexregedit's name for the root key.
        # shellcheck disable=SC1003
        if PERL_UNICODE=O hivexregedit --export "$hive" '\' >"$tmp/export" 2>"$tmp/err" &&
            perl "$tmp/from-hivexregedit.pl" <"$tmp/export" >"$tmp/got" 2>>"$tmp/err" && sort -o "$tmp/got" "$tmp/got"; then
            compare hivex "$want" "$tmp/got"
        else
            printf ' hivex:FAILED\n'; sed 's/^/    /' "$tmp/err" | head -5
            failures=$((failures + 1))
        fi
    fi
    echo
}

[ $# -gt 0 ] || set -- test_hives/*.reg
for src in "$@"; do
    [ -f "$src" ] || { echo "writer-roundtrip: no such source: $src" >&2; failures=$((failures + 1)); continue; }
    check "$src" "$src"
    case $src in
    */writer-coverage.reg)
        # Directives given later win: re-check the same content in variants.
        for extra in '!minor 3' '!minor 4' '!minor 6' '!maxlist 1' '!seq 7 8'; do
            { cat "$src"; echo "$extra"; } >"$tmp/variant.reg"
            check "$src + $extra" "$tmp/variant.reg"
        done
        ;;
    esac
done
if [ $failures -ne 0 ]; then
    echo "writer-roundtrip: $failures failure(s)"
    exit 1
fi
echo "writer-roundtrip: all passed"
