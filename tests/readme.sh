#!/bin/sh
# The README as a new user pastes it: every line of its "## Use" block runs (in a scratch folder
# that sees data/, tests/, build/ and ../shared as the repository root does), and its C program
# is built against an installed prefix, through pkg-config, shared and static, and run. A line
# whose input is absent (no ../shared, no unpacked model offline) is skipped and named.
ROOT=$(pwd)
B=${B:-build}
T=$ROOT/$B/tests/readme
rm -rf "$T"; mkdir -p "$T/work"
. tests/lib.sh
ln -s "$ROOT/data" "$T/work/data"
mkdir -p "$T/work/tests/fixtures"   # linked entry by entry; karate copied (a graph cache is written beside it)
for e in "$ROOT"/tests/fixtures/*; do ln -s "$e" "$T/work/tests/fixtures/"; done
rm "$T/work/tests/fixtures/karate"; cp -r "$ROOT/tests/fixtures/karate" "$T/work/tests/fixtures/"
ln -s "$ROOT/$B" "$T/work/build"
[ -d "$ROOT/../shared" ] && ln -s "$ROOT/../shared" "$T/shared"
S=0
skip() { S=$((S + 1)); echo "skip $1"; }

# --- the Use block, line by line ---
awk '/^## Use/ { u = 1 } u && /^```sh/ { on = 1; next } on && /^```/ { exit } on' README.md > "$T/use.sh"
[ "$(grep -c . "$T/use.sh")" -ge 15 ] && ok "README: the Use block has $(grep -c . "$T/use.sh") lines" || no "README: no Use block"
n=0
while IFS= read -r line; do
    [ -z "$line" ] && continue
    n=$((n + 1))
    case "$line" in
        *../shared/*) [ -d "$T/shared" ] || { skip "README line $n: ../shared is absent"; continue; } ;;
        *build/models/*) [ -f "$B/models/all-MiniLM-L6-v2/model.safetensors" ] || { skip "README line $n: all-MiniLM-L6-v2 not unpacked (offline)"; continue; } ;;
    esac
    ( cd "$T/work" && export PATH="$T/work/build:$PATH" && eval "$line" ) > "$T/out" 2> "$T/err" < /dev/null; rc=$?
    [ $rc = 0 ] && ok "README line $n: $(printf '%s' "$line" | tr -d '\\' | cut -c1-60)" || no "README line $n (exit $rc): $line: $(head -c 300 "$T/err")"
done < "$T/use.sh"

# --- the C program, from an installed prefix ---
awk '/^From C/ { c = 1 } c && /^```c/ { on = 1; next } on && /^```/ { exit } on' README.md > "$T/prog.c"
if ! command -v pkg-config > /dev/null; then skip "README C program: no pkg-config"
elif nm "$B/liblatent.a" 2>/dev/null | grep -q __asan_init; then skip "README C program: a sanitizer build (its archive needs -fsanitize to link)"
elif make -s install PREFIX="$T/prefix" B="$B" > "$T/install.log" 2>&1; then
    export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig"
    cc "$T/prog.c" -o "$T/prog" $(pkg-config --cflags --libs latent) 2> "$T/err" \
        && ok "README C program builds against the shared library" || no "README C program (shared): $(head -c 300 "$T/err")"
    (cd "$T/work" && LD_LIBRARY_PATH="$T/prefix/lib" "$T/prog") > "$T/out" 2> "$T/err" && grep -q "words x 100" "$T/out" \
        && ok "... and runs: $(cat "$T/out")" || no "README C program (shared) run: $(head -c 300 "$T/err")"
    cc "$T/prog.c" -o "$T/prog-static" $(pkg-config --cflags --libs --static latent-static) 2> "$T/err" \
        && ok "README C program builds against the archive (pkg-config --static latent-static)" || no "README C program (static): $(head -c 300 "$T/err")"
    ! ldd "$T/prog-static" 2>/dev/null | grep -q liblatent && ok "... it needs no liblatent.so" || no "the static build still needs liblatent.so"
    (cd "$T/work" && "$T/prog-static") > "$T/out" 2> "$T/err" && grep -q "words x 100" "$T/out" \
        && ok "... and runs" || no "README C program (static) run: $(head -c 300 "$T/err")"
else no "make install PREFIX=$T/prefix: $(tail -5 "$T/install.log")"; fi

echo "$P passed, $F failed, $S skipped"
[ $F = 0 ]
