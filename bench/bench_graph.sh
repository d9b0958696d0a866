#!/bin/sh
# node2vec: latent against PecanPy (SparseOTF) and SNAP's C++ node2vec, side by side in one
# run, tools alternating within each (graph, threads) case; the same settings for all (d 128,
# walk length 80, 10 walks, window 10, 1 epoch, p = q = 1 unless P/Q are set) and the same
# evaluator for all outputs (latent eval nodes: top-k macro/micro-F1 at 50% labels, 10 splits).
# Whole-job wall time (parse, walks, training, write) and peak RSS from /usr/bin/time.
# The peers are built from their public sources in a scratch folder outside the repository:
#   PECANPY_SRC=/path/to/PecanPy/src  [PECANPY_PATH=extra PYTHONPATH, e.g. shims]
#   SNAP_N2V=/path/to/snap/examples/node2vec/node2vec
# usage: sh bench/bench_graph.sh [graphs] [threads] [seeds]   e.g. "blogcatalog pubmed" "1 2" "1 2 3"
# (SNAP's node2vec takes no seed: it runs once per graph and thread count.)
set -u
GRAPHS=${1:-"blogcatalog pubmed"}
THREADS=${2:-"1 2"}
SEEDS=${3:-1}
LATENT=${LATENT:-./build/latent}
DATA=${DATA:-../shared/data/graph}
OUT=${OUT:-bench/out/graph}
P=${P:-1}
Q=${Q:-1}
PY=/usr/bin/python3
mkdir -p "$OUT"
RES=bench/graph_results.tsv
[ -f "$RES" ] || echo "graph	tool	threads	seed	p	q	seconds	peak_rss_mb	macro_f1	micro_f1" > "$RES"
run() {  # tool graph threads outfile command...
    tool=$1 g=$2 t=$3 emb=$4; shift 4
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" > "$OUT/$tool.log" 2>&1 || { echo "$tool failed: $(tail -3 "$OUT/$tool.log")" >&2; return; }
    read secs kb < "$OUT/time"
    f=$($LATENT eval nodes "$emb" "$DATA/$g/labels.tsv" -t 2 --json)
    ma=$(echo "$f" | sed 's/.*"topk": {"macro_f1": \([0-9.]*\).*/\1/')
    mi=$(echo "$f" | sed 's/.*"topk": {[^}]*"micro_f1": \([0-9.]*\).*/\1/')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n' "$g" "$tool" "$t" "$seed" "$P" "$Q" "$secs" "$(echo "$kb / 1024" | bc -l)" "$ma" "$mi" | tee -a "$RES"
}
for g in $GRAPHS; do
    E="$DATA/$g/edges.tsv"
    # SNAP reads integer ids separated by whitespace: the same file (ids are 0..n-1 here)
    tr '\t' ' ' < "$E" > "$OUT/$g.snap.edgelist"
    for t in $THREADS; do
      for seed in $SEEDS; do
        rm -f "$E".*.lgraph "$HOME/.cache/latent/$(basename "$E")"-*   # latent parses too, no cache
        run latent "$g" "$t" "$OUT/$g.latent.lvec" $LATENT train node2vec "$E" -o "$OUT/$g.latent.lvec" -t "$t" --p "$P" --q "$Q" -q --no-cache --seed "$seed"
        [ -n "${PECANPY_SRC:-}" ] && run pecanpy "$g" "$t" "$OUT/$g.pecanpy.emb" env PYTHONPATH="${PECANPY_PATH:-}:$PECANPY_SRC" $PY -m pecanpy.cli \
            --input "$E" --output "$OUT/$g.pecanpy.emb" --mode SparseOTF --workers "$t" --p "$P" --q "$Q" --random_state "$seed"
        [ -n "${SNAP_N2V:-}" ] && [ "$seed" = "${SEEDS%% *}" ] && run snap "$g" "$t" "$OUT/$g.snap.emb" env OMP_NUM_THREADS="$t" "$SNAP_N2V" -i:"$OUT/$g.snap.edgelist" \
            -o:"$OUT/$g.snap.emb" -d:128 -l:80 -r:10 -k:10 -e:1 -p:"$P" -q:"$Q"
      done
    done
done
