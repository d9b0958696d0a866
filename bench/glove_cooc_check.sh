#!/bin/sh
# Acceptance 1 of the GloVe issue: latent's co-occurrence counts against stanfordnlp/GloVe's
# vocab_count + cooccur on a small corpus (same min-count 5, window 10, symmetric, 1/distance).
# GLOVE_BUILD=/path/to/GloVe/build; usage: sh bench/glove_cooc_check.sh [corpus.gz]
set -eu
G=${GLOVE_BUILD:?set GLOVE_BUILD to the stanfordnlp/GloVe build directory}
SRC=${1:-../shared/data/text/mobydick.txt.gz}
LATENT=${LATENT:-./build/latent}
OUT=${OUT:-bench/out/glove_check}
mkdir -p "$OUT"
zcat "$SRC" > "$OUT/c.txt"
"$G/vocab_count" -min-count 5 -verbose 0 < "$OUT/c.txt" > "$OUT/g_vocab.txt"
"$G/cooccur" -memory 1.0 -vocab-file "$OUT/g_vocab.txt" -verbose 0 -window-size 10 < "$OUT/c.txt" > "$OUT/g_cooc.bin"
$LATENT train glove "$OUT/c.txt" -o "$OUT/l.txt" --window 10 --min-count 5 --epochs 1 --dim 4 -t 2 -q --save-vocab "$OUT/l_vocab.txt" --cooccur-out "$OUT/l_cooc.bin"
# the vocabularies are the same file (count order, ties by bytes as vocab_count)
if cmp "$OUT/g_vocab.txt" "$OUT/l_vocab.txt"; then echo "vocabulary: identical to vocab_count's ($(wc -l < "$OUT/l_vocab.txt") words)"
else echo "vocabulary: differs from vocab_count's" >&2; exit 1; fi
/usr/bin/python3 bench/glove_cooc_check.py "$OUT/g_cooc.bin" "$OUT/g_vocab.txt" "$OUT/l_cooc.bin" "$OUT/l_vocab.txt"
