#!/bin/sh
# Installs the Debian packages latent needs, only those missing. Needs root or sudo.
#   setup.sh        what building and `make run` need
#   setup.sh test   also what every test needs: the Python module's build and tests (numpy,
#                   pytest, gensim as the oracle) and Node.js/npm for the real-vocabulary test
PKGS="gcc make libc6-dev zlib1g-dev libutf8proc-dev libopenblas-dev liblapacke-dev libcjson-dev libpng-dev libjpeg-dev libcairo2-dev libdeflate-dev bc"
[ "$1" = test ] && PKGS="$PKGS python3 python3-dev python3-numpy python3-pytest python3-gensim python3-sklearn python3-pil fasttext chromium"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ "$1" = test ]; then
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
echo "setup: installing$missing" >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || {
    echo "setup: apt-get failed; install by hand:$missing" >&2; exit 1; }
