#!/bin/sh
# Quality bands on ../shared/data/text/corpus.txt.gz with the issue's settings (d=100,
# window 5, negative 5, sample 1e-3, min-count 5, 5 epochs, 2 threads; analogy over the
# 30000 most frequent words). Fails if skip-gram < 0.32 / 0.53 or CBOW < 0.31 / 0.48.
set -u
L=${LATENT:-build/latent}
DATA=${DATA:-../shared/data/text}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
fail=0
for m in sg cbow; do
    if [ $m = sg ]; then F=""; MA=0.32; MS=0.53; else F="--cbow"; MA=0.31; MS=0.48; fi
    $L train word2vec "$DATA/corpus.txt.gz" -o "$OUT/q_$m.lvec" $F -t 2 --seed 1 -q || exit 1
    a=$($L eval analogy "$OUT/q_$m.lvec" "$DATA/questions-words.txt" | awk '$1=="total"{print $4}')
    c=$($L eval analogy "$OUT/q_$m.lvec" "$DATA/questions-words.txt" | awk '$1=="coverage"{print $4}')
    s=$($L eval similarity "$OUT/q_$m.lvec" "$DATA/wordsim353.tsv" | awk '$1=="spearman"{print $2}')
    st=ok
    if [ "$(echo "$a < $MA || $s < $MS" | bc -l)" = 1 ]; then st=BELOW; fail=1; fi
    printf '%s\tanalogy %s (coverage %s, need >= %s)\tws353 rho %s (need >= %s)\t%s\n' $m "$a" "$c" $MA "$s" $MS $st
done
exit $fail
