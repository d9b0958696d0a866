#!/bin/sh
# CLI tests: --help everywhere, golden fixed-seed run, format round trips through
# `latent convert`, resume == uninterrupted, and bad inputs (clear message, exit code).
L=${LATENT:-build/latent}
T=build/tests/cli
TEXT=tests/fixtures
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh

for c in train convert similar analogy vector info eval vocab index search embed tokenize; do
    if $L $c --help | grep -q "usage: latent"; then ok "help $c"; else no "help $c"; fi
done
expect 2 "unknown command" "unknown command" -- $L frobnicate
expect 2 "train usage" "expected one CORPUS" -- $L train word2vec -o "$T/x.bin"

# golden: scalar kernels, one thread, fixed seed
LATENT_KERNEL=ref $L train word2vec $TEXT/mobydick.txt.gz -o "$T/golden.txt" --dim 16 --epochs 1 -t 1 --seed 7 -q
if head -4 "$T/golden.txt" | cmp -s - tests/golden/mobydick_sg16_head.txt; then ok "golden run"; else no "golden run differs from tests/golden/mobydick_sg16_head.txt"; fi
LATENT_KERNEL=ref $L train word2vec $TEXT/mobydick.txt.gz -o "$T/golden2.txt" --dim 16 --epochs 1 -t 1 --seed 7 -q
if cmp -s "$T/golden.txt" "$T/golden2.txt"; then ok "deterministic rerun"; else no "deterministic rerun"; fi
if $L info "$T/golden.txt" | grep -q "^dim	16"; then ok "info"; else no "info"; fi

# every format through convert, back to text, identical
for ext in lvec bin vec glove npy; do
    $L convert "$T/golden.txt" "$T/g.$ext" && $L convert "$T/g.$ext" "$T/back_$ext.txt" --precision 9
    if [ "$ext" = glove ]; then tail -n +2 "$T/golden.txt" > "$T/cmp.txt"; cmp -s "$T/cmp.txt" "$T/back_$ext.txt" || cmp -s "$T/golden.txt" "$T/back_$ext.txt"
    else cmp -s "$T/golden.txt" "$T/back_$ext.txt"; fi && ok "convert $ext" || no "convert $ext"
done
$L convert "$T/golden.txt" "$T/g.nonl.bin" --to w2v-bin >/dev/null
if $L vector "$T/g.lvec" whale | cut -c1-40 | grep -q "^whale "; then ok "vector"; else no "vector"; fi
if [ "$($L similar "$T/g.lvec" whale -k 3 | wc -l)" = 4 ]; then ok "similar"; else no "similar"; fi
if [ "$($L analogy "$T/g.lvec" man king woman --mul -k 2 | wc -l)" = 3 ]; then ok "analogy"; else no "analogy"; fi
expect 1 "missing word" "'zzzzqq' is not in the vectors" -- $L similar "$T/g.lvec" zzzzqq

# resume equals uninterrupted (one thread)
A="--dim 16 --epochs 2 -t 1 --seed 3 -q --checkpoint-every 50000"
$L train word2vec $TEXT/mobydick.txt.gz -o "$T/full.bin" $A --checkpoint "$T/ck1"
$L train word2vec $TEXT/mobydick.txt.gz -o "$T/part.bin" $A --checkpoint "$T/ck2" --stop-after-segments 3 2>/dev/null
$L train word2vec $TEXT/mobydick.txt.gz -o "$T/resumed.bin" --resume --checkpoint "$T/ck2" -q
if cmp -s "$T/full.bin" "$T/resumed.bin"; then ok "resume equals uninterrupted"; else no "resume equals uninterrupted"; fi

# bad inputs: clear message naming the file, non-zero exit
: > "$T/empty.txt"
expect 1 "empty corpus" "empty.txt" -- $L train word2vec "$T/empty.txt" -o "$T/o.bin" -q
expect 1 "missing corpus" "nosuch.txt" -- $L train word2vec "$T/nosuch.txt" -o "$T/o.bin" -q
expect 1 "glove: empty corpus" "empty.txt: only 0 distinct words" -- $L train glove "$T/empty.txt" -o "$T/o.txt" -q
expect 1 "fasttext: empty corpus" "empty.txt: only 0 distinct words" -- $L train fasttext "$T/empty.txt" -o "$T/o.bin" -q
printf 'a b c d e f\n%.0s' $(seq 20) > "$T/six.txt"
expect 1 "glove: --memory below one thread's share" "is too small: each of 2 threads needs at least" -- $L train glove "$T/six.txt" -o "$T/o.txt" --memory 0.00001 -t 2 -q --min-count 1
printf '\272\026\117\057\014\000\000\000\377\377\377\177' > "$T/short.bin"
expect 1 "fastText model: truncated header" "offset 0: truncated fastText model (header)" -- $L info "$T/short.bin"
{ printf '\272\026\117\057\014\000\000\000\377\377\377\177'; head -c 200 /dev/zero; } > "$T/dim.bin"
expect 1 "fastText model: impossible dimension" "offset 8: dimension" -- $L info "$T/dim.bin"
head -c 300000 "$L" > "$T/garbage.txt"
expect 1 "binary garbage corpus" "not valid UTF-8" -- $L train word2vec "$T/garbage.txt" -o "$T/o.bin" -q
awk 'BEGIN{for(i=0;i<5000;i++) printf "\377\376 \300\301 "}' > "$T/invalid.txt"
expect 1 "invalid UTF-8 corpus" "not valid UTF-8" -- $L train word2vec "$T/invalid.txt" -o "$T/o.bin" -q
awk 'BEGIN{for(i=0;i<10485760/64;i++) printf "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}' > "$T/bigtoken.txt"
expect 1 "10 MB single token" "bigtoken.txt: only 1 distinct" -- $L train word2vec "$T/bigtoken.txt" -o "$T/o.bin" -q --min-count 1
expect 1 "unwritable output" "/nonexistent-dir/o.bin" -- $L train word2vec $TEXT/mobydick.txt.gz -o /nonexistent-dir/o.bin -q
head -c 3000 "$T/g.bin" > "$T/trunc.bin"
expect 1 "truncated bin" "trunc.bin: offset" -- $L info "$T/trunc.bin"
head -c 3000 "$T/golden.txt" > "$T/trunc.txt"
expect 1 "truncated txt" "trunc.txt: offset" -- $L info "$T/trunc.txt"
cp "$T/g.lvec" "$T/corrupt.lvec"; printf 'X' | dd of="$T/corrupt.lvec" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect 1 "corrupt native" "corrupt.lvec: offset" -- $L info "$T/corrupt.lvec"
head -c 5000 "$T/g.npy" > "$T/trunc.npy"
expect 1 "truncated npy" "trunc.npy: offset" -- $L info "$T/trunc.npy"
expect 1 "garbage vectors" "garbage.txt" -- $L info "$T/garbage.txt"
expect 1 "missing vectors" "nosuch.bin" -- $L info "$T/nosuch.bin"
cp "$T/ck2" "$T/ckbad"; printf 'XXXX' | dd of="$T/ckbad" bs=1 seek=4000 conv=notrunc 2>/dev/null
expect 1 "corrupt checkpoint" "ckbad" -- $L train word2vec $TEXT/mobydick.txt.gz -o "$T/o.bin" --resume --checkpoint "$T/ckbad" -q
if [ ! -e "$T/o.bin" ] && ! ls "$T" | grep -q 'tmp-'; then ok "no partial outputs"; else no "partial output left behind"; fi
expect 1 "eval missing file" "nosuch-q.txt" -- $L eval analogy "$T/g.lvec" "$T/nosuch-q.txt"

