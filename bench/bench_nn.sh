#!/bin/sh
# Learned encoders against PyTorch (Debian python3-torch, CPU), side by side, alternating the
# tools: the MLP autoencoder and the CNN on Fashion-MNIST, entity embeddings on UCI Adult.
# Same architecture, optimiser (Adam 1e-3), batch and epochs on both sides; time per epoch is
# the mean of the epochs' training time (data loading excluded on both sides).
#   sh bench/bench_nn.sh ["THREADS"] ["SEEDS"] ["MODELS"]   defaults "1 2", "1", "ae cnn entity"; MODELS may
# also name "encode" (forward passes only, on the ae and cnn models of an earlier run)
# FMNIST (folder of the four IDX files, .gz or not) and ADULT (train.csv, test.csv) override
# the data; results are appended to bench/nn_results.tsv. TORCH_INITS="default he" also runs
# PyTorch from latent's initialisation rule for the autoencoder and the CNN (rows "pytorch-he"):
# latent starts them from He's rule, PyTorch from its own default.
set -e
L=${LATENT:-build/latent}
PY=${PY:-/usr/bin/python3}
# PyTorch's threads: torch.set_num_threads(t) in nn_torch.py, and the BLAS and OpenMP pools it
# calls into (Debian's torch reaches OpenBLAS, whose own pool ignores set_num_threads: a
# "1-thread" run used 1.9 cores before these were set)
torch_py() { n_=$3; OPENBLAS_NUM_THREADS=$n_ OMP_NUM_THREADS=$n_ MKL_NUM_THREADS=$n_ $PY "$@"; }
FMNIST=${FMNIST:-/usr/share/datasets/fashion-mnist}
ADULT=${ADULT:-../shared/data/tabular/adult}
THREADS=${1:-"1 2"}
SEEDS=${2:-1}
MODELS=${3:-"ae cnn entity"}
TORCH_INITS=${TORCH_INITS:-default}
tname() { [ "$1" = default ] && echo pytorch || echo pytorch-$1; }
OUT=bench/out/nn
RES=${RES:-bench/nn_results.tsv}
mkdir -p $OUT
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f $OUT/$f ] && continue
    if [ -f $FMNIST/$f.gz ]; then zcat $FMNIST/$f.gz > $OUT/$f; else cp $FMNIST/$f $OUT/$f; fi
