#!/bin/sh
# ANN benchmark: exact search vs faiss IndexFlat, HNSW vs hnswlib (M=16, ef_construction=200),
# on Fashion-MNIST (L2) and 100-d word vectors (cosine), 1 and 2 threads, side by side.
# Results: bench/out/ann/results.tsv and bench/ann_recall_qps.svg.
set -eu
L=${LATENT:-./build/latent}
D=bench/out/ann
PY=/usr/bin/python3
WORDS=${WORDS:-bench/out/latent_sg2.bin}
mkdir -p $D
[ -s $D/fmnist_base.fvecs ] || $PY bench/ann_prep.py $D "$WORDS"
[ -s $D/words_base.fvecs ] || $PY bench/ann_prep.py $D "$WORDS"
EFS=${EFS:-10,16,24,32,48,64,96,128,192,256}
R=$D/results.tsv
echo "what	data	metric	threads	ef	recall	qps_or_seconds" > $R
for spec in fmnist:l2 words:cosine; do
    data=${spec%%:*}; m=${spec##*:}
    B=$D/${data}_base.fvecs; Q=$D/${data}_query.fvecs
    [ -s $D/${data}_truth.ivecs ] || $PY bench/ann_peers.py truth $B $Q $m 10 $D/${data}_truth.ivecs
    for t in 1 2; do
        # exact: same ids in the same order as the float64 brute force
        qps=0
        for rep in 1 2 3; do   # best of 3
            $L search $B --vectors $Q -k 10 --metric $m -t $t -o $D/${data}_exact.ivecs 2> $D/err
            q=$(sed -n 's/.*(\([0-9.]*\) queries\/s.*/\1/p' $D/err)
            qps=$(echo "if ($q > $qps) $q else $qps" | bc -l)
        done
        same=$(cmp -s $D/${data}_exact.ivecs $D/${data}_truth.ivecs && echo identical || echo DIFFERENT)
        printf 'latent-exact\t%s\t%s\t%s\t-\t%s\t%s\n' $data $m $t "$same" "$qps" | tee -a $R
        # faiss's BLAS is OpenBLAS: pin its threads too, or "1 thread" uses every core
        OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t $PY bench/ann_peers.py faiss $B $Q $m 10 $t | awk -v d=$data '{printf "faiss-flat\t%s\t%s\t%s\t-\t-\t%s\n", d, $2, $3, $4}' | tee -a $R
        # HNSW build and sweep
        $L index build $B -o $D/${data}.lhnsw --metric $m --M 16 --ef-construction 200 -t $t 2> $D/err
        bt=$(sed -n 's/.*vectors in \([0-9.]*\)s.*/\1/p' $D/err)
        printf 'latent-build\t%s\t%s\t%s\t-\t-\t%s\n' $data $m $t "$bt" | tee -a $R
        $L eval recall $D/${data}.lhnsw --queries $Q --truth $D/${data}_truth.ivecs -k 10 --ef $EFS -t $t --repeat 3 | tail -n +2 |
            awk -v d=$data -v m=$m '{printf "latent-hnsw\t%s\t%s\t%s\t%s\t%s\t%s\n", d, m, $3, $2, $4, $5}' | tee -a $R
        OPENBLAS_NUM_THREADS=$t $PY bench/ann_peers.py hnswlib $B $Q $m 10 $t 16 200 $EFS $D/${data}_truth.ivecs |
            awk -v d=$data 'BEGIN{OFS="\t"} $1=="hnswlib-build"{print "hnswlib-build", d, $2, $3, "-", "-", $4} $1=="hnswlib"{print "hnswlib-hnsw", d, $2, $3, $4, $5, $6}' | tee -a $R
    done
done
$PY bench/plot_ann.py $R bench/ann_recall_qps.svg
