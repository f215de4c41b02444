#!/bin/sh
# Run inside the Debian 12 install guest (the /run script of the initkit-tools disk,
# qemu/guest-tools.sh; started by qemu/install/probe after multi-user.target): build a host-only
# image for the running kernel as a user of that machine would, with nothing named by hand
# (initkit-mkimage --host), and hand it to the harness for the next boot: written to the raw
# disk named by initkit.test.image-to= with the header run.py's initrd-from: reads
# ("initkit-image SIZE SHA256" in the first 4 KiB, the image from byte 4096). The host cannot
# read the guest's LUKS/LVM root (no device-mapper there), hence the scratch disk.
# Output lines start with INITKIT-HOST; the table initkit-mkimage prints comes as it is.
T=/run/initkit-tools
say() { echo "INITKIT-HOST $*"; }
kver=$(uname -r)
if [ ! -d "$T/$kver" ]; then
	say "error: the tools disk has no modules for the running kernel $kver (it has: $(ls "$T" | tr '\n' ' '))"
	exit 1
fi
# The kernel package's modules as an installed kernel has them (the install disk carries only
# those its stage 2 loads), and the static helpers Debian packages would put in /sbin.
mount --bind "$T/$kver" "/lib/modules/$kver" || { say "error: cannot bind the modules on /lib/modules/$kver"; exit 1; }
# The static lvm where this initkit-mkimage looks for it by default (the build's deps path,
# compiled in; --help names it), so that --host alone decides whether the image needs LVM.
lvm=$("$T/bin/initkit-mkimage" --help | sed -n '/--lvm-binary/{n;s/^ *\(\/[^ )]*\)).*/\1/p}')
[ -n "$lvm" ] || { say "error: initkit-mkimage --help names no default --lvm-binary"; exit 1; }
install -D -m 0755 "$T/bin/lvm.static" "$lvm"
[ ! -e "$T/bin/e2fsck.static" ] || install -m 0755 "$T/bin/e2fsck.static" /sbin/e2fsck.static
dev=$(sed -n 's/.*initkit\.test\.image-to=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -b "$dev" ] || { say "error: initkit.test.image-to= names no block device ('$dev')"; exit 1; }
img=/run/initkit-host.img
start=$(date +%s%N)
"$T/bin/initkit-mkimage" --host -o "$img" --init "$T/bin/initkit-init"
rc=$?
umount "/lib/modules/$kver"
ms=$((($(date +%s%N) - start) / 1000000))
say "initkit-mkimage --host for $kver exited with status $rc after $ms ms"
[ $rc -eq 0 ] || exit 1
size=$(stat -c %s "$img")
sum=$(sha256sum "$img" | cut -c1-64)
say "image: $size bytes, sha256 $sum"
printf 'initkit-image %s %s\n' "$size" "$sum" | dd of="$dev" bs=4096 conv=sync,notrunc,fsync status=none &&
	dd if="$img" of="$dev" bs=4096 seek=1 conv=notrunc,fsync status=none ||
	{ say "error: cannot write the image to $dev"; exit 1; }
say "image written to $dev"
