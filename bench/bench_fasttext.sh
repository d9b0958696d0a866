#!/bin/sh
# Subword skip-gram: latent train fasttext against Debian's fasttext skipgram, side by side,
# alternating, on the same file (the corpus cut into 1000-word lines, as bench_w2v.sh) with the
# same settings (d 100, window 5, negative 5, minn 3, maxn 6, 5 epochs, min-count 5, fastText's
# defaults otherwise: lr 0.05, t 1e-4, bucket 2M). Words/s = 5 x corpus tokens / wall seconds
# of the whole command; peak RSS from /usr/bin/time. Quality with latent's evaluator on both
# .bin models: analogy (all questions), WordSim-353 (Spearman, in-vocabulary pairs), and
# unseen words: both tools are trained again on the corpus with HELD words deleted, and the
# WordSim-353 pairs holding one of them are scored with their n-gram vectors (--oov).
# MODEL=cbow compares latent train fasttext --cbow with fasttext cbow (rows tool-cbow).
# TOOLS="latent" runs one side only (quality over more seeds; speed ratios come from runs with both).
# SIMLEX=path: a SimLex-999 file (word TAB word TAB score, # comments; not in ../shared, so kept
# outside the repository like the peers' builds) adds its Spearman to each row (column simlex).
# ORDER=shuffled: both tools read the corpus's 1000-word lines in one fixed random order (file
# corpus_shuf.txt, Python's random.Random(1)); rows get the suffix -shuf. The corpus's own order
# (Brown, SOTU, Moby Dick, Gutenberg) lets the text read last decide much of the WordSim-353
# score, and fastText reads past the end of its 5 epochs (it counts out-of-vocabulary tokens and
# end-of-lines in its epoch length; see bench/RESULTS.md), so the shuffled order is the fair one.
# FASTTEXT=path: another build of fastText's source for the quality runs (the speed figures come
# from Debian's binary); named in the tool column as fasttext-FT_NAME (FT_NAME, default build).
# HELDOUT=0 skips the held-out-word models (columns '-').
# usage: [MODEL=skipgram|cbow] [TOOLS="latent fasttext"] sh bench/bench_fasttext.sh [threads] [seeds]
set -eu
MODEL=${MODEL:-skipgram}
case $MODEL in skipgram) LF=""; SUF="";; cbow) LF="--cbow"; SUF="-cbow";; *) echo "MODEL: skipgram or cbow" >&2; exit 2;; esac
# LATENT_FLAGS: more options for latent's runs, named in the tool column (e.g. --window-update)
if [ -n "${LATENT_FLAGS:-}" ]; then LF="$LF $LATENT_FLAGS"; SUF="$SUF$(echo "$LATENT_FLAGS" | tr -d ' ')"; fi
THREADS=${1:-2}
SEEDS=${2:-1}
LATENT=${LATENT:-./build/latent}
DATA=${DATA:-../shared/data/text}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
CORPUS="$OUT/corpus.txt"
[ -s "$CORPUS" ] || zcat "$DATA/corpus.txt.gz" | tr -s ' \n' '\n\n' | awk 'NF{printf "%s%s", $1, (++n % 1000 ? " " : "\n")} END{print ""}' > "$CORPUS"
if [ "${ORDER:-}" = shuffled ]; then
    [ -s "$OUT/corpus_shuf.txt" ] || /usr/bin/python3 -c 'import random, sys
l = open(sys.argv[1]).read().splitlines(); random.Random(1).shuffle(l); open(sys.argv[2], "w").write("\n".join(l) + "\n")' "$CORPUS" "$OUT/corpus_shuf.txt"
    CORPUS="$OUT/corpus_shuf.txt"; SUF="$SUF-shuf"
elif [ -n "${ORDER:-}" ]; then echo "ORDER: shuffled or unset" >&2; exit 2; fi
FT=${FASTTEXT:-fasttext}
FTN=fasttext; [ -n "${FASTTEXT:-}" ] && FTN="fasttext-${FT_NAME:-build}"
TOKENS=$(wc -w < "$CORPUS")
# held-out words: every 4th distinct WordSim-353 word seen 20..5000 times in the corpus
HELD="$OUT/held.txt"
if [ ! -s "$HELD" ]; then
    tr ' ' '\n' < "$CORPUS" | sort | uniq -c | awk '{print $2, $1}' > "$OUT/counts.txt"
    grep -v '^#' "$DATA/wordsim353.tsv" | cut -f1,2 | tr '\t' '\n' | tr 'A-Z' 'a-z' | sort -u > "$OUT/ws_words.txt"
    awk 'NR == FNR { c[$1] = $2; next } ($1 in c) && c[$1] >= 20 && c[$1] <= 5000 { if (++n % 4 == 0) print $1 }' "$OUT/counts.txt" "$OUT/ws_words.txt" > "$HELD"
