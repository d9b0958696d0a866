#!/bin/sh
# Every option of every command is honoured: each option that a command's --help lists is run
# here at least once, and the run must differ from the same command without it (stdout, stderr
# or the files written). The list of options is read from --help itself, so a new option
# without a case here fails the coverage check. Unknown options exit 2 everywhere.
L=${LATENT:-build/latent}
T=build/tests/cli_opts
M=tests/fixtures/bert-fixtures/tiny-bert-mean/st
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh

# fixtures: a small corpus, vectors in several formats, an index, queries
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 300000 > "$T/c.txt"
$L train word2vec "$T/c.txt" -o "$T/v.txt" --dim 16 --epochs 5 -t 1 --seed 3 -q --min-count 3 || no "fixture vectors"
$L convert "$T/v.txt" "$T/v.lvec"
cp "$T/v.txt" "$T/vtxt.bin"
$L convert "$T/v.txt" "$T/v.fvecs"
head -c 3400 "$T/v.fvecs" > "$T/q.fvecs"         # 50 query rows
$L index build "$T/v.lvec" -o "$T/v.lhnsw" -t 1 -q
$L index build "$T/v.lvec" -o "$T/bad.lhnsw" -t 1 -q --M 2 --ef-construction 2   # approximate on purpose
for t in $(awk 'NR > 20 && NR <= 200 { printf "%s%s", $1, (NR % 3 == 2 ? "\n" : ",") }' "$T/v.txt"); do
    set -- $(echo "$t" | tr , ' ')
    [ $# = 3 ] || continue
    d4=$($L analogy "$T/v.lvec" $1 $2 $3 -k 1 --json | sed 's/.*"label": "\([^"]*\)".*/\1/')
    echo "$1 $2 $3 $d4"
done | awk 'BEGIN { print ": predicted" } { print }' > "$T/ana2.txt"   # 3CosAdd gets these right by construction
$L search "$T/v.lvec" --vectors "$T/q.fvecs" -k 20 -o "$T/truth_l2.ivecs" -t 1 -q --metric l2   # not the index's metric
printf ': capital\nman king woman queen\nsea ship land boat\n: gram1\nwhale whales ship ships\n' > "$T/ana.txt"
printf 'whale\tship\t7\nsea\tocean\t9\nman\twoman\t8\nold\tnew\t2\nday\tnight\t5\n' > "$T/pairs.tsv"
printf 'first line\nsecond, longer line\n' > "$T/lines.txt"
printf '{"text": "first", "id": "a1"}\n{"text": "second", "id": 7}\n' > "$T/lines.jsonl"
awk 'BEGIN { for (i = 0; i < 200; i++) printf "word "; print "" }' > "$T/long.txt"

COVERED=""
# run CMD: exit code, stdout+stderr and a digest of the files named out.* that it wrote
run() {
    rm -rf "$T"/out.*
    (cd "$T" && sh -c "$1") > "$T/so" 2>&1
    echo "rc=$?"
    cat "$T/so"
    for f in "$T"/out.*; do [ -f "$f" ] && { echo "$f"; md5sum < "$f"; }; done
}
# d KEY BASE VARIANT: the variant (with the option) exits 0 and differs from the base
d() {
    COVERED="$COVERED|$1|"
    a=$(run "$2"); b=$(run "$3")
    if [ "$a" != "$b" ] && printf '%s\n' "$b" | head -1 | grep -q '^rc=0$'; then ok "$1"
    else no "$1: no effect, or failed ($(printf '%s' "$b" | head -c 300))"; fi
}
X="../../../$L"   # the binary, from inside $T

d "convert --from" "$X convert vtxt.bin out.a.txt" "$X convert vtxt.bin out.a.txt --from w2v-txt"
d "convert --to" "$X convert v.lvec out.a.dat --to w2v-txt" "$X convert v.lvec out.a.dat --to glove"
d "convert --f16" "$X convert v.txt out.a.lvec" "$X convert v.txt out.a.lvec --f16"
d "convert --precision" "$X convert v.lvec out.a.txt" "$X convert v.lvec out.a.txt --precision 3"
printf '2 2\ncaf\351 1 2\nb 3 4\n' > "$T/lat1.txt"   # a latin-1 word
d "convert --encoding" "$X convert lat1.txt out.a.txt" "$X convert lat1.txt out.a.txt --encoding latin1"
expect 1 "convert --encoding: a label the encoding cannot decode is named" "row 0: the label is not ascii" -- $L convert "$T/lat1.txt" "$T/x.txt" --encoding ascii

d "similar --k" "$X similar v.lvec whale" "$X similar v.lvec whale -k 3"
d "similar --negative" "$X similar v.lvec king" "$X similar v.lvec king --negative man"
d "similar --restrict" "$X similar v.lvec whale" "$X similar v.lvec whale --restrict 50"
d "similar --input" "$X similar v.lvec whale" "printf 'whale\nship - sea\n' | $X similar v.lvec -i -"
d "similar --index" "$X similar v.lvec whale -k 50" "$X similar v.lvec whale -k 50 --index bad.lhnsw"
d "similar --ef" "$X similar v.lvec whale --index bad.lhnsw" "$X similar v.lvec whale --index bad.lhnsw --ef 10"
d "similar --json" "$X similar v.lvec whale" "$X similar v.lvec whale --json"
d "similar --from" "$X similar vtxt.bin whale" "$X similar vtxt.bin whale --from w2v-txt"

d "analogy --k" "$X analogy v.lvec man king woman" "$X analogy v.lvec man king woman -k 2"
d "analogy --mul" "$X analogy v.lvec man king woman -k 30" "$X analogy v.lvec man king woman -k 30 --mul"
d "analogy --restrict" "$X analogy v.lvec man king woman" "$X analogy v.lvec man king woman --restrict 100"
d "analogy --index" "$X analogy v.lvec man king woman -k 50" "$X analogy v.lvec man king woman -k 50 --index bad.lhnsw"
d "analogy --ef" "$X analogy v.lvec man king woman --index bad.lhnsw" "$X analogy v.lvec man king woman --index bad.lhnsw --ef 13"
d "analogy --json" "$X analogy v.lvec man king woman" "$X analogy v.lvec man king woman --json"
d "analogy --from" "$X analogy vtxt.bin man king woman" "$X analogy vtxt.bin man king woman --from w2v-txt"

d "similarity --json" "$X similarity v.lvec whale ship" "$X similarity v.lvec whale ship --json"
d "similarity --from" "$X similarity vtxt.bin whale ship" "$X similarity vtxt.bin whale ship --from w2v-txt"
d "doesnt-match --json" "$X doesnt-match v.lvec whale ship sea the" "$X doesnt-match v.lvec whale ship sea the --json"
d "doesnt-match --from" "$X doesnt-match vtxt.bin whale ship sea the" "$X doesnt-match vtxt.bin whale ship sea the --from w2v-txt"
d "vector --precision" "$X vector v.lvec whale" "$X vector v.lvec whale --precision 2"
d "vector --json" "$X vector v.lvec whale" "$X vector v.lvec whale --json"
d "vector --from" "$X vector vtxt.bin whale" "$X vector vtxt.bin whale --from w2v-txt"
d "info --json" "$X info v.lvec" "$X info v.lvec --json"
d "info --from" "$X info vtxt.bin" "$X info vtxt.bin --from w2v-txt"

d "eval analogy --restrict" "$X eval analogy v.lvec ana.txt" "$X eval analogy v.lvec ana.txt --restrict 100"
d "eval analogy --mul" "$X eval analogy v.lvec ana2.txt" "$X eval analogy v.lvec ana2.txt --mul"
d "eval analogy --json" "$X eval analogy v.lvec ana.txt" "$X eval analogy v.lvec ana.txt --json"
d "eval analogy --from" "$X eval analogy vtxt.bin ana.txt" "$X eval analogy vtxt.bin ana.txt --from w2v-txt"
d "eval similarity --restrict" "$X eval similarity v.lvec pairs.tsv" "$X eval similarity v.lvec pairs.tsv --restrict 50"
d "eval similarity --json" "$X eval similarity v.lvec pairs.tsv" "$X eval similarity v.lvec pairs.tsv --json"
d "eval similarity --from" "$X eval similarity vtxt.bin pairs.tsv" "$X eval similarity vtxt.bin pairs.tsv --from w2v-txt"
$L train fasttext "$T/c.txt" -o "$T/ft.bin" --dim 8 --epochs 1 -t 1 -q --min-count 3 --bucket 1000
d "eval similarity --oov" "printf 'whale\twhalez\t5\nsea\tship\t6\nman\tqqq\t1\n' > p2.tsv; $X eval similarity ft.bin p2.tsv" "$X eval similarity ft.bin p2.tsv --oov"

R="$X eval recall v.lhnsw --queries q.fvecs -t 1"
d "eval recall --queries" "$X eval recall v.lhnsw" "$R"
d "eval recall --truth" "$R -k 20 --json | cut -d, -f1-4" "$R -k 20 --truth truth_l2.ivecs --json | cut -d, -f1-4"
d "eval recall --k" "$R --json | cut -d, -f1-4" "$R -k 3 --json | cut -d, -f1-4"
d "eval recall --ef" "$R --json | cut -d, -f1-4" "$R --ef 4,8 --json | cut -d, -f1-4"
d "eval recall --repeat" "$R --json | sed 's/\"qps\": [0-9.]*//'" "$R --json --repeat 3 | sed 's/\"qps\": [0-9.]*//'"
d "eval recall --json" "$R | cut -f1-4" "$R --json | cut -d, -f1-4"
d "eval recall --threads" "$R --json | cut -d, -f1-4" "$X eval recall v.lhnsw --queries q.fvecs -t 2 --json | cut -d, -f1-4"

d "vocab --output" "$X vocab c.txt" "$X vocab c.txt -o out.v"
d "vocab --min-count" "$X vocab c.txt" "$X vocab c.txt --min-count 50"
d "vocab --max-vocab" "$X vocab c.txt" "$X vocab c.txt --max-vocab 10"
d "vocab --lower" "$X vocab c.txt" "printf 'The the THE the a a b b\n' > out.c; $X vocab out.c --min-count 1 --lower"
d "vocab --max-token" "printf 'abcdefghijklmnopqrstuvwxyz x\n' > out.c; $X vocab out.c --min-count 1" "printf 'abcdefghijklmnopqrstuvwxyz x\n' > out.c; $X vocab out.c --min-count 1 --max-token 8"

W="$X train word2vec c.txt -o out.v.txt --dim 8 --epochs 1 -t 1 -q --min-count 3"
d "train word2vec --output" "$W" "$X train word2vec c.txt --output out.w.txt --dim 8 --epochs 1 -t 1 -q --min-count 3"
d "train word2vec --format" "$W" "$W --format glove"
for o in "--cbow" "--hs" "--dim 9" "--window 2" "--negative 2" "--sample 0" "--min-count 4" "--max-vocab 100" \
         "--epochs 2" "--alpha 0.05" "--plain" "--exact-sigmoid" "--ns-exponent 0.5" "--seed 9"; do
    d "train word2vec ${o%% *}" "$W" "$W $o"
done
d "train word2vec --cbow-mean-grad" "$W --cbow" "$W --cbow --cbow-mean-grad"
d "train word2vec --lower" "printf 'The the THE the a a b b\n' > out.c; $X train word2vec out.c -o out.v.txt --dim 4 -t 1 -q --min-count 1" \
  "printf 'The the THE the a a b b\n' > out.c; $X train word2vec out.c -o out.v.txt --dim 4 -t 1 -q --min-count 1 --lower"
d "train word2vec --max-token" "$W" "$W --max-token 8"
d "train word2vec --threads" "$X train word2vec c.txt -o out.v.txt --dim 8 --epochs 1 -t 1 --min-count 3 2>&1 | sed 's/[0-9.]*s,/s,/; s/[0-9]* words\/s//'" \
  "$X train word2vec c.txt -o out.v.txt --dim 8 --epochs 1 -t 2 --min-count 3 2>&1 | sed 's/[0-9.]*s,/s,/; s/[0-9]* words\/s//'"
d "train word2vec --quiet" "$X train word2vec c.txt -o out.v.txt --dim 8 --epochs 1 -t 1 --min-count 3 2>&1 | wc -l" "$W 2>&1 | wc -l"
d "train word2vec --checkpoint" "$W --epochs 2" "$W --epochs 2 --checkpoint out.ck"
d "train word2vec --checkpoint-every" "$W --checkpoint out.ck" "$W --checkpoint out.ck --checkpoint-every 5000"
d "train word2vec --stop-after-segments" "$W --checkpoint out.ck --checkpoint-every 5000" \
  "$W --checkpoint out.ck --checkpoint-every 5000 --stop-after-segments 2 || true"
d "train word2vec --resume" "$X train word2vec c.txt -o out.v.txt --dim 8 --epochs 2 -t 1 -q --min-count 3 --checkpoint ck1 --checkpoint-every 5000 --stop-after-segments 3; ls out.v.txt" \
  "$X train word2vec c.txt -o out.v.txt --dim 8 --epochs 2 -t 1 -q --min-count 3 --checkpoint ck2 --checkpoint-every 5000 --stop-after-segments 3; $X train word2vec c.txt -o out.v.txt -q --resume --checkpoint ck2"
d "train word2vec --save-vocab" "$W" "$W --save-vocab out.voc"
d "train word2vec --read-vocab" "$W" "printf 'whale 5\nship 5\nsea 5\n' > voc.txt; $W --read-vocab voc.txt"
d "train word2vec --f16" "$X train word2vec c.txt -o out.v.lvec --dim 8 --epochs 1 -t 1 -q --min-count 3" \
  "$X train word2vec c.txt -o out.v.lvec --dim 8 --epochs 1 -t 1 -q --min-count 3 --f16"

FT="$X train fasttext c.txt -o out.f.bin --dim 8 --epochs 1 -t 1 -q --min-count 3 --bucket 1000"
d "train fasttext --output" "$X train fasttext c.txt --dim 8 --epochs 1 -t 1 -q --min-count 3 --bucket 1000" "$FT"
d "train fasttext --format" "$FT" "$FT --format glove"
d "train fasttext --cbow" "$FT" "$FT --cbow"
d "train fasttext --window-update" "$FT" "$FT --window-update"
d "train fasttext --exact-epochs" "$FT" "$FT --exact-epochs"   # c.txt has words below --min-count 3
for o in "--dim 9" "--window 2" "--negative 2" "--minn 2" "--maxn 4" "--bucket 500" "--sample 0" "--min-count 4" "--max-vocab 100" \
         "--epochs 2" "--alpha 0.02" "--exact-sigmoid" "--ns-exponent 0.75" "--seed 9" "--max-token 8"; do
    d "train fasttext ${o%% *}" "$FT" "$FT $o"
done
d "train fasttext --lower" "printf 'The the THE the a a b b\n' > out.c; $X train fasttext out.c -o out.v.txt --dim 4 -t 1 -q --min-count 1 --bucket 10" \
  "printf 'The the THE the a a b b\n' > out.c; $X train fasttext out.c -o out.v.txt --dim 4 -t 1 -q --min-count 1 --bucket 10 --lower"
d "train fasttext --threads" "$X train fasttext c.txt -o out.f.bin --dim 8 --epochs 1 -t 1 --min-count 3 --bucket 1000 2>&1 | sed 's/[0-9.]*s,/s,/; s/[0-9]* words\/s//'" \
  "$X train fasttext c.txt -o out.f.bin --dim 8 --epochs 1 -t 2 --min-count 3 --bucket 1000 2>&1 | sed 's/[0-9.]*s,/s,/; s/[0-9]* words\/s//'"
d "train fasttext --quiet" "$X train fasttext c.txt -o out.f.bin --dim 8 --epochs 1 -t 1 --min-count 3 --bucket 1000 2>&1 | wc -l" "$FT 2>&1 | wc -l"
d "train fasttext --save-vocab" "$FT" "$FT --save-vocab out.voc"
d "train fasttext --read-vocab" "$FT" "printf 'whale 5\nship 5\nsea 5\n' > voc.txt; $FT --read-vocab voc.txt"
d "train fasttext --f16" "$X train fasttext c.txt -o out.f.lvec --dim 8 --epochs 1 -t 1 -q --min-count 3 --bucket 1000" \
  "$X train fasttext c.txt -o out.f.lvec --dim 8 --epochs 1 -t 1 -q --min-count 3 --bucket 1000 --f16"

B="$X index build v.lvec -o out.i.lhnsw -t 1 -q"
d "index build --output" "$X index build v.lvec -t 1 -q" "$B"
d "index build --metric" "$B" "$B --metric l2"
d "index build --M" "$B" "$B --M 4"
d "index build --ef-construction" "$B" "$B --ef-construction 20"
d "index build --seed" "$B" "$B --seed 5"
d "index build --storage" "$B" "$B --storage int8"
d "index build --no-rerank" "$B --storage f16" "$B --storage f16 --no-rerank"
d "index build --threads" "$X index build v.lvec -o out.i.lhnsw -t 1" "$X index build v.lvec -o out.i.lhnsw -t 2 | sed 's/[0-9.]*s /s /'"
d "index build --from" "$X index build vtxt.bin -o out.i.lhnsw -t 1 -q" "$X index build vtxt.bin -o out.i.lhnsw -t 1 -q --from w2v-txt"
d "index build --quiet" "$X index build v.lvec -o out.i.lhnsw -t 1 2>&1 | wc -l" "$B 2>&1 | wc -l"
d "index add --first-id" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw q.fvecs -t 1 -q" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw q.fvecs -t 1 -q --first-id 100000"
d "index add --output" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw q.fvecs -t 1 -q" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw q.fvecs -t 1 -q -o out.b.lhnsw"
d "index add --threads" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw v.lvec -t 1" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw v.lvec -t 2"
d "index add --from" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw vtxt.bin -t 1 -q" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw vtxt.bin -t 1 -q --from w2v-txt"
d "index add --quiet" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw q.fvecs -t 1 2>&1 | wc -l" "cp v.lhnsw out.a.lhnsw; $X index add out.a.lhnsw q.fvecs -t 1 -q 2>&1 | wc -l"
d "index delete --compact" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 -t 1 -q" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 -t 1 -q --compact"
d "index delete --output" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 -q" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 -q -o out.b.lhnsw"
d "index delete --threads" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 --compact -t 1 2>&1" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 --compact -t 2 2>&1"
d "index delete --quiet" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 2>&1 | wc -l" "cp v.lhnsw out.a.lhnsw; $X index delete out.a.lhnsw 1 2 -q 2>&1 | wc -l"
d "index info --json" "$X index info v.lhnsw" "$X index info v.lhnsw --json"

S="$X search v.lvec --word whale -q"
d "search --word" "$S" "$S --word ship"
d "search --vectors" "$X search v.lvec --word whale -q | head -3" "$X search v.lvec --vectors q.fvecs -q | head -3"
d "search --base" "$X search v.lhnsw --vectors q.fvecs -q | head -3" "$X search v.lhnsw --vectors q.fvecs --base v.lvec -q | head -3"
d "search --k" "$S" "$S -k 3"
d "search --ef" "$X search bad.lhnsw --word whale --base v.lvec -q" "$X search bad.lhnsw --word whale --base v.lvec --ef 10 -q"
d "search --metric" "$S" "$S --metric l2"
d "search --output" "$S" "$S -o out.r.ivecs"
d "search --json" "$S" "$S --json"
d "search --threads" "$X search v.lvec --word whale -t 1 2>&1 | sed 's/[0-9.]*s (.*,/ /'" "$X search v.lvec --word whale -t 2 2>&1 | sed 's/[0-9.]*s (.*,/ /'"
d "search --from" "$X search vtxt.bin --word whale -q" "$X search vtxt.bin --word whale -q --from w2v-txt"
d "search --quiet" "$X search v.lvec --word whale 2>&1 | wc -l" "$S 2>&1 | wc -l"

MM=../../../$M
E="$X embed $MM -i lines.txt -t 1 -q"
d "embed --input" "printf 'x\n' | $X embed $MM -t 1 -q" "$E"
d "embed --output" "$E" "$E -o out.e.lvec"
d "embed --format" "$E -o out.e.dat --format w2v-txt" "$E -o out.e.dat --format glove"
d "embed --jsonl" "$X embed $MM -i lines.jsonl -t 1 -q" "$X embed $MM -i lines.jsonl -t 1 -q --jsonl"
d "embed --id-field" "$X embed $MM -i lines.jsonl -t 1 -q --jsonl" "$X embed $MM -i lines.jsonl -t 1 -q --jsonl --id-field id"
d "embed --max-seq" "$E" "$E --max-seq 4"
d "embed --pooling" "$E" "$E --pooling cls"
d "embed --normalize" "$X embed ../../../tests/fixtures/bert-fixtures/tiny-bert-mean/hf -i lines.txt -t 1 -q" "$X embed ../../../tests/fixtures/bert-fixtures/tiny-bert-mean/hf -i lines.txt -t 1 -q --normalize"
d "embed --no-normalize" "$E" "$E --no-normalize"
d "embed --chunk" "$X embed $MM -i long.txt -t 1 -q" "$X embed $MM -i long.txt -t 1 -q --chunk"
TM="sed 's/in [0-9.]*s ([0-9.]*\/s/in/'"
d "embed --batch" "$X embed $MM -i lines.txt -t 1 2>&1 | $TM" "$X embed $MM -i lines.txt -t 1 --batch 1 2>&1 | $TM"
cp -r tests/fixtures/encoders/roberta/st "$T/pm" 2>/dev/null || cp -r ../../../tests/fixtures/encoders/roberta/st "$T/pm"
printf '{"prompts": {"query": "query: ", "passage": ""}, "default_prompt_name": null}' > "$T/pm/config_sentence_transformers.json"
d "embed --prompt-name" "$X embed pm -i lines.txt -t 1 -q" "$X embed pm -i lines.txt -t 1 -q --prompt-name query"
d "embed --prompt" "$X embed pm -i lines.txt -t 1 -q" "$X embed pm -i lines.txt -t 1 -q --prompt 'search: '"
d "embed --dim" "$X embed pm -i lines.txt -t 1 -q" "$X embed pm -i lines.txt -t 1 -q --dim 8"
d "embed --quantize" "$X embed pm -i lines.txt -t 1 -q -o q.npy && cat q.npy" "$X embed pm -i lines.txt -t 1 -q -o q.npy --quantize ubinary && cat q.npy"
d "embed --latency" "$X embed $MM -i lines.txt -t 1 2>&1 | $TM" "$X embed $MM -i lines.txt -t 1 --latency 2>&1 | $TM"
d "embed --precision" "$E" "$E --precision bf16"
d "embed --threads" "$X embed $MM -i lines.txt -t 1 2>&1 | $TM" "$X embed $MM -i lines.txt -t 2 2>&1 | $TM"
d "embed --quiet" "$X embed $MM -i lines.txt -t 1 2>&1 | wc -l" "$E 2>&1 | wc -l"
d "tokenize --input" "printf 'x\n' | $X tokenize $MM" "$X tokenize $MM -i lines.txt"
d "tokenize --jsonl" "$X tokenize $MM -i lines.jsonl" "$X tokenize $MM -i lines.jsonl --jsonl"
d "tokenize --max-seq" "$X tokenize $MM -i lines.txt" "$X tokenize $MM -i lines.txt --max-seq 3"
d "tokenize --quiet" "$X tokenize $MM -i long.txt" "$X tokenize $MM -i long.txt -q"
d "tokenize --offsets" "$X tokenize $MM -i lines.txt" "$X tokenize $MM -i lines.txt --offsets"
d "tokenize --tokens" "$X tokenize $MM -i lines.txt" "$X tokenize $MM -i lines.txt --tokens"
d "tokenize --no-special" "$X tokenize $MM -i lines.txt" "$X tokenize $MM -i lines.txt --no-special"
CE=../../../tests/fixtures/encoders/bert-cross/model
printf 'a red fox\nthe blue sea\nfoxes are red\n' > "$T/docs.txt"
printf '"a red fox"\n{"text": "the blue sea"}\n' > "$T/docs.jsonl"
R="$X rerank $CE 'red fox' -i docs.txt -t 1 -q"
d "rerank --input" "printf 'x\n' | $X rerank $CE 'red fox' -t 1 -q" "$R"
d "rerank --jsonl" "$X rerank $CE 'red fox' -i docs.jsonl -t 1 -q" "$X rerank $CE 'red fox' -i docs.jsonl -t 1 -q --jsonl"
d "rerank --json" "$R" "$R --json"
d "rerank --raw-scores" "$R" "$R --raw-scores"
d "rerank --top-k" "$R" "$R -k 1"
d "rerank --return-text" "$R --json" "$R --json --return-text"
d "rerank --max-seq" "$X rerank $CE 'red fox' -i long.txt -t 1 -q" "$X rerank $CE 'red fox' -i long.txt -t 1 -q --max-seq 8"
d "rerank --batch" "$X rerank $CE 'red fox' -i docs.txt -t 1 2>&1 | sed 's/in [0-9.]*s//'" "$X rerank $CE 'red fox' -i docs.txt -t 1 --batch 1 2>&1 | sed 's/in [0-9.]*s//'"
d "rerank --threads" "$X rerank $CE 'red fox' -i docs.txt -t 1 2>&1 | sed 's/in [0-9.]*s//'" "$X rerank $CE 'red fox' -i docs.txt -t 2 2>&1 | sed 's/in [0-9.]*s//'"
d "rerank --quiet" "$X rerank $CE 'red fox' -i docs.txt -t 1 2>&1" "$R 2>&1"
CL=../../../tests/fixtures/vision/clip/model; IM=../../../tests/fixtures/vision/images
K="$X classify $CL $IM --labels 'a dog,a cat,a car' -t 1 -q"
d "classify --labels" "$K" "$X classify $CL $IM --labels 'a dog,a car' -t 1 -q"
d "classify --template" "$K" "$K --template 'a {} here'"
d "classify --top-k" "$K" "$K -k 1"
d "classify --json" "$K" "$K --json"
d "classify --batch" "$X classify $CL $IM --labels 'a dog,a cat' -t 1 2>&1 | sed 's/in [0-9.]*s//'" "$X classify $CL $IM --labels 'a dog,a cat' -t 1 --batch 1 2>&1 | sed 's/in [0-9.]*s//'"
d "classify --threads" "$X classify $CL $IM --labels 'a dog,a cat' -t 1 2>&1 | sed 's/in [0-9.]*s//'" "$X classify $CL $IM --labels 'a dog,a cat' -t 2 2>&1 | sed 's/in [0-9.]*s//'"
d "classify --quiet" "$X classify $CL $IM --labels 'a dog,a cat' -t 1 2>&1" "$X classify $CL $IM --labels 'a dog,a cat' -t 1 -q 2>&1"
d "tokenize --pair" "$X tokenize $MM -i lines.txt" "$X tokenize $MM -i lines.txt --pair 'a question'"
$L tokenize $M -i "$T/lines.txt" -q > "$T/ids.txt"
d "tokenize --decode" "$X tokenize $MM -i ids.txt" "$X tokenize $MM -i ids.txt --decode"


# graphs: the karate club (undirected), a weighted directed variant
K=../../../tests/fixtures/karate
cp tests/fixtures/karate/edges.tsv "$T/k.tsv"
awk '{ print $1 "\t" $2 "\t" (NR % 4 + 1) }' tests/fixtures/karate/edges.tsv > "$T/kw.tsv"
{ printf 'from\tto\n'; awk '{ print "n" $1 "\tn" $2 }' tests/fixtures/karate/edges.tsv; } > "$T/kn.tsv"   # a header over names: only --header skips it
G="$X train node2vec k.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q"
for t in node2vec deepwalk; do
    G="$X train $t k.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q"
    d "train $t --output" "$X train $t k.tsv --dim 8 -q" "$G"
    d "train $t --format" "$G" "$G --format glove"
    d "train $t --weighted" "$X train $t kw.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q" \
      "$X train $t kw.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q --weighted"
    d "train $t --directed" "$G" "$G --directed"
    d "train $t --header" "$X train $t kn.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q; wc -l < out.n.txt" \
      "$X train $t kn.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q --header; wc -l < out.n.txt"
    d "train $t --no-cache" "rm -f k.tsv.*.lgraph; $G; ls k.tsv.*" "rm -f k.tsv.*.lgraph; $G --no-cache; ls k.tsv.* 2>&1 | head -c 0"
    for o in "--dim 9" "--walk-length 12" "--num-walks 3" "--window 2" "--epochs 2" "--negative 2" "--alpha 0.05" "--sample 0" "--seed 9"; do
        d "train $t ${o%% *}" "$G" "$G $o"
    done
    d "train $t --min-count" "$G" "$G --min-count 8"
    d "train $t --plain" "$G" "$G --plain"
    d "train $t --negatives" "$G" "$G --negatives window"
    d "train $t --vectors" "$G" "$G --vectors node"
    d "train $t --walks-out" "$G" "$G --walks-out out.walks"
    d "train $t --threads" "$G" "$X train $t k.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 2 -q"
    d "train $t --quiet" "$X train $t k.tsv -o out.n.txt --dim 8 -t 1 2>&1 | wc -l" "$G 2>&1 | wc -l"
done
G="$X train node2vec k.tsv -o out.n.txt --dim 8 --walk-length 10 --num-walks 2 --window 3 -t 1 -q"
d "train node2vec --p" "$G" "$G --p 0.25"
d "train node2vec --q" "$G" "$G --q 4"
d "graph info --weighted" "$X graph info kw.tsv" "$X graph info kw.tsv --weighted"
d "graph info --directed" "$X graph info k.tsv" "$X graph info k.tsv --directed"
d "graph info --no-cache" "rm -f k.tsv.*.lgraph; $X graph info k.tsv | grep -v cache; ls k.tsv.*" "rm -f k.tsv.*.lgraph; $X graph info k.tsv --no-cache | grep -v cache; ls k.tsv.* 2>&1 | head -c 0"
d "graph info --json" "$X graph info k.tsv" "$X graph info k.tsv --json"
d "graph info --header" "$X graph info kn.tsv" "$X graph info kn.tsv --header"
d "graph split --header" "$X graph split kn.tsv -o out.tr.tsv --test out.te.tsv -q; cat out.tr.tsv out.te.tsv | sort" \
  "$X graph split kn.tsv -o out.tr.tsv --test out.te.tsv -q --header; cat out.tr.tsv out.te.tsv | sort"
S2="$X graph split k.tsv -o out.tr.tsv --test out.te.tsv -q"
d "graph split --weighted" "$X graph split kw.tsv -o out.tr.tsv --test out.te.tsv -q" "$X graph split kw.tsv -o out.tr.tsv --test out.te.tsv -q --weighted"
d "graph split --directed" "$S2" "$S2 --directed"
d "graph split --no-cache" "rm -f k.tsv.*.lgraph; $S2; ls k.tsv.*" "rm -f k.tsv.*.lgraph; $S2 --no-cache; ls k.tsv.* 2>&1 | head -c 0"
d "graph split --holdout" "$S2" "$S2 --holdout 0.3"
d "graph split --output" "$X graph split k.tsv --test out.te.tsv -q" "$S2"
d "graph split --test" "$X graph split k.tsv -o out.tr.tsv -q" "$S2"
d "graph split --seed" "$S2" "$S2 --seed 2"
d "graph split --quiet" "$X graph split k.tsv -o out.tr.tsv --test out.te.tsv 2>&1 | wc -l" "$S2 2>&1 | wc -l"
$L train node2vec "$T/k.tsv" -o "$T/kv.lvec" --dim 8 -t 1 -q --seed 3
N="$X eval nodes kv.lvec $K/labels.tsv -t 1"
d "eval nodes --train-ratio" "$N" "$N --train-ratio 0.3"
d "eval nodes --repeats" "$N" "$N --repeats 3"
d "eval nodes --seed" "$N" "$N --seed 4"
d "eval nodes --C" "$N" "$N --C 0.001"
d "eval nodes --train-list" "$N" "head -10 $K/labels.tsv | cut -f1 > tl.txt; $N --train-list tl.txt"
d "eval nodes --threads" "$N --json | sed 's/\"train\".*//'" "$X eval nodes kv.lvec $K/labels.tsv -t 2 --json | sed 's/\"train\".*//'; echo t2"
d "eval nodes --json" "$N" "$N --json"
$L graph split "$T/k.tsv" -o "$T/ktr.tsv" --test "$T/kte.tsv" -q --holdout 0.2
$L train node2vec "$T/ktr.tsv" -o "$T/klp.lvec" --dim 8 -t 1 -q
E2="$X eval links klp.lvec kte.tsv"
d "eval links --op" "$E2" "$E2 --op average"
d "eval links --seed" "$E2 --op l2" "$E2 --op l2 --seed 5"
d "eval links --json" "$E2" "$E2 --json"
d "eval links --from" "cp klp.lvec klp.bin; $X eval links klp.bin kte.tsv" "cp klp.lvec klp.bin; $X eval links klp.bin kte.tsv --from native"
d "eval nodes --from" "cp kv.lvec kv.bin; $X eval nodes kv.bin $K/labels.tsv -t 1" "cp kv.lvec kv.bin; $X eval nodes kv.bin $K/labels.tsv -t 1 --from native"

# whole graphs: a small collection of rings and stars with a class each
awk 'BEGIN { for (g = 0; g < 40; g++) { n = 5 + g % 7; for (i = 1; i < n; i++) print "g" g "\t" (g % 2 ? 0 : i - 1) "\t" i; if (g % 2 == 0) print "g" g "\t" n - 1 "\t0" } }' > "$T/gs.tsv"
awk 'BEGIN { for (g = 0; g < 40; g++) print "g" g "\t" 8 + g % 7 }' > "$T/gs.nodes"
awk 'BEGIN { for (g = 0; g < 40; g++) print "g" g "\t" ((g % 2 + (g % 5 == 0) + (g % 7 == 3)) % 2) }' > "$T/gs.labels"
FE="$X train feather gs.tsv -o out.f.txt -q -t 1"
d "train feather --output" "$X train feather gs.tsv -q" "$FE"
d "train feather --format" "$FE" "$FE --format glove"
d "train feather --num-nodes" "$FE" "$FE --num-nodes gs.nodes"
d "train feather --order" "$FE" "$FE --order 2"
d "train feather --eval-points" "$FE" "$FE --eval-points 5"
d "train feather --theta-max" "$FE" "$FE --theta-max 1"
d "train feather --threads" "$X train feather gs.tsv -o out.f.txt -t 1 2>&1 | sed 's/in [0-9.]*s//'; echo 1" "$X train feather gs.tsv -o out.f.txt -t 2 2>&1 | sed 's/in [0-9.]*s//'"
d "train feather --quiet" "$X train feather gs.tsv -o out.f.txt 2>&1 | wc -l" "$FE 2>&1 | wc -l"
H2="$X train degree-histogram gs.tsv -o out.h.txt -q"
d "train degree-histogram --output" "$X train degree-histogram gs.tsv -q" "$H2"
d "train degree-histogram --format" "$H2" "$H2 --format glove"
d "train degree-histogram --num-nodes" "$H2" "$H2 --num-nodes gs.nodes"
d "train degree-histogram --bins" "$H2" "$H2 --bins 3"
d "train degree-histogram --quiet" "$X train degree-histogram gs.tsv -o out.h.txt 2>&1 | wc -l" "$H2 2>&1 | wc -l"
$L train feather "$T/gs.tsv" -o "$T/gs.lvec" -q -t 1
EG="$X eval graphs gs.lvec gs.labels -t 1"
d "eval graphs --folds" "$EG" "$EG --folds 4"
d "eval graphs --seed" "$EG" "$EG --seed 3"
d "eval graphs --C" "$EG" "$EG --C 0.0001"
d "eval graphs --classifier" "$EG" "$EG --classifier svm"
d "eval graphs --gamma" "$EG --classifier svm" "$EG --classifier svm --gamma 1000"
d "eval graphs --threads" "$EG --json; echo 1" "$X eval graphs gs.lvec gs.labels -t 2 --json"
d "eval graphs --json" "$EG" "$EG --json"
d "eval graphs --from" "cp gs.lvec gs.bin; $X eval graphs gs.bin gs.labels -t 1" "cp gs.lvec gs.bin; $X eval graphs gs.bin gs.labels -t 1 --from native"

FP="$X fit pca v.lvec -o out.p.lmodel -q --dim 3"
d "fit pca --output" "$X fit pca v.lvec -q --dim 3" "$FP"
d "fit pca --dim" "$FP" "$X fit pca v.lvec -o out.p.lmodel -q --dim 4"
d "fit pca --whiten" "$FP" "$FP --whiten"
d "fit pca --encode-out" "$FP" "$FP --encode-out out.pe.txt"
$L convert "$T/v.lvec" "$T/v.npy"
d "fit pca --stream" "$X fit pca v.npy -o out.p.lmodel --dim 3 2>&1 | sed 's/in [0-9.]*s//'" "$X fit pca v.npy -o out.p.lmodel --dim 3 --stream 2>&1 | sed 's/in [0-9.]*s//'; $X fit pca v.lvec --stream -o x.lmodel 2>&1 | head -c 60"
d "fit pca --scale" "$FP" "$FP --scale standard"
d "fit pca --solver" "$FP" "$FP --solver randomized"
d "fit pca --oversample" "$FP --solver randomized" "$FP --oversample 2"
d "fit pca --power-iters" "$FP --solver randomized" "$FP --power-iters 0"
d "fit pca --seed" "$FP --solver randomized --power-iters 0" "$FP --power-iters 0 --seed 2"
d "fit pca --from" "cp v.lvec v.bin; $X fit pca v.bin -o out.p.lmodel -q --dim 3" "cp v.lvec v.bin; $X fit pca v.bin -o out.p.lmodel -q --dim 3 --from native"
d "fit pca --threads" "$FP -t 1; echo 1" "$FP -t 2"
d "fit pca --quiet" "$X fit pca v.lvec -o out.p.lmodel --dim 3 2>&1 | wc -l" "$FP 2>&1 | wc -l"
$L fit pca "$T/v.lvec" -o "$T/p.lmodel" -q --dim 3
EN="$X encode p.lmodel v.lvec -o out.e.txt -q"
d "encode --output" "$X encode p.lmodel v.lvec -q" "$EN"
d "encode --format" "$EN" "$EN --format glove"
d "encode --from" "cp v.lvec v.bin; $X encode p.lmodel v.bin -o out.e.txt -q" "cp v.lvec v.bin; $X encode p.lmodel v.bin -o out.e.txt -q --from native"
$L encode "$T/p.lmodel" "$T/v.lvec" -o "$T/e0.txt" -q
d "encode --inverse" "$X encode p.lmodel e0.txt -o out.e.txt -q" "$X encode p.lmodel e0.txt -o out.e.txt -q --inverse"
d "encode --threads" "$EN -t 1; echo 1" "$EN -t 2"
d "encode --quiet" "$X encode p.lmodel v.lvec -o out.e.txt 2>&1 | sed 's/in [0-9.]*s//' | wc -l" "$EN 2>&1 | wc -l"

n=$($L info "$T/v.lvec" --json | sed 's/.*"rows": \([0-9]*\).*/\1/')
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) print (i % 3 ? "x" : "y") (i % 2) }' > "$T/v.cls"
PR="$X eval probe v.lvec v.cls --test v.lvec v.cls -t 1"
d "eval probe --test" "$X eval probe v.lvec v.cls -t 1" "$PR"
d "eval probe --cv" "$PR" "$X eval probe v.lvec v.cls --cv 3 -t 1"
d "eval probe --classifier" "$PR" "$PR --classifier knn"
d "eval probe --C" "$PR" "$PR --C 0.001"
d "eval probe --max-iter" "$PR" "$PR --max-iter 2"
d "eval probe --tol" "$PR" "$PR --tol 0.1"
d "eval probe --standardize" "$PR" "$PR --standardize"
d "eval probe --k" "$PR --classifier knn" "$PR --classifier knn -k 1"
d "eval probe --weights" "$PR --classifier knn" "$PR --classifier knn --weights distance"
d "eval probe --metric" "$PR --classifier knn -k 9" "$PR --classifier knn -k 9 --metric cosine"
d "eval probe --seed" "$X eval probe v.lvec v.cls --cv 3 -t 1" "$X eval probe v.lvec v.cls --cv 3 -t 1 --seed 4"
d "eval probe --threads" "$PR --json | sed 's/.seconds.*//'; echo 1" "$X eval probe v.lvec v.cls --test v.lvec v.cls -t 2 --json | sed 's/.seconds.*//'"
d "eval probe --json" "$PR" "$PR --json"
d "eval probe --from" "cp v.lvec v.bin; $X eval probe v.bin v.cls --cv 3" "cp v.lvec v.bin; $X eval probe v.bin v.cls --cv 3 --from native"

