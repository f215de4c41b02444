#!/bin/bash
# initkit-mkimage end to end on Debian's real kernel modules (build/kernel): reproducibility
# (same inputs + SOURCE_DATE_EPOCH -> identical bytes), what goes into the image (module
# closure with indexes, /sbin/modprobe, key files 0400, hooks 0755, gen_init_cpio entries),
# and that bad input leaves the old image untouched. Ends with "N passed, N failed".
set -uo pipefail
O=$(realpath "${1:-build}")
MK=$O/stripped/initkit-mkimage
KVER=$(cat "$O/kernel/kver")
MOD=$O/kernel/root/lib/modules/$KVER
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/  | /' "$T/out"; fi; }

# newc listing: "mode name" per entry, parsed here so no cpio tool is needed.
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

printf 'file /etc/motd %s/motd 0644 0 0\nslink /bin/sh /init 0777 0 0\ndir /var/empty 0700 0 0\n' "$T" >"$T/list"
echo hello >"$T/motd"
echo 'croot UUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002 /etc/initkit/keys/k luks' >"$T/crypttab"
head -c 32 /dev/urandom >"$T/k"
printf '#!/bin/sh\n' >"$T/hook" && chmod 755 "$T/hook"
args=(--init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" -m virtio_pci,virtio_blk,ext4
	--crypttab "$T/crypttab" --keyfile "$T/k" --hook "$T/hook" --file-list "$T/list" -q)
SOURCE_DATE_EPOCH=1700000000 "$MK" -o "$T/a.img" "${args[@]}" >/dev/null
touch "$T/motd" "$T/k" # new mtimes on the inputs must not matter
SOURCE_DATE_EPOCH=1700000000 "$MK" -o "$T/b.img" "${args[@]}" >/dev/null
check "reproducible: same inputs and SOURCE_DATE_EPOCH give identical bytes" cmp "$T/a.img" "$T/b.img"
SOURCE_DATE_EPOCH=1700000001 "$MK" -o "$T/c.img" "${args[@]}" >/dev/null
check "SOURCE_DATE_EPOCH is what sets the mtimes" bash -c "! cmp -s '$T/a.img' '$T/c.img'"
"$MK" -o "$T/u.img" --compress none "${args[@]}" >/dev/null
list "$T/u.img" >"$T/ls"
check "init is /init, mode 0755" grep -qx '100755 init' "$T/ls"
check "/sbin/modprobe links to /init" grep -qx '120777 sbin/modprobe' "$T/ls"
check "key file stored mode 0400" grep -qx '100400 etc/initkit/keys/k' "$T/ls"
check "hook stored executable" grep -qx '100755 etc/initkit/hooks.d/hook' "$T/ls"
check "crypttab included" grep -qx '100644 etc/crypttab' "$T/ls"
check "gen_init_cpio list: file, slink, dir" bash -c "grep -qx '100644 etc/motd' '$T/ls' && grep -qx '120777 bin/sh' '$T/ls' && grep -qx '40700 var/empty' '$T/ls'"
check "module closure: virtio_blk with its dependency virtio_ring" bash -c "grep -q 'kernel/drivers/block/virtio_blk.ko$' '$T/ls' && grep -q 'virtio_ring.ko$' '$T/ls'"
check "module closure: ext4 softdep crc32c and dependency jbd2" bash -c "grep -q 'crc32c' '$T/ls' && grep -q 'jbd2.ko$' '$T/ls'"
check "crypttab implies dm-crypt and the xts template" bash -c "grep -q 'dm-crypt.ko$' '$T/ls' && grep -q '/xts.ko$' '$T/ls'"
check "module indexes regenerated for the image" grep -q "lib/modules/$KVER/modules.dep.bin" "$T/ls"
check "zstd by default" bash -c "[ \"\$(head -c 4 '$T/a.img' | od -An -tx1 | tr -d ' ')\" = 28b52ffd ]"
"$MK" -o "$T/g.img" --compress gzip "${args[@]}" >/dev/null
check "gzip on request" bash -c "[ \"\$(head -c 2 '$T/g.img' | od -An -tx1 | tr -d ' ')\" = 1f8b ]"
cp "$T/a.img" "$T/keep.img"
check "unknown module: clear error, old image untouched" bash -c "! '$MK' -o '$T/keep.img' --init '$O/stripped/initkit-init' --kver $KVER --moddir '$MOD' -m no_such_module 2>'$T/err' && grep -q \"no module or alias named 'no_such_module'\" '$T/err' && cmp -s '$T/a.img' '$T/keep.img'"
printf 'file /x /nonexistent/file 0644 0 0\nbogus line here\n' >"$T/badlist"
check "bad file list: errors name the line, no image" bash -c "! '$MK' -o '$T/bad.img' --init '$O/stripped/initkit-init' --file-list '$T/badlist' 2>'$T/err' && grep -q ':2:' '$T/err' && [ ! -e '$T/bad.img' ]"
check "--help documents the options" bash -c "'$MK' --help | grep -q -- '--keyfile'"
echo "mkimage: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
