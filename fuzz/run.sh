#!/bin/sh
# Builds each harness with clang's libFuzzer + ASan/UBSan and runs it briefly
# (FUZZ_SECONDS each, default 20), seeded from small valid inputs; FUZZ_ONLY="graph ..."
# runs some of them.
set -e
S=${FUZZ_SECONDS:-20}
B=build-fuzz
CC=${FUZZ_CC:-clang}
mkdir -p $B/seeds_serve $B/seeds_tokenizer $B/seeds_vecs $B/seeds_corpus $B/seeds_files $B/seeds_bert $B/seeds_inputs $B/seeds_graph $B/seeds_dense $B/seeds_nn
SRC=$(ls src/*/*.c | grep -v kern_avx)
FL="-std=c11 -D_GNU_SOURCE -DLT_NNVEC_REF_ONLY -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined -pthread"
printf '\001%s' "2 3
a 1 2 3
b 4 5 6
" > $B/seeds_vecs/txt
# valid seeds for the checksummed formats, also in CRC-bypass mode (bit 7 of the first byte)
if [ -x build/latent ]; then
    printf '3 3\na 1 2 3\nb 4 5 6\nc 7 8 9\n' > $B/seed.txt
    build/latent index build $B/seed.txt -o $B/seed.lhnsw -t 1 -q 2>/dev/null && { printf '\006'; cat $B/seed.lhnsw; } > $B/seeds_vecs/index
    { printf '\206'; cat $B/seed.lhnsw; } > $B/seeds_vecs/index_nocrc
    build/latent convert $B/seed.txt $B/seed.lvec && { printf '\000'; cat $B/seed.lvec; } > $B/seeds_vecs/lvec
    { printf '\200'; cat $B/seed.lvec; } > $B/seeds_vecs/lvec_nocrc
    # a real checkpoint of a tiny run (the parser was never reached without one)
    awk 'BEGIN { for (i = 0; i < 300; i++) printf "a b c a b d e a\n" }' > $B/seed_corpus.txt
    build/latent train word2vec $B/seed_corpus.txt -o $B/seed_w2v.txt --dim 4 --epochs 2 --min-count 1 -t 1 -q \
        --checkpoint $B/seed.ckpt --checkpoint-every 500 --stop-after-segments 1 2>/dev/null || true
    [ -f $B/seed.ckpt ] && { printf '\000'; cat $B/seed.ckpt; } > $B/seeds_inputs/ckpt && { printf '\200'; cat $B/seed.ckpt; } > $B/seeds_inputs/ckpt_nocrc
    # a tiny fastText model (Debian's fasttext, when installed) for the .bin reader (bit 6)
    command -v fasttext > /dev/null && fasttext skipgram -input $B/seed_corpus.txt -output $B/seed_ft -dim 2 -bucket 50 -minCount 1 -epoch 1 \
        -minn 1 -maxn 3 -thread 1 -verbose 0 > /dev/null 2>&1 && { printf '\100'; cat $B/seed_ft.bin; } > $B/seeds_vecs/fasttext
fi
{ printf '\001'; cat tests/fixtures/bert-fixtures/tiny-bert-mean/hf/config.json; } > $B/seeds_inputs/config
{ printf '\011'; cat tests/fixtures/encoders/qwen3/st/config.json; } > $B/seeds_inputs/config_qwen3
{ printf '\021'; cat tests/fixtures/encoders/modernbert/st/config.json; } > $B/seeds_inputs/config_modernbert
{ printf '\031'; cat tests/fixtures/vision/clip/model/config.json; } > $B/seeds_inputs/config_clip
printf '\002{"text": "a\\u0000b \\ud83d\\ude00", "id": 7}' > $B/seeds_inputs/jsonl
printf '\003a\nb\nc\nd\ne\nf\ng\nh\n' > $B/seeds_inputs/labels
{ printf '\004'; printf 'a 1\n' | gzip -c; printf 'b 2\n' | gzip -c; } > $B/seeds_inputs/gzip_members
{ printf '\000'; cat tests/fixtures/karate/edges.tsv; } > $B/seeds_graph/undirected
printf '\003# w\na b 1.5\nb,c,2\nc a 0\nd d 1\n' > $B/seeds_graph/weighted
if [ -x build/latent ]; then
    cp tests/fixtures/karate/edges.tsv $B/seed_graph.tsv
    build/latent graph info $B/seed_graph.tsv > /dev/null 2>&1
    for c in $B/seed_graph.tsv.*.lgraph; do [ -f "$c" ] && { printf '\004'; cat "$c"; } > $B/seeds_graph/cache && { printf '\204'; cat "$c"; } > $B/seeds_graph/cache_nocrc; done
    # the cache planted beside an input (bit 3): a real one, of the harness's own edge list
    printf 'a b\nb c\nc a\nc d\nd e\n' > $B/seed_e.tsv && build/latent graph info $B/seed_e.tsv > /dev/null 2>&1
    [ -f $B/seed_e.tsv.undirected.lgraph ] && { printf '\010'; cat $B/seed_e.tsv.undirected.lgraph; } > $B/seeds_graph/beside && \
        { printf '\210'; cat $B/seed_e.tsv.undirected.lgraph; } > $B/seeds_graph/beside_nocrc
fi
printf '\003%s' "a 1 2 3
" > $B/seeds_vecs/glove
printf 'the cat \303\251t\303\251\nsat on the mat\n' > $B/seeds_corpus/c
printf '\000a 3\nb 2\n' > $B/seeds_files/vocab
printf '\002: sec\na b c d\n' > $B/seeds_files/analogy
printf '\003a\tb\t1.5\nc\td\t2\n' > $B/seeds_files/sim
{ printf '\000'; head -c 2000 tests/fixtures/bert-fixtures/tiny-bert-cased/hf/model.safetensors; } > $B/seeds_bert/st
{ printf '\001'; head -c 3000 tests/fixtures/bert-fixtures/tiny-bert-cased/hf/tokenizer.json; } > $B/seeds_bert/tok
printf '\002Caf\303\251 na\303\257ve \344\270\255 Hello, world!' > $B/seeds_bert/text
# dense: a fitted model (with and without CRCs) and an IDX file
if [ -x build/latent ]; then
    build/latent fit pca $B/seed.txt -o $B/seed.lmodel --dim 2 --scale standard -q 2>/dev/null && { printf '\000'; cat $B/seed.lmodel; } > $B/seeds_dense/model
    [ -f $B/seed.lmodel ] && { printf '\200'; cat $B/seed.lmodel; } > $B/seeds_dense/model_nocrc
    # a GloVe checkpoint of a tiny run
    build/latent train glove $B/seed_corpus.txt -o $B/seed_glove.txt --dim 2 --epochs 1 --min-count 1 -t 1 -q --checkpoint $B/seed_gck.lmodel 2>/dev/null && \
        { printf '\200'; cat $B/seed_gck.lmodel; } > $B/seeds_dense/glove_ckpt_nocrc
fi
printf '\001\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\001\002\003\004\005\006\007\010' > $B/seeds_dense/idx_u8
printf '\001\000\000\015\001\000\000\000\001\077\200\000\000' > $B/seeds_dense/idx_f32
printf '\002a,b,"c ""q"""\n1,x,y\n2.5,?,z\n3,x,\n' > $B/seeds_dense/csv
printf '\002\357\273\277age,"ci\nty"\n1,"New\nYork"\n2,"a\\b"\n' > $B/seeds_dense/csv_bom_newlines
# nn: architecture strings, a trained model of each kind, PNG and JPEG files
for f in tests/fixtures/images/train/dots/rgb.png tests/fixtures/images/train/dots/rgb.jpg tests/fixtures/images/train/stripes/s3.jpg; do
    { printf '\002'; cat $f; } > $B/seeds_nn/img_$(basename $f)
done
printf '\001\001\034\034c16k3-p2-c32k3s2p0:tanh-a2-d0.5-ln-f64:gelu-f10' > $B/seeds_nn/arch_cnn
printf '\001\020\001\001784-256-32-256-784' > $B/seeds_nn/arch_ae
if [ -x build/latent ]; then
    awk 'BEGIN { print "a,b,c,d"; for (i = 0; i < 40; i++) printf "%.2f,%.2f,%.2f,%.2f\n", (i % 7) / 7, (i % 5) / 5, (i % 3) / 3, (i % 2) / 2 }' > $B/seed_ae.csv
    build/latent train autoencoder $B/seed_ae.csv -o $B/seed_ae.lmodel --arch 4-3-2-3-4 --epochs 1 -q -t 1 2>/dev/null && \
        { printf '\000'; cat $B/seed_ae.lmodel; } > $B/seeds_nn/ae && { printf '\200'; cat $B/seed_ae.lmodel; } > $B/seeds_nn/ae_nocrc
    awk 'BEGIN { for (i = 0; i < 40; i++) print i % 2 }' > $B/seed_ae.labels
    build/latent train cnn $B/seed_ae.csv $B/seed_ae.labels -o $B/seed_cnn.lmodel --arch c2k3-p2-f2 --epochs 1 -q -t 1 2>/dev/null && \
        { printf '\200'; cat $B/seed_cnn.lmodel; } > $B/seeds_nn/cnn_nocrc
fi
# tokenizer: the trained tokenizer.json kinds (tests/tok_real.sh), small ones whole, and text
for f in tests/fixtures/bert-fixtures/tiny-bert-cased/hf/tokenizer.json build/tok_kinds/*/tokenizer.json; do
    [ -f "$f" ] || continue
    k=$(basename "$(dirname "$f")")
    { printf '\000'; head -c 200000 "$f"; } > $B/seeds_tokenizer/json_$k
done
for i in 1 2 3 4 5 6; do printf "\\$(printf '%03o' $i)Caf\303\251 na\303\257ve \344\270\255 <s> Hello,  world! \360\237\230\200 \000x" > $B/seeds_tokenizer/text_$i; done
# serve: a request of each route (byte 0 picks it)
i=0; for b in '{"inputs": ["a cat", "b"], "normalize": false, "dimensions": 4}' '{"inputs": "x y"}' \
    '{"query": "q", "texts": ["a", "b"], "return_text": true}' '{"inputs": {"source_sentence": "a", "sentences": ["b"]}}' \
    '{"input": ["a"], "model": "emb", "encoding_format": "base64"}' '{"index": "w", "vectors": [[1, 0, 0, 0]], "k": 2, "filter": {"label_prefix": "q"}}' \
    '{"index": "w", "ids": [7], "vectors": [[0, 0, 1, 0]]}' '{"inputs": ["Hello, w\u00f6rld"]}' '{"index": "w", "ids": [7, 8]}' \
    '{"ids": [[101, 7592, 102], [5, 6]], "skip_special_tokens": false}'; do
    { printf "\\$(printf '%03o' $i)"; printf '%s' "$b"; } > $B/seeds_serve/route_$i; i=$((i + 1))
done
printf '\016king' > $B/seeds_serve/get_similar; printf '\017queen' > $B/seeds_serve/get_vector; printf '\021w' > $B/seeds_serve/get_map
# the per-ISA kernels alone get their ISA's flags (given to every file, the compiler may put
# AVX-512 instructions anywhere: SIGILL on an AVX2 machine)
FLO=$(echo "$FL" | sed 's/fuzzer,/fuzzer-no-link,/')
$CC $FLO -mavx2 -mfma -mf16c -c src/kern/kern_avx2.c -o $B/kern_avx2.o
$CC $FLO -mavx512f -mavx512bf16 -mfma -c src/kern/kern_avx512.c -o $B/kern_avx512.o
for h in ${FUZZ_ONLY:-vecs corpus files bert tokenizer inputs graph dense nn serve python}; do
    if [ $h = python ]; then   # the Python module's argument conversion, with atheris (PyPI, pinned)
        V=${B}/venv-atheris
        [ -x $V/bin/python ] || /usr/bin/python3 -m venv --system-site-packages $V
        $V/bin/python -c 'import atheris' 2>/dev/null || $V/bin/python -m pip install -q --disable-pip-version-check atheris==2.3.0 || \
            { echo "fuzz_python: skipped (atheris==2.3.0 not installable)"; continue; }
        make -s python > /dev/null
        echo "fuzz_python: $S s"
        PYTHONPATH=build/python $V/bin/python fuzz/fuzz_python.py -max_total_time=$S -rss_limit_mb=2048 > $B/fuzz_python.log 2>&1 || { tail -30 $B/fuzz_python.log; exit 1; }
        grep -E '^#[0-9]+.*DONE' $B/fuzz_python.log | tail -1
        continue
    fi
    XS=; [ $h = serve ] && { sh tools/cstring.sh srv_page_html < serve/page.html; sh tools/cstring.sh srv_view_js < serve/view.js; } > $B/page.c && \
        XS="serve/routes.c serve/batch.c serve/journal.c serve/json.c serve/http.c serve/view.c $B/page.c -lmicrohttpd"
    $CC $FL -o $B/fuzz_$h fuzz/fuzz_$h.c $SRC $XS $B/kern_avx2.o $B/kern_avx512.o -llapacke -lopenblas -lcjson -lonig -lutf8proc -lpng -ljpeg -lwebp -lcairo -ldeflate -lz -lm
    echo "fuzz_$h: $S s"
    ML=4096; { [ $h = inputs ] || [ $h = vecs ] || [ $h = graph ]; } && ML=65536
    $B/fuzz_$h -max_total_time=$S -max_len=$ML -rss_limit_mb=2048 $B/seeds_$h > $B/fuzz_$h.log 2>&1 || { tail -30 $B/fuzz_$h.log; exit 1; }
    grep -E '^#[0-9]+.*DONE' $B/fuzz_$h.log | tail -1
done
echo "fuzz: all harnesses ran clean"