awk 'BEGIN { srand(3); print "1500 3"; for (i = 0; i < 1500; i++) printf "r%d %.4f %.4f %.4f\n", i, rand(), rand(), rand() }' > "$T/big.txt"
for k in rff nystroem kpca; do
    FK="$X fit $k v.lvec -o out.k.lmodel -q --dim 3"
    d "fit $k --output" "$X fit $k v.lvec -q --dim 3" "$FK"
    d "fit $k --dim" "$FK" "$X fit $k v.lvec -o out.k.lmodel -q --dim 4"
    kk=poly; [ $k = rff ] && kk=laplacian
    d "fit $k --kernel" "$FK" "$FK --kernel $kk"
    d "fit $k --gamma" "$FK" "$FK --gamma 0.5"
    d "fit $k --scale" "$FK" "$FK --scale standard"
    d "fit $k --seed" "$X fit $k big.txt -o out.k.lmodel -q --dim 3" "$X fit $k big.txt -o out.k.lmodel -q --dim 3 --seed 9"
    d "fit $k --from" "cp v.lvec v.bin; $X fit $k v.bin -o out.k.lmodel -q --dim 3" "cp v.lvec v.bin; $X fit $k v.bin -o out.k.lmodel -q --dim 3 --from native"
    d "fit $k --threads" "$FK -t 1; echo 1" "$FK -t 2"
    d "fit $k --quiet" "$X fit $k v.lvec -o out.k.lmodel --dim 3 2>&1 | wc -l" "$FK 2>&1 | wc -l"
    if [ $k = rff ]; then
        (cd "$T" && $X fit rff v.lvec -o x.lmodel --kernel poly) > /dev/null 2>&1
        [ $? = 1 ] && ok "fit rff refuses a poly kernel" || no "fit rff accepted a poly kernel"
    else
        d "fit $k --degree" "$FK --kernel poly" "$FK --kernel poly --degree 2"
        d "fit $k --coef0" "$FK --kernel poly" "$FK --kernel poly --coef0 0.5"
        FL="$X fit $k big.txt -o out.k.lmodel -q --dim 3"
        [ $k = kpca ] && FL="$FL --solver nystroem --n-landmarks 20"
        d "fit $k --landmarks" "$FL" "$FL --landmarks kmeans++"
        d "fit $k --kmeans-iters" "$FL --landmarks kmeans++" "$FL --landmarks kmeans++ --kmeans-iters 0"
    fi
