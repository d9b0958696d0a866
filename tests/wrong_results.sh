#!/bin/sh
# Silently wrong results a new user met (the Python + first-hour issue): each pairing of files
# that do not belong together must be refused with a message, never answered with exit 0.
L=${LATENT:-build/latent}
T=${B:-build}/tests/wrong_results
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh
XDG_CACHE_HOME=$(pwd)/$T/home-cache; export XDG_CACHE_HOME

# --- an index answers only for the vectors it was built from ---
printf '4 3\nthe 1 2 3\na 0.5 1 0\nb 3 1 2\nc 2 2 1\n' > "$T/old.txt"
printf '4 3\nthe 1 2 3\na 0.5 1 0\nb 3 1 2\nd 2 2 1\n' > "$T/relabelled.txt"
printf '4 3\nthe 1 2 3\na 0.5 1 0\nb 3 1 2\nc 2 2 9\n' > "$T/renumbered.txt"
printf '5 3\nthe 1 2 3\na 0.5 1 0\nb 3 1 2\nc 2 2 1\ne 1 1 1\n' > "$T/grown.txt"
$L index build "$T/old.txt" -o "$T/old.lhnsw" --metric cosine -q
$L similar "$T/old.txt" the --index "$T/old.lhnsw" -k 2 > "$T/out" 2> "$T/err" && grep -q "^the	1	3	c" "$T/out" \
    && ok "similar through the index of its own vectors" || no "similar --index: $(cat "$T/err")"
for f in relabelled renumbered grown; do
    expect 1 "similar $f.txt --index old.lhnsw: refused" "was built from other vectors" -- $L similar "$T/$f.txt" the --index "$T/old.lhnsw"
done
expect 1 "search old.lhnsw --base relabelled.txt: refused" "was built from other vectors" -- $L search "$T/old.lhnsw" --word the --base "$T/relabelled.txt"
expect 1 "analogy through another file's index: refused" "was built from other vectors" -- $L analogy "$T/renumbered.txt" the a b --index "$T/old.lhnsw"
$L index info "$T/old.lhnsw" | grep -q "^built_from_rows	4" && ok "index info names the rows it was built from" || no "index info: no built_from_rows"
# an index changed since (add) records no base: its ids must still be rows of the vectors
$L index add "$T/old.lhnsw" "$T/old.txt" -o "$T/grown.lhnsw" -q
expect 1 "an index with ids past the vectors' rows: refused" "holds ids up to" -- $L similar "$T/old.txt" the --index "$T/grown.lhnsw"

# --- labels files keyed by id ---
G=tests/fixtures/karate
$L train deepwalk $G/edges.tsv -o "$T/k.txt" --dim 8 -t 1 --seed 2 -q --no-cache
awk '{ print $1 "\t" $2 }' $G/labels.tsv 2>/dev/null > "$T/k.labels" || true
if [ -s "$T/k.labels" ]; then
    sort -r "$T/k.labels" > "$T/k.shuffled"   # another order than the rows
    $L report "$T/k.txt" --labels "$T/k.labels" > "$T/r1" 2> "$T/err"; rc1=$?
    $L report "$T/k.txt" --labels "$T/k.shuffled" > "$T/r2" 2>> "$T/err"; rc2=$?
    [ $rc1 = 0 ] && [ $rc2 = 0 ] && cmp -s "$T/r1" "$T/r2" && ! grep -q "34 classes" "$T/err" \
        && ok "report --labels 'id label': keyed by the vectors' labels, any order" || no "keyed labels: $(head -c 300 "$T/err")"
    grep -q "^silhouette" "$T/r1" && ! grep -q "^silhouette	0	" "$T/r1" && ok "... silhouette computed on the real classes" || no "silhouette: $(grep silhouette "$T/r1")"
    sed 's/^1	/999	/' "$T/k.labels" > "$T/k.badid"
    expect 1 "an 'id label' file naming an unknown id: refused" "not a label of the vectors" -- $L report "$T/k.txt" --labels "$T/k.badid"
    sed '1d' "$T/k.labels" | head -20 > "$T/k.part"
    expect 1 "an 'id label' file missing rows: refused" "no label for" -- $L report "$T/k.txt" --labels "$T/k.part"
else echo "skip keyed labels: no $G/labels.tsv"; fi

# --- what is not an edge list ---
printf 'source,target\n1,2\n2,3\n3,1\n' > "$T/hdr.csv"
$L graph info "$T/hdr.csv" --no-cache > "$T/out" 2> "$T/err"
grep -q "^nodes	3" "$T/out" && grep -q "header" "$T/err" && ok "a source,target header over numeric ids: skipped, said so" || no "header: $(cat "$T/out" "$T/err" | head -c 300)"
printf 'from to\nalice bob\nbob carol\n' > "$T/names.tsv"
$L graph info "$T/names.tsv" --no-cache > "$T/out" 2>&1; grep -q "^nodes	5" "$T/out" && ok "a header over names is not guessed (5 nodes)" || no "names: $(head -3 "$T/out")"
$L graph info "$T/names.tsv" --no-cache --header > "$T/out" 2>&1; grep -q "^nodes	3" "$T/out" && ok "--header skips it" || no "--header: $(head -3 "$T/out")"
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 5000 | fold -w 60 -s > "$T/corpus.txt"
expect 1 "a text corpus given to train node2vec: refused" "not an edge list\|an edge list has" -- $L train node2vec "$T/corpus.txt" -o "$T/x.txt" --no-cache -q
printf 'the cat sat\non the mat\n' > "$T/three.txt"
expect 1 "three words per line are not 'src dst weight'" "third not a number" -- $L graph info "$T/three.txt" --no-cache

# --- files people have: fastText models from before its magic number ---
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 300000 > "$T/c.txt"
$L train fasttext "$T/c.txt" -o "$T/ft.bin" --dim 16 --epochs 1 --bucket 5000 --min-count 3 -t 1 -q
python3 tools/py/fasttext_legacy.py "$T/ft.bin" "$T/legacy.bin"
$L vector "$T/ft.bin" whale whalez > "$T/v1" && $L vector "$T/legacy.bin" whale whalez > "$T/v2" 2> "$T/err" && cmp -s "$T/v1" "$T/v2" \
    && ok "a legacy fastText .bin (no magic) reads as the same model, n-grams included" || no "legacy fastText: $(head -c 300 "$T/err")"
$L info "$T/legacy.bin" > "$T/out" 2>&1; grep -q "^format	fasttext" "$T/out" && grep -q "legacy" "$T/out" && ok "info names a fastText model and its format version" || no "info legacy: $(head -3 "$T/out")"
if /usr/bin/python3 -c 'import gensim' 2>/dev/null; then   # the oracle: gensim reads the same file
    /usr/bin/python3 -c 'import sys, numpy as np; from gensim.models.fasttext import load_facebook_vectors as L
kv = L(sys.argv[1]); r = [l.split() for l in open(sys.argv[2])][1:]
print(max(float(np.abs(np.array(x[1:], dtype=np.float32) - kv[x[0]]).max()) for x in r))' "$T/legacy.bin" "$T/v2" > "$T/d" 2>/dev/null
    awk '{ exit !($1 < 1e-4) }' "$T/d" && ok "gensim's load_facebook_vectors reads the legacy file to the same vectors ($(cat "$T/d"))" || no "gensim vs latent on the legacy file: $(cat "$T/d")"
else echo "skip gensim check: no gensim for /usr/bin/python3"; fi

echo "$P passed, $F failed"
[ $F = 0 ]
