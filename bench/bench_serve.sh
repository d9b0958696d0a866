#!/bin/sh
# latent serve under load, loopback only, side by side with infinity (PyPI infinity-emb, pinned in
# tools/py/requirements-infinity.txt; its torch engine: its optimum engine would not start with
# these pins, see bench/RESULTS.md), the tools alternating, wrk (Debian) as the load generator:
#   1. embedding: single-sentence POSTs in OpenAI's shape ({"model", "input": [s]}, the route both
#      serve), all-MiniLM-L6-v2, 64 and 8 concurrent clients, 20 s each; against it `latent embed`
#      on the same sentences in batches (the server's ceiling)
#   2. search: POST /search of one 64-d vector, k 10, over an HNSW index of 100,000 vectors, 64
#      clients: requests/s, p50, p99
#   3. soak: at least 100,000 requests (the tiny fixture model, 64 clients): no failure
# Rows go to bench/serve_results.tsv. Needs build/venv-oracle (sh tools/py/venv.sh oracle).
#   sh bench/bench_serve.sh        [DUR=20 ROUNDS=2 THREADS=2]
cd "$(dirname "$0")/.."
OUT=bench/out/serve; L=./build/latent; DUR=${DUR:-20}; ROUNDS=${ROUNDS:-2}; TH=${THREADS:-2}
M=${MODEL:-build/models/all-MiniLM-L6-v2}
OV=${LATENT_ORACLE_VENV:-build/venv-oracle}; IV=${LATENT_INFINITY_VENV:-build/venv-infinity}
command -v wrk > /dev/null || { echo "bench_serve: needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x $OV/bin/python ] || { echo "bench_serve: needs $OV (sh tools/py/venv.sh oracle)" >&2; exit 1; }
mkdir -p $OUT
if ! $IV/bin/python -c 'import infinity_emb' 2> /dev/null; then
    $OV/bin/python -m venv $IV && \
        $OV/bin/python -c 'import site; print(site.getsitepackages()[0])' > "$($IV/bin/python -c 'import site; print(site.getsitepackages()[0])')/oracle.pth" && \
        $IV/bin/python -m pip install -q --disable-pip-version-check -r tools/py/requirements-infinity.txt || { echo "bench_serve: cannot install infinity" >&2; exit 1; }
fi
INF=$($IV/bin/python -c 'import infinity_emb, torch, transformers; print("infinity-emb", infinity_emb.__version__, "torch", torch.__version__, "transformers", transformers.__version__)' 2> /dev/null)
echo "peers: $INF; $(wrk --version 2>&1 | head -1)" | tee $OUT/peers.txt
R=bench/serve_results.tsv
printf 'case\ttool\tclients\trequests_per_s\tp50_ms\tp99_ms\trequests\tfailed\n' > $R

# sentences of 6-38 words from the State of the Union text, a JSON body per line per tool
zcat data/sotu.txt.gz | tr -s ' \n' '\n\n' | head -200000 > $OUT/words
awk 'BEGIN { srand(12) } { w[NR] = $0 } END { for (i = 0; i < 2000; i++) { k = 6 + int(rand() * 33); o = int(rand() * (NR - 40)); s = w[o + 1]; for (j = 2; j <= k; j++) s = s " " w[o + j]; print s } }' $OUT/words > $OUT/sents.txt
$OV/bin/python - $OUT "$(cd $M && pwd)" <<'EOF'
import json, sys
out, m = sys.argv[1], sys.argv[2]
sents = [l.rstrip("\n") for l in open(out + "/sents.txt")]
for tool, name in (("latent", "mini"), ("infinity", m)):
    with open(f"{out}/bodies_{tool}.txt", "w") as f:
        for s in sents:
            f.write(json.dumps({"model": name, "input": [s]}) + "\n")
with open(f"{out}/bodies_tiny.txt", "w") as f:   # TEI's shape, for the soak
    for s in sents:
        f.write(json.dumps({"inputs": s, "truncate": True}) + "\n")
EOF
cat > $OUT/post.lua <<'EOF'
local bodies, i = {}, 0
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function() i = i % #bodies + 1; return wrk.format(nil, nil, nil, bodies[i]) end
EOF
# wrk's summary -> "rps p50_ms p99_ms requests failed"
parse() {
    awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         /Requests\/sec/ { r = $2 } / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) } /requests in/ { n = $1 }
         /Non-2xx/ { f += $NF } /Socket errors/ { gsub(",", ""); f += $4 + $6 + $8 + $10 }
         END { printf "%s\t%.2f\t%.2f\t%s\t%d\n", r, p50, p99, n, f }' "$1"
}
load() { # TOOL URL BODIES CLIENTS CASE
    BODIES=$3 wrk -t1 -c$4 -d3s -s $OUT/post.lua "$2" > /dev/null 2>&1   # warm-up
    BODIES=$3 wrk -t1 -c$4 -d${DUR}s --latency --timeout 30s -s $OUT/post.lua "$2" > $OUT/wrk.txt 2>&1
    printf '%s\t%s\t%s\t%s\n' "$5" "$1" "$4" "$(parse $OUT/wrk.txt)" | tee -a $R
}
wait_up() { for i in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; return 1; }

