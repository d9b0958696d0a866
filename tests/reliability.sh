#!/bin/sh
# Regression tests for the reliability issue: each case is one defect found by an attacker's
# review (crash, giant allocation, silent partial result, destructive output, lost update,
# undefined behaviour); each must now fail cleanly (message naming the file, non-zero exit)
# or do the right thing. `make sanitize` runs this file under ASan+UBSan too.
L=${LATENT:-build/latent}
T=${B:-build}/tests/reliability
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh
C=tests/fixtures/mobydick.txt.gz
gzip -dc $C | head -c 200000 > "$T/c.txt"

# --- crashes ---
expect 1 "diverging --alpha 1: stopped with a message" "diverged" -- $L train word2vec "$T/c.txt" -o "$T/a.txt" --alpha 1 -t 1 -q
expect 1 "diverging CBOW --alpha 1" "diverged" -- $L train word2vec "$T/c.txt" -o "$T/a.txt" --alpha 1 --cbow -t 2 -q
# a vocabulary with unsorted and huge counts (Huffman tree for --hs)
printf 'the 5\nwhale 9223372036854775807\nsea 12\nship 9223372036854775000\nof 3\nand 9223372036854775807\n' > "$T/voc.txt"
$L train word2vec "$T/c.txt" -o "$T/h.txt" --read-vocab "$T/voc.txt" --hs --negative 0 --epochs 1 -t 1 -q 2> "$T/err"; rc=$?
if [ $rc -lt 128 ] && { [ $rc = 0 ] || grep -q "Huffman\|diverged" "$T/err"; }; then ok "unsorted, huge vocabulary counts with --hs (exit $rc)"; else no "huge counts with --hs: exit $rc $(cat "$T/err")"; fi
printf 'a 9223372036854775807\na 9223372036854775807\nb 1\n' > "$T/voc2.txt"
$L train word2vec "$T/c.txt" -o "$T/h.txt" --read-vocab "$T/voc2.txt" --epochs 1 -t 1 -q 2> "$T/err"; rc=$?
[ $rc -lt 128 ] && ok "duplicate words with huge counts: no overflow (exit $rc)" || no "duplicate huge counts: exit $rc"
# checkpoints: a flipped byte is caught by the checksum before any field is used
A="--dim 8 --epochs 2 -t 1 --seed 3 -q --min-count 2 --checkpoint-every 4000"
$L train word2vec "$T/c.txt" -o "$T/p.txt" $A --checkpoint "$T/ck" --stop-after-segments 2 2>/dev/null
cp "$T/ck" "$T/ck.bad"; printf '\377\377\377\177' | dd of="$T/ck.bad" bs=1 seek=16 conv=notrunc 2>/dev/null
expect 1 "checkpoint with a corrupt count field: checksum first" "checksum mismatch" -- $L train word2vec "$T/c.txt" -o "$T/p.txt" --resume --checkpoint "$T/ck.bad" -q
head -c 100000 "$T/ck" > "$T/ck.cut"
expect 1 "truncated checkpoint: no giant allocation" "ck.cut" -- $L train word2vec "$T/c.txt" -o "$T/p.txt" --resume --checkpoint "$T/ck.cut" -q
# the nq x k result arrays are checked
$L convert tests/fixtures/bert-fixtures/tiny-bert-mean/embeddings_f32.npy "$T/q.fvecs"
printf '\001\000\000\000\000\000\000\000' > "$T/one.fvecs"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do cat "$T/one.fvecs" "$T/one.fvecs" > "$T/two.fvecs"; mv "$T/two.fvecs" "$T/one.fvecs"; done
expect 1 "search: 1M x 100000 results (1.2 TB) -> message, no crash" "out of memory" -- $L search "$T/one.fvecs" --vectors "$T/one.fvecs" -k 100000 -t 1 -q --metric l2
# ... and fine when they fit
$L search "$T/q.fvecs" --vectors "$T/q.fvecs" -k 3 -t 1 -q --metric l2 > "$T/r.tsv" && [ "$(wc -l < "$T/r.tsv")" = 61 ] && ok "search results fit" || no "search results"