fi
awk 'NR == FNR { h[$1] = 1; next } { o = ""; for (i = 1; i <= NF; i++) if (!($i in h)) o = o (o == "" ? "" : " ") $i; print o }' "$HELD" "$CORPUS" > "$OUT/corpus_held.txt"
awk -F'\t' 'NR == FNR { h[$1] = 1; next } /^#/ { next } { a = tolower($1); b = tolower($2); if ((a in h) || (b in h)) print }' "$HELD" "$DATA/wordsim353.tsv" > "$OUT/ws_held.tsv"
PY=/usr/bin/python3
RES=bench/fasttext_results.tsv
[ -f "$RES" ] || echo "tool	threads	seed	seconds	words_per_sec	peak_rss_mb	analogy	ws353	ws353_unseen_words	unseen_pairs	simlex" > "$RES"
now() { date +%s.%N; }
for t in $THREADS; do
  for seed in $SEEDS; do
    for tool in ${TOOLS:-latent fasttext}; do
        t0=$(now)
        if [ $tool = latent ]; then
            /usr/bin/time -f "%M" -o "$OUT/rss" $LATENT train fasttext "$CORPUS" $LF -o "$OUT/lft.bin" --dim 100 --window 5 --negative 5 --minn 3 --maxn 6 --epochs 5 -t "$t" --seed "$seed" -q
            M="$OUT/lft.bin"
        else
            /usr/bin/time -f "%M" -o "$OUT/rss" "$FT" $MODEL -input "$CORPUS" -output "$OUT/fft" -dim 100 -ws 5 -neg 5 -minn 3 -maxn 6 -epoch 5 \
                -minCount 5 -thread "$t" -seed "$seed" -verbose 0 > /dev/null 2>&1
            M="$OUT/fft.bin"
        fi
        secs=$(echo "$(now) - $t0" | bc -l); rss=$(cat "$OUT/rss")
        a=$($LATENT eval analogy "$M" "$DATA/questions-words.txt" | awk '$1=="total"{print $4}')
        s=$($LATENT eval similarity "$M" "$DATA/wordsim353.tsv" | awk '$1=="spearman"{print $2}')
        sl=-
        [ -n "${SIMLEX:-}" ] && sl=$($LATENT eval similarity "$M" "$SIMLEX" | awk '$1=="spearman"{print $2}')
        u=-; np=-
        if [ "${HELDOUT:-1}" = 0 ]; then :
        elif [ $tool = latent ]; then
            $LATENT train fasttext "$OUT/corpus_held.txt" $LF -o "$OUT/lft_held.bin" --dim 100 --window 5 --negative 5 --minn 3 --maxn 6 --epochs 5 -t "$t" --seed "$seed" -q
            H="$OUT/lft_held.bin"
        else
            "$FT" $MODEL -input "$OUT/corpus_held.txt" -output "$OUT/fft_held" -dim 100 -ws 5 -neg 5 -minn 3 -maxn 6 -epoch 5 -minCount 5 -thread "$t" \
                -seed "$seed" -verbose 0 > /dev/null 2>&1
            H="$OUT/fft_held.bin"
        fi
        if [ "${HELDOUT:-1}" != 0 ]; then
            u=$($LATENT eval similarity "$H" "$OUT/ws_held.tsv" --oov | awk '$1=="spearman"{print $2}')
            np=$(wc -l < "$OUT/ws_held.tsv")
        fi
        name=$tool; [ $tool = fasttext ] && name=$FTN
        printf '%s\t%s\t%s\t%.2f\t%.0f\t%.1f\t%s\t%s\t%s\t%s\t%s\n' $name$SUF "$t" "$seed" "$secs" "$(echo "5 * $TOKENS / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
            "$a" "$s" "$u" "$np" "$sl" | tee -a "$RES"
    done
  done
done