# index lifecycle on the golden vectors
$L index build "$T/g.lvec" -o "$T/g.lhnsw" --metric cosine -t 1 2>/dev/null
if $L index info "$T/g.lhnsw" | grep -q "^count	4119"; then ok "index build/info"; else no "index build/info"; fi
$L search "$T/g.lhnsw" --word whale --base "$T/g.lvec" -k 5 > "$T/h.tsv"
$L search "$T/g.lvec" --word whale -k 5 > "$T/e.tsv"
if [ "$(cut -f3 "$T/h.tsv")" = "$(cut -f3 "$T/e.tsv")" ]; then ok "hnsw search equals exact on a small case"; else no "hnsw vs exact search"; fi
$L convert "$T/golden.txt" "$T/g.fvecs"; head -c 6800 "$T/g.fvecs" > "$T/q.fvecs"
if [ "$($L similar "$T/g.lvec" whale -k 5 --index "$T/g.lhnsw")" = "$($L similar "$T/g.lvec" whale -k 5)" ]; then ok "similar --index"; else no "similar --index"; fi
r=$($L eval recall "$T/g.lhnsw" --queries "$T/q.fvecs" --ef 64 -t 1 --json | sed 's/.*"recall": \([0-9.]*\).*/\1/')
if [ "$(echo "$r >= 0.95" | bc -l)" = 1 ]; then ok "eval recall ($r)"; else no "eval recall ($r)"; fi
$L search "$T/g.lhnsw" --vectors "$T/q.fvecs" -k 3 -o "$T/res.ivecs"
if [ -s "$T/res.ivecs" ] && [ -s "$T/res.fvecs" ]; then ok "search writes ivecs/fvecs"; else no "search writes ivecs/fvecs"; fi
$L index delete "$T/g.lhnsw" 0 1 2 -o "$T/del.lhnsw"
if $L index info "$T/del.lhnsw" | grep -q "^deleted	3"; then ok "index delete"; else no "index delete"; fi
$L index delete "$T/del.lhnsw" 5 --compact
if $L index info "$T/del.lhnsw" | grep -q "^count	4115"; then ok "index compact"; else no "index compact"; fi
$L index add "$T/del.lhnsw" "$T/q.fvecs"
if $L index info "$T/del.lhnsw" | grep -q "^count	4215"; then ok "index add"; else no "index add"; fi
head -c 2000 "$T/g.lhnsw" > "$T/trunc.lhnsw"
expect 1 "truncated index" "trunc.lhnsw: offset" -- $L index info "$T/trunc.lhnsw"

# BERT encoders: tokenize and embed through the CLI
M=tests/fixtures/bert-fixtures/tiny-bert-mean/st
if [ "$(printf 'Hello, world!\n' | $L tokenize $M)" = "[2, 1451, 109, 109, 112, 16, 1090, 5, 3]" ]; then ok "tokenize"; else no "tokenize"; fi
printf 'first line\nsecond line\n' > "$T/lines.txt"
$L embed $M -i "$T/lines.txt" -o "$T/emb.lvec" -q
if $L info "$T/emb.lvec" | grep -q "^rows	2" && $L info "$T/emb.lvec" | grep -q "^dim	64"; then ok "embed"; else no "embed"; fi
printf '{"text": "a\\nb"}\n"plain"\n' | $L embed $M --jsonl -o "$T/emb.npy" -q
if [ "$(wc -l < "$T/emb.labels.txt" 2>/dev/null)" = 2 ] && $L info "$T/emb.npy" | grep -q "^rows	2"; then ok "embed --jsonl"; else no "embed --jsonl"; fi
printf 'ok\n\377\376\n' > "$T/bad.txt"
printf '{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "pre_tokenizer": {"type": "Nope"}}' > "$T/nope.json"
expect 1 "rerank: an embedding model is not a cross-encoder" "is not a cross-encoder" -- $L rerank tests/fixtures/encoders/roberta/st q -i "$T/bad.txt"
expect 1 "embed: an unknown prompt name, with the ones there are" "has no prompt 'nope' (it has: document query)" -- $L embed tests/fixtures/encoders/roberta/st -i "$T/bad.txt" --prompt-name nope
expect 1 "embed: --dim above the model's" "exceeds the model's 32 dimensions" -- $L embed tests/fixtures/encoders/roberta/st -i "$T/bad.txt" --dim 33
echo hello > "$T/one.txt"
cp -r tests/fixtures/encoders/roberta/st "$T/wm"
printf '{"pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true}' > "$T/wm/1_Pooling/config.json"
expect 1 "embed: concatenated pooling modes are refused" "several pooling modes at once" -- $L embed "$T/wm" -i "$T/bad.txt"
printf '{"pooling_mode": "mean_of_something"}' > "$T/wm/1_Pooling/config.json"
expect 1 "embed: an unknown pooling_mode is refused, named" "unsupported pooling_mode 'mean_of_something'" -- $L embed "$T/wm" -i "$T/bad.txt"
printf '{"pooling_mode": "mean", "include_prompt": false}' > "$T/wm/1_Pooling/config.json"
expect 1 "embed: include_prompt false is refused" "include_prompt false" -- $L embed "$T/wm" -i "$T/bad.txt"
expect 2 "embed --quantize needs a .npy output" "give -o FILE.npy" -- $L embed tests/fixtures/encoders/roberta/st -i "$T/bad.txt" --quantize int8 -o "$T/q.txt"
expect 1 "embed --quantize int8 from one input: no ranges" "int8 ranges from 1 embedding" -- $L embed tests/fixtures/encoders/roberta/st -i "$T/one.txt" --quantize int8 -o "$T/q.npy"
expect 2 "rerank: no query" "expected MODEL_DIR and QUERY" -- $L rerank tests/fixtures/encoders/bert-cross/model
expect 1 "rerank: bad UTF-8 in a document, named" "documents 1..2: pair 2: invalid UTF-8" -- $L rerank tests/fixtures/encoders/bert-cross/model q -i "$T/bad.txt" -q
expect 1 "tokenize: an unimplemented component, named" "pre_tokenizer 'Nope' is not implemented" -- $L tokenize "$T/nope.json" -i "$T/bad.txt"
expect 1 "embed non-UTF-8 input" "bad.txt: input 2: invalid UTF-8" -- $L embed $M -i "$T/bad.txt" -o "$T/e2.lvec"
expect 1 "embed missing model" "nosuch-model/config.json" -- $L embed "$T/nosuch-model" -i "$T/lines.txt" -o "$T/e3.lvec"
printf '{"text": 5}\n' > "$T/bad.jsonl"
expect 1 "embed bad jsonl" "bad.jsonl: line 1" -- $L embed $M --jsonl -i "$T/bad.jsonl" -o "$T/e4.lvec"


