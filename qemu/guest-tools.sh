#!/bin/bash
# The initkit-tools disk: what a guest needs to build its own image inside QEMU, as a user
# would on an installed system (qemu/install/probe mounts it when the kernel command line has
# initkit.test.tools, runs its /run script and powers off).
#
# Usage: qemu/guest-tools.sh BUILD OUT.img run=SCRIPT [debs=DIR]  (via qemu/disks.sh guest-tools ...)
# The disk (ext4, LABEL=initkit-tools) holds:
#   /KVER/...            the test kernel's whole module tree (BUILD/kernel/root/lib/modules/KVER,
#                        396 MB for 6.1): the guest's install disk carries only the modules its
#                        own stage 2 loads, a real install has all of them
#   /bin/initkit-mkimage /bin/initkit-init   this build's stripped binaries
#   /bin/lvm.static      this build's static lvm (BUILD/deps/sbin/lvm)
#   /bin/e2fsck.static   Debian's e2fsck-static (BUILD/qemu/e2fsck), when built
#   /run                 SCRIPT (a path relative to qemu/), executable
#   /debs/*.deb          with debs=DIR (relative to BUILD): those packages, for the guest to
#                        unpack (the peers of qemu/bench/hostonly-compare.sh)
# The module tree is the slow part (mkfs.ext4 -d, ~10 s): it is made once per kernel under
# BUILD/qemu/disks/guest-modules-HASH.img and each run copies it and writes the rest with
# debugfs (no mounts, no root needed beyond reading the build).
set -euo pipefail
O=$(realpath -m "$1")
OUT=$2
shift 2
run='' debs=''
for kv in "$@"; do
	case "$kv" in
	run=*) run=${kv#run=} ;;
	debs=*) debs=${kv#debs=} ;;
	*) echo "guest-tools.sh: unknown key '$kv'" >&2; exit 2 ;;
	esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
[ -n "$run" ] && [ -f "$HERE/$run" ] || { echo "guest-tools.sh: run=SCRIPT names no file under qemu/ ('$run')" >&2; exit 2; }
kver=$(cat "$O/kernel/kver")
mods=$O/kernel/root/lib/modules
key=$(cat "$O/kernel/kver" "$mods/$kver/modules.dep" "$0" | sha256sum | cut -c1-12)
base=$O/qemu/disks/guest-modules-$key.img
if [ ! -f "$base" ]; then
	mkdir -p "$(dirname "$base")"
	rm -f "$O"/qemu/disks/guest-modules-*.img # another kernel's or script's: 400 MB each
	mb=$(du -sm "$mods" | cut -f1)
	# room for the module tree, 64 MiB for the binaries, and ext4's own overhead
	mkfs.ext4 -q -F -E root_owner=0:0 -L initkit-tools -d "$mods" "$base.tmp" "$((mb * 6 / 5 + 64))M" 2>&1 |
		grep -v "^Creating regular file" >&2 || true
	mv "$base.tmp" "$base"
fi
cp --sparse=always "$base" "$OUT.tmp"
files=("$O/stripped/initkit-mkimage" /bin/initkit-mkimage "$O/stripped/initkit-init" /bin/initkit-init
	"$O/deps/sbin/lvm" /bin/lvm.static "$HERE/$run" /run)
[ -x "$O/qemu/e2fsck/sbin/e2fsck.static" ] && files+=("$O/qemu/e2fsck/sbin/e2fsck.static" /bin/e2fsck.static)
cmds="mkdir /bin"$'\n'
if [ -n "$debs" ]; then
	ls "$O/$debs"/*.deb >/dev/null 2>&1 || { echo "guest-tools.sh: debs=$debs: no packages in $O/$debs" >&2; exit 1; }
	cmds+="mkdir /debs"$'\n'
	for f in "$O/$debs"/*.deb; do
		files+=("$f" "/debs/$(dpkg-deb -f "$f" Package).deb")
	done
fi
for ((i = 0; i < ${#files[@]}; i += 2)); do
	[ -f "${files[i]}" ] || { echo "guest-tools.sh: ${files[i]} is missing (run make first)" >&2; exit 1; }
	cmds+="write ${files[i]} ${files[i + 1]}"$'\n'"set_inode_field ${files[i + 1]} mode 0100755"$'\n'
done
debugfs -w -f - "$OUT.tmp" >/dev/null 2>&1 <<<"$cmds"
# debugfs says little when a write fails: read every file back
for ((i = 0; i < ${#files[@]}; i += 2)); do
	debugfs -R "cat ${files[i + 1]}" "$OUT.tmp" 2>/dev/null | cmp -s - "${files[i]}" ||
		{ echo "guest-tools.sh: debugfs did not write ${files[i + 1]}" >&2; exit 1; }
done
mv "$OUT.tmp" "$OUT"
