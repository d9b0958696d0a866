#!/bin/sh
# Whole-graph vectors (FEATHER-graph and the degree-histogram baseline) on the TU sets of
# ../shared/data/graphs, scored two ways: latent eval graphs (SVM, C 100, features standardised
# per fold; its own stratified folds, fold seeds 1..10) and scikit-learn's SVC in a
# StandardScaler pipeline on StratifiedKFold(10, shuffle) with random_state 0..9, the protocol
# the issue's reference figures came from. Embedding wall time from /usr/bin/time.
# usage: sh bench/bench_wholegraph.sh [sets] [threads]
set -u
SETS=${1:-"MUTAG PROTEINS NCI1 IMDB-BINARY REDDIT-BINARY"}
T=${2:-2}
C=${C:-100}
LATENT=${LATENT:-./build/latent}
DATA=${DATA:-../shared/data/graphs}
OUT=${OUT:-bench/out/wholegraph}
PY=/usr/bin/python3
mkdir -p "$OUT"
RES=bench/wholegraph_results.tsv
[ -f "$RES" ] || echo "set	method	embed_seconds	latent_folds_mean	latent_folds_sd	sklearn_folds_mean	sklearn_folds_sd" > "$RES"
stats() { awk '{s += $1; q += $1 * $1; n++} END {m = s / n; v = q / n - m * m; printf "%.2f\t%.2f", m, sqrt(v > 0 ? v : 0)}'; }
for set in $SETS; do
    D="$DATA/$set"
    for method in feather degree-histogram; do
        V="$OUT/$set.$method.vec"
        extra=""; [ "$method" = feather ] && extra="-t $T"
        /usr/bin/time -f "%e" -o "$OUT/time" $LATENT train $method "$D/graphs.tsv" --num-nodes "$D/num_nodes.tsv" -o "$V" -q $extra || exit 1
        lat=$(for s in 1 2 3 4 5 6 7 8 9 10; do
            $LATENT eval graphs "$V" "$D/labels.tsv" --classifier svm --C "$C" --seed $s -t "$T" --json | sed 's/.*"accuracy": \([0-9.]*\).*/\1/' | awk '{printf "%.4f\n", 100 * $1}'
        done | stats)
        skl=$($PY bench/wholegraph_sklearn.py "$V" "$D/labels.tsv" "$C" 0 1 2 3 4 5 6 7 8 9 | stats)
        printf '%s\t%s\t%s\t%s\t%s\n' "$set" "$method" "$(cat "$OUT/time")" "$lat" "$skl" | tee -a "$RES"
    done
done