# graphs: node2vec end to end on the karate club, walks independent of threads, bad inputs
KA=tests/fixtures/karate
cp $KA/edges.tsv "$T/karate.tsv"
$L train node2vec "$T/karate.tsv" -o "$T/w1.lvec" --walks-out "$T/w1.txt" --dim 16 -t 1 -q --seed 5 --no-cache
$L train node2vec "$T/karate.tsv" -o "$T/w2.lvec" --walks-out "$T/w2.txt" --dim 16 -t 2 -q --seed 5 --no-cache
if [ -s "$T/w1.txt" ] && cmp -s "$T/w1.txt" "$T/w2.txt" && [ "$(wc -l < "$T/w1.txt")" = 340 ]; then ok "walks identical for 1 and 2 threads"; else no "walks differ between thread counts"; fi
f1=$($L eval nodes "$T/w1.lvec" $KA/labels.tsv --json -t 1 | sed 's/.*"topk": {"macro_f1": \([0-9.]*\).*/\1/')
if [ "$(echo "$f1 >= 0.7" | bc -l)" = 1 ]; then ok "karate club: node2vec separates the two clubs (macro-F1 $f1)"; else no "karate macro-F1 $f1"; fi
# --vectors: sum is the node rows plus the context rows of the same (1-thread, seeded) training
for vv in sum node context; do $L train node2vec "$T/karate.tsv" -o "$T/v_$vv.txt" --dim 8 -t 1 -q --seed 2 --no-cache --vectors $vv; done
vd=$(paste -d' ' "$T/v_sum.txt" "$T/v_node.txt" "$T/v_context.txt" | awk 'NR > 1 { for (j = 2; j <= 9; j++) {
        e = $j - $(j + 9) - $(j + 18); if (e < 0) e = -e; if (e > m) m = e; if ($(j + 9) != $(j + 18)) dif++ }
        if ($1 != $10 || $1 != $19) m = 99 } END { print (dif > 0 && m < 1e-6 ? "ok" : "bad") " " (dif > 0 ? m : 99) }')
if [ "${vd%% *}" = ok ]; then ok "node2vec --vectors sum = node + context rows (max error ${vd#* })"; else no "--vectors sum vs node + context: $vd"; fi
expect 1 "node2vec: --vectors sum needs negatives" "need negative sampling" -- $L train node2vec "$T/karate.tsv" -o "$T/x.txt" --negative 0 --vectors sum
expect 2 "node2vec: unknown --vectors" "sum, node or context" -- $L train node2vec "$T/karate.tsv" -o "$T/x.txt" --vectors both
printf 'a b\nb c x y\nc\n' > "$T/bad1.tsv"
expect 1 "graph: malformed line named" "bad1.tsv: line 2: 4 fields" -- $L graph info "$T/bad1.tsv" --no-cache
printf 'a b 1\nb c -1\n' > "$T/bad2.tsv"
expect 1 "graph: negative weight" "line 2: weight -1 is negative" -- $L train deepwalk "$T/bad2.tsv" -o "$T/x.txt" --weighted -q
printf 'a b 1\nb c nan\n' > "$T/bad3.tsv"
expect 1 "graph: NaN weight" "line 2" -- $L train node2vec "$T/bad3.tsv" -o "$T/x.txt" --weighted -q
printf '# only a comment\n' > "$T/bad4.tsv"
expect 1 "graph: empty" "empty graph" -- $L train node2vec "$T/bad4.tsv" -o "$T/x.txt" -q
expect 2 "node2vec: p <= 0" "--p" -- $L train node2vec "$T/karate.tsv" -o "$T/x.txt" --p 0
expect 2 "node2vec: q <= 0" "--q" -- $L train node2vec "$T/karate.tsv" -o "$T/x.txt" --q -1
printf '0\t1\n999\t0\n' > "$T/badlab.tsv"
expect 1 "eval nodes: unknown node in labels" "badlab.tsv: line 2: node '999'" -- $L eval nodes "$T/w1.lvec" "$T/badlab.tsv"
printf '0\ta\n1\tb\n' > "$T/cls.tsv"
expect 2 "eval graphs: --gamma without the SVM" "--gamma needs --classifier svm" -- $L eval graphs "$T/w1.lvec" "$T/cls.tsv" --gamma 0.5
expect 2 "eval graphs: a bad C in a list" "--C must be a number from 1e-09 to 1e+09 ('x')" -- $L eval graphs "$T/w1.lvec" "$T/cls.tsv" --C 1,x
expect 2 "eval graphs: unknown classifier" "logreg or svm" -- $L eval graphs "$T/w1.lvec" "$T/cls.tsv" --classifier rf
expect 1 "eval graphs: too few labelled items" "cls.tsv: need 2 classes and at least 10" -- $L eval graphs "$T/w1.lvec" "$T/cls.tsv" --classifier svm
expect 2 "eval nodes: one C" "--C takes one value" -- $L eval nodes "$T/w1.lvec" $KA/labels.tsv --C 1,2
printf '3000000000 1\n1 2\n' > "$T/big.tsv"
$L graph info "$T/big.tsv" --no-cache | grep -q "^nodes	3" && ok "graph: ids over 2^31 are labels" || no "graph: big ids"