done
d "fit kpca --solver" "$X fit kpca big.txt -o out.k.lmodel -q --dim 3" "$X fit kpca big.txt -o out.k.lmodel -q --dim 3 --solver nystroem"
d "fit kpca --n-landmarks" "$X fit kpca big.txt -o out.k.lmodel -q --dim 3 --solver nystroem" "$X fit kpca big.txt -o out.k.lmodel -q --dim 3 --n-landmarks 30"
for bad in "fit kpca v.lvec -o x.lmodel --solver exact --n-landmarks 5" "fit nystroem v.lvec -o x.lmodel --kmeans-iters 2"; do
    (cd "$T" && $X $bad) > /dev/null 2>&1
    [ $? = 2 ] && ok "refused: $bad" || no "accepted: $bad"
done

printf 'n,c,y\n1.5,a,p\n2,b,q\n3,a,p\n4,?,q\n5,c,p\n6,a,q\n' > "$T/t.csv"
printf 'n,c,y\n1,a,p\n2,z,q\n3,,p\n' > "$T/t2.csv"
for k in onehot ordinal hash; do
    FC="$X fit $k t.csv -o out.c.lmodel -q"
    d "fit $k --output" "$X fit $k t.csv -q" "$FC"
    d "fit $k --label" "$FC" "$FC --label y"
    d "fit $k --missing" "$FC" "$FC --missing b"
    d "fit $k --all-categorical" "$FC" "$FC --all-categorical"
    d "fit $k --quiet" "$X fit $k t.csv -o out.c.lmodel 2>&1 | wc -l" "$FC 2>&1 | wc -l"
    if [ $k = hash ]; then d "fit $k --dim" "$FC" "$FC --dim 8"
    else
        $L fit $k "$T/t.csv" -o "$T/c1.lmodel" -q; $L fit $k "$T/t.csv" -o "$T/c2.lmodel" -q --handle-unknown ignore
        d "fit $k --handle-unknown" "$X encode c1.lmodel t2.csv -o out.z.txt -q" "$X encode c2.lmodel t2.csv -o out.z.txt -q"
        d "fit $k --min-frequency" "$FC" "$FC --min-frequency 2"
    fi