# --- giant allocations before validation ---
awk 'BEGIN { for (i = 0; i < 16000; i++) printf "a "; print ""; for (i = 0; i < 16000; i++) print "b" }' > "$T/wide.glove"
start=$(date +%s)
expect 1 "65 kB headerless text: refused before allocating" "not a vector file" -- $L info "$T/wide.glove"
[ $(( $(date +%s) - start )) -le 2 ] && ok "refused at once" || no "took $(( $(date +%s) - start )) s"
printf '100000000 300\nthe 1 2\n' > "$T/big.txt"
expect 1 "header claiming 100M x 300: refused" "truncated" -- $L info "$T/big.txt"

# --- silent partial or wrong results ---
head -c 150000 $C > "$T/cut.txt.gz"
expect 1 "truncated .gz corpus" "truncated or damaged gzip" -- $L train word2vec "$T/cut.txt.gz" -o "$T/x.txt" -q
expect 1 "truncated .gz corpus (vocab)" "cut.txt.gz" -- $L vocab "$T/cut.txt.gz"
printf '2 3\na 1 nan 3\nb 4 5 6\n' > "$T/nan.txt"
expect 1 "NaN in a text file" "NaN" -- $L info "$T/nan.txt"
printf '2 3\na 1 2 3\nb 4 inf 6\n' > "$T/inf.txt"
expect 1 "inf in a text file" "infinite" -- $L similar "$T/inf.txt" a
printf '2 3\na 1 1e39 3\nb 4 5 6\n' > "$T/ovf.txt"
expect 1 "float overflow in a text file" "infinite" -- $L convert "$T/ovf.txt" "$T/ovf.lvec"
# .npy: header says fortran_order True and holds "False" elsewhere
printf "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), 'x': False}" > "$T/f.npy"
awk 'BEGIN { for (i = length("{\"descr\": \"<f4\", \"fortran_order\": True, \"shape\": (2, 2), \"x\": False}") + 10; i < 127; i++) printf " "; print "" }' >> "$T/f.npy"
printf '\000\000\200\077\000\000\000\100\000\000\100\100\000\000\200\100' >> "$T/f.npy"
expect 1 ".npy with fortran_order True (and 'False' later)" "Fortran" -- $L info "$T/f.npy"
# .npy + labels: a stale sidecar never attaches to new vectors
$L convert "$T/nan.txt" "$T/x.txt" 2>/dev/null
printf '2 2\nw1 1 2\nw2 3 4\n' > "$T/l.txt"
$L convert "$T/l.txt" "$T/pair.npy"
[ -f "$T/pair.labels.txt" ] && ok ".npy labels sidecar written" || no ".npy labels sidecar missing"
$L convert "$T/q.fvecs" "$T/pair.npy" --from fvecs
if [ ! -e "$T/pair.labels.txt" ] && $L info "$T/pair.npy" | grep -q "^labels	no"; then ok "stale .npy labels removed with unlabelled vectors"; else no "stale labels attached"; fi
# a full disk on stdout is an error, for every command that prints
$L convert "$T/l.txt" "$T/l.lvec"
for cmdline in "similar $T/l.lvec w1" "vector $T/l.lvec w1" "info $T/l.lvec" "similarity $T/l.lvec w1 w2" \
               "eval similarity $T/l.lvec tests/fixtures/wordsim353.tsv --restrict 0" "index info $T/i.lhnsw"; do
    [ "${cmdline#index}" != "$cmdline" ] && $L index build "$T/l.lvec" -o "$T/i.lhnsw" -t 1 -q
    $L $cmdline > /dev/full 2> "$T/err"; rc=$?
    [ $rc = 1 ] && grep -q "stdout" "$T/err" && ok "full disk: ${cmdline%% *}" || no "full disk: $cmdline exit $rc"
done
printf 'Hello\n' | $L tokenize tests/fixtures/bert-fixtures/tiny-bert-mean/st > /dev/full 2> "$T/err"
[ $? = 1 ] && ok "full disk: tokenize" || no "full disk: tokenize"

# --- destructive output ---
# a device node of our own (a regression must not replace the system's /dev/null)
if mknod "$T/null" c 1 3 2>/dev/null; then
    $L convert "$T/l.txt" "$T/null" --to w2v-txt && [ -c "$T/null" ] && ok "-o DEVICE written through, still a device" || no "device output replaced"