# dense models: PCA on the karate embedding, bad inputs named
$L fit pca "$T/w1.lvec" -o "$T/p.lmodel" --dim 4 -q && $L info "$T/p.lmodel" | grep -q "^model	pca" && ok "fit pca; info shows the model" || no "fit pca / info"
$L encode "$T/p.lmodel" "$T/w1.lvec" -o "$T/p.txt" -q && [ "$(head -1 "$T/p.txt")" = "34 4" ] && ok "encode: rows keep their labels" || no "encode"
printf "2 5\na 1 2 3 4 5\nb 5 4 3 2 1\n" > "$T/v5.txt"
expect 1 "encode: wrong dimension" "the input has 5 columns, the pca model was fitted on 16" -- $L encode "$T/p.lmodel" "$T/v5.txt" -o "$T/x.txt"
cp "$T/p.lmodel" "$T/bad.lmodel"; printf 'X' | dd of="$T/bad.lmodel" bs=1 seek=300 conv=notrunc 2>/dev/null
expect 1 "corrupt model" "bad.lmodel: offset" -- $L encode "$T/bad.lmodel" "$T/w1.lvec" -o "$T/x.txt"
head -c 200 "$T/p.lmodel" > "$T/cut.lmodel"
expect 1 "truncated model" "cut.lmodel: offset 40" -- $L info "$T/cut.lmodel"
printf '\000\001\010\001\000\000\000\001\005' > "$T/bad-idx1-ubyte"
expect 1 "IDX with a wrong magic" "bad-idx1-ubyte: offset 0: bad IDX magic" -- $L fit pca "$T/bad-idx1-ubyte" -o "$T/x.lmodel"
expect 2 "fit: unknown kind" "unknown model kind" -- $L fit umap "$T/w1.lvec" -o "$T/x.lmodel"

printf 'a\nb\n' > "$T/two.cls"
expect 1 "probe: labels shorter than the rows" "two.cls: 2 labels for 34 rows" -- $L eval probe "$T/w1.lvec" "$T/two.cls" --cv 3
expect 2 "probe: --test or --cv" "give --test VECS LABELS or --cv K" -- $L eval probe "$T/w1.lvec" "$T/two.cls"

printf 'a,b\n1,x\n2,y,3\n' > "$T/ragged.csv"
expect 1 "table: ragged row named" "ragged.csv: line 3 (offset 8): 3 fields, the header has 2" -- $L fit onehot "$T/ragged.csv" -o "$T/x.lmodel"
printf 'a,b\n1,x\n2,y\n' > "$T/ok.csv"; printf 'a,b\n1,w\n' > "$T/new.csv"
$L fit onehot "$T/ok.csv" -o "$T/oh.lmodel" -q
# a table model given a bad table: the load error, exit 1, no crash (it used to segfault after the message)
printf '' > "$T/empty.csv"
printf 'a,b\n"x,1\n' > "$T/quote.csv"
for bt in ragged.csv empty.csv quote.csv nosuch.csv; do
    expect 1 "encode with a table model: $bt refused without a crash" "encode: " -- $L encode "$T/oh.lmodel" "$T/$bt" -o "$T/bt.txt" -q
done
expect 1 "onehot: unknown category under error" "new.csv: row 1: column 'b': unknown category 'w'" -- $L encode "$T/oh.lmodel" "$T/new.csv" -o "$T/x.txt"
printf 'a,c\n1,x\n' > "$T/other.csv"
expect 1 "onehot: a fitted column missing" "other.csv: no column 'b'" -- $L encode "$T/oh.lmodel" "$T/other.csv" -o "$T/x.txt"

$L convert "$T/w1.lvec" "$T/w1.npy"; $L convert "$T/w1.lvec" "$T/w1.fvecs"
$L fit pca "$T/w1.npy" -o "$T/s1.lmodel" --dim 4 -q; $L fit pca "$T/w1.npy" -o "$T/s2.lmodel" --dim 4 -q --stream
$L fit pca "$T/w1.fvecs" -o "$T/s3.lmodel" --dim 4 -q --stream
cmp -s "$T/s1.lmodel" "$T/s2.lmodel" && [ "$($L info "$T/s3.lmodel" | grep explained_variance_ratio_sum)" = "$($L info "$T/s1.lmodel" | grep explained_variance_ratio_sum)" ] &&
    ok "fit pca --stream: the same model as in memory (.npy, .fvecs)" || no "fit pca --stream differs"
# IDX files (MNIST's images) are fitted and encoded from their own bytes, block by block: the same
# model and rows as when loaded whole (--from idx loads them whole)
for ty in u8 i16; do
    LC_ALL=C awk -v ty=$ty 'BEGIN { srand(4); es = ty == "u8" ? 1 : 2; printf "%c%c%c%c", 0, 0, ty == "u8" ? 8 : 11, 3
        printf "%c%c%c%c%c%c%c%c%c%c%c%c", 0, 0, 39, 16, 0, 0, 0, 4, 0, 0, 0, 5   # 10000 x 4 x 5
        for (i = 0; i < 10000 * 20; i++) { for (j = 1; j < es; j++) printf "%c", int(rand() * 3); printf "%c", int(rand() * 256) } }' > "$T/img-$ty-idx3-ubyte"
    gzip -c "$T/img-$ty-idx3-ubyte" > "$T/img-$ty-idx3-ubyte.gz"
    $L fit pca "$T/img-$ty-idx3-ubyte.gz" -o "$T/ia.lmodel" --dim 3 --scale unit -q -t 2
    $L fit pca "$T/img-$ty-idx3-ubyte.gz" -o "$T/ib.lmodel" --dim 3 --scale unit -q -t 2 --from idx
    $L encode "$T/ia.lmodel" "$T/img-$ty-idx3-ubyte" -o "$T/ia.npy" -q -t 2
    $L encode "$T/ia.lmodel" "$T/img-$ty-idx3-ubyte" -o "$T/ib.npy" -q -t 2 --from idx
    cmp -s "$T/ia.lmodel" "$T/ib.lmodel" && cmp -s "$T/ia.npy" "$T/ib.npy" && [ "$(wc -c < "$T/ia.npy")" -gt 100000 ] &&
        ok "IDX ($ty) fitted and encoded block by block: the same model and rows as loaded whole" || no "IDX $ty: block by block differs"
