#!/bin/sh
# Golden runs for refactors (issue: one way in): one thread, fixed seeds, the bundled data.
# Prints one "sha256  name" line per output; run it with the binary before and after a change
# and compare the two listings (they must be identical).
#   sh tools/golden.sh [LATENT] > golden.txt
L=${1:-build/latent}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
C=data/sotu.txt.gz
G=tests/fixtures/karate/edges.tsv
$L train word2vec $C -o $T/w2v.txt --dim 32 --epochs 1 -t 1 --seed 3 -q
$L train word2vec $C -o $T/cbow.txt --cbow --dim 32 --epochs 1 -t 1 --seed 3 -q
$L train fasttext $C -o $T/ft.txt --dim 32 --epochs 1 -t 1 --seed 3 -q
$L train glove $C -o $T/glove.txt --dim 32 --epochs 3 -t 1 --seed 3 -q
$L train node2vec $G -o $T/n2v.txt --dim 16 -t 1 --seed 3 -q --no-cache --p 0.5 --q 2
$L train deepwalk $G -o $T/dw.txt --dim 16 -t 1 --seed 3 -q --no-cache
$L fit pca $T/w2v.txt -o $T/pca.lmodel --dim 4 -q 2>/dev/null && $L encode $T/pca.lmodel $T/w2v.txt -o $T/pca.txt -q
cd $T && sha256sum *.txt
# sentence embeddings (the shared fixtures' tiny model, when ../shared is there), 1 and 2 threads
F=$OLDPWD/../shared/fixtures/bert-fixtures
if [ -d "$F/tiny-bert-mean/st" ]; then
    python3 -c 'import json,sys; [print(json.dumps(s)) for s in json.load(open(sys.argv[1]))]' "$F/sentences.json" > $T/s.jsonl
    cd $OLDPWD
    $L embed $F/tiny-bert-mean/st -i $T/s.jsonl --jsonl -o $T/emb1.txt -t 1 -q
    $L embed $F/tiny-bert-mean/st -i $T/s.jsonl --jsonl -o $T/emb2.txt -t 2 -q
    $L embed $F/tiny-bert-mean/st -i $T/s.jsonl --jsonl -o $T/emb3.txt -t 2 --latency -q
    cd $T && sha256sum emb*.txt
fi
