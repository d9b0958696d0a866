#!/bin/sh
# 2-D maps of all 70000 Fashion-MNIST images (train + test, /255, PCA-50 by latent), latent
# against scikit-learn's Barnes-Hut TSNE, side by side and alternating, same threads:
# wall time of the map alone (the PCA-50 rows read from one .npy by both), the KL divergence
# of each map measured one way (bench/tsne_kl.py: scikit-learn's P, exact Z), kNN-10
# accuracy of the classes in the 2-D map (5-fold, latent eval probe), trustworthiness at
# k 10 against the PCA-50 rows (latent report, 2000-row sample); then latent's UMAP (umap-learn
# is not in Debian: no peer column). Rows go to bench/map_results.tsv.
# usage: sh bench/bench_map.sh [threads] [rows]
set -u
T=${1:-2}
N=${2:-70000}
L=${LATENT:-./build/latent}
PY=/usr/bin/python3
F=/usr/share/datasets/fashion-mnist
O=${OUT:-bench/out/map}
mkdir -p "$O"
RES=bench/map_results.tsv
[ -f "$RES" ] || echo "rows	method	tool	threads	seconds	kl	knn10_acc	trustworthiness" > "$RES"
now() { date +%s.%N; }
export OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T
if [ ! -s $O/pca50_$N.npy ]; then
    $PY - "$F" "$O" "$N" <<'EOF'
import sys, gzip, numpy as np
F, O, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def idx(p, off): return np.frombuffer(gzip.open(p).read(), np.uint8, offset=off)
X = np.concatenate([idx(F + "/train-images-idx3-ubyte.gz", 16), idx(F + "/t10k-images-idx3-ubyte.gz", 16)]).reshape(-1, 784)
y = np.concatenate([idx(F + "/train-labels-idx1-ubyte.gz", 8), idx(F + "/t10k-labels-idx1-ubyte.gz", 8)])
np.save(O + "/x_%d.npy" % n, (X[:n] / 255.0).astype(np.float32))
open(O + "/y_%d.txt" % n, "w").write("".join("%d\n" % v for v in y[:n]))
EOF
    $L fit pca $O/x_$N.npy --dim 50 -o $O/pca50_$N.lmodel --encode-out $O/pca50_$N.npy -q -t $T
fi
X=$O/pca50_$N.npy
Y=$O/y_$N.txt
measure() {   # map -> "knn10 trustworthiness"
    acc=$($L eval probe "$1" $Y --cv 5 --classifier knn -k 10 --json -t $T | sed 's/.*"accuracy": \([0-9.]*\).*/\1/')
    tw=$($L report "$1" --source $X --k 10 --json -q | sed 's/.*"trustworthiness": \([0-9.]*\).*/\1/')
    echo "$acc $tw"
}
a=$(now); $L map $X -o $O/lt_tsne.npy --solver barnes-hut -t $T -q; lt_s=$(echo "$(now) - $a" | bc)
set -- $($PY bench/tsne_sklearn.py $X $O/sk_tsne.npy $T); sk_s=$1
kl_lt=$($PY bench/tsne_kl.py $X $O/lt_tsne.npy | cut -d' ' -f2)
kl_sk=$($PY bench/tsne_kl.py $X $O/sk_tsne.npy | cut -d' ' -f2)
set -- $(measure $O/lt_tsne.npy); printf '%s\ttsne-bh\tlatent\t%s\t%s\t%s\t%s\t%s\n' $N $T $lt_s $kl_lt $1 $2 | tee -a $RES
set -- $(measure $O/sk_tsne.npy); printf '%s\ttsne-bh\tsklearn\t%s\t%s\t%s\t%s\t%s\n' $N $T $sk_s $kl_sk $1 $2 | tee -a $RES
a=$(now); $L map $X -o $O/lt_umap.npy --method umap -t $T -q; um_s=$(echo "$(now) - $a" | bc)
set -- $(measure $O/lt_umap.npy); printf '%s\tumap\tlatent\t%s\t%s\t-\t%s\t%s\n' $N $T $um_s $1 $2 | tee -a $RES
