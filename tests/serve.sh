#!/bin/sh
# latent serve on a free loopback port, route by route against the CLI (tests/serve_check.py):
# the same vectors to 1e-6, neighbours, rerank scores, tokens; TEI's and OpenAI's shapes; the
# refusals (status and error shape); 64 concurrent clients; bearer keys; oversized bodies and
# slow clients while a normal request still succeeds; kill -9 during /index/add (every
# acknowledged add is there after a restart); SIGTERM (exit 0, the index written).
L=${LATENT:-build/latent}
PY=${SERVE_PYTHON:-/usr/bin/python3}
VENV=${LATENT_VENV:-build/venv}
T=$(mktemp -d)
. tests/lib.sh
trap 'kill $SP 2>/dev/null; rm -rf "$T"' EXIT
E=tests/fixtures/encoders/distilbert/st
X=tests/fixtures/encoders/bert-cross/model
if ! $PY -c 'import numpy' 2>/dev/null; then
    echo "skip serve tests: $PY has no numpy (tools/setup.sh test installs python3-numpy)"
    echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
# word vectors with labels the checks ask for, an index built from them
awk 'BEGIN { srand(5); n = 400; d = 16; print n, d
    split("king queen quick quiet quote prince castle crown royal", w, " ")
    for (i = 1; i <= n; i++) { s = i <= 9 ? w[i] : "w" i; for (j = 0; j < d; j++) s = s " " sprintf("%.6f", rand() - 0.5); print s } }' > "$T/words.txt"
$L index build "$T/words.txt" -o "$T/words.lhnsw" -q -t 1 || no "index build"

# start SERVER_ARGS...: the server in the background on a free port; sets SP and U
start() {
    "$L" serve --listen 127.0.0.1:0 -t 2 "$@" 2> "$T/serve.err" &
    SP=$!
    U=
    for i in $(seq 1 100); do
        U=$(sed -n 's/^latent: serving on \(http:[^ ]*\) .*/\1/p' "$T/serve.err")
        [ -n "$U" ] && break
        kill -0 $SP 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$U" ] || { no "server did not start: $(cat "$T/serve.err")"; echo "$P passed, $F failed"; exit 1; }
}
tally() { # the ok/FAIL lines of a check run
    while IFS= read -r line; do
        case $line in ok*) ok "${line#ok }" ;; FAIL*) no "${line#FAIL }" ;; *) echo "$line" ;; esac
    done
}
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

start --model emb=$E --model cross=$X --vectors words="$T/words.txt" --vectors wordvecs="$T/words.txt" \
    --index words="$T/words.lhnsw" --max-body 200000
$PY tests/serve_check.py routes "$U" "$L" $E $X "$T/words.txt" "$T/words.lhnsw" "$T" > "$T/r.out" 2>&1
tally < "$T/r.out"
$PY tests/serve_check.py concurrent "$U" "$L" $E "$T" > "$T/c.out" 2>&1
tally < "$T/c.out"
# the official OpenAI client, when the test venv has it
if "$VENV/bin/python" -c 'import openai, numpy' 2>/dev/null; then
    $L embed $E -i "$T/in.txt" -o "$T/oa_want.npy" -q -t 1
    "$VENV/bin/python" tests/serve_check.py openai "$U" "$T" > "$T/o.out" 2>&1
    tally < "$T/o.out"
elif [ -n "$CI" ]; then no "the openai client is not in $VENV (tools/setup.sh test)"
else echo "skip openai client check: not in $VENV (run: sh tools/setup.sh test)"; S=1; fi