done
[ -f $RES ] || printf 'date\tmodel\ttool\tthreads\tseed\tepochs\ts_per_epoch\tmetric\tvalue\tmetric2\tvalue2\n' > $RES
J="$PY -c 'import json,sys; d=json.load(sys.stdin); print(sum(e[\"seconds\"] for e in d[\"per_epoch\"])/len(d[\"per_epoch\"]), d[\"test_loss\"], d[\"test_accuracy\"], d[\"test_auc\"])'"
# forward-pass seconds of latent encode over the 10k test images at a batch size
enc() { $L encode "$1" $te -o $OUT/enc.npy --batch "$2" -t "$3" 2>&1 | sed -n 's/.*forward pass \([0-9.]*\)s.*/\1/p'; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%F)" "$@" >> $RES; printf '%s\n' "$*"; }
tr=$OUT/train-images-idx3-ubyte; trl=$OUT/train-labels-idx1-ubyte; te=$OUT/t10k-images-idx3-ubyte; tel=$OUT/t10k-labels-idx1-ubyte
for t in $THREADS; do for s in $SEEDS; do for m in $MODELS; do
    case $m in
    ae)
        $L train autoencoder $tr -o $OUT/ae.lmodel --arch 784-256-32-256-784 --scale unit --epochs 20 --batch 256 --lr 1e-3 -t $t -s $s \
            --test $te --json -q > $OUT/ae.json
        set -- $(eval "$J" < $OUT/ae.json); row ae latent $t $s 20 $1 test_mse $2 "" ""
        row ae-encode latent $t $s "" "" batch1_s $(enc $OUT/ae.lmodel 1 $t) batch256_s $(enc $OUT/ae.lmodel 256 $t)
        for ti in $TORCH_INITS; do
        TORCH_INIT=$ti torch_py bench/nn_torch.py ae $t 20 $OUT $s > $OUT/ae_torch.json
        set -- $($PY -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds_per_epoch"], d["test_mse"])' < $OUT/ae_torch.json)
        row ae $(tname $ti) $t $s 20 $1 test_mse $2 "" ""
        row ae-encode $(tname $ti) $t $s "" "" batch1_s $($PY -c 'import json,sys; d=json.load(sys.stdin); print(d["encode1_seconds"], "batch256_s", d["encode256_seconds"])' < $OUT/ae_torch.json)
        done ;;
    cnn)
        $L train cnn $tr $trl -o $OUT/cnn.lmodel --arch c16k3-p2-c32k3-p2-f64-f10 --scale unit --epochs 5 --batch 128 --lr 1e-3 -t $t -s $s \
            --test $te --test-labels $tel --json -q > $OUT/cnn.json
        set -- $(eval "$J" < $OUT/cnn.json); acc=$3; spe=$1
        # a linear probe on the 64-d penultimate features
        $L encode $OUT/cnn.lmodel $tr -o $OUT/cnn_tr.npy -q -t $t && $L encode $OUT/cnn.lmodel $te -o $OUT/cnn_te.npy -q -t $t
        probe=$($L eval probe $OUT/cnn_tr.npy $trl --test $OUT/cnn_te.npy $tel --json -t $t | $PY -c 'import json,sys; print(json.load(sys.stdin)["accuracy"])')
        row cnn latent $t $s 5 $spe test_accuracy $acc probe64_accuracy $probe
        row cnn-encode latent $t $s "" "" batch1_s $(enc $OUT/cnn.lmodel 1 $t) batch256_s $(enc $OUT/cnn.lmodel 256 $t)
        for ti in $TORCH_INITS; do
        TORCH_INIT=$ti FEATS_OUT=$OUT torch_py bench/nn_torch.py cnn $t 5 $OUT $s > $OUT/cnn_torch.json
        set -- $($PY -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds_per_epoch"], d["test_accuracy"])' < $OUT/cnn_torch.json)
        # the same probe on PyTorch's own 64-d features
        tprobe=$($L eval probe $OUT/cnn_torch_train.npy $trl --test $OUT/cnn_torch_test.npy $tel --json -t $t | $PY -c 'import json,sys; print(json.load(sys.stdin)["accuracy"])')
        row cnn $(tname $ti) $t $s 5 $1 test_accuracy $2 probe64_accuracy $tprobe
        row cnn-encode $(tname $ti) $t $s "" "" batch1_s $($PY -c 'import json,sys; d=json.load(sys.stdin); print(d["encode1_seconds"], "batch256_s", d["encode256_seconds"])' < $OUT/cnn_torch.json)
        done ;;
    encode)   # forward passes over the 10k test images, the models of an earlier ae and cnn run
        for e in ae cnn; do
            row $e-encode latent $t $s "" "" batch1_s $(enc $OUT/$e.lmodel 1 $t) batch256_s $(enc $OUT/$e.lmodel 256 $t)
            row $e-encode pytorch $t $s "" "" batch1_s $(torch_py bench/nn_torch.py $e-encode $t 0 $OUT | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["encode1_seconds"], "batch256_s", d["encode256_seconds"])')
        done ;;
    entity)
        $L train entity $ADULT/train.csv --target income -o $OUT/ent.lmodel --arch f64-f64 --epochs 10 --batch 128 --lr 1e-3 -t $t -s $s \
            --test $ADULT/test.csv --json -q > $OUT/ent.json
        set -- $(eval "$J" < $OUT/ent.json); acc=$3; auc=$4; spe=$1
        # logistic regression on the learned category vectors alone
        $L encode $OUT/ent.lmodel $ADULT/train.csv --layer embed -o $OUT/ent_tr.npy -q && $L encode $OUT/ent.lmodel $ADULT/test.csv --layer embed -o $OUT/ent_te.npy -q
        tail -n +2 $ADULT/train.csv | awk -F, '{print $NF}' > $OUT/ent_tr.labels; tail -n +2 $ADULT/test.csv | awk -F, '{print $NF}' > $OUT/ent_te.labels
        probe=$($L eval probe $OUT/ent_tr.npy $OUT/ent_tr.labels --test $OUT/ent_te.npy $OUT/ent_te.labels --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["accuracy"])')
        row entity latent $t $s 10 $spe test_accuracy $acc test_auc $auc
        row entity latent-embed-probe $t $s 10 "" test_accuracy $probe "" ""
        torch_py bench/nn_torch.py entity $t 10 $ADULT $s > $OUT/ent_torch.json
        set -- $($PY -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds_per_epoch"], d["test_accuracy"], d["test_auc"])' < $OUT/ent_torch.json)
        row entity pytorch $t $s 10 $1 test_accuracy $2 test_auc $3 ;;
    esac
done; done; done
