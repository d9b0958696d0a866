#!/bin/sh
# Writes latent(1) from the tool's own help texts (so the manual is the --help of each command):
#   sh tools/mkman.sh build/latent > build/latent.1
L=${1:-build/latent}
V=$($L --version | cut -d' ' -f2)
esc() { sed -e 's/\\/\\\\/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/" -e 's/^-/\\-/'; }
cat <<HEAD
.TH LATENT 1 "" "latent $V" "User Commands"
.SH NAME
latent \- embeddings in C: train, convert, query, index, search and evaluate vectors
.SH SYNOPSIS
.B latent
.I command
[options] args
.SH DESCRIPTION
Data goes to stdout or \fB\-o\fR; progress and logs go to stderr (quiet when stderr is not a
terminal, or with \fB\-q\fR). Exit status: 0 ok, 1 error, 2 usage. An option that a command
does not list is rejected. Similarity is cosine everywhere unless \fB\-\-metric\fR says
otherwise; an index keeps the metric it was built with.
.SH COMMANDS
HEAD
$L --help | awk '/^commands:/ { on = 1; next } on && NF' | esc | sed 's/^/.br\n/'
sh "$(dirname "$0")/cmdlist.sh" "$L" | while read -r c; do
    echo ".SH \"latent $c\""
    echo ".nf"
    $L $c --help </dev/null | esc
    echo ".fi"
done
cat <<TAIL
.SH ENVIRONMENT
LATENT_KERNEL=ref|avx2|avx512 forces a kernel path. TMPDIR: where a corpus read from a pipe is spooled.
.SH SEE ALSO
docs/cli.md, docs/format.md, docs/python.md in the latent sources.
TAIL
