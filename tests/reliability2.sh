#!/bin/sh
# Regression tests for the second reliability round: each case is a class of defect an
# attacker's or careless user's review found in the newer surfaces (implicit files, multi-file
# outputs, NaN, cost, degenerate data, CSV as people write it); each must fail cleanly or do the
# right thing. `make sanitize` runs this file under ASan+UBSan too.
L=${LATENT:-build/latent}
T=${B:-build}/tests/reliability2
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh
PY=python3
XDG_CACHE_HOME=$(pwd)/$T/home-cache; export XDG_CACHE_HOME   # no cache from an earlier run
G=tests/fixtures/karate/edges.tsv

# --- implicit files: the graph cache beside an input ---
cp $G "$T/g.tsv"
$L graph info "$T/g.tsv" > "$T/info0.txt" 2>/dev/null
[ -f "$T/g.tsv.undirected.lgraph" ] && ok "graph cache written beside the input" || no "no graph cache"
# an array offset near 2^63 (offset + size overflowed a signed check), every checksum recomputed
$PY - "$T/g.tsv.undirected.lgraph" <<'EOF'
import struct, sys, zlib
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
n, table, dof = struct.unpack_from("<I", b, 12)[0], struct.unpack_from("<Q", b, 32)[0], struct.unpack_from("<Q", b, 56)[0]
for i in range(n):
    e = table + 64 * i
    if b[e:e + 4] == b"adj\0": struct.pack_into("<Q", b, e + 56, (1 << 63) - 64)
struct.pack_into("<I", b, 48, zlib.crc32(bytes(b[128:dof])) & 0xffffffff)
struct.pack_into("<I", b, 124, zlib.crc32(bytes(b[:124])) & 0xffffffff)
open(p, "wb").write(b)
EOF
expect 0 "graph cache with offsets past the file (valid checksum): passed over with a warning" "out of the file's bounds" -- $L graph info "$T/g.tsv"
cmp -s "$T/out" "$T/info0.txt" && ok "... and the graph is read from its edge list" || no "graph info differs after a crafted cache"
# a cache of another input (its size and hash) is never validated nor used
cp $G "$T/h.tsv"; $L graph info "$T/h.tsv" > /dev/null 2>&1
printf '1 2\n' > "$T/h.tsv"
$L graph info "$T/h.tsv" --json > "$T/out" 2>&1
grep -q '"nodes": 2' "$T/out" && ok "a cache made from another input is not used" || no "stale cache used: $(head -c 200 "$T/out")"
# a symbolic link planted under the cache's name: never written through
rm -f "$T/g.tsv.undirected.lgraph"; printf 'precious\n' > "$T/victim"
ln -s "$T/victim" "$T/g.tsv.undirected.lgraph" 2>/dev/null || ln -s "$(pwd)/$T/victim" "$T/g.tsv.undirected.lgraph"
expect 0 "symlink under the cache's name: warned" "not a regular file" -- $L graph info "$T/g.tsv"
[ "$(cat "$T/victim")" = precious ] && ok "... and the file it points to is untouched" || no "the cache write followed a planted symlink"
[ -L "$T/g.tsv.undirected.lgraph" ] && ok "... and the link itself is left alone" || no "the planted link was replaced"
# a FIFO under the cache's name: no hang
rm -f "$T/g.tsv.undirected.lgraph"; mkfifo "$T/g.tsv.undirected.lgraph"
timeout 20 $L graph info "$T/g.tsv" > "$T/out" 2> "$T/err"; rc=$?
[ $rc = 0 ] && grep -q "not a regular file" "$T/err" && ok "FIFO under the cache's name: no hang, warned" || no "FIFO cache: exit $rc $(head -c 200 "$T/err")"
rm -f "$T/g.tsv.undirected.lgraph"

# --- outputs that are two files: an .npy and its labels sidecar belong together ---
printf '3 2\na 1 2\nb 3 4\nc 5 6\n' > "$T/v1.txt"
printf '3 2\nx 9 8\ny 7 6\nz 5 4\n' > "$T/v2.txt"
$L convert "$T/v1.txt" "$T/p.npy" && $L convert "$T/v2.txt" "$T/q.npy"
$L vector "$T/p.npy" b > "$T/out" 2>&1 && grep -q "^b 3 4" "$T/out" && ok ".npy + labels read back" || no ".npy + labels: $(cat "$T/out")"
cp "$T/q.labels.txt" "$T/p.labels.txt"   # as a kill between the two renames would leave them
expect 1 "labels of another write beside an .npy: refused" "does not belong" -- $L info "$T/p.npy"
rm "$T/p.labels.txt"
expect 1 "an .npy written with labels whose sidecar is gone: refused" "missing" -- $L info "$T/p.npy"
$L convert "$T/v1.txt" "$T/p.npy"
NP=${LATENT_VENV:-build/venv}/bin/python; [ -x "$NP" ] || NP=python3
if $NP -c 'import numpy' 2>/dev/null; then
    $NP -c 'import numpy as np, sys; a = np.load(sys.argv[1]); m = np.load(sys.argv[1], mmap_mode="r"); assert a.shape == (3, 2) and m.shape == (3, 2) and a[1, 1] == 4' "$T/p.npy" \
        && ok "NumPy reads the bound .npy (np.load, mmap)" || no "NumPy cannot read latent's .npy"
else echo "skip NumPy check: no numpy (build/venv or python3)"; fi
$L convert "$T/v1.txt" "$T/s.npy" --stream 2>/dev/null || $L convert "$T/v1.txt" "$T/s.npy"
cp "$T/q.labels.txt" "$T/s.labels.txt"
expect 1 "streamed .npy: labels of another write refused" "does not belong" -- $L info "$T/s.npy"