done
head -c 100000 "$T/img-u8-idx3-ubyte" > "$T/cut-idx3-ubyte"
expect 1 "fit pca: truncated IDX, named with its offset" "cut-idx3-ubyte: offset 16: 99984 data bytes" -- $L fit pca "$T/cut-idx3-ubyte" -o "$T/x.lmodel" --dim 2
expect 1 "encode: truncated IDX, named with its offset" "cut-idx3-ubyte: offset 16: 99984 data bytes" -- $L encode "$T/ia.lmodel" "$T/cut-idx3-ubyte" -o "$T/x.npy"
head -c 1000 "$T/w1.npy" > "$T/cut.npy"
expect 1 "fit pca --stream: truncated .npy" "cut.npy: offset 128: the data is shorter" -- $L fit pca "$T/cut.npy" -o "$T/x.lmodel" --dim 2 --stream

printf 'n,c,y\n1,a,p\n2,b,NA\n3,a,p\n' > "$T/na.csv"
$L fit onehot "$T/na.csv" --label y --missing NA -o "$T/na.lmodel" -q && $L encode "$T/na.lmodel" "$T/na.csv" -o "$T/na.txt" --labels-out "$T/na.lab" -q
[ "$(sed -n 2p "$T/na.lab")" = NA ] && ok "encode --labels-out writes a missing label as the model's marker" || no "labels-out missing marker"

# learned encoders: shapes that do not fit, classes out of range, divergence, corrupt models
awk 'BEGIN { for (j = 1; j <= 16; j++) printf "%sc%d", (j > 1 ? "," : ""), j; print ""
             for (i = 0; i < 40; i++) { for (j = 1; j <= 16; j++) printf "%s%.3f", (j > 1 ? "," : ""), (i * j % 11) / 11; print "" } }' > "$T/nn.csv"
awk 'BEGIN { for (i = 0; i < 40; i++) print i % 3 }' > "$T/nn.labels"
expect 1 "cnn: a kernel that does not fit, named with the shapes" "token 3 'c8k5p0': a 5x5 kernel does not fit the input 2x2x4" -- \
    $L train cnn "$T/nn.csv" "$T/nn.labels" -o "$T/x.lmodel" --arch c4k3-p2-c8k5p0-f3 -q
expect 1 "cnn: classes and the output layer" "the last layer has 2 outputs for 3 classes" -- $L train cnn "$T/nn.csv" "$T/nn.labels" -o "$T/x.lmodel" --arch c4k3-f2 -q
expect 1 "autoencoder: input width" "first number 784 is the input width, but the input has 16 columns" -- $L train autoencoder "$T/nn.csv" -o "$T/x.lmodel" --arch 784-32-784 -q
expect 1 "autoencoder: sigmoid output needs [0, 1]" "a sigmoid output reconstructs values in" -- $L train autoencoder "$T/nn.csv" -o "$T/x.lmodel" --arch 16-4-16 --scale standard -q
expect 1 "arch: unknown token" "unknown token 'x9'" -- $L train autoencoder "$T/nn.csv" -o "$T/x.lmodel" --arch f4-x9 -q
$L train autoencoder "$T/nn.csv" -o "$T/nn.lmodel" --arch 16-4-16 --epochs 1 --checkpoint "$T/nn.ck" -q
expect 1 "training diverges: epoch and step named, checkpoint kept" "not finite at epoch 1, step" -- \
    $L train autoencoder "$T/nn.csv" -o "$T/x2.lmodel" --arch 16-4:linear-16:linear --loss mse --optim sgd --lr 1e5 --epochs 3 --batch 4 --checkpoint "$T/nn.ck" -q
[ -f "$T/nn.ck" ] && [ ! -f "$T/x2.lmodel" ] && ok "divergence: the earlier checkpoint stays, no model written" || no "divergence outputs"
# golden: fixed seed, one thread, reference loops: codes within 1e-4 of the committed ones (the BLAS
# may round differently on other CPUs), and two runs bit for bit
LATENT_KERNEL=ref $L train autoencoder "$T/nn.csv" -o "$T/g1.lmodel" --arch 16-8-4-8-16 --epochs 3 --batch 8 -s 7 -t 1 -q --init torch
LATENT_KERNEL=ref $L train autoencoder "$T/nn.csv" -o "$T/g2.lmodel" --arch 16-8-4-8-16 --epochs 3 --batch 8 -s 7 -t 1 -q --init torch
cmp -s "$T/g1.lmodel" "$T/g2.lmodel" && ok "nn: one thread, two runs bit for bit" || no "nn: two one-thread runs differ"
LATENT_KERNEL=ref $L encode "$T/g1.lmodel" "$T/nn.csv" -o "$T/g1.txt" -q
if awk 'NR == FNR { for (i = 2; i <= NF; i++) g[FNR, i] = $i; n = FNR; next }
        { for (i = 2; i <= NF; i++) { d = $i - g[FNR, i]; if (d < 0) d = -d; if (d > 1e-4) bad++ } }
        END { exit (bad || FNR != n) }' tests/golden/nn_ae_codes.txt "$T/g1.txt"; then ok "nn golden run"; else no "nn golden run differs from tests/golden/nn_ae_codes.txt"; fi
# --init: he by default for autoencoders (recorded in the model), torch on request; not with --resume
$L train autoencoder "$T/nn.csv" -o "$T/g3.lmodel" --arch 16-8-4-8-16 --epochs 1 --batch 8 -s 7 -t 1 -q
$L info "$T/g3.lmodel" | grep -q '^init	he$' && $L info "$T/g1.lmodel" | grep -q '^init	torch$' && ! cmp -s "$T/g1.lmodel" "$T/g3.lmodel" \
    && ok "nn: --init recorded, he by default" || no "nn: --init not recorded or without effect"
