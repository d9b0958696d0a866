#!/bin/sh
# The main job of `make run`: train skip-gram vectors on the bundled corpus, then show
# neighbours, an analogy and an evaluation summary.
set -e
L=${1:-build/latent}
OUT=${OUT:-build/demo}
mkdir -p "$OUT"
echo "== training skip-gram vectors on data/sotu.txt.gz (1.8M tokens, 100-d, 5 epochs)"
$L train word2vec data/sotu.txt.gz -o "$OUT/sotu.lvec" --seed 1
echo; echo "== latent info"
$L info "$OUT/sotu.lvec" | head -12
for w in war freedom economy; do
    echo; echo "== latent similar $w -k 8"
    $L similar "$OUT/sotu.lvec" "$w" -k 8
done
echo; echo "== latent analogy: go is to went as see is to ?"
$L analogy "$OUT/sotu.lvec" go went see -k 3
echo; echo "== latent analogy: war is to wars as treaty is to ?"
$L analogy "$OUT/sotu.lvec" war wars treaty -k 3
echo; echo "== latent eval analogy (bundled set)"
$L eval analogy "$OUT/sotu.lvec" data/analogies.txt | tail -4
echo; echo "== latent eval similarity (WordSim-353)"
$L eval similarity "$OUT/sotu.lvec" tests/fixtures/wordsim353.tsv
echo; echo "== node2vec on the karate club, then node classification (the two clubs)"
$L train node2vec tests/fixtures/karate/edges.tsv -o "$OUT/karate.lvec" --dim 16 --seed 1 -q --no-cache
$L eval nodes "$OUT/karate.lvec" tests/fixtures/karate/labels.tsv | head -3
echo; echo "== PCA of those node vectors to 2 dimensions (a fitted model, then encode)"
$L fit pca "$OUT/karate.lvec" --dim 2 -o "$OUT/karate_pca.lmodel" -q
$L info "$OUT/karate_pca.lmodel" | grep -E "^(model|explained_variance_ratio)"
$L encode "$OUT/karate_pca.lmodel" "$OUT/karate.lvec" -o "$OUT/karate_2d.txt" -q
head -4 "$OUT/karate_2d.txt"
