#!/bin/sh
# Runs every test binary given and the shell tests (CLI, real tokenizer vocabulary); sums their "N passed, N failed" lines.
# Ends with one line "N passed, N failed"; exits 1 if anything failed.
P=0; F=0
for t in "$@"; do
    out=$("$t" 2>"${t}.err"); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
    p=$(echo "$line" | cut -d' ' -f1); f=$(echo "$line" | cut -d' ' -f3)
    [ -n "$p" ] || { p=0; f=1; }
    [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
    P=$((P + p)); F=$((F + f))
    printf '%-28s %s passed, %s failed\n' "$(basename "$t")" "$p" "$f"
    [ "$f" != 0 ] && sed 's/^/    /' "${t}.err"
done
for s in cli_test.sh tok_real.sh; do
    out=$(LATENT=${B:-build}/latent sh tests/$s 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
    p=$(echo "$line" | cut -d' ' -f1); f=$(echo "$line" | cut -d' ' -f3)
    [ -n "$p" ] || { p=0; f=1; }
    [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
    P=$((P + p)); F=$((F + f))
    printf '%-28s %s passed, %s failed\n' "$s" "$p" "$f"
    [ "$f" != 0 ] && printf '%s\n' "$out" | grep -v '^ok' | sed 's/^/    /'
done
echo "$P passed, $F failed"
[ "$F" = 0 ]