done
$L fit onehot "$T/t.csv" -o "$T/c3.lmodel" -q --label y
d "encode --labels-out" "$X encode c3.lmodel t.csv -o out.z.txt -q" "$X encode c3.lmodel t.csv -o out.z.txt -q --labels-out out.lab"

GL="$X train glove c.txt -o out.g.txt --dim 8 --epochs 2 -t 1 -q"
d "train glove --output" "$X train glove c.txt --dim 8 --epochs 2 -t 1 -q" "$GL"
d "train glove --format" "$GL" "$GL --format glove"
d "train glove --dim" "$GL" "$GL --dim 9"
d "train glove --window" "$GL" "$GL --window 3"
d "train glove --x-max" "$GL" "$GL --x-max 5"
d "train glove --weight-power" "$GL" "$GL --weight-power 0.5"
d "train glove --alpha" "$GL" "$GL --alpha 0.1"
d "train glove --bias-alpha" "$GL" "$GL --bias-alpha 0.05"
d "train glove --epochs" "$GL" "$GL --epochs 3"
d "train glove --min-count" "$GL" "$GL --min-count 20"
d "train glove --max-vocab" "$GL" "$GL --max-vocab 50"
d "train glove --memory" "$X train glove c.txt -o out.g.txt --dim 8 --epochs 2 -t 1 2>&1 | sed 's/[0-9.]*s//g'" "$X train glove c.txt -o out.g.txt --dim 8 --epochs 2 -t 1 --memory 0.0002 2>&1 | sed 's/[0-9.]*s//g'"
d "train glove --vectors" "$GL" "$GL --vectors word"
d "train glove --asymmetric" "$GL" "$GL --asymmetric"
d "train glove --no-distance-weighting" "$GL" "$GL --no-distance-weighting"
d "train glove --grad-clip" "$GL" "$GL --grad-clip 0.001"
d "train glove --lower" "printf 'The the THE cat Cat\\n%.0s' \$(seq 50) > up.txt; $X train glove up.txt -o out.g.txt --dim 4 --epochs 1 -t 1 -q --min-count 1" "printf 'The the THE cat Cat\\n%.0s' \$(seq 50) > up.txt; $X train glove up.txt -o out.g.txt --dim 4 --epochs 1 -t 1 -q --min-count 1 --lower"
d "train glove --save-vocab" "$GL" "$GL --save-vocab out.voc"
d "train glove --cooccur-out" "$GL" "$GL --cooccur-out out.cooc"
d "train glove --f16" "$X train glove c.txt -o out.g.lvec --dim 8 --epochs 2 -t 1 -q" "$X train glove c.txt -o out.g.lvec --dim 8 --epochs 2 -t 1 -q --f16"
d "train glove --threads" "$GL; echo 1" "$X train glove c.txt -o out.g.txt --dim 8 --epochs 2 -t 2 -q"
d "train glove --seed" "$GL" "$GL --seed 5"
d "train glove --checkpoint" "$GL" "$GL --checkpoint out.gck"
d "train glove --resume" "$GL" "$X train glove c.txt -o g0.txt --dim 8 --epochs 1 -t 1 -q --seed 4 --checkpoint gck.lmodel; $GL --resume gck.lmodel 2>&1 | head -c 300"
d "train glove --quiet" "$X train glove c.txt -o out.g.txt --dim 8 --epochs 2 -t 1 2>&1 | sed 's/[0-9.]*s//g'" "$GL"