expect 2 "nn: --init names a rule" "--init: he or torch" -- $L train autoencoder "$T/nn.csv" -o "$T/x.lmodel" --init xavier -q
expect 2 "nn: --init with --resume" "does not apply with --resume" -- $L train autoencoder "$T/nn.csv" -o "$T/x.lmodel" --resume "$T/nn.ck" --init he -q
# image folders (PNG, JPEG): class subfolders, resized to --shape; mixed sizes need --resize
IMG=tests/fixtures/images
$L train cnn $IMG/train -o "$T/img.lmodel" --arch c4k3-p2-f2 --shape 8x8x1 --resize --epochs 2 -t 1 -q --test $IMG/train --json > "$T/img.json" &&
    grep -q '"test_rows": 9' "$T/img.json" && ok "train cnn on a folder of PNG/JPEG class folders" || no "train cnn on an image folder ($(head -c 200 "$T/img.json"))"
$L encode "$T/img.lmodel" $IMG/train -o "$T/img.txt" -q && [ "$(head -1 "$T/img.txt")" = "9 64" ] && grep -q "stripes/s3.jpg" "$T/img.txt" &&
    ok "encode a folder of images (rows labelled with their paths)" || no "encode an image folder"
expect 1 "images of mixed sizes without --resize" "b.png: 7x9 pixels, the others 12x10" -- $L train cnn $IMG/mixed -o "$T/x.lmodel" -q
expect 2 "--resize belongs to image folders" "apply to image folders" -- $L train cnn "$T/nn.csv" "$T/nn.labels" -o "$T/x.lmodel" --resize -q
# report / map / plot bad inputs (also under make sanitize)
head -3 "$T/nn.csv" > "$T/two.csv"
expect 1 "report: a source of another row count" "the source has 2 rows, the vectors 40" -- $L report "$T/nn.csv" --source "$T/two.csv" -q
expect 1 "report: labels that do not match the rows" "2 labels for 40 rows" -- $L report "$T/nn.csv" --labels "$T/two.cls" -q
expect 1 "report: k too large for the sample" "below half of the 40 sampled rows" -- $L report "$T/nn.csv" --k 30 -q
expect 1 "map of 2 points" "at least 3 rows" -- $L map "$T/two.csv" -o "$T/x.tsv" -q
expect 1 "plot of a 16-column file" "16 columns; a map has 2" -- $L plot "$T/nn.csv" -o "$T/x.png" -q
$L map "$T/nn.csv" -o "$T/m.tsv" -q --method pca
expect 2 "map: unknown solver" "--solver: exact, barnes-hut or auto" -- $L map "$T/nn.csv" -o "$T/x.tsv" --solver fft -q
expect 2 "map: a t-SNE option with umap" "--theta belongs to --method tsne" -- $L map "$T/nn.csv" -o "$T/x.tsv" --method umap --theta 0.3 -q
expect 2 "map: a UMAP option with t-SNE" "--min-dist belongs to --method umap" -- $L map "$T/nn.csv" -o "$T/x.tsv" --min-dist 0.3 -q
expect 1 "map: more UMAP neighbours than rows" "neighbours for 40 rows" -- $L map "$T/nn.csv" -o "$T/x.tsv" --method umap --neighbors 50 -q
expect 1 "map: exact t-SNE perplexity too large" "below a third of the 40 rows" -- $L map "$T/nn.csv" -o "$T/x.tsv" --solver exact --perplexity 20 -q
expect 1 "plot to an unknown picture format" "plots are written as .png or .svg" -- $L plot "$T/m.tsv" -o "$T/x.gif" -q
printf 'what\trecall\tqps\na\t0.9\t100\n' > "$T/rq.tsv"
expect 1 "plot: a table column that is not there" "no column 'qpss'" -- $L plot "$T/rq.tsv" --x recall --y qpss -o "$T/x.png" -q
expect 1 "plot: --where leaves no row" "no row has numbers in both" -- $L plot "$T/rq.tsv" --x recall --y qps --where what=b -o "$T/x.png" -q
expect 2 "plot: --x without --y" "--x and --y go together" -- $L plot "$T/rq.tsv" --x recall -o "$T/x.png" -q
expect 2 "plot: --color-by on a map without a table" "needs --labels TABLE" -- $L plot "$T/m.tsv" --color-by a -o "$T/x.png" -q
expect 1 "plot: a --color-by table of another row count" "1 rows, the map has 40" -- $L plot "$T/m.tsv" --labels "$T/rq.tsv" --color-by what -o "$T/x.png" -q
printf 'what\trecall\tqps\na\t"0.9\t100\n' > "$T/rq_bad.tsv"
expect 1 "plot: a table with a broken quote" "line 2 (offset 16): unterminated" -- $L plot "$T/rq_bad.tsv" --x recall --y qps -o "$T/x.png" -q
$L fit pca "$T/nn.csv" -o "$T/nnp.lmodel" --dim 2 -q
expect 2 "encode --layer on a pca model, named" "not pca" -- $L encode "$T/nnp.lmodel" "$T/nn.csv" -o "$T/x.txt" --layer output
expect 2 "encode --inverse on a table model, named" "do not apply to a onehot model" -- $L encode "$T/oh.lmodel" "$T/ok.csv" -o "$T/x.txt" --inverse
head -c 300 "$T/nn.lmodel" > "$T/cut.lmodel"
expect 1 "neural model truncated" "cut.lmodel" -- $L encode "$T/cut.lmodel" "$T/nn.csv" -o "$T/x.txt"
expect 1 "encode: unknown layer named" "no layer 'fc9' (named layers: fc1 fc2 output" -- $L encode "$T/nn.lmodel" "$T/nn.csv" -o "$T/x.txt" --layer fc9
printf 'a,b,c\n1,2,3\n' > "$T/w3.csv"
expect 1 "encode: rows of another width" "3 columns" -- $L encode "$T/nn.lmodel" "$T/w3.csv" -o "$T/x.txt"
expect 2 "train entity needs --target" "--target COL" -- $L train entity "$T/ok.csv" -o "$T/x.lmodel"
# train entity --test: accuracy and AUC (the library's lt_entity_score) against numpy on the
# output layer's logits written by `encode --layer output`
python3 - "$T" <<'EOF'
import random, sys
r = random.Random(5)
for name, n in (("etr.csv", 400), ("ete.csv", 200)):
    with open(sys.argv[1] + "/" + name, "w") as f:
        f.write("colour,size,x,y\n")
        for i in range(n):
            c, s, x = r.choice("abcdef"), r.choice("SML"), r.random()
            y = "yes" if (c in "abc") != (r.random() < 0.2) else "no"
            f.write(f"{c},{s},{x:.3f},{y}\n")
