#!/bin/sh
# GloVe: latent's one command against stanfordnlp/GloVe's four programs (vocab_count,
# cooccur, shuffle, glove), side by side, tools alternating, on the same file with the same
# settings (min-count 5, window 10, symmetric, 1/distance, d 100, x_max 100, alpha 0.75,
# learning rate 0.05, 15 iterations, word + context vectors). Whole pipeline wall time
# (corpus to vectors) and peak RSS (the largest of GloVe's programs); quality by latent's
# evaluator for both outputs (analogy accuracy over all questions, WordSim-353 Spearman).
# GloVe is built from its public source in a scratch folder outside the repository:
#   GLOVE_BUILD=/path/to/GloVe/build  (the directory with vocab_count, cooccur, shuffle, glove)
# usage: sh bench/bench_glove.sh [threads] [seeds] [corpus.gz] [epochs]
# TOOLS="latent glove" (default) or one of them: more seeds of one side
set -eu
THREADS=${1:-2}
SEEDS=${2:-1}
SRC=${3:-../shared/data/text/corpus.txt.gz}
EPOCHS=${4:-15}
TOOLS=${TOOLS:-"latent glove"}
LATENT=${LATENT:-./build/latent}
DATA=${DATA:-../shared/data/text}
OUT=${OUT:-bench/out/glove}
G=${GLOVE_BUILD:?set GLOVE_BUILD to stanfordnlp/GloVe build directory}
mkdir -p "$OUT"
CORPUS="$OUT/$(basename "$SRC" .gz)"
[ -s "$CORPUS" ] || zcat "$SRC" > "$CORPUS"
RES=bench/glove_results.tsv
[ -f "$RES" ] || echo "corpus	tool	threads	seed	epochs	seconds	peak_rss_mb	analogy	ws353	analogy_all" > "$RES"
now() { date +%s.%N; }
peak=0
timed() {  # runs a command (stdin/stdout as given by the caller's redirections), tracks the peak RSS
    /usr/bin/time -f "%M" -o "$OUT/rss" "$@"
    r=$(cat "$OUT/rss"); [ "$r" -gt "$peak" ] && peak=$r
    return 0
}
row() {  # tool threads seed seconds vectors
    a=$($LATENT eval analogy "$5" "$DATA/questions-words.txt" | awk '$1=="total"{print $4}')
    # every question over the whole vocabulary: the same questions for both tools (the
    # 30,000-row cut of the default falls inside a run of equal counts, ordered differently)
    a0=$($LATENT eval analogy "$5" "$DATA/questions-words.txt" --restrict 0 | awk '$1=="total"{print $4}')
    s=$($LATENT eval similarity "$5" "$DATA/wordsim353.tsv" | awk '$1=="spearman"{print $2}')
    printf '%s\t%s\t%s\t%s\t%s\t%.2f\t%.1f\t%s\t%s\t%s\n' "$(basename "$CORPUS")" "$1" "$2" "$3" "$EPOCHS" "$4" "$(echo "$peak / 1024" | bc -l)" "$a" "$s" "$a0" | tee -a "$RES"
}
for t in $THREADS; do
  for seed in $SEEDS; do
    case " $TOOLS " in *" latent "*)
    peak=0; t0=$(now)
    timed $LATENT train glove "$CORPUS" -o "$OUT/latent.glove" --dim 100 --window 10 --x-max 100 --epochs "$EPOCHS" --min-count 5 -t "$t" --seed "$seed" -q
    row latent "$t" "$seed" "$(echo "$(now) - $t0" | bc -l)" "$OUT/latent.glove" ;;
    esac
    case " $TOOLS " in *" glove "*)
    peak=0; t0=$(now)
    timed "$G/vocab_count" -min-count 5 -verbose 0 < "$CORPUS" > "$OUT/vocab.txt"
    timed "$G/cooccur" -memory 4.0 -vocab-file "$OUT/vocab.txt" -verbose 0 -window-size 10 < "$CORPUS" > "$OUT/cooc.bin"
    timed "$G/shuffle" -memory 4.0 -verbose 0 -seed "$seed" < "$OUT/cooc.bin" > "$OUT/cooc.shuf.bin"
    timed "$G/glove" -save-file "$OUT/glove_vecs" -threads "$t" -input-file "$OUT/cooc.shuf.bin" -x-max 100 -iter "$EPOCHS" -vector-size 100 \
        -binary 0 -vocab-file "$OUT/vocab.txt" -verbose 0 -seed "$seed"
    row glove "$t" "$seed" "$(echo "$(now) - $t0" | bc -l)" "$OUT/glove_vecs.txt"
    rm -f "$OUT/cooc.bin" "$OUT/cooc.shuf.bin" ;;
    esac
  done
done