# bodies over --max-body: 413, by Content-Length and when streamed without one
head -c 300000 /dev/zero | tr '\0' 'a' > "$T/big"
c=$(code -X POST --data-binary @"$T/big" "$U/embed")
[ "$c" = 413 ] && grep -q error_type "$T/body" && ok "body over --max-body: 413" || no "big body: $c $(head -c 200 "$T/body")"
c=$(code -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$U/embed")
[ "$c" = 413 ] && ok "chunked body over --max-body: 413" || no "chunked big body: $c"
# slow clients: 200 connections that send half a request and wait, while a normal one succeeds
$PY - "$U" > "$T/slow.out" 2>&1 <<'EOF' &
import socket, sys, time
h, p = sys.argv[1][7:].split(":")
ss = []
for i in range(200):
    s = socket.create_connection((h, int(p)))
    s.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inp")
    ss.append(s)
time.sleep(4)
print("held", len(ss))
EOF
SLOW=$!
sleep 1
c=$(code -X POST -d '{"inputs":"still served"}' "$U/embed")
[ "$c" = 200 ] && ok "a normal request succeeds beside 200 stalled clients" || no "normal request beside stalled clients: $c"
wait $SLOW
grep -q "held 200" "$T/slow.out" && ok "200 stalled connections were accepted" || no "stalled clients: $(cat "$T/slow.out")"
# kill -9 in a stream of /index/add: every acknowledged add is there after a restart
$PY - "$U" > "$T/acked" 2>/dev/null <<'EOF' &
import json, sys, urllib.request
for i in range(100000):
    v = [((i * 7 + j) % 13) / 13.0 for j in range(16)]
    r = urllib.request.Request(sys.argv[1] + "/index/add", data=json.dumps({"index": "words", "ids": [5000 + i], "vectors": [v]}).encode())
    with urllib.request.urlopen(r) as f:
        if f.status == 200:
            print(5000 + i, flush=True)
EOF
ADDER=$!
sleep 2
kill -9 $SP
wait $SP 2>/dev/null
wait $ADDER 2>/dev/null
n=$(wc -l < "$T/acked")
[ "$n" -gt 0 ] && ok "adds acknowledged before kill -9: $n" || no "no add was acknowledged before the kill"
start --vectors words="$T/words.txt" --index words="$T/words.lhnsw"
last=$(tail -1 "$T/acked")
$PY - "$U" "$T/acked" > "$T/k.out" <<'EOF'
import json, sys, urllib.request
ids = [int(l) for l in open(sys.argv[2]) if l.strip()]
miss = 0
for i in ids:
    v = [((i - 5000) * 7 + j) % 13 / 13.0 for j in range(16)]
    r = urllib.request.Request(sys.argv[1] + "/search", data=json.dumps({"index": "words", "vectors": [v], "k": 50, "filter": {"ids": [i]}}).encode())
    hits = json.loads(urllib.request.urlopen(r).read())[0]
    miss += not hits or hits[0]["id"] != i
print("missing", miss, "of", len(ids))
EOF
grep -q "missing 0 of $n" "$T/k.out" && ok "after kill -9 and a restart every acknowledged add is there ($n)" || no "after kill -9: $(cat "$T/k.out")"
# SIGTERM: exit 0 with the journal written into the index
kill -TERM $SP
wait $SP; rc=$?
[ $rc = 0 ] && grep -q "stopped" "$T/serve.err" && ok "SIGTERM: exit 0" || no "SIGTERM: exit $rc: $(tail -2 "$T/serve.err")"
cnt=$($L index info "$T/words.lhnsw" --json 2>/dev/null | $PY -c 'import json,sys; print(json.load(sys.stdin)["count"])')
[ "$cnt" -ge $((400 + n)) ] 2>/dev/null && ok "the index file holds the adds after SIGTERM ($cnt)" || no "index count after SIGTERM: $cnt, want >= $((400 + n))"
[ ! -s "$T/words.lhnsw.journal" ] || [ "$(wc -c < "$T/words.lhnsw.journal")" -le 16 ] && ok "the journal is emptied at shutdown" || no "journal left: $(wc -c < "$T/words.lhnsw.journal")"
# a full disk at the checkpoint (a file size limit stands in for it): an error naming the journal,
# exit 1, the old file unchanged, the journal kept; the next start has every acknowledged add
awk 'BEGIN { srand(9); n = 2000; d = 32; print n, d; for (i = 0; i < n; i++) { s = "r" i; for (j = 0; j < d; j++) s = s " " sprintf("%.5f", rand() - 0.5); print s } }' > "$T/big.txt"
$L index build "$T/big.txt" -o "$T/big.lhnsw" -q -t 1
sum0=$(md5sum < "$T/big.lhnsw")
(ulimit -f 200; exec "$L" serve --listen 127.0.0.1:0 -t 1 --index big="$T/big.lhnsw" 2> "$T/serve.err") & SP=$!
U=; for i in $(seq 1 100); do U=$(sed -n 's/^latent: serving on \(http:[^ ]*\) .*/\1/p' "$T/serve.err"); [ -n "$U" ] && break; sleep 0.1; done
V32=$(seq -s, 32 | sed 's/[0-9][0-9]*/0.25/g')
acked=0
for id in 9000 9001 9002 9003 9004; do
    c=$(code -X POST -d "{\"index\":\"big\",\"ids\":[$id],\"vectors\":[[$V32]]}" "$U/index/add"); [ "$c" = 200 ] && acked=$((acked + 1))
done
kill -TERM $SP; wait $SP; rc=$?
[ $acked = 5 ] && [ $rc = 1 ] && grep -q "journal" "$T/serve.err" && ok "full disk at shutdown: exit 1, the journal named" \
    || no "full disk: acked $acked, exit $rc: $(tail -2 "$T/serve.err")"
[ "$(md5sum < "$T/big.lhnsw")" = "$sum0" ] && ok "full disk: the old index file is unchanged" || no "full disk: the index file changed"
[ "$(wc -c < "$T/big.lhnsw.journal")" -gt 16 ] && ok "full disk: the journal keeps the adds" || no "full disk: the journal is empty"
start --index big="$T/big.lhnsw"
n=$($PY -c "
import json, sys, urllib.request
n = 0
for i in range(9000, 9005):
    r = urllib.request.Request(sys.argv[1] + '/search', data=json.dumps({'index': 'big', 'vectors': [[0.25] * 32], 'k': 5, 'filter': {'ids': [i]}}).encode())
    n += json.loads(urllib.request.urlopen(r).read())[0][0]['id'] == i
print(n)" "$U")
kill -TERM $SP; wait $SP; rc=$?
[ "$n" = 5 ] && [ $rc = 0 ] && ok "full disk: after a restart every acknowledged add is there, and saved" || no "full disk restart: $n of 5, exit $rc"
# 10,000 idle connections and 200 that stall mid-request: a normal request still succeeds, the
# server's memory stays bounded
start --model emb=$E --timeout 20
rss() { awk '/VmRSS/ { print $2 }' /proc/$SP/status; }
r0=$(rss)
$PY - "$U" > "$T/idle.out" 2>&1 <<'EOF' &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
h, p = sys.argv[1][7:].split(":")
ss = []
for i in range(10200):
    s = socket.create_connection((h, int(p)))
    if i >= 10000:
        s.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in")
    ss.append(s)
print("held", len(ss), flush=True)
time.sleep(8)
EOF
IDLE=$!
for i in $(seq 1 100); do grep -q held "$T/idle.out" && break; sleep 0.2; done
c=$(code -m 10 -X POST -d '{"inputs":"still served"}' "$U/embed")
r1=$(rss)
wait $IDLE
grep -q "held 10200" "$T/idle.out" && [ "$c" = 200 ] && ok "10,000 idle and 200 stalled connections: a normal request still gets 200" \
    || no "idle connections: $(cat "$T/idle.out" | tail -2), request $c"
[ $((r1 - r0)) -lt 262144 ] && ok "memory with 10,200 open connections: +$(((r1 - r0) / 1024)) MiB" || no "memory grew by $(((r1 - r0) / 1024)) MiB"
kill -TERM $SP; wait $SP
# bearer keys and --read-only
printf 'k-one\n# a comment\nsecret-two\n' > "$T/keys"
start --index words="$T/words.lhnsw" --api-key-file "$T/keys" --read-only
c=$(code "$U/info"); [ "$c" = 401 ] && ok "no key: 401" || no "no key: $c"
c=$(code -H 'Authorization: Bearer secret-tw' "$U/info"); [ "$c" = 401 ] && ok "wrong key: 401" || no "wrong key: $c"
c=$(code -H 'Authorization: Bearer secret-two' "$U/info"); [ "$c" = 200 ] && ok "second key: 200" || no "second key: $c"
c=$(code -H 'Authorization: Bearer secret-two' -X POST -d '{"index":"words","ids":[1],"vectors":[[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]]}' "$U/index/add")
[ "$c" = 403 ] && ok "--read-only: /index/add 403" || no "--read-only add: $c"
kill -TERM $SP; wait $SP
# the browser view: the page loads in headless Chromium with no console message, a query from the
# URL (#q=) is typed into the box and its neighbours are highlighted on the map and in the list
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 400000 > "$T/moby.txt"
$L train word2vec "$T/moby.txt" -o "$T/moby.lvec" --dim 16 --epochs 3 -t 1 --seed 2 -q --min-count 3
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
if [ -n "$CHROME" ]; then
    start --vectors moby="$T/moby.lvec"
    c=$(code "$U/"); [ "$c" = 200 ] && grep -q '<canvas id="map">' "$T/body" && ok "GET / serves the page" || no "GET /: $c"
    c=$(code "$U/map?vectors=moby")
    [ "$c" = 200 ] && $PY -c 'import json,sys; m = json.load(open(sys.argv[1])); assert len(m["xy"]) == 2 * len(m["ids"]) > 100 and m["quality"]' "$T/body" \
        && ok "GET /map: points and the report's figures" || no "GET /map: $c $(head -c 200 "$T/body")"
    view() { timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
        --enable-logging=stderr --v=0 --virtual-time-budget=20000 --window-size=1200,800 "$@" 2> "$T/chrome.err"; }
    view --dump-dom "$U/#q=whale" > "$T/dom.html"
    nh=$(grep -o '<li class="hit">' "$T/dom.html" | wc -l)
    [ "$nh" -ge 5 ] && grep -q 'neighbours of "whale"' "$T/dom.html" && ok "headless Chromium: a query's neighbours highlighted ($nh)" \
        || no "headless Chromium: $nh highlighted; $(grep -o 'id="status">[^<]*' "$T/dom.html")"
    ! grep -q 'CONSOLE' "$T/chrome.err" && ok "headless Chromium: no console messages" || no "console: $(grep CONSOLE "$T/chrome.err" | head -3)"
    view --screenshot="${SERVE_SCREENSHOT:-$T/view.png}" "$U/#q=whale" > /dev/null
    [ -s "${SERVE_SCREENSHOT:-$T/view.png}" ] && ok "headless Chromium: a screenshot" || no "no screenshot"
    kill -TERM $SP; wait $SP
elif [ -n "$CI" ]; then no "no chromium for the view test (tools/setup.sh test installs it)"
else echo "skip the view test: no chromium (apt-get install chromium)"; S=$((${S:-0} + 1)); fi
# a client that goes away while its job waits: the job is dropped from the queue (one input per
# batch, one encoder thread, all-MiniLM-L6-v2: the rest of its 300 inputs never run)
MINI=${LATENT_MODELS:-build/models}/all-MiniLM-L6-v2
if [ -f "$MINI/model.safetensors" ]; then
start --model emb=$MINI -t 1 --max-batch-inputs 1
$PY - "$U" <<'EOF'
import json, socket, sys, time
h, p = sys.argv[1][7:].split(":")
body = json.dumps({"inputs": ["a sentence to embed, number %d, long enough to take a while" % i for i in range(300)]}).encode()
s = socket.create_connection((h, int(p)))
s.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
time.sleep(0.05)
s.close()
time.sleep(1.5)
EOF
curl -s "$U/metrics" > "$T/m.txt"
grep -q '^latent_jobs_dropped_total 1$' "$T/m.txt" && ok "a client gone while queued: its job is dropped" \
    || no "client gone: $(grep -E 'dropped|te_batch_count' "$T/m.txt" | tr '\n' ' ')"
b=$(sed -n 's/^te_batch_count //p' "$T/m.txt")
[ "${b:-300}" -lt 300 ] && ok "... after $b of its 300 inputs" || no "all 300 inputs ran ($b batches)"
kill -TERM $SP; wait $SP
elif [ -n "$CI" ]; then no "no $MINI for the client-gone test (tools/setup.sh test)"
else echo "skip the client-gone test: no $MINI"; S=$((${S:-0} + 1)); fi
# labels that are not UTF-8 (a binary word2vec file may hold them): the answer is still valid JSON
printf '3 2\nok 1 0\nbad\377x 0.9 0.1\ncaf\303\251 0.8 0.2\n' > "$T/bad8.txt"
start --vectors w="$T/bad8.txt"
curl -s "$U/similar?word=ok&k=2&vectors=w" > "$T/b8.json"
$PY -c 'import json, sys; h = json.loads(open(sys.argv[1], "rb").read()); assert [x["label"] for x in h] == ["bad\ufffdx", "caf\u00e9"]' "$T/b8.json" \
    && ok "labels that are not UTF-8: valid JSON, the bad byte as U+FFFD" || no "invalid UTF-8 label: $(head -c 200 "$T/b8.json")"
kill -TERM $SP; wait $SP
# refusals at start
expect 2 "serve with nothing to serve" "give at least one" -- $L serve
expect 1 "serve a missing model folder" "model" -- $L serve --model x=/nonexistent -q
expect 1 "serve a bad --listen" "listen" -- $L serve --vectors w="$T/words.txt" --listen nocolon
expect 1 "two vector sets of one name" "two vectors sets named" -- $L serve --vectors w="$T/words.txt" --vectors w="$T/words.txt"
echo "$P passed, $F failed${S:+, $S skipped}"
[ $F = 0 ]
