#!/bin/sh
# Every command and subcommand of latent, one per line ("train word2vec", "convert", ...), read
# from the binary's own help: the commands of `latent --help`, and for a command whose usage line
# is "latent CMD a|b|c ...", its subcommands. Shared by mkclidoc.sh, mkman.sh and mkcomplete.sh.
#   sh tools/cmdlist.sh build/latent
L=${1:-build/latent}
for c in $($L --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && !/^  / { on = 0 }'); do
    subs=$($L $c --help 2>/dev/null | head -1 | sed -n "s/^usage: latent $c \([a-z0-9-]*\(|[a-z0-9-]*\)\+\) .*/\1/p" | tr '|' ' ')
    if [ -n "$subs" ]; then for s in $subs; do echo "$c $s"; done; else echo "$c"; fi
done