EOF
$L train entity "$T/etr.csv" --target y -o "$T/ent.lmodel" --epochs 40 -t 1 --test "$T/ete.csv" --json -q > "$T/ent.json"
$L encode "$T/ent.lmodel" "$T/ete.csv" --layer output -o "$T/ent_out.fvecs" -t 1 -q   # exact floats
python3 - "$T" <<'EOF' && ok "train entity --test: accuracy and AUC equal an independent count on the logits" || no "entity test scores differ from the logits'"
import json, sys
T = sys.argv[1]
j = json.load(open(T + "/ent.json"))
import struct
raw = open(T + "/ent_out.fvecs", "rb").read()
Z = [list(struct.unpack_from("<2f", raw, o + 4)) for o in range(0, len(raw), 12)]
y = [l.rstrip("\n").split(",")[3] == "yes" for l in list(open(T + "/ete.csv"))[1:]]
# the model's target classes are sorted ("no", "yes"): logit 1 is "yes"
acc = sum((z[1] > z[0]) == t for z, t in zip(Z, y)) / len(y)
s = [z[1] - z[0] for z in Z]
# AUC: the share of (positive, negative) pairs ordered right, ties counting half
P = [v for v, t in zip(s, y) if t]; N = [v for v, t in zip(s, y) if not t]
auc = sum((p > q) + 0.5 * (p == q) for p in P for q in N) / (len(P) * len(N))
assert len(Z) == 200, len(Z)
assert abs(j["test_accuracy"] - acc) < 1e-12, (j["test_accuracy"], acc)
assert abs(j["test_auc"] - auc) < 1e-9, (j["test_auc"], auc)
assert acc > 0.7, acc   # the rule is learnable: 80% of rows follow the colour
EOF

# docs/cli.md is generated from --help and must be current
if sh tools/mkclidoc.sh "$L" | cmp -s - docs/cli.md; then ok "docs/cli.md is current"; else no "docs/cli.md is stale: sh tools/mkclidoc.sh build/latent > docs/cli.md"; fi
# ... and documents every command latent --help lists (tools/mkclidoc.sh names them one by one)
undoc=$($L --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | while read -r c; do grep -q "^## latent $c" docs/cli.md || echo "$c"; done)
if [ -z "$undoc" ]; then ok "docs/cli.md has every command"; else no "docs/cli.md lacks: $undoc (add it to tools/mkclidoc.sh)"; fi
# man page and completion build from the same help
if sh tools/mkman.sh "$L" > "$T/latent.1" && grep -q '^.SH "latent index build"' "$T/latent.1" && grep -q '^.SH "latent rerank"' "$T/latent.1"; then ok "man page: every command and subcommand"; else no "man page"; fi
# bash completion, generated per command and subcommand: completing really offers the right words
sh tools/mkcomplete.sh "$L" > "$T/latent.bash"
comp() { bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _latent; printf "%s\n" "${COMPREPLY[@]}"' _ "$T/latent.bash" "$@" | sort | tr '\n' ' '; }
c1=$(comp latent ""); c2=$(comp latent train node2vec --); c3=$(comp latent train word2vec --); c4=$(comp latent index "")
case "$c1" in *rerank*) case "$c1" in *Environment*|*"latent "*) no "completion offers non-commands: $c1";; *) ok "completion: the commands, nothing else";; esac;; *) no "completion commands: $c1";; esac
case "$c2" in *--p\ *--q\ *) case "$c2" in *--cbow*) no "node2vec completes word2vec's options";; *) ok "completion: node2vec's own options";; esac;; *) no "node2vec options: $c2";; esac
case "$c3" in *--cbow*) ok "completion: word2vec's options";; *) no "word2vec options: $c3";; esac
[ "$c4" = "add build delete info " ] && ok "completion: index subcommands" || no "index subcommands: $c4"

# stdin, .gz outputs, foreign files
$L convert "$T/g.lvec" "$T/g.txt.gz"
if [ "$(gzip -dc "$T/g.txt.gz" | $L info - --json | grep -o '"rows": [0-9]*')" = '"rows": 4119' ]; then ok ".gz output, stdin input"; else no ".gz output, stdin input"; fi
head -c 20000 "$T/g.txt.gz" > "$T/cut.txt.gz"
expect 1 "truncated gzip vectors" "cut.txt.gz: offset" -- $L info "$T/cut.txt.gz"
# gzip files of several members (cat a.gz b.gz) read whole; what follows the last member and is not gzip is ignored, as gzip -dc does
{ printf '2 2\na 1 2\n' | gzip -c; printf 'b 3 4\n' | gzip -c; printf 'trailing'; } > "$T/members.txt.gz"
if [ "$($L info "$T/members.txt.gz" --json | grep -o '"rows": [0-9]*')" = '"rows": 2' ] && $L vector "$T/members.txt.gz" b | grep -q "3 4"; then ok "gzip members"; else no "gzip members"; fi
{ printf '2 2\na 1 2\n' | gzip -c; printf 'b 3 4\n' | gzip -c | head -c 12; } > "$T/member2cut.txt.gz"
expect 1 "truncated second gzip member" "member2cut.txt.gz: offset 28" -- $L info "$T/member2cut.txt.gz"
printf '\272\026\117\057\014\000\000\000xxxxxxxx' > "$T/ft.bin"
expect 1 "fastText model named" "fastText model" -- $L info "$T/ft.bin"
printf 'PK\003\004xxxxxxxxxx' > "$T/a.npz"
expect 1 "npz named" "zip archive" -- $L info "$T/a.npz"
printf '\200\004\225xxxxxxxx' > "$T/g.kv"
expect 1 "pickle named" "pickle" -- $L info "$T/g.kv"
mkfifo "$T/fifo" 2>/dev/null && { cat "$T/fifo" > "$T/fifo.out" & $L convert "$T/g.lvec" "$T/fifo" --to w2v-txt; wait
    if [ -p "$T/fifo" ] && cmp -s "$T/fifo.out" "$T/golden.txt"; then ok "FIFO output written through, not replaced"; else no "FIFO output"; fi; }
