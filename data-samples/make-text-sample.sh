#!/usr/bin/env bash
# Regenerates debian-descriptions.tsv: the English descriptions of about one Debian 12 ("bookworm")
# main package in ten, one package a line as "NAME<TAB>TEXT".
#
# Source: the archive's index of English package descriptions, dists/bookworm/main/i18n/Translation-en,
# as apt downloads it into /var/lib/apt/lists when Acquire::Languages includes "en" (the machine's
# apt.conf.d may say "none"; the script then runs `apt-get update -o Acquire::Languages=en`, as root).
# The file shipped here was made from Debian 12.15 (Release of 2026-07-11), whose
# main/i18n/Translation-en has MD5 b01cbbed65b70071f7c1e417122f9669 (32,699,363 bytes, 63,956 entries).
#
# The selection, deterministic:
#   1. each package's text is its short description, a period, then the paragraphs of its long
#      description joined by spaces (" ." separators dropped, runs of white space made one space);
#   2. packages in byte order of their names; a package whose first long-description paragraph
#      (lower-cased) was already seen is dropped, so families such as foo/foo-dev/foo-doc count once;
#   3. a package is kept when the first 32 bits of the MD5 of its name are divisible by 10 (a choice
#      that does not move when other packages come or go in a point release);
#   4. texts of fewer than 25 words are dropped.
set -euo pipefail
cd "$(dirname "$0")"
out=debian-descriptions.tsv

find_index() {
  ls /var/lib/apt/lists/*_dists_bookworm_main_i18n_Translation-en* 2>/dev/null | head -n 1 || true
}
index=$(find_index)
if [ -z "$index" ]; then
  echo "no bookworm main Translation-en in /var/lib/apt/lists: running apt-get update -o Acquire::Languages=en" >&2
  apt-get update -o Acquire::Languages=en >&2
  index=$(find_index)
fi
[ -n "$index" ] || { echo "still no Translation-en index; is this a Debian 12 machine?" >&2; exit 1; }
release=${index%%_main_i18n_*}_InRelease
[ -f "$release" ] && grep -E '^(Version|Date):' "$release" >&2 || true

/usr/lib/apt/apt-helper cat-file "$index" | perl -e '
use strict; use warnings; use Digest::MD5 qw(md5_hex);
local $/ = "";    # one stanza per record
my (%doc, %first);
while (my $st = <STDIN>) {
  my ($pkg) = $st =~ /^Package: (\S+)$/m or next;
  my ($body) = $st =~ /^Description-en: (.*(?:\n .*)*)/m or next;
  next if exists $doc{$pkg};
  my @lines = split /\n/, $body;
  my $short = shift @lines;
  my @paras = ([]);
  for (@lines) { s/^ //; if ($_ eq ".") { push @paras, [] } else { push @{$paras[-1]}, $_ } }
  my @p = grep { length } map { my $t = join(" ", @$_); $t =~ s/\s+/ /g; $t =~ s/^ | $//g; $t } @paras;
  next unless @p;
  $doc{$pkg} = join(" ", "$short.", @p);
  $first{$pkg} = lc $p[0];
}
my (%seen, $n);
for my $pkg (sort keys %doc) {
  next if $seen{$first{$pkg}}++;
  next unless hex(substr(md5_hex($pkg), 0, 8)) % 10 == 0;
  my $t = $doc{$pkg};
  $t =~ s/\s+/ /g;
  next if scalar(split " ", $t) < 25;
  print "$pkg\t$t\n";
  $n++;
}
print STDERR "$n documents\n";
' > "$out"
ls -l "$out" >&2
md5sum "$out" >&2
