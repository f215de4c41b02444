# Sourced by the shell checks in tests/ (mkimage, keymap, hooks, deb, man): a scratch directory
# $T removed on exit, the PASS/FAIL lines and their counts, and the summary line CI greps.
# Source it after `set -uo pipefail`; it sets T, pass, fail and the EXIT trap.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
# check NAME CMD...: PASS when CMD succeeds, else FAIL with its output indented below.
check() { local name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/  | /' "$T/out"; fi; }
# summary WHAT: "WHAT: N passed, N failed" (the line CI greps; keep its format), and the exit
# status: 0 only when nothing failed. The last command of a check.
summary() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# list IMAGE: an uncompressed newc cpio's entries, "mode name" each, parsed here so no cpio tool
# is needed. Exported, for `bash -c` checks.
list() {
	python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
p = 0
while p + 110 <= len(d):
    h = d[p:p + 110]
    assert h[:6] == b"070701", "bad magic at %d" % p
    mode, size, nsize = int(h[14:22], 16), int(h[54:62], 16), int(h[94:102], 16)
    name = d[p + 110:p + 110 + nsize - 1].decode()
    p = (p + 110 + nsize + 3) & ~3
    if name == "TRAILER!!!":
        break
    print("%o %s" % (mode, name))
    p = (p + size + 3) & ~3
PY
}
export -f list
