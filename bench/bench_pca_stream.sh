#!/bin/sh
# PCA of a matrix larger than half of this machine's memory, streamed from disk: writes a
# float32 .npy of ROWS x 256 (low-rank signal plus noise; default sized to 0.55 x RAM) in
# BIG_DIR, fits `latent fit pca --stream --dim 20` under /usr/bin/time (wall seconds, peak
# RSS), prints the explained variance, and removes the file.
# usage: BIG_DIR=/tmp sh bench/bench_pca_stream.sh
set -eu
L=${LATENT:-./build/latent}
DIR=${BIG_DIR:-/tmp}
MEM=$(awk '/MemTotal/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
ROWS=${ROWS:-$(awk -v m="$MEM" 'BEGIN { printf "%.0f", m * 0.55 / 1024 }')}
F=$DIR/latent_pca_big.npy
/usr/bin/python3 - "$F" "$ROWS" <<'PY'
import sys, numpy as np
path, n, d = sys.argv[1], int(sys.argv[2]), 256
rng = np.random.default_rng(1)
basis = rng.standard_normal((8, d)).astype(np.float32)
with open(path, "wb") as f:
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, d)
    h += " " * (118 - len(h)) + "\n"
    f.write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode())
    for i in range(0, n, 200000):
        m = min(200000, n - i)
        x = rng.standard_normal((m, 8)).astype(np.float32) * np.arange(8, 0, -1, dtype=np.float32) @ basis
        x += rng.standard_normal((m, d)).astype(np.float32) * 0.5
        f.write(x.tobytes())
PY
echo "file: $(du -h "$F" | cut -f1), $ROWS rows x 256, RAM $(awk -v m="$MEM" 'BEGIN { printf "%.1f", m / 1073741824 }') GiB"
/usr/bin/time -f "seconds %e peak_rss_kb %M" $L fit pca "$F" --stream --dim 20 -o "$DIR/latent_pca_big.lmodel" -t 2
$L info "$DIR/latent_pca_big.lmodel" | grep -E "^(n_samples|explained_variance_ratio_sum|noise_variance)"
rm -f "$F" "$DIR/latent_pca_big.lmodel"
