#!/bin/bash
# Peer 1: Debian's initramfs-tools + cryptsetup-initramfs, for the kernel in BUILD/kernel.
# Usage: qemu/bench/mkimage-initramfs-tools.sh BUILD OUT.img
#
# mkinitramfs has no modules-directory option: it reads /lib/modules/VERSION and
# /boot/config-VERSION. It runs here in a private mount namespace (unshare -m) where a
# read-only overlay shows BUILD/kernel/root/lib/modules under /usr/lib (= /lib) and
# BUILD/kernel/root/boot is bound on /boot; both vanish with the namespace and the host's
# /lib/modules and /boot are never written. The configuration is a private -d CONFDIR:
# MODULES=list with the same modules the other peers carry (virtio disk, ext4, dm-crypt and
# its crypto templates), BUSYBOX=y, zstd. cryptsetup-initramfs's hook adds cryptsetup and
# askpass; the LUKS root is named on the command line: cryptopts=target=croot,source=UUID=...,luks
set -euo pipefail
B=$(realpath "$1")
OUT=$(realpath -m "$2")
KVER=$(cat "$B/kernel/kver")
KROOT=$B/kernel/root
W=$B/bench/work/initramfs-tools
rm -rf "$W" && mkdir -p "$W/conf/conf.d" "$W/conf/hooks" "$W/conf/scripts" "$W/tmp" "$(dirname "$OUT")"
cat >"$W/conf/initramfs.conf" <<'CONF'
MODULES=list
BUSYBOX=y
KEYMAP=n
COMPRESS=zstd
DEVICE=
NFSROOT=auto
RUNSIZE=10%
FSTYPE=auto
CONF
printf '%s\n' virtio_pci virtio_blk ext4 dm_crypt xts ecb >"$W/conf/modules"
export SOURCE_DATE_EPOCH=1700000000 TMPDIR=$W/tmp
unshare -m --propagation private /bin/sh -eu -c '
	mount -t overlay bench-modules -o "lowerdir=$1/lib:/usr/lib" /usr/lib
	mount --bind "$1/boot" /boot
	mkinitramfs -d "$2" -o "$3" "$4"' sh "$KROOT" "$W/conf" "$OUT.tmp" "$KVER"
mv "$OUT.tmp" "$OUT"
rm -rf "$W"
