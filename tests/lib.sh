# Shared by the shell tests: counters, ok/no, and expect (exit code + a pattern on stderr).
# The sourcing script sets T (its scratch folder) first.
P=0; F=0
ok() { P=$((P + 1)); echo "ok $1"; }
no() { F=$((F + 1)); echo "FAIL $1"; }
# expect CODE NAME PATTERN -- command...   (stderr must match PATTERN; a crash is exit >= 128)
expect() {
    code=$1; name=$2; pat=$3; shift 4
    "$@" > "$T/out" 2> "$T/err"; rc=$?
    if [ $rc -eq "$code" ] && grep -q -- "$pat" "$T/err"; then ok "$name"
    else no "$name (exit $rc, want $code; stderr: $(head -c 300 "$T/err"))"; fi
}
