#!/bin/sh
# Means over seeds of bench/graph_results.tsv: graph, threads, tool, runs, seconds, peak RSS,
# macro-F1 (mean and sample sd), micro-F1.
awk -F'\t' 'NR > 1 { k = $1 "\t" $3 "\t" $2; n[k]++; t[k] += $7; r[k] += $8; m[k] += $9; m2[k] += $9 * $9; u[k] += $10 }
END { for (k in n) { sd = n[k] > 1 ? sqrt((m2[k] - m[k] * m[k] / n[k]) / (n[k] - 1)) : 0
      printf "%s\t%d\t%.2f\t%.1f\t%.4f\t%.4f\t%.4f\n", k, n[k], t[k] / n[k], r[k] / n[k], m[k] / n[k], sd, u[k] / n[k] } }' "${1:-bench/graph_results.tsv}" | sort
