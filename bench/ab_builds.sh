#!/bin/sh
# A/B of two latent builds on the same five jobs (word2vec, embed, exact search, PCA, HNSW build),
# alternating, ROUNDS rounds, whole processes at 2 threads; prints "job build seconds" lines and
# the medians new / old. For refactors: behaviour must be unchanged, speed within noise.
#   OLD=/tmp/old/build/latent NEW=build/latent sh bench/ab_builds.sh
# Needs ../shared/data/text, build/models/all-MiniLM-L6-v2 (tools/setup.sh test) and numpy.
set -e
O=${OLD:?OLD=path of the old latent}; N=${NEW:-build/latent}; R=${ROUNDS:-3}
M=${MODEL:-build/models/all-MiniLM-L6-v2}; S=${SHARED:-../shared}
W=${WORK:-build/bench/ab}; mkdir -p "$W"
PY=${PYTHON:-/usr/bin/python3}
$PY -c "
import numpy as np
r = np.random.default_rng(1); c = r.normal(size=(50, 200)).astype('f4')
X = (c[r.integers(0, 50, 50000)] + 0.5 * r.normal(size=(50000, 200))).astype('f4')
np.save('$W/X.npy', X); np.save('$W/Q.npy', X[:1000] + 0.01)"
zcat "$S/data/text/corpus.txt.gz" | head -c 15000000 > "$W/c.txt"
zcat "$S/data/text/sotu.txt.gz" | tr ' ' '\n' | head -40000 | paste -d' ' $(printf -- '- %.0s' $(seq 40)) > "$W/s.txt"
$O convert "$W/X.npy" "$W/X.O.lvec" >/dev/null; $N convert "$W/X.npy" "$W/X.N.lvec" >/dev/null
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2; e=$(date +%s.%N); echo "$e - $s" | bc; }
for r in $(seq "$R"); do
    for b in O N; do
        eval L=\$$b
        echo "w2v $b $(t $L train word2vec $W/c.txt -o $W/w.$b.txt --dim 100 --epochs 1 -t 2 -q)"
        echo "embed $b $(t $L embed $M -i $W/s.txt -o $W/e.$b.npy -t 2 -q)"
        echo "search $b $(t $L search $W/X.$b.lvec --vectors $W/Q.npy -k 10 -t 2 -q -o $W/r.$b.tsv)"
        echo "pca $b $(t $L fit pca $W/X.npy --dim 50 -o $W/p.$b.lmodel -t 2 -q)"
        echo "index $b $(t $L index build $W/X.$b.lvec -o $W/i.$b.lhnsw -t 2 -q)"
    done
done | tee "$W/ab.out"
$PY - "$W/ab.out" <<'PYEOF'
import collections, statistics, sys
d = collections.defaultdict(list)
for l in open(sys.argv[1]):
    p = l.split()
    if len(p) == 3: d[(p[0], p[1])].append(float(p[2]))
for k in ["w2v", "embed", "search", "pca", "index"]:
    o, n = statistics.median(d[(k, "O")]), statistics.median(d[(k, "N")])
    print(f"{k:7s} old {o:.3f} s  new {n:.3f} s  new/old {n / o:.3f}")
PYEOF
cmp -s "$W/r.O.tsv" "$W/r.N.tsv" && echo "search results identical" || echo "search results DIFFER"
cmp -s "$W/e.O.npy" "$W/e.N.npy" && echo "embeddings identical" || echo "embeddings DIFFER"
