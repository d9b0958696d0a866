#!/bin/sh
# The Python package as a user installs it: `pip install ./python` into a fresh virtual
# environment (build isolation: setuptools and numpy from PyPI; liblatent built from this
# repository and linked into the extension), and `pip wheel` then an install of the wheel into
# another; each followed by the README's Python lines, run as pasted from the repository root.
# Skipped, and named, where PyPI cannot be reached. Ends with "N passed, N failed, N skipped".
PY=${PYTHON:-/usr/bin/python3}
B=${B:-build}
T=$B/tests/pip
rm -rf "$T"; mkdir -p "$T"
. tests/lib.sh
S=0
skip() { S=$((S + 1)); echo "skip $1"; }
readme_lines() {   # VENV_PYTHON: the README's ```python block under "## From Python"
    "$1" - <<'PYEOF'
import re
text = open("README.md", encoding="utf-8").read()
code = re.search(r"```python\n(.*?)```", text[text.index("## From Python"):], re.S).group(1)
scope = {}
exec(compile(code, "README.md", "exec"), scope)
assert scope["Z"].shape == (len(scope["kv"]), 10) and scope["I"].shape == (2, 2)
import latent
assert "site-packages" in latent.__file__, latent.__file__
PYEOF
}
if ! "$PY" -m venv --help > /dev/null 2>&1; then skip "pip install: $PY has no venv module (Debian python3-venv)"
elif ! "$PY" -c "import urllib.request as u; u.urlopen('https://pypi.org/simple/setuptools/', timeout=10)" 2>/dev/null; then
    skip "pip install: PyPI is not reachable (setuptools and numpy come from it)"
else
    "$PY" -m venv "$T/a" && "$T/a/bin/pip" install -q ./python > "$T/a.log" 2>&1 \
        && ok "pip install ./python into a fresh virtual environment" || no "pip install ./python ($(tail -3 "$T/a.log"))"
    if ldd "$T"/a/lib/python3*/site-packages/latent/_latent*.so | grep -q liblatent; then
        no "the installed extension needs liblatent.so"
    else ok "the installed extension carries liblatent (no liblatent.so needed)"; fi
    readme_lines "$T/a/bin/python" > "$T/a.readme" 2>&1 && ok "README's Python lines after pip install" \
        || no "README's Python lines after pip install ($(tail -3 "$T/a.readme"))"
    "$T/a/bin/pip" wheel -q --no-deps ./python -w "$T/wheels" > "$T/w.log" 2>&1 && ls "$T"/wheels/latent-*.whl > /dev/null \
        && ok "pip wheel ./python" || no "pip wheel ($(tail -3 "$T/w.log"))"
    "$PY" -m venv "$T/b" && "$T/b/bin/pip" install -q "$T"/wheels/latent-*.whl > "$T/b.log" 2>&1 \
        && ok "the wheel installs into another virtual environment" || no "wheel install ($(tail -3 "$T/b.log"))"
    readme_lines "$T/b/bin/python" > "$T/b.readme" 2>&1 && ok "README's Python lines from the wheel" \
        || no "README's Python lines from the wheel ($(tail -3 "$T/b.readme"))"
fi
echo "$P passed, $F failed, $S skipped"
[ "$F" = 0 ]
