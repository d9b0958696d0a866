#!/bin/sh
# Means over seeds of bench/nn_results.tsv (or the file given): per model, tool and threads,
# seconds per epoch and the metrics.
F=${1:-bench/nn_results.tsv}
awk -F'\t' 'NR > 1 { k = $2 "\t" $3 "\t" $4; n[k]++; s[k] += $7; m1[k] = $8; v1[k] += $9; m2[k] = $10; v2[k] += $11
                     if (!(k in seen)) { seen[k] = 1; order[++no] = k } }
     END { printf "model\ttool\tthreads\truns\ts_per_epoch\tmetric\tmean\tmetric2\tmean2\n"
           for (i = 1; i <= no; i++) { k = order[i]
               printf "%s\t%d\t%.4g\t%s\t%.6g\t%s\t%s\n", k, n[k], s[k] / n[k], m1[k], v1[k] / n[k], m2[k], m2[k] == "" ? "" : sprintf("%.6g", v2[k] / n[k]) } }' "$F"
