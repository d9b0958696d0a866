#!/bin/sh
# Private is private: liblatent.so exports exactly the functions include/latent/ declares.
#  - every exported symbol is an lt_* name declared as a function in a public header
#  - every function a public header declares is defined and exported (no stale declarations)
#  - no lt__* internal and no non-lt_ name leaks
B=${B:-build}
SO=$B/liblatent.so.0
P=0; F=0
ok() { P=$((P + 1)); echo "ok $1"; }
bad() { F=$((F + 1)); echo "FAIL $1"; }
if ! command -v nm >/dev/null 2>&1; then echo "skip symbol test: no nm (Debian binutils)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; fi
[ -f "$SO" ] || { bad "no $SO"; echo "$P passed, $F failed"; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRVW]$/ && $3 !~ /^LATENT_/ {print $3}' | sed 's/@.*//' | sort -u > "$T/exported"
sh tools/mkmap.sh --names include/latent/*.h > "$T/declared"
extra=$(comm -23 "$T/exported" "$T/declared")
if [ -z "$extra" ]; then ok "$(wc -l < "$T/exported") exported symbols, each declared in include/latent"
else bad "exported but not declared in include/latent: $(echo $extra | head -c 600)"; fi
missing=$(comm -13 "$T/exported" "$T/declared")
if [ -z "$missing" ]; then ok "every function include/latent declares is exported"
else bad "declared in include/latent but not exported: $(echo $missing | head -c 600)"; fi
leak=$(grep -vE '^lt_[a-z0-9]' "$T/exported")
if [ -z "$leak" ]; then ok "no internal (lt__*) or foreign symbol exported"; else bad "leaked: $(echo $leak | head -c 600)"; fi
echo "$P passed, $F failed"
[ "$F" = 0 ]
