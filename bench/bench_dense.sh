#!/bin/sh
# Dense representations on Fashion-MNIST (Debian's dataset-fashion-mnist), latent against
# scikit-learn, side by side and alternating, 1 and 2 threads (OpenBLAS threads for both):
# PCA-50 fit + transform, the logistic-regression and kNN-5 probes on PCA-50, the RFF-2000
# transform of the 60k training rows, kernel PCA (5000-row fit, 10k transforms). Whole jobs
# timed (reading the IDX files included). Rows go to bench/dense_results.tsv.
# usage: sh bench/bench_dense.sh [threads]
set -u
THREADS=${1:-"1 2"}
L=${LATENT:-./build/latent}
PY=/usr/bin/python3
F=/usr/share/datasets/fashion-mnist
O=${OUT:-bench/out/dense}
mkdir -p "$O"
RES=bench/dense_results.tsv
[ -f "$RES" ] || echo "task	tool	threads	seconds	accuracy" > "$RES"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" | tee -a "$RES"; }
now() { date +%s.%N; }
GAMMA=0.0076   # ~1 / median squared distance of the scaled pixels (latent's gamma auto gives 0.00762)
for t in $THREADS; do
    export OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t
    a=$(now); $L fit pca $F/train-images-idx3-ubyte.gz --scale unit --dim 50 -o $O/pca.lmodel --encode-out $O/tr.npy -q -t $t &&
        $L encode $O/pca.lmodel $F/t10k-images-idx3-ubyte.gz -o $O/te.npy -q -t $t
    row pca-50 latent $t "$(echo "$(now) - $a" | bc)" -
    set -- $($PY bench/dense_sklearn.py pca $O/skl_tr.npy $O/skl_te.npy); row pca-50 sklearn $t "$1" -
    for p in logreg knn; do
        a=$(now); acc=$($L eval probe $O/tr.npy $F/train-labels-idx1-ubyte.gz --test $O/te.npy $F/t10k-labels-idx1-ubyte.gz --classifier $p --json -t $t |
            sed 's/.*"accuracy": \([0-9.]*\).*/\1/')
        row "probe-$p (pca-50)" latent $t "$(echo "$(now) - $a" | bc)" "$acc"
        set -- $($PY bench/dense_sklearn.py $p $O/tr.npy $O/te.npy); row "probe-$p (pca-50)" sklearn $t "$1" "$2"
    done
    $L fit rff $F/train-images-idx3-ubyte.gz --scale unit --dim 2000 --gamma $GAMMA -o $O/rff.lmodel -q
    a=$(now); $L encode $O/rff.lmodel $F/train-images-idx3-ubyte.gz -o $O/rff.npy -q -t $t; row "rff-2000 transform 60k" latent $t "$(echo "$(now) - $a" | bc)" -
    set -- $($PY bench/dense_sklearn.py rff $GAMMA $O/rff_sk.npy); row "rff-2000 transform 60k" sklearn $t "$1" -
    # the 5000 fitting rows as .npy, made outside the timed job (scikit-learn's timed job reads
    # and inflates the whole IDX file for them: about 0.3 s more on its side)
    [ -s $O/x5k.npy ] || $PY -c "import numpy as n,gzip; b=gzip.open('$F/train-images-idx3-ubyte.gz').read(); n.save('$O/x5k.npy', n.frombuffer(b,n.uint8,offset=16).reshape(-1,784)[:5000].astype(n.float32))"
    a=$(now); $L fit kpca $O/x5k.npy --scale unit --dim 50 --gamma $GAMMA -o $O/kpca.lmodel -q -t $t && $L encode $O/kpca.lmodel $F/t10k-images-idx3-ubyte.gz -o $O/kz.npy -q -t $t
    row "kpca-50 (5000 fit, 10k transform)" latent $t "$(echo "$(now) - $a" | bc)" -
    set -- $($PY bench/dense_sklearn.py kpca $GAMMA $O/skl_kz.npy); row "kpca-50 (5000 fit, 10k transform)" sklearn $t "$1" -
    if [ "$t" = "${THREADS%% *}" ]; then   # the probe on kernel PCA features (60k train rows encoded), once
        $L encode $O/kpca.lmodel $F/train-images-idx3-ubyte.gz -o $O/kz_tr.npy -q -t $t
        acc=$($L eval probe $O/kz_tr.npy $F/train-labels-idx1-ubyte.gz --test $O/kz.npy $F/t10k-labels-idx1-ubyte.gz --json -t $t --max-iter 1000 |
            sed 's/.*"accuracy": \([0-9.]*\).*/\1/')
        row "probe-logreg (kpca-50, 5000 fit)" latent $t - "$acc"
    fi
done