else ok "device output (not root: covered by the FIFO case of cli_test.sh)"; fi
ln -s nowhere/x.txt "$T/dangling.txt"
expect 1 "dangling symlink output refused" "symbolic link" -- $L convert "$T/l.txt" "$T/dangling.txt"
# a temporary left by a killed run (its PID gone) is removed by the next write
: > "$T/l.lvec.tmp-999999-AbCdEf"
$L convert "$T/l.txt" "$T/l.lvec"
[ ! -e "$T/l.lvec.tmp-999999-AbCdEf" ] && ok "stale temporary of a dead process removed" || no "stale temporary left"

# --- lost updates: two index writers ---
$L index build "$T/l.lvec" -o "$T/w.lhnsw" -t 1 -q
printf '2 2\nz1 5 6\nz2 7 8\n' > "$T/more.txt"
LATENT_TEST_HOLD_LOCK=2 $L index add "$T/w.lhnsw" "$T/more.txt" -q & pid=$!
sleep 0.7
$L index add "$T/w.lhnsw" "$T/more.txt" -q 2> "$T/err"; rc2=$?
wait $pid; rc1=$?
if [ $rc1 = 0 ] && [ $rc2 = 1 ] && grep -q "being modified" "$T/err" && $L index info "$T/w.lhnsw" | grep -q "^count	4"; then
    ok "concurrent index add: the second fails clearly, the first's rows kept"
else no "concurrent index add: exits $rc1/$rc2, $(cat "$T/err")"; fi

# --- undefined behaviour on inputs ---
expect 2 "--first-id near 2^63 refused" "first-id" -- $L index add "$T/w.lhnsw" "$T/more.txt" --first-id 9223372036854775800
mkdir -p "$T/m1"; cp tests/fixtures/bert-fixtures/tiny-bert-mean/hf/config.json tests/fixtures/bert-fixtures/tiny-bert-mean/hf/model.safetensors "$T/m1/"
: > "$T/m1/vocab.txt"
expect 1 "empty vocab.txt: clear error" "m1/" -- $L tokenize "$T/m1"
rm "$T/m1/vocab.txt"; : > "$T/m1/tokenizer.json"
expect 1 "empty tokenizer.json: clear error" "tokenizer.json" -- $L tokenize "$T/m1"
# a weight of the wrong shape: the message adds the folder to the tensor's message once
mkdir -p "$T/m2"; cp tests/fixtures/bert-fixtures/tiny-bert-mean/hf/* "$T/m2/"
sed 's/"intermediate_size": 256/"intermediate_size": 128/' tests/fixtures/bert-fixtures/tiny-bert-mean/hf/config.json > "$T/m2/config.json"
printf 'x\n' | $L embed "$T/m2" -q > /dev/null 2> "$T/err"
n=$(grep -o "m2" "$T/err" | wc -l)
if grep -q "intermediate" "$T/err" && [ "$n" = 1 ]; then ok "message not garbled by formatting into itself"; else no "garbled message: $(cat "$T/err")"; fi

# --- minor ---
printf 'a\000b\nc\n' > "$T/nul.labels.txt"
# an unbound .npy (written without labels, as NumPy writes them) beside a sidecar made by hand
printf '2 2\nw1 1 2\nw2 3 4\n' > "$T/two.txt"; $L convert "$T/two.txt" "$T/two.fvecs"; $L convert "$T/two.fvecs" "$T/nul.npy"; printf 'a\000b\nc\n' > "$T/nul.labels.txt"
expect 1 "labels with a NUL byte refused" "NUL" -- $L info "$T/nul.npy"
: > "$T/empty.fvecs"
expect 1 "empty .fvecs refused" "empty" -- $L info "$T/empty.fvecs"
gzip -dc $C | head -c 100000 | $L train word2vec - -o "$T/pipe.txt" --dim 4 --epochs 2 -t 1 -q
[ -s "$T/pipe.txt" ] && ok "corpus from a pipe, two epochs" || no "corpus from a pipe"

echo "$P passed, $F failed"
[ "$F" = 0 ]