# learned encoders: tiny rows in [0, 1], 8x8 images with 3 classes, a table with two categorical columns
awk 'BEGIN { srand(3); for (j = 1; j <= 16; j++) printf "%sc%d", (j > 1 ? "," : ""), j; print ""
             for (i = 0; i < 60; i++) { for (j = 1; j <= 16; j++) printf "%s%.4f", (j > 1 ? "," : ""), (sin(i * j * 0.37) + 1) / 2; print "" } }' > "$T/ae.csv"
awk 'BEGIN { for (j = 1; j <= 64; j++) printf "%sp%d", (j > 1 ? "," : ""), j; print ""
             for (i = 0; i < 60; i++) { for (j = 1; j <= 64; j++) printf "%s%d", (j > 1 ? "," : ""), ((j * (i % 3 + 1)) % 17) * 15; print "" } }' > "$T/img.csv"
awk 'BEGIN { for (i = 0; i < 60; i++) print i % 3 }' > "$T/img.labels"
awk 'BEGIN { print "a,b,x,y"; for (i = 0; i < 80; i++) printf "%s,%s,%.3f,%s\n", substr("pqr", i % 3 + 1, 1), substr("stuv", i % 4 + 1, 1), sin(i), (i % 3 == 0 || i % 4 == 1) ? "yes" : "no" }' > "$T/tab.csv"
NN_AE="$X train autoencoder ae.csv -o out.n.lmodel -q --epochs 2 --batch 8 --arch 16-8-4-8-16 -t 1"
NN_CNN="$X train cnn img.csv img.labels -o out.n.lmodel -q --epochs 2 --batch 8 --arch c4k3-p2-f8-f3 -t 1 --scale unit"
NN_ENT="$X train entity tab.csv --target y -o out.n.lmodel -q --epochs 2 --batch 8 --arch f8 -t 1"
for k in autoencoder cnn entity; do
    case $k in autoencoder) B=$NN_AE; I="ae.csv";; cnn) B=$NN_CNN; I="img.csv img.labels";; entity) B=$NN_ENT; I="tab.csv --target y";; esac
    NB=$(printf '%s' "$B" | sed 's/ -o out.n.lmodel//')
    d "train $k --output" "$NB" "$B"
    d "train $k --epochs" "$B" "$B --epochs 3"
    d "train $k --batch" "$B" "$B --batch 16"
    d "train $k --lr" "$B" "$B --lr 0.01"
    d "train $k --optim" "$B" "$B --optim sgd"
    d "train $k --weight-decay" "$B" "$B --weight-decay 0.5"
    d "train $k --momentum" "$B --optim sgd" "$B --optim sgd --momentum 0.9"
    d "train $k --nesterov" "$B --optim sgd --momentum 0.9" "$B --optim sgd --momentum 0.9 --nesterov"
    d "train $k --schedule" "$B" "$B --schedule cosine"
    d "train $k --step-epochs" "$B --schedule step --epochs 3" "$B --schedule step --epochs 3 --step-epochs 1"
    d "train $k --step-gamma" "$B --schedule step --step-epochs 1" "$B --schedule step --step-epochs 1 --step-gamma 0.5"
    d "train $k --warmup" "$B" "$B --warmup 3"
    d "train $k --clip-norm" "$B" "$B --clip-norm 0.001"
    d "train $k --val" "$B" "$B --val 0.2"
    d "train $k --no-shuffle" "$B" "$B --no-shuffle"
    d "train $k --max-steps" "$B" "$B --max-steps 2"
    d "train $k --checkpoint" "$B" "$B --checkpoint out.ck"
    d "train $k --resume" "$B" "$B -s 5 --epochs 1 -o ck0.lmodel --checkpoint ck.lmodel; $B --resume ck.lmodel"
    d "train $k --seed" "$B" "$B -s 2"
    d "train $k --init" "$B" "$B --init $([ $k = entity ] && echo he || echo torch)"   # the other rule than the default
    d "train $k --threads" "$B; echo 1" "$B -t 2"
    d "train $k --json" "$B" "$B --json | sed 's/[0-9.e-]*//g'"
    d "train $k --quiet" "$(printf '%s' "$B" | sed 's/ -q//') 2>&1 | sed 's/[0-9.]*s//g' | wc -l" "$B 2>&1 | wc -l"
    d "train $k --arch" "$B" "$(printf '%s' "$B" | sed 's/--arch [^ ]*//') --arch $(case $k in autoencoder) echo 16-6-16;; cnn) echo c2k3-f3;; entity) echo f4-f4;; esac)"
    case $k in
    autoencoder)
        d "train $k --loss" "$B" "$B --loss bce"
        d "train $k --scale" "$B" "$B --scale minmax"
        d "train $k --from" "cp ae.csv ae.dat; $(printf '%s' "$B" | sed 's/ae.csv/ae.dat/')" "cp ae.csv ae.dat; $(printf '%s' "$B" | sed 's/ae.csv/ae.dat/') --from csv"
        d "train $k --test" "$B --json" "$B --json --test ae.csv";;
    cnn)
        d "train $k --scale" "$B" "$B --scale standard"
        d "train $k --shape" "$B" "$(printf '%s' "$B" | sed 's/--arch [^ ]*/--arch c4k3-f3/') --shape 4x16x1"
        d "train $k --from" "cp img.csv img.dat; $(printf '%s' "$B" | sed 's/img.csv/img.dat/')" "cp img.csv img.dat; $(printf '%s' "$B" | sed 's/img.csv/img.dat/') --from csv"
        d "train $k --test" "$B --json" "$B --json --test img.csv --test-labels img.labels"
        d "train $k --test-labels" "$B --json --test img.csv" "$B --json --test img.csv --test-labels img.labels"
        IM="$X train cnn ../../../tests/fixtures/images/train -o out.n.lmodel -q --epochs 1 --arch c2k3-f2 -t 1"
        d "train $k --resize" "$X train cnn ../../../tests/fixtures/images/mixed -o out.n.lmodel -q --epochs 1 --arch c2k3-f1" "$X train cnn ../../../tests/fixtures/images/mixed -o out.n.lmodel -q --epochs 1 --arch c2k3-f1 --resize"
        d "train $k --channels" "$IM" "$IM --channels 3";;
    entity)
        d "train $k --target" "$(printf '%s' "$B" | sed 's/--target y //')" "$B"
        d "train $k --dims" "$B" "$B --dims 1,1"
        d "train $k --missing" "$B" "$B --missing p"
        d "train $k --test" "$B --json" "$B --json --test tab.csv";;
    esac
