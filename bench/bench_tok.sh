#!/bin/sh
# Tokenization speed, latent against Hugging Face's tokenizers (PyPI, pinned; build/venv), one
# thread each, on the 24,000 test lines (tools/py/tok_lines.py) with each tokenizer.json kind
# tests/tok_real.sh makes (build/tok_kinds). latent: `latent tokenize --offsets` as a whole
# process (reading, JSON output); tokenizers: encode_batch in one Python process with
# RAYON_NUM_THREADS=1, after loading (so the ratio favours tokenizers). Best of R runs, the
# tools alternating. Prints lines/s and latent / tokenizers.
#   sh bench/bench_tok.sh [R=3]
R=${1:-3}
K=build/tok_kinds
L=build/latent
PY=${LATENT_VENV:-build/venv}/bin/python
[ -f "$K.lines.jsonl" ] || { echo "run sh tests/tok_real.sh first (it makes $K)"; exit 1; }
n=$(wc -l < "$K.lines.jsonl")
printf '%-14s %12s %12s %8s\n' kind latent_l/s tokenizers_l/s ratio
for kind in minilm-real wordpiece bpe-bytelevel sp-bpe unigram unigram-spm; do
    f=$K/$kind/tokenizer.json
    [ -f "$f" ] || continue
    bl=999; bt=999
    for i in $(seq $R); do
        s=$(date +%s.%N); $L tokenize "$f" --jsonl --offsets -i "$K.lines.jsonl" > /dev/null; e=$(date +%s.%N)
        bl=$(echo "$e - $s" | bc | awk -v b=$bl '{print ($1 < b) ? $1 : b}')
        t=$(RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false "$PY" - "$f" "$K.lines.jsonl" <<'PY'
import json, sys, time, tokenizers
t = tokenizers.Tokenizer.from_file(sys.argv[1]); t.no_truncation(); t.no_padding()
lines = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
s = time.perf_counter(); t.encode_batch(lines); print(time.perf_counter() - s)
PY
)
        bt=$(echo "$t" | awk -v b=$bt '{print ($1 < b) ? $1 : b}')
    done
    printf '%-14s %12.0f %12.0f %8.2f\n' $kind $(echo "$n / $bl" | bc -l) $(echo "$n / $bt" | bc -l) $(echo "$bt / $bl" | bc -l)
done
