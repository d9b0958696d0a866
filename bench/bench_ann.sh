#!/bin/sh
# ANN benchmark: exact search vs faiss IndexFlat, HNSW vs hnswlib (M=16, ef_construction=200),
# on Fashion-MNIST (L2) and 100-d word vectors (cosine), 1 and 2 threads, side by side.
# Results: bench/out/ann/results.tsv and bench/ann_recall_qps_<data>.png (latent plot). SETS="words:cosine" runs one set.
set -eu
L=${LATENT:-./build/latent}
D=bench/out/ann
PY=/usr/bin/python3
WORDS=${WORDS:-bench/out/latent_sg2.bin}
mkdir -p $D
[ -s $D/fmnist_base.fvecs ] || $PY bench/ann_prep.py $D "$WORDS"
[ -s $D/words_base.fvecs ] || $PY bench/ann_prep.py $D "$WORDS"
EFS=${EFS:-10,16,24,32,48,64,96,128,192,256}
ROUNDS=${ROUNDS:-3}; BUILD_ROUNDS=${BUILD_ROUNDS:-2}
R=$D/results.tsv
echo "what	data	metric	threads	ef	recall	qps_or_seconds" > $R
for spec in ${SETS:-fmnist:l2 words:cosine}; do
    data=${spec%%:*}; m=${spec##*:}
    B=$D/${data}_base.fvecs; Q=$D/${data}_query.fvecs
    [ -s $D/${data}_truth.ivecs ] || $PY bench/ann_peers.py truth $B $Q $m 10 $D/${data}_truth.ivecs
    for t in 1 2; do
        # Every comparison alternates the two tools ROUNDS times and keeps each one's best,
        # so a noisy stretch on this shared machine does not land on one tool only.
        # exact: same ids in the same order as the float64 brute force
        lq=0; fq=0
        for rep in $(seq $ROUNDS); do
            $L search $B --vectors $Q -k 10 --metric $m -t $t -o $D/${data}_exact.ivecs 2> $D/err
            q=$(sed -n 's/.*(\([0-9.]*\) queries\/s.*/\1/p' $D/err)
            lq=$(echo "if ($q > $lq) $q else $lq" | bc -l)
            # faiss's BLAS is OpenBLAS: pin its threads too, or "1 thread" uses every core
            q=$(OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t $PY bench/ann_peers.py faiss $B $Q $m 10 $t | cut -f4)
            fq=$(echo "if ($q > $fq) $q else $fq" | bc -l)
        done
        same=$(cmp -s $D/${data}_exact.ivecs $D/${data}_truth.ivecs && echo identical || echo DIFFERENT)
        printf 'latent-exact\t%s\t%s\t%s\t-\t%s\t%s\n' $data $m $t "$same" "$lq" | tee -a $R
        printf 'faiss-flat\t%s\t%s\t%s\t-\t-\t%s\n' $data $m $t "$fq" | tee -a $R
        # HNSW builds, alternated, best of BUILD_ROUNDS
        lb=1000000000; hb=1000000000
        for rep in $(seq $BUILD_ROUNDS); do
            $L index build $B -o $D/${data}.lhnsw --metric $m --M 16 --ef-construction 200 -t $t 2> $D/err
            x=$(sed -n 's/.*vectors in \([0-9.]*\)s.*/\1/p' $D/err)
            lb=$(echo "if ($x < $lb) $x else $lb" | bc -l)
            x=$(OPENBLAS_NUM_THREADS=$t $PY bench/ann_peers.py hnswlib $B $Q $m 10 $t 16 200 $EFS $D/${data}_truth.ivecs $D/${data}.hnswlib | cut -f4)
            hb=$(echo "if ($x < $hb) $x else $hb" | bc -l)
        done
        printf 'latent-build\t%s\t%s\t%s\t-\t-\t%s\n' $data $m $t "$lb" | tee -a $R
        printf 'hnswlib-build\t%s\t%s\t%s\t-\t-\t%s\n' $data $m $t "$hb" | tee -a $R
        # ef sweeps, alternated, best q/s per ef (recall is the same every round)
        : > $D/sweep
        for rep in $(seq $ROUNDS); do
            $L eval recall $D/${data}.lhnsw --queries $Q --truth $D/${data}_truth.ivecs -k 10 --ef $EFS -t $t | tail -n +2 |
                awk -v d=$data -v m=$m '{printf "latent-hnsw\t%s\t%s\t%s\t%s\t%s\t%s\n", d, m, $3, $2, $4, $5}' >> $D/sweep
            OPENBLAS_NUM_THREADS=$t $PY bench/ann_peers.py hnswlib-sweep $B $Q $m 10 $t $D/${data}.hnswlib $EFS $D/${data}_truth.ivecs |
                awk -v d=$data 'BEGIN{OFS="\t"} {print "hnswlib-hnsw", d, $2, $3, $4, $5, $6}' >> $D/sweep
        done
        awk -F'\t' 'BEGIN{OFS="\t"} { k = $1 FS $2 FS $3 FS $4 FS $5 FS $6; if (!(k in b) || $7 > b[k]) b[k] = $7; if (!(k in o)) { o[k] = ++n; key[n] = k } }
                    END { for (i = 1; i <= n; i++) print key[i], b[key[i]] }' $D/sweep | tee -a $R
    done
done
for data in $(awk -F'\t' 'NR > 1 { print $2 }' $R | sort -u); do
    $L plot $R --x recall --y qps_or_seconds --color-by what --where data=$data --where threads=1 --line --logy \
        --xlabel "recall at 10" --ylabel "queries per second" --title "HNSW on $data, 1 thread" -o bench/ann_recall_qps_$data.png -q
done