done
$L train autoencoder "$T/ae.csv" -o "$T/ae.lmodel" -q --epochs 2 --arch 16-8-4-8-16 -t 1
$L train entity "$T/tab.csv" --target y -o "$T/ent.lmodel" -q --epochs 2 -t 1 --arch f8
d "encode --layer" "$X encode ae.lmodel ae.csv -o out.e.txt -q" "$X encode ae.lmodel ae.csv -o out.e.txt -q --layer output"
d "encode --batch" "$X encode ae.lmodel ae.csv -o out.e.txt" "$X encode ae.lmodel ae.csv -o out.e.txt --batch 1 2>&1 | grep -c 'rows per pass'"
d "encode --column" "$X encode ent.lmodel tab.csv -o out.e.txt -q" "$X encode ent.lmodel --column a -o out.e.txt -q"

# report: the fixture vectors, their own rows as the source, labels from the first letter
awk 'NR > 1 { print substr($1, 1, 1) }' "$T/v.txt" > "$T/v.lab"
RP="$X report v.lvec -q --sample 200"
d "report --labels" "$RP" "$RP --labels v.lab"
d "report --source" "$RP" "$RP --source v.txt"
d "report --k" "$RP" "$RP --k 5"
d "report --sample" "$RP" "$RP --sample 100"
d "report --seed" "$RP" "$RP --seed 2"
d "report --from" "cp v.lvec v.bin; $X report v.bin -q --sample 200" "cp v.lvec v.bin; $X report v.bin -q --sample 200 --from native"
d "report --output" "$RP" "$RP -o out.r.tsv"
d "report --json" "$RP" "$RP --json"
d "report --threads" "$X report v.lvec --sample 200 -t 1 2>&1 | sed 's/in [0-9.]*s//'" "$X report v.lvec --sample 200 -t 2 2>&1 | sed 's/in [0-9.]*s//'"
d "report --map-rows" "$RP -o out.r.html" "$RP -o out.r.html --map-rows 50"
$L encode "$T/ae.lmodel" "$T/ae.csv" -o "$T/ae_code.txt" -q
d "report --model" "$X report ae_code.txt -q --source ae.csv" "$X report ae_code.txt -q --source ae.csv --model ae.lmodel"
mkdir -p "$T/evd"
awk 'NR > 1 && NR < 6 { printf "%s%s", $1, (NR % 4 == 1 ? "\n" : " ") } END { print "" }' "$T/v.txt" | sed '1i : section' > "$T/evd/analogy.txt"
d "report --eval-dir" "$RP --json" "$RP --json --eval-dir evd"
d "report --quiet" "$X report v.lvec --sample 200 2>&1 | sed 's/[0-9.]*s$//' | wc -l" "$RP 2>&1 | wc -l"
head -121 "$T/v.txt" | tail -120 | awk 'BEGIN { print "120 16" } { print }' > "$T/m120.txt"
MP="$X map m120.txt -o out.m.tsv -q --iters 300"
d "map --output" "$X map m120.txt -q --iters 300" "$MP"
d "map --method" "$X map m120.txt -o out.m.tsv -q" "$X map m120.txt -o out.m.tsv -q --method pca"
d "map --solver" "$MP" "$MP --solver barnes-hut"
MB="$MP --solver barnes-hut"
d "map --theta" "$MB" "$MB --theta 0.2"
MU="$X map m120.txt -o out.m.tsv -q --method umap --epochs 100"
d "map --neighbors" "$MU" "$MU --neighbors 8"
d "map --min-dist" "$MU" "$MU --min-dist 0.5"
d "map --epochs" "$MU" "$X map m120.txt -o out.m.tsv -q --method umap --epochs 60"
d "map --seed" "$MU" "$MU --seed 7"
d "map --threads" "$X map m120.txt -o out.m.tsv --iters 300 -t 1 2>&1 | sed 's/in [0-9.]*s//'" "$X map m120.txt -o out.m.tsv --iters 300 -t 2 2>&1 | sed 's/in [0-9.]*s//'"
d "map --perplexity" "$MP" "$MP --perplexity 10"
d "map --iters" "$MP" "$X map m120.txt -o out.m.tsv -q --iters 260"
d "map --from" "cp m120.txt m120.bin; $X map m120.bin -o out.m.tsv -q --iters 300" "cp m120.txt m120.bin; $X map m120.bin -o out.m.tsv -q --iters 300 --from w2v-txt"
d "map --json" "$MP" "$MP --json | sed 's/[0-9.]*//g'"
d "map --quiet" "$X map m120.txt -o out.m.tsv --iters 300 2>&1 | sed 's/[0-9.]*s //' | wc -l" "$MP 2>&1 | wc -l"
$L map "$T/m120.txt" -o "$T/m120.tsv" -q --method pca
awk 'NR > 1 { print substr($1, 1, 1) }' "$T/m120.txt" > "$T/m120.lab"
PL="$X plot m120.tsv -o out.p.png -q"
d "plot --output" "$X plot m120.tsv -q" "$PL"
d "plot --labels" "$PL" "$PL --labels m120.lab"
d "plot --title" "$PL" "$PL --title hello"
d "plot --size" "$PL" "$PL --size 400x300"
d "plot --point" "$PL" "$PL --point 5"
d "plot --show" "$PL" "$PL --show 10"
d "plot --from" "cp m120.tsv m120.bin; $X plot m120.bin -o out.p.png -q" "cp m120.tsv m120.bin; $X plot m120.bin -o out.p.png -q --from csv"
d "plot --quiet" "$X plot m120.tsv -o out.p.png 2>&1 | wc -l" "$PL 2>&1 | wc -l"
printf 'tool\tdata\tef\trecall\tqps\na\tx\t10\t0.9\t900\na\tx\t20\t0.95\t500\nb\tx\t10\t0.8\t800\nb\tx\t20\t0.97\t300\nb\ty\t20\t0.5\t30\na\tx\t-\t-\t1\n' > "$T/rq.tsv"
awk 'BEGIN { print "letter\tparity" } { print $1 "\t" NR % 2 }' "$T/m120.lab" > "$T/m120.meta"
PT="$X plot rq.tsv -o out.p.png -q --x recall --y qps"
d "plot --x" "$X plot rq.tsv -o out.p.png -q --x ef --y qps" "$PT"
d "plot --y" "$X plot rq.tsv -o out.p.png -q --x recall --y ef" "$PT"
d "plot --color-by" "$PT" "$PT --color-by tool"
d "plot --where" "$PT" "$PT --where data=x"
d "plot --line" "$PT --color-by tool" "$PT --color-by tool --line"
d "plot --logx" "$PT" "$PT --logx"
d "plot --logy" "$PT" "$PT --logy"
d "plot --xlabel" "$PT" "$PT --xlabel 'recall at 10'"
d "plot --ylabel" "$PT" "$PT --ylabel 'queries per second'"
d "plot --color-by (map)" "$PL --labels m120.meta --color-by letter" "$PL --labels m120.meta --color-by parity"
# -q on every command: "no notes or warnings on stderr". Where a command prints notes, -q removes
# them; the commands that print nothing but errors on success are listed and checked to be silent
printf 'label,c1,c2\n"a b",1,2\nc,3,4\n' > "$T/sp.csv"
printf 'src\tdst\n1\t2\n2\t3\n' > "$T/hdr.tsv"
d "convert --quiet" "$X convert sp.csv out.s.txt" "$X convert sp.csv out.s.txt -q"
d "doesnt-match --quiet" "$X doesnt-match v.lvec whale ship sea zzqq" "$X doesnt-match v.lvec whale ship sea zzqq -q"
d "graph info --quiet" "$X graph info hdr.tsv" "$X graph info hdr.tsv -q"
a=$( (cd "$T" && printf 'whale\nzzqq\n' | $X similar v.lvec -i - 2>&1 >/dev/null) | wc -l)
b=$( (cd "$T" && printf 'whale\nzzqq\n' | $X similar v.lvec -i - -q 2>&1 >/dev/null) | wc -l)
COVERED="$COVERED|similar --quiet|"
[ "$a" = 2 ] && [ "$b" = 1 ] && ok "similar --quiet: the skipped-line notes go, the summary (exit 1) stays" || no "similar --quiet ($a vs $b lines)"
silent() {   # KEY CMD: succeeds, nothing on stderr without -q, and -q is accepted
    COVERED="$COVERED|$1|"
    e=$( (cd "$T" && sh -c "$2" 2>&1 >/dev/null); echo "rc=$?")
    q=$( (cd "$T" && sh -c "$2 -q" 2>&1 >/dev/null); echo "rc=$?")
    [ "$e" = "rc=0" ] && [ "$q" = "rc=0" ] && ok "$1 (nothing to silence: stderr is empty on success)" \
        || no "$1: stderr or failure: $e / $q"
}
silent "analogy --quiet" "$X analogy v.lvec man king woman"
silent "similarity --quiet" "$X similarity v.lvec whale ship"
silent "vector --quiet" "$X vector v.lvec whale"
silent "info --quiet" "$X info v.lvec"
silent "vocab --quiet" "$X vocab c.txt"
silent "index info --quiet" "$X index info v.lhnsw"
silent "eval analogy --quiet" "$X eval analogy v.lvec ana.txt"
silent "eval similarity --quiet" "$X eval similarity v.lvec pairs.tsv"
silent "eval recall --quiet" "$R"
silent "eval probe --quiet" "$PR"
silent "eval nodes --quiet" "$N"
silent "eval links --quiet" "$E2"
silent "eval graphs --quiet" "$EG"
# serve, a daemon: each case starts it without and with the option, makes the same request,
# and compares the start line and the answer (status and body, the port number masked; the
# request's words are split at spaces, so its JSON has none)
SE=tests/fixtures/encoders/distilbert/st
svrun() { # SERVER-ARGS | REQUEST (curl arguments, URL path last, after ' -- ')
    args=${1%% -- *}; req=${1#* -- }
    eval "exec $L serve $args" > /dev/null 2> "$T/sv.err" & svp=$!
    su=
    for i in $(seq 1 100); do
        su=$(sed -n 's/^latent: serving on \(http:[^ ]*\) .*/\1/p' "$T/sv.err")
        [ -n "$su" ] && break; kill -0 $svp 2>/dev/null || break; sleep 0.1
    done
    [ -n "$su" ] || su=http://127.0.0.1:${FIXED_PORT:-1}
    set -- $req; path=$(eval echo \$$#)
    out=$(eval "curl -s -m 5 -w ' %{http_code}' $(echo "$req" | sed 's/ *[^ ]*$//') $su$path" 2>&1)
    kill -TERM $svp 2>/dev/null; wait $svp 2>/dev/null
    echo "$out"; sed 's/:[0-9][0-9]*/:PORT/' "$T/sv.err"
}
sd() { # KEY BASE VARIANT
    COVERED="$COVERED|$1|"
    a=$(svrun "$2"); b=$(svrun "$3")
    if [ "$a" != "$b" ]; then ok "$1"; else no "$1: no effect ($(printf '%s' "$b" | head -c 300))"; fi
}
SV="--listen 127.0.0.1:0 -t 1 --model e=$SE"
sd "serve --model" "--listen 127.0.0.1:0 --vectors w=$T/v.lvec -- /info" "--listen 127.0.0.1:0 --vectors w=$T/v.lvec --model e=$SE -- /info"
sd "serve --vectors" "$SV -- /similar?word=whale" "$SV --vectors v=$T/v.lvec -- /similar?word=whale"
cp "$T/v.lhnsw" "$T/sv.lhnsw"
sd "serve --index" "$SV -- /info" "$SV --index i=$T/sv.lhnsw -- /info"
$L map "$T/v.lvec" -o "$T/vmap.tsv" --method pca -q
sd "serve --map" "$SV --vectors v=$T/v.lvec -- /map?vectors=v" "$SV --vectors v=$T/v.lvec --map v=$T/vmap.tsv -- /map?vectors=v"
sd "serve --listen" "-t 1 --model e=$SE -- /health" "--listen localhost:0 -t 1 --model e=$SE -- /health"
sd "serve --threads" "$SV -- /info" "$SV -t 2 -- /info"
sd "serve --http-threads" "$SV -- /health" "$SV --http-threads 1 -- /health"
sd "serve --max-batch-tokens" "$SV -- /info" "$SV --max-batch-tokens 64 -- /info"
sd "serve --max-batch-inputs" "$SV -- /info" "$SV --max-batch-inputs 3 -- /info"
sd "serve --max-concurrent" "$SV -- /info" "$SV --max-concurrent 7 -- /info"
sd "serve --max-body" "$SV -- -d '{\"inputs\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}' /embed" \
    "$SV --max-body 64 -- -d '{\"inputs\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}' /embed"
sd "serve --auto-truncate" "$SV -- -d '{\"inputs\":\"$(printf 'word%.0s,' $(seq 1 200))\"}' /embed" "$SV --auto-truncate -- -d '{\"inputs\":\"$(printf 'word%.0s,' $(seq 1 200))\"}' /embed"
sd "serve --max-inputs" "$SV -- -d '{\"inputs\":[\"a\",\"b\",\"c\"]}' /embed" "$SV --max-inputs 2 -- -d '{\"inputs\":[\"a\",\"b\",\"c\"]}' /embed"
printf 'the-key\n' > "$T/keys"
sd "serve --api-key-file" "$SV -- /info" "$SV --api-key-file $T/keys -- /info"
sd "serve --read-only" "$SV --index i=$T/sv.lhnsw -- -d '{\"index\":\"i\",\"ids\":[99999],\"vectors\":[[$(seq -s, 16 | sed 's/[0-9]*/0.5/g')]]}' /index/add" \
    "$SV --index i=$T/sv.lhnsw --read-only -- -d '{\"index\":\"i\",\"ids\":[99999],\"vectors\":[[$(seq -s, 16 | sed 's/[0-9]*/0.5/g')]]}' /index/add"
# --timeout: an idle connection is closed after it (not after the default 30 s)
COVERED="$COVERED|serve --timeout|"
$L serve --listen 127.0.0.1:0 --model e=$SE --timeout 1 > /dev/null 2> "$T/sv.err" & svp=$!
sleep 1; su=$(sed -n 's/^latent: serving on http:\/\/\([^ ]*\) .*/\1/p' "$T/sv.err")
idle=$(/usr/bin/python3 -c "
import socket, sys, time
h, p = sys.argv[1].split(':'); s = socket.create_connection((h, int(p))); s.settimeout(4)
t = time.time()
try: r = s.recv(1)
except socket.timeout: r = None
print('closed' if r == b'' and time.time() - t < 3.5 else 'open')" "$su" 2>&1)
kill -TERM $svp; wait $svp
[ "$idle" = closed ] && ok "serve --timeout" || no "serve --timeout: idle connection $idle"
COVERED="$COVERED|serve --quiet|"
FIXED_PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
a=$(svrun "--listen 127.0.0.1:$FIXED_PORT --model e=$SE -- /health"); b=$(FIXED_PORT=$FIXED_PORT svrun "--listen 127.0.0.1:$FIXED_PORT --model e=$SE -q -- /health")
case "$b" in *"{} 200"*) [ "$a" != "$b" ] && ! grep -q . "$T/sv.err" && ok "serve --quiet" || no "serve --quiet: $b" ;; *) no "serve --quiet did not answer: $b" ;; esac

# coverage: every option that --help lists has a case above
for c in convert similar analogy similarity doesnt-match vector info vocab search embed tokenize rerank classify "train word2vec" "train fasttext" "train glove" \
         "train node2vec" "train deepwalk" "graph info" "graph split" "eval nodes" "eval links" \
         "train feather" "train degree-histogram" "eval graphs" "fit pca" encode "eval probe" "fit rff" "fit nystroem" "fit kpca" "fit onehot" "fit ordinal" "fit hash" \
         "train autoencoder" "train cnn" "train entity" report map plot serve "index build" "index add" "index delete" "index info" "eval analogy" "eval similarity" "eval recall"; do
    opts=$($L $c --help | awk '/^options:/ { on = 1; next } on' | grep -oE '^ +(-., )?--[A-Za-z0-9-]+' | sed 's/.*--//' | grep -v '^help$')
    [ -n "$opts" ] || { no "$c --help lists no options"; continue; }
    for o in $opts; do
        case "$COVERED" in *"|$c --$o|"*) ;; *) no "no test for '$c --$o'";; esac
    done
    $L $c --no-such-option > /dev/null 2> "$T/err"; rc=$?
    if [ $rc = 2 ] && grep -q "not an option" "$T/err"; then ok "$c rejects unknown options"; else no "$c --no-such-option exit $rc"; fi