ln -s golden.txt "$T/link.txt"; $L convert "$T/g.lvec" "$T/link.txt" --precision 4
if [ -L "$T/link.txt" ] && [ "$(sed -n 2p "$T/golden.txt" | cut -d' ' -f2)" = 0.2229 ]; then ok "symlink output: target replaced, link kept"; else no "symlink output"; fi

# info on a categorical model: the categories readable (a JSON list; null = the missing value)
printf 'k,v\n"x\ny",1\n,2\nb,3\n' > "$T/cats.csv"
$L fit onehot "$T/cats.csv" -o "$T/cats.lmodel" -q && $L info "$T/cats.lmodel" > "$T/out" 2>&1
grep -q '^col0.categories	\["b", "x\\ny", null\]$' "$T/out" && ok "info: a categorical model's categories as a list" || no "info categories: $(grep categories "$T/out")"
printf '2 2\na 1 2\nb 3 4\n' > "$T/two.txt"
[ "$($L convert "$T/two.txt" - | head -1)" = "2 2" ] && ok "convert X - without --to: word2vec text on stdout" || no "convert X -"
# labels with spaces: embed and convert write them the same way to text formats
printf 'the whale\na ship\n' > "$T/sp.txt"
$L embed tests/fixtures/bert-fixtures/tiny-bert-mean/hf -i "$T/sp.txt" -o "$T/sp.lvec" -q && $L embed tests/fixtures/bert-fixtures/tiny-bert-mean/hf -i "$T/sp.txt" -o "$T/sp1.txt" -q \
    && $L convert "$T/sp.lvec" "$T/sp2.txt" 2> "$T/err" && cmp -s "$T/sp1.txt" "$T/sp2.txt" && grep -q "2 labels" "$T/err" \
    && ok "labels with spaces: embed and convert write the same text file, convert says so" || no "labels with spaces: $(cat "$T/err")"
# .tsv outputs are tab-separated (a comma in a label needs no quotes there) and read back
printf '2 2\na,b 1 2\nc 3 4\n' > "$T/cl.txt"
$L convert "$T/cl.txt" "$T/cl.tsv" && $L convert "$T/cl.tsv" "$T/cl2.txt" && [ "$(head -1 "$T/cl.tsv")" = "$(printf 'label\tc1\tc2')" ] && cmp -s "$T/cl.txt" "$T/cl2.txt" \
    && ok ".tsv written tab-separated, read back the same" || no ".tsv output: $(head -2 "$T/cl.tsv")"
# images: a CLIP folder's image tower over a folder of PNG/JPEG files (sorted, labels the paths)
V=tests/fixtures/vision
if $L embed $V/clip/model $V/images -o "$T/img.txt" -q && [ "$(head -1 "$T/img.txt")" = "4 24" ] \
    && [ "$(sed -n 2p "$T/img.txt" | cut -d' ' -f1)" = "$V/images/a_rgb.png" ] \
    && $L embed $V/clip/model $V/images/c.jpg -o "$T/img1.txt" -q && grep -q "^$V/images/c.jpg " "$T/img1.txt" \
    && [ "$(grep "c.jpg" "$T/img.txt")" = "$(grep "c.jpg" "$T/img1.txt")" ]; then ok "embed MODEL IMAGES: a folder and one file, the same row"
else no "embed images: $(head -c 300 "$T/img.txt")"; fi
$L embed $V/clip/model $V/images --normalize -o "$T/imgn.txt" -q && awk 'NR > 1 { s = 0; for (i = 2; i <= NF; i++) s += $i * $i; if (s < 0.9999 || s > 1.0001) bad = 1 } END { exit bad }' "$T/imgn.txt" \
    && ok "embed images --normalize: unit rows" || no "embed images --normalize"
expect 2 "embed images: a text option is refused" "applies to text inputs" -- $L embed $V/clip/model $V/images --max-seq 9
expect 1 "embed images: a folder without preprocessor_config.json" "preprocessor_config.json: missing" -- $L embed $V/clip-vision/model $V/images
printf 'not an image' > "$T/fake.png"
expect 1 "embed images: a file that is no image, named" "fake.png: offset 0" -- $L embed $V/clip/model "$T/fake.png"
expect 1 "embed images: a text model's folder" "image tower" -- $L embed tests/fixtures/encoders/roberta/st $V/images
# zero-shot classification: the probabilities of transformers' CLIPModel (softmax of
# logits_per_image) and SiglipModel (sigmoid of each), within 1e-5
zs_check() { # MODEL NAME
    $L classify $V/$1/model $V/images --labels "a dog,a cat,a car" --json -q > "$T/zs.json" 2> "$T/err"
    d=$(/usr/bin/python3 -c '
import json, sys
want = json.load(open(sys.argv[1])); got = [json.loads(l) for l in open(sys.argv[2])]
worst = 0
for i, g in enumerate(got):
    sc = {s["label"]: s["score"] for s in g["scores"]}
    worst = max([worst] + [abs(sc[l] - want["probs"][i][j]) for j, l in enumerate(want["labels"])])
print(worst if len(got) == 4 else 9)' $V/$1/zero_shot.json "$T/zs.json" 2>&1)
    awk -v d="$d" 'BEGIN { exit !(d + 0 < 1e-5) }' && ok "classify with $2: transformers' scores (max difference $d)" || no "classify $2: $d $(cat "$T/err")"
}
zs_check clip CLIP
zs_check siglip SigLIP
mkdir -p "$T/cv" && cp $V/clip-vision/model/* $V/clip/model/preprocessor_config.json "$T/cv/"
expect 1 "classify: an image tower alone has no logit_scale" "no logit_scale" -- $L classify "$T/cv" $V/images --labels "a,b"
expect 2 "classify: --labels is required" "give --labels" -- $L classify $V/clip/model $V/images
expect 2 "classify: an empty label" "label 2 of --labels is empty" -- $L classify $V/clip/model $V/images --labels "a,,b"
echo "$P passed, $F failed"
[ "$F" = 0 ]
