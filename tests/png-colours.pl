#!/usr/bin/perl
# png-colours.pl — what a screenshot shows, for tests/pictures.sh: decodes a
# PNG (8-bit RGB or RGBA, as Chromium writes them; core Perl only) and prints
#   size W H
#   nonwhite N                 pixels that are not pure white
#   colour RRGGBB N ROWS       pixels of exactly that colour, rows holding one
#   together RRGGBB RRGGBB N   rows holding both of the first two colours
# Usage: png-colours.pl FILE RRGGBB...
use strict;
use warnings;
use Compress::Zlib;

my ($file, @want) = @ARGV;
die "usage: png-colours.pl FILE RRGGBB...\n" unless defined $file;
open(my $fh, '<:raw', $file) or die "$file: $!\n";
my $png = do { local $/; <$fh> };
close $fh;
die "$file: not a PNG\n" unless substr($png, 0, 8) eq "\x89PNG\r\n\x1a\n";

my ($w, $h, $depth, $ctype, $interlace, $idat) = (0, 0, 0, 0, 0, '');
my $at = 8;
while ($at + 8 <= length $png) {
    my ($len, $type) = unpack('Na4', substr($png, $at, 8));
    my $data = substr($png, $at + 8, $len);
    $at += 12 + $len;
    if ($type eq 'IHDR') {
        ($w, $h, $depth, $ctype, undef, undef, $interlace) = unpack('NNCCCCC', $data);
    } elsif ($type eq 'IDAT') {
        $idat .= $data;
    } elsif ($type eq 'IEND') {
        last;
    }
}
die "$file: only 8-bit RGB/RGBA, not interlaced\n" unless $depth == 8 && ($ctype == 2 || $ctype == 6) && !$interlace;
my $raw = uncompress($idat);
die "$file: bad image data\n" unless defined $raw;
my $bpp = $ctype == 6 ? 4 : 3;
my $stride = $w * $bpp;
die "$file: short image data\n" if length($raw) < ($stride + 1) * $h;

my %want = map { hex($_) => [0, 0] } @want;
my $nonwhite = 0;
my $together = 0;
my @prev = (0) x $stride;
for my $y (0 .. $h - 1) {
    my $off = $y * ($stride + 1);
    my $filter = ord(substr($raw, $off, 1));
    my @cur = unpack('C*', substr($raw, $off + 1, $stride));
    if ($filter == 1) {
        $cur[$_] = ($cur[$_] + $cur[$_ - $bpp]) & 255 for $bpp .. $stride - 1;
    } elsif ($filter == 2) {
        $cur[$_] = ($cur[$_] + $prev[$_]) & 255 for 0 .. $stride - 1;
    } elsif ($filter == 3) {
        for my $i (0 .. $stride - 1) {
            my $left = $i >= $bpp ? $cur[$i - $bpp] : 0;
            $cur[$i] = ($cur[$i] + (($left + $prev[$i]) >> 1)) & 255;
        }
    } elsif ($filter == 4) {
        for my $i (0 .. $stride - 1) {
            my ($a, $b, $c) = $i >= $bpp ? ($cur[$i - $bpp], $prev[$i], $prev[$i - $bpp]) : (0, $prev[$i], 0);
            my $p = $a + $b - $c;
            my ($pa, $pb, $pc) = (abs($p - $a), abs($p - $b), abs($p - $c));
            $cur[$i] = ($cur[$i] + ($pa <= $pb && $pa <= $pc ? $a : $pb <= $pc ? $b : $c)) & 255;
        }
    } elsif ($filter != 0) {
        die "$file: bad filter $filter in row $y\n";
    }
    my %in_row;
    for (my $i = 0; $i < $stride; $i += $bpp) {
        my $k = ($cur[$i] << 16) | ($cur[$i + 1] << 8) | $cur[$i + 2];
        next if $k == 0xffffff;
        $nonwhite++;
        if (my $c = $want{$k}) {
            $c->[0]++;
            $in_row{$k} = 1;
        }
    }
    $want{$_}[1]++ for keys %in_row;
    $together++ if @want >= 2 && $in_row{ hex $want[0] } && $in_row{ hex $want[1] };
    @prev = @cur;
}
print "size $w $h\nnonwhite $nonwhite\n";
print "colour ", lc($_), " $want{hex $_}[0] $want{hex $_}[1]\n" for @want;
print "together ", lc($want[0]), " ", lc($want[1]), " $together\n" if @want >= 2;