done
# options a command does not honour are rejected (the cases of the issue)
for cmdline in "convert v.lvec out.x.txt --restrict 5" "similar v.lvec whale --mul" "similar v.lvec whale -o x" \
               "similar v.lvec whale --to vec" "index build v.lvec -o x.lhnsw --first-id 3" "info v.lvec -k 3"; do
    (cd "$T" && $X $cmdline) > /dev/null 2>&1; rc=$?
    [ $rc = 2 ] && ok "rejected: $cmdline" || no "accepted: $cmdline (exit $rc)"
done
(cd "$T" && $X search v.lhnsw --word whale --base v.lvec --metric l2) > /dev/null 2>&1
[ $? = 2 ] && ok "search: --metric cannot change an index's metric" || no "search --metric on an index accepted"
$L train word2vec "$T/c.txt" -o "$T/x.txt" --resume --checkpoint "$T/ck2" --dim 5 > /dev/null 2>&1
[ $? = 2 ] && ok "--dim with --resume rejected" || no "--dim with --resume accepted"
[ "$($L help similar)" = "$($L similar --help)" ] && ok "latent help CMD" || no "latent help CMD"
[ "$($L help index build)" = "$($L index build --help)" ] && ok "latent help CMD SUB" || no "latent help CMD SUB"

echo "$P passed, $F failed"
[ "$F" = 0 ]
