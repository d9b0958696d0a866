#!/bin/sh
# The input matrix: every command that takes an input file, given every kind of input latent
# knows (vectors, a model, an index, an edge list, a table, IDX, a corpus, a model folder, a
# directory, an empty file, a FIFO with bytes in it, random bytes). Whatever the pairing, the
# command must end by itself (no hang) with exit 0, 1 or 2, never a signal, and a non-zero exit
# must come with a message on stderr. `make sanitize` runs this file under ASan+UBSan too.
L=${LATENT:-build/latent}
T=${B:-build}/tests/matrix
rm -rf "$T"; mkdir -p "$T/dir"
. tests/lib.sh
XDG_CACHE_HOME=$(pwd)/$T/home-cache; export XDG_CACHE_HOME

# one input of each kind, small
printf '4 3\nthe 1 2 3\na 0.5 1 0\nb 3 1 2\nc 2 2 1\n' > "$T/vecs.txt"
$L convert "$T/vecs.txt" "$T/vecs.npy" 2>/dev/null
$L fit pca "$T/vecs.txt" -o "$T/pca.lmodel" --dim 2 -q
$L index build "$T/vecs.txt" -o "$T/index.lhnsw" -q
cp tests/fixtures/karate/edges.tsv "$T/edges.tsv"
awk 'BEGIN { srand(5); print "age,city,x"; for (i = 0; i < 30; i++) printf "%d,c%d,%.3f\n", 20 + i, i % 4, rand() }' > "$T/table.csv"
printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\001\002\003\004\005\006\007\010' > "$T/images.idx"
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 20000 > "$T/corpus.txt"
head -c 3000 /dev/urandom > "$T/random.bin"
: > "$T/empty"
M=tests/fixtures/bert-fixtures/tiny-bert-mean
printf 'the whale\na ship\n' > "$T/lines.txt"
printf 'a\tb\t1\nb\tc\t2\n' > "$T/pairs.tsv"
printf ': s\nthe a b c\n' > "$T/questions.txt"
KINDS="$T/vecs.txt $T/vecs.npy $T/pca.lmodel $T/index.lhnsw $T/edges.tsv $T/table.csv $T/images.idx $T/corpus.txt $M $T/dir $T/empty $T/random.bin FIFO"

run() {   # run NAME KIND command... (KIND FIFO: a FIFO someone writes a corpus line into)
    name=$1; kind=$2; shift 2
    if [ "$kind" = FIFO ]; then
        rm -f "$T/fifo"; mkfifo "$T/fifo"
        ( printf 'the whale and the sea\n' > "$T/fifo" ) 2>/dev/null & wp=$!
    fi
    timeout 30 "$@" > "$T/out" 2> "$T/err" < /dev/null; rc=$?
    [ "$kind" = FIFO ] && { kill $wp 2>/dev/null; wait $wp 2>/dev/null; rm -f "$T/fifo"; }
    if [ $rc = 124 ]; then no "$name: hung (killed after 30 s)"
    elif [ $rc -gt 2 ]; then no "$name: exit $rc $(head -c 200 "$T/err")"
    elif [ $rc != 0 ] && [ ! -s "$T/err" ]; then no "$name: exit $rc without a message"
    else P=$((P + 1)); fi
}

for k in $KINDS; do
    f=$k; [ $k = FIFO ] && f=$T/fifo
    short=$(basename "$k")
    run "info $short" $k $L info "$f"
    run "vector $short" $k $L vector "$f" the
    run "similar $short" $k $L similar "$f" the
    run "analogy $short" $k $L analogy "$f" the a b
    run "convert $short" $k $L convert "$f" "$T/o.txt"
    run "vocab $short" $k $L vocab "$f"
    run "search $short" $k $L search "$f" --word the -k 2
    run "search --vectors $short" $k $L search "$T/vecs.txt" --vectors "$f" -k 2
    run "map $short" $k $L map "$f" -o "$T/o.tsv" --method pca
    run "plot $short" $k $L plot "$f" -o "$T/o.png"
    run "report $short" $k $L report "$f" -q
    run "encode $short TABLE" $k $L encode "$f" "$T/table.csv" -o "$T/o.npy" -q
    run "encode MODEL $short" $k $L encode "$T/pca.lmodel" "$f" -o "$T/o.npy" -q
    run "fit pca $short" $k $L fit pca "$f" -o "$T/o.lmodel" --dim 2 -q
    run "fit onehot $short" $k $L fit onehot "$f" -o "$T/o.lmodel" -q
    run "embed $short" $k $L embed "$f" -i "$T/lines.txt" -o "$T/o.npy" -q
    run "embed -i $short" $k $L embed $M -i "$f" -o "$T/o.npy" -q
    run "tokenize $short" $k $L tokenize "$f" -i "$T/lines.txt"
    run "rerank $short" $k $L rerank "$f" "the whale" -i "$T/lines.txt"
    run "index build $short" $k $L index build "$f" -o "$T/o.lhnsw" -q
    run "index info $short" $k $L index info "$f"
    run "index add $short" $k $L index add "$T/index.lhnsw" "$f" -o "$T/o.lhnsw" -q
    run "graph info $short" $k $L graph info "$f" --no-cache
    run "train word2vec $short" $k $L train word2vec "$f" -o "$T/o.txt" --dim 4 --epochs 1 --min-count 1 -t 1 -q
    run "train node2vec $short" $k $L train node2vec "$f" -o "$T/o.txt" --dim 4 --epochs 1 -t 1 -q --no-cache
    run "eval analogy $short" $k $L eval analogy "$f" "$T/questions.txt"
    run "eval analogy VECS $short" $k $L eval analogy "$T/vecs.txt" "$f"
    run "eval similarity $short" $k $L eval similarity "$f" "$T/pairs.tsv"
    run "eval similarity VECS $short" $k $L eval similarity "$T/vecs.txt" "$f"
done
echo "$P passed, $F failed"
[ $F = 0 ]
