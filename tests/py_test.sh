#!/bin/sh
# Python tests (tests/python, pytest) on the module built in ${B:-build}/python. Skipped, saying
# so, where python3, numpy or pytest is missing; ends with "N passed, N failed, N skipped".
PY=${PYTHON:-/usr/bin/python3}
B=${B:-build}
if ! "$PY" -c "import numpy, pytest" 2>/dev/null; then
    echo "skip Python tests: $PY lacks numpy or pytest (Debian python3-numpy python3-pytest)"
    echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
if [ ! -f "$B/python/latent/__init__.py" ]; then echo "FAIL the Python module was not built"; echo "0 passed, 1 failed"; exit 1; fi
out=$(PYTHONPATH="$B/python" LATENT="$B/latent" "$PY" -m pytest -q -rs -p no:cacheprovider tests/python 2>&1); rc=$?
printf '%s\n' "$out" | grep -E '^(FAILED|ERROR|SKIPPED)|Error|assert' | head -40
last=$(printf '%s\n' "$out" | grep -E '(passed|failed|skipped|error)' | tail -1)
num() { printf '%s\n' "$last" | grep -oE "[0-9]+ $1" | cut -d' ' -f1; }
p=$(num passed); f=$(num failed); s=$(num skipped); e=$(num error)
p=${p:-0}; f=$((${f:-0} + ${e:-0})); s=${s:-0}
[ $rc -ne 0 ] && [ $f = 0 ] && { printf '%s\n' "$out" | tail -20; f=1; }
[ "$s" != 0 ] && printf '%s\n' "$out" | grep '^SKIPPED' | sed 's/^SKIPPED/skip/'
echo "$p passed, $f failed, $s skipped"
[ $f = 0 ]