# --- NaN where the first round did not look ---
gzip -dc tests/fixtures/mobydick.txt.gz | head -c 100000 > "$T/c.txt"
$L train fasttext "$T/c.txt" -o "$T/f.bin" --dim 8 --epochs 1 --minn 3 --maxn 4 --bucket 200 --min-count 3 -t 1 -q
$PY - "$T/f.bin" 8 <<'EOF'
import struct, sys
p, dim = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); S = len(b)
for m in range(1, S // (4 * dim)):    # the output matrix: u8 flag, i64 rows, i64 dim, floats, at the end
    at = S - 16 - m * dim * 4
    if struct.unpack_from("<qq", b, at) == (m, dim):
        struct.pack_into("<f", b, at - 1 - 4 * dim - 4, float("nan"))   # in the last n-gram row
        break
open(p, "wb").write(b)
EOF
expect 1 "fastText .bin with NaN in an n-gram row: refused" "NaN" -- $L vector "$T/f.bin" whale
printf 'a\tb\t5\na\tc\t5\nb\tc\t5\n' > "$T/flat.tsv"
$L eval similarity "$T/v1.txt" "$T/flat.tsv" --json > "$T/out" 2>&1
if $PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out" 2>/dev/null; then ok "eval similarity --json with constant scores is valid JSON"; else no "invalid JSON: $(head -c 200 "$T/out")"; fi

# --- cost that grows badly: a wide CSV ---
$PY -c 'import sys; n = 100000; print(",".join("c%d" % i for i in range(n))); print(",".join("x" for i in range(n)))' > "$T/wide.csv"
start=$(date +%s)
$L fit onehot "$T/wide.csv" -o "$T/w.lmodel" > "$T/out" 2> "$T/err"; rc=$?
el=$(( $(date +%s) - start ))
[ $el -le 3 ] && ok "CSV with 10^5 columns: answered in ${el}s" || no "CSV with 10^5 columns took ${el}s"
[ $rc -lt 128 ] && ! grep -q "metadata" "$T/err" && ok "... and no message about metadata keys (exit $rc)" || no "wide CSV: exit $rc $(head -c 200 "$T/err")"

# --- CSV as people write it ---
printf '\357\273\277age,city\n31,"New\nYork"\n40,Paris\n' > "$T/bom.csv"
$L fit onehot "$T/bom.csv" -o "$T/b.lmodel" --label age -q 2> "$T/err" && ok "UTF-8 BOM before the first column's name; quoted newline in a cell" \
    || no "BOM/quoted newline CSV: $(head -c 200 "$T/err")"
$L encode "$T/b.lmodel" "$T/bom.csv" -o "$T/b.npy" -q 2> "$T/err" && [ "$($L info "$T/b.npy" --json 2>/dev/null | grep -o '"rows": [0-9]*')" = '"rows": 2' ] \
    && ok "... and the model encodes the table it was fitted on (newline in a category)" || no "encode after BOM/newline fit: $(head -c 200 "$T/err")"
printf 'k,v\n"a\\b",1\n"c\\nd",2\n"x\037y",3\n' > "$T/bs.csv"
for kind in onehot ordinal hash; do
    $L fit $kind "$T/bs.csv" -o "$T/bs.lmodel" -q 2> "$T/err" && $L encode "$T/bs.lmodel" "$T/bs.csv" -o "$T/bs.npy" -q 2>> "$T/err" \
        && ok "$kind: values with backslashes and 0x1f fit and encode alike" || no "$kind with backslashes: $(head -c 200 "$T/err")"
done
printf 'a,b\n1,"x\n' > "$T/badq.csv"
expect 1 "unterminated quote: names the line" "line 2" -- $L fit onehot "$T/badq.csv" -o "$T/x.lmodel"

# --- degenerate data ---
printf 'a,b,c\n' > "$T/same.csv"; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do echo "1,2,3" >> "$T/same.csv"; done
$L report "$T/same.csv" > "$T/out" 2> "$T/err"
grep -q "^dead_dims	3	" "$T/out" && ! grep -q "^mean_abs_correlation	1	" "$T/out" && grep -q "constant" "$T/err" \
    && ok "report on identical rows: 3 dead dimensions, no correlation of 1, a warning" || no "report on identical rows: $(grep "dead_dims\|correlation" "$T/out" | tr '\n' ' ')"
expect 1 "map of identical rows: refused with advice" "identical" -- $L map "$T/same.csv" -o "$T/m.tsv"
awk 'BEGIN { srand(3); print "a,b,c"; for (i = 0; i < 40; i++) printf "%.3f,%.3f,%.3f\n", rand(), rand(), rand() }' > "$T/small.csv"
expect 0 "map of 40 rows with the default perplexity: lowered, said so" "perplexity" -- $L map "$T/small.csv" -o "$T/m.tsv"
expect 2 "--perplexity too large for the option: the range, not 'must be positive'" "from 0.001 to" -- $L map "$T/small.csv" -o "$T/m.tsv" --perplexity 1e9

# --- messages ---
printf 'x,y\n1,-1\n2,-3\n' > "$T/neg.csv"
$L plot "$T/neg.csv" --x x --y y -o "$T/p.png" --logy 2> "$T/err"
grep -q "p.png: no finite positive values" "$T/err" && ! grep -q "plot: plot:" "$T/err" && ok "plot errors name the picture once" || no "plot message: $(cat "$T/err")"
printf 'a b 1e-46\nb c 1\n' > "$T/tiny.tsv"
expect 1 "a weight float32 cannot hold is an error, not a dropped edge" "smallest normal" -- $L graph info "$T/tiny.tsv" --weighted

echo "$P passed, $F failed"
[ $F = 0 ]
