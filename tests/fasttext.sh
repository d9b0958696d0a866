#!/bin/sh
# fastText .bin interop: a model trained by Debian's fasttext, read by latent. Every word's
# vector (in the vocabulary, out of it, multi-byte UTF-8) printed by `latent vector` equals
# `fasttext print-word-vectors` line for line (latent sums the rows in fastText's order, so
# the 5-digit text is identical), and at 9 digits lies within the 5-digit rounding; `latent
# convert` writes the in-vocabulary rows as fastText's own .vec; bad files are refused.
L=${LATENT:-build/latent}
T=${B:-build}/tests/fasttext
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh
if ! command -v fasttext >/dev/null 2>&1; then
    if [ -n "$CI" ]; then no "fasttext is not installed (tools/setup.sh test installs Debian's fasttext)"; echo "$P passed, $F failed"; exit 1; fi
    echo "skip fastText interop tests: Debian's fasttext is not installed (apt-get install fasttext)"
    echo "0 passed, 0 failed, 9 skipped"
    exit 0
fi
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 300000 > "$T/c.txt"
for i in $(seq 30); do echo "café naïve résumé über straße café naïve 東京 東京都 日本 señor"; done >> "$T/c.txt"
fasttext skipgram -input "$T/c.txt" -output "$T/m" -dim 12 -epoch 1 -minCount 2 -bucket 5000 -minn 2 -maxn 4 -thread 1 -verbose 0 > /dev/null 2>&1 \
    || { no "fasttext skipgram"; echo "$P passed, $F failed"; exit 1; }
W="the whale ship café naïve 東京 東京都 straße whalez zzqx 日本語 naïveté x señora über </s> ééé"
printf '%s\n' $W | fasttext print-word-vectors "$T/m.bin" > "$T/ref.txt"
$L vector "$T/m.bin" $W > "$T/ours.txt" 2> "$T/err"
if cmp -s "$T/ref.txt" "$T/ours.txt"; then ok "latent vector = fasttext print-word-vectors for $(echo $W | wc -w) words (in and out of vocabulary, UTF-8)"
else no "latent vector differs from print-word-vectors: $(diff "$T/ref.txt" "$T/ours.txt" | head -4)"; fi
$L vector "$T/m.bin" $W --precision 9 > "$T/ours9.txt"
bad=$(paste -d' ' "$T/ref.txt" "$T/ours9.txt" | awk '{ k = (NF - 2) / 2; if ($1 != $(k + 2)) c++; for (i = 2; i <= k + 1; i++) { a = $i; d = a - $(i + k + 1); if (d < 0) d = -d; if (d > 5e-5 * (a < 0 ? -a : a) + 1e-9) c++ } } END { print c + 0 }')
[ "$bad" = 0 ] && ok "9-digit vectors within the 5-digit rounding of fastText's" || no "$bad values outside fastText's rounding"
$L convert "$T/m.bin" "$T/out.vec" --precision 5 2>/dev/null
n1=$(head -1 "$T/m.vec"); n2=$(head -1 "$T/out.vec")
d=$(paste -d' ' "$T/m.vec" "$T/out.vec" | tail -n +2 | awk '{ k = (NF - 2) / 2; if ($1 != $(k + 2)) c++; for (i = 2; i <= k + 1; i++) { a = $i; d = a - $(i + k + 1); if (d < 0) d = -d; if (d > 5e-5 * (a < 0 ? -a : a) + 1e-9) c++ } } END { print c + 0 }')
[ "$n1" = "$n2" ] && [ "$d" = 0 ] && ok "latent convert MODEL.bin out.vec = fastText's .vec ($n1)" || no "convert: '$n1' vs '$n2', $d differences"
# latent's own subword training writes a model fastText reads to the same vectors
$L train fasttext "$T/c.txt" -o "$T/l.bin" --dim 12 --epochs 3 --minn 2 --maxn 4 --bucket 5000 --min-count 2 -t 1 -q
printf '%s\n' $W | fasttext print-word-vectors "$T/l.bin" > "$T/lref.txt" 2>/dev/null
$L vector "$T/l.bin" $W > "$T/lours.txt"
[ -s "$T/lref.txt" ] && cmp -s "$T/lref.txt" "$T/lours.txt" && ok "latent train fasttext writes a .bin that fasttext reads to the same vectors" \
    || no "latent's model read by fasttext differs: $(diff "$T/lref.txt" "$T/lours.txt" | head -3)"
# CBOW: fastText reads the model as a cbow model with the same vectors, and finds the same
# neighbours' families
$L train fasttext "$T/c.txt" --cbow -o "$T/lc.bin" --dim 12 --epochs 3 --minn 2 --maxn 4 --bucket 5000 --min-count 2 -t 1 -q
printf '%s\n' $W | fasttext print-word-vectors "$T/lc.bin" > "$T/lcref.txt" 2>/dev/null
$L vector "$T/lc.bin" $W > "$T/lcours.txt"
fasttext dump "$T/lc.bin" args 2>/dev/null | grep -q "^model cbow" && [ -s "$T/lcref.txt" ] && cmp -s "$T/lcref.txt" "$T/lcours.txt" \
    && ok "latent train fasttext --cbow: fasttext reads a cbow model with the same vectors" || no "cbow model: $(fasttext dump "$T/lc.bin" args 2>&1 | grep model) $(diff "$T/lcref.txt" "$T/lcours.txt" | head -3)"
$L train fasttext "$T/c.txt" -o "$T/l2.bin" --epochs 5 --bucket 100000 --min-count 2 -t 1 -q
top=$($L similar "$T/l2.bin" whalez -k 3 | cut -f4 | tr '\n' ' ')
case " $top " in *" whale "*) ok "out-of-vocabulary 'whalez' finds 'whale' ($top)";; *) no "whalez's neighbours: $top";; esac
head -c 1000 "$T/m.bin" > "$T/trunc.bin"
expect 1 "model cut in its dictionary refused with the offset" "offset 64: 3571 dictionary entries" -- $L vector "$T/trunc.bin" the
head -c 100000 "$T/m.bin" > "$T/trunc.bin"
expect 1 "model cut in its matrix refused with the offset" "offset [0-9]*: truncated fastText model (input matrix" -- $L vector "$T/trunc.bin" the
printf '\272\026\117\057\077\000\000\000' > "$T/ver.bin"; head -c 2000 "$T/m.bin" | tail -c +9 >> "$T/ver.bin"
expect 1 "unknown format version refused" "version 63" -- $L vector "$T/ver.bin" the
echo "$P passed, $F failed"
[ "$F" = 0 ]
