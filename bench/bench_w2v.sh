#!/bin/sh
# Speed and quality of latent vs fastText and gensim on ../shared/data/text/corpus.txt.gz,
# same settings (d=100, window 5, negative 5, sample 1e-3, min-count 5, 5 epochs),
# interleaved per thread count. Words/s = 5 epochs x corpus tokens / wall seconds of the
# whole command (vocabulary scan included, for every tool).
# usage: sh bench/bench_w2v.sh [modes] [threads]   e.g. "sg cbow" "1 2"
set -eu
MODES=${1:-"sg cbow"}
THREADS=${2:-"1 2"}
LATENT=${LATENT:-./build/latent}
DATA=${DATA:-../shared/data/text}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
CORPUS="$OUT/corpus.txt"
# one line of 14.8M words becomes lines of 1000 words, so every tool sees the same
# sentences (word2vec.c and latent cut at 1000; gensim's corpus_file reader needs lines)
[ -s "$CORPUS" ] || zcat "$DATA/corpus.txt.gz" | tr -s ' \n' '\n\n' | awk 'NF{printf "%s%s", $1, (++n % 1000 ? " " : "\n")} END{print ""}' > "$CORPUS"
TOKENS=$(wc -w < "$CORPUS")
PY=/usr/bin/python3
RES="$OUT/results.tsv"
echo "tool	mode	threads	seconds	words_per_sec	analogy	ws353" > "$RES"
now() { date +%s.%N; }
evalq() {
    a=$($LATENT eval analogy "$1" "$DATA/questions-words.txt" | awk '$1=="total"{print $4}')
    s=$($LATENT eval similarity "$1" "$DATA/wordsim353.tsv" | awk '$1=="spearman"{print $2}')
    echo "$a	$s"
}
row() { # tool mode threads t0 t1 vecfile
    secs=$(echo "$5 - $4" | bc -l)
    wps=$(echo "5 * $TOKENS / $secs" | bc -l | cut -d. -f1)
    q=$(evalq "$6")
    printf '%s\t%s\t%s\t%.2f\t%s\t%s\n' "$1" "$2" "$3" "$secs" "$wps" "$q" | tee -a "$RES"
}
for t in $THREADS; do
  for m in $MODES; do
    if [ "$m" = sg ]; then LF=""; FT=skipgram; LR=0.025; else LF="--cbow"; FT=cbow; LR=0.05; fi
    t0=$(now); $LATENT train word2vec "$CORPUS" -o "$OUT/latent_$m$t.bin" $LF -t $t -q; t1=$(now)
    row latent $m $t $t0 $t1 "$OUT/latent_$m$t.bin"
    t0=$(now); $PY bench/gensim_w2v.py "$CORPUS" "$OUT/gensim_$m$t.txt" $t $m corpus_file > /dev/null 2>&1; t1=$(now)
    row gensim $m $t $t0 $t1 "$OUT/gensim_$m$t.txt"
    t0=$(now); fasttext $FT -input "$CORPUS" -output "$OUT/ft_$m$t" -dim 100 -ws 5 -neg 5 -t 1e-3 -minCount 5 -epoch 5 \
        -thread $t -maxn 0 -lr $LR -verbose 0 > /dev/null 2>&1; t1=$(now)
    row fasttext $m $t $t0 $t1 "$OUT/ft_$m$t.vec"
  done
done
echo; echo "ratios (latent words/s over peer, same mode and threads):"
awk -F'\t' 'NR>1{w[$1","$2","$3]=$5; k[$2","$3]=1} END{for (x in k) printf "%s\tvs gensim %.2fx\tvs fasttext %.2fx\n", x, w["latent,"x]/w["gensim,"x], w["latent,"x]/w["fasttext,"x]}' "$RES" | sort
