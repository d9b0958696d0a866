#!/bin/sh
# Link prediction, side by side: latent graph split holds out 10% of the edges (every node
# keeps an edge; as many non-edges sampled), then latent, PecanPy (SparseOTF) and SNAP's
# node2vec embed the residual graph with the same settings (d 128, length 80, 10 walks,
# window 10, 1 epoch, p = q = 1) and one evaluator scores every output: latent eval links,
# ROC-AUC for cosine and for each edge operator through a logistic regression.
#   PECANPY_SRC=/path/to/PecanPy/src [PECANPY_PATH=shims] SNAP_N2V=/path/to/snap/node2vec
# usage: sh bench/bench_links.sh [graph] [threads] [seeds]
set -u
G=${1:-blogcatalog}
T=${2:-2}
SEEDS=${3:-1}
LATENT=${LATENT:-./build/latent}
DATA=${DATA:-../shared/data/graph}
OUT=${OUT:-bench/out/links}
PY=/usr/bin/python3
mkdir -p "$OUT"
RES=bench/links_results.tsv
[ -f "$RES" ] || echo "graph	tool	seed	op	auc" > "$RES"
score() {  # tool seed emb
    for op in cosine hadamard average l1 l2; do
        a=$($LATENT eval links "$3" "$OUT/$G.test" --op $op --json | sed 's/.*"auc": \([0-9.]*\).*/\1/')
        printf '%s\t%s\t%s\t%s\t%s\n' "$G" "$1" "$2" "$op" "$a" | tee -a "$RES"
    done
}
$LATENT graph split "$DATA/$G/edges.tsv" -o "$OUT/$G.train.tsv" --test "$OUT/$G.test" --holdout 0.1 --seed 1 --no-cache
tr '\t' ' ' < "$OUT/$G.train.tsv" > "$OUT/$G.train.snap"
for s in $SEEDS; do
    $LATENT train node2vec "$OUT/$G.train.tsv" -o "$OUT/$G.latent.lvec" -t "$T" --seed "$s" -q --no-cache && score latent "$s" "$OUT/$G.latent.lvec"
    if [ -n "${PECANPY_SRC:-}" ]; then
        env PYTHONPATH="${PECANPY_PATH:-}:$PECANPY_SRC" $PY -m pecanpy.cli --input "$OUT/$G.train.tsv" --output "$OUT/$G.pecanpy.emb" \
            --mode SparseOTF --workers "$T" --random_state "$s" > "$OUT/pecanpy.log" 2>&1 && score pecanpy "$s" "$OUT/$G.pecanpy.emb"
    fi
    if [ -n "${SNAP_N2V:-}" ]; then
        env OMP_NUM_THREADS="$T" "$SNAP_N2V" -i:"$OUT/$G.train.snap" -o:"$OUT/$G.snap.emb" -d:128 -l:80 -r:10 -k:10 -e:1 -p:1 -q:1 \
            > "$OUT/snap.log" 2>&1 && score snap "$s" "$OUT/$G.snap.emb"
    fi
done
