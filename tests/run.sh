#!/bin/sh
# Runs every test binary given, the shell tests (CLI, real tokenizer vocabulary) and the Python
# tests; sums their "N passed, N failed[, N skipped]" lines. Ends with one line
# "N passed, N failed, N skipped"; exits 1 if anything failed. A suite that ends without such a
# line, or exits non-zero with no failure counted, counts as one failure.
P=0; F=0; S=0
tally() {  # NAME OUTPUT RC
    line=$(printf '%s\n' "$2" | grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' | tail -1)
    p=$(echo "$line" | cut -d' ' -f1); f=$(echo "$line" | cut -d' ' -f3 | tr -d ,); s=$(echo "$line" | cut -d' ' -f5)
    [ -n "$p" ] || { p=0; f=1; }
    [ -n "$s" ] || s=0
    [ "$3" -ne 0 ] && [ "$f" = 0 ] && f=1
    P=$((P + p)); F=$((F + f)); S=$((S + s))
    printf '%-28s %s passed, %s failed, %s skipped\n' "$1" "$p" "$f" "$s"
}
for t in "$@"; do
    out=$("$t" 2>"${t}.err"); rc=$?
    tally "$(basename "$t")" "$out" $rc
    [ "$f" != 0 ] && sed 's/^/    /' "${t}.err"
    grep '^skip' "${t}.err" | sed 's/^/    /'
done
# the training core's two GEMM paths (the machine picks one: lt_prefer_packed), both forced
for t in "$@"; do
    case $t in */test_nn) for v in 0 1; do
        out=$(LATENT_PACKED=$v "$t" 2>"${t}.err"); rc=$?
        tally "test_nn LATENT_PACKED=$v" "$out" $rc
        [ "$f" != 0 ] && sed 's/^/    /' "${t}.err"
    done ;; esac
done
for s in symbols.sh cli_test.sh cli_opts.sh serve.sh reliability.sh reliability2.sh matrix.sh wrong_results.sh readme.sh tok_real.sh image_prep.sh fasttext.sh py_test.sh pip.sh; do
    out=$(LATENT=${B:-build}/latent sh tests/$s 2>&1); rc=$?
    tally "$s" "$out" $rc
    [ "$f" != 0 ] && printf '%s\n' "$out" | grep -v '^ok' | sed 's/^/    /'
    printf '%s\n' "$out" | grep '^skip' | sed 's/^/    /'
done
echo "$P passed, $F failed, $S skipped"
[ "$F" = 0 ]