# the ceiling: `latent embed` on the same sentences, batched (threads take batches of 32)
for r in 1 2; do
    $L embed $M -i $OUT/sents.txt -o $OUT/e.npy -t $TH 2>&1 | sed -n 's/.*inputs in [0-9.]*s (\([0-9.]*\)\/s.*/\1/p'
done | sort -n | tail -1 > $OUT/batch_rate
printf 'embed-batched\tlatent embed\t-\t%s\t-\t-\t2000\t0\n' "$(cat $OUT/batch_rate)" | tee -a $R

for round in $(seq 1 $ROUNDS); do
    for tool in latent infinity; do
        if [ $tool = latent ]; then
            $L serve --model mini=$M --listen 127.0.0.1:7990 -t $TH -q & P=$!
            U=http://127.0.0.1:7990
            wait_up $U/health
            URL=$U/v1/embeddings
        else
            HF_HUB_OFFLINE=1 $IV/bin/infinity_emb v2 --model-id "$(cd $M && pwd)" --engine torch --device cpu \
                --port 7991 --batch-size 32 > $OUT/infinity.log 2>&1 & P=$!
            U=http://127.0.0.1:7991
            wait_up $U/health || { echo "infinity did not start: $(tail -3 $OUT/infinity.log)"; kill $P; continue; }
            URL=$U/embeddings
        fi
        for c in 64 8; do load $tool $URL $OUT/bodies_$tool.txt $c embed; done
        kill -TERM $P; wait $P 2> /dev/null
        sleep 1
    done
done

# search: 100,000 random 64-d vectors (seeded), cosine HNSW index; one query vector per request
awk 'BEGIN { srand(7); n = 100000; d = 64; print n, d; for (i = 0; i < n; i++) { s = "v" i; for (j = 0; j < d; j++) s = s " " sprintf("%.5f", rand() - 0.5); print s } }' > $OUT/base.txt
[ -f $OUT/base.lhnsw ] && [ $OUT/base.lhnsw -nt $OUT/base.txt ] || $L index build $OUT/base.txt -o $OUT/base.lhnsw -t $TH -q
awk 'BEGIN { srand(8); for (i = 0; i < 1000; i++) { s = "{\"index\": \"base\", \"k\": 10, \"vectors\": [["; for (j = 0; j < 64; j++) s = s (j ? ", " : "") sprintf("%.5f", rand() - 0.5); print s "]]}" } }' > $OUT/bodies_search.txt
$L serve --index base=$OUT/base.lhnsw --read-only --listen 127.0.0.1:7990 -t $TH -q & P=$!
wait_up http://127.0.0.1:7990/health
load latent http://127.0.0.1:7990/search $OUT/bodies_search.txt 64 search
kill -TERM $P; wait $P

# soak: the tiny fixture model, long enough for 100,000 requests
$L serve --model tiny=tests/fixtures/encoders/distilbert/st --listen 127.0.0.1:7990 -t $TH -q & P=$!
wait_up http://127.0.0.1:7990/health
DUR=${SOAK:-60} load latent http://127.0.0.1:7990/embed $OUT/bodies_tiny.txt 64 soak
kill -TERM $P; wait $P
column -t -s "$(printf '\t')" $R
