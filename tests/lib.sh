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

# list [-v] IMAGE: an uncompressed newc cpio's entries, "mode name" each; with -v every field
# the kernel's unpacker uses, "mode uid gid nlink ino size name". Parsed here so no cpio tool is
# needed. Exported, for `bash -c` checks.
list() {
	local verbose=no
	[ "$1" = -v ] && verbose=yes && shift
	python3 - "$1" "$verbose" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
p = 0
while p + 110 <= len(d):
    h = d[p:p + 110]
    assert h[:6] == b"070701", "bad magic at %d" % p
    f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    ino, mode, uid, gid, nlink, size, nsize = f[0], f[1], f[2], f[3], f[4], f[6], f[11]
    name = d[p + 110:p + 110 + nsize - 1].decode()
    p = (p + 110 + nsize + 3) & ~3
    if name == "TRAILER!!!":
        break
    if sys.argv[2] == "yes":
        print("%o %d %d %d %d %d %s" % (mode, uid, gid, nlink, ino, size, name))
    else:
        print("%o %s" % (mode, name))
    p = (p + size + 3) & ~3
PY
}
export -f list
