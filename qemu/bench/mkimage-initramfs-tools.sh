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
#
# BENCH_LVM=1 builds the image for the LVM-on-LUKS disk: lvm2's own hook (hooks/lvm2, from
# Debian's lvm2 package: the dynamic lvm and dmsetup, /etc/lvm, udev's 56-lvm/69-lvm rules,
# dm_mod, dm_snapshot, dm_mirror, dm_raid, raid0/1/10/456) runs as it does on Debian. Without
# it, that hook is masked in the namespace by an empty one, so the LUKS/plain image is the one
# built before lvm2 was installed on the benchmark machines.
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
mask=
if [ "${BENCH_LVM:-}" != 1 ] && [ -e /usr/share/initramfs-tools/hooks/lvm2 ]; then
	mask=$W/no-lvm2-hook
	printf '#!/bin/sh\nexit 0\n' >"$mask" && chmod 0755 "$mask"
fi
export SOURCE_DATE_EPOCH=1700000000 TMPDIR=$W/tmp
unshare -m --propagation private /bin/sh -eu -c '
	mount -t overlay bench-modules -o "lowerdir=$1/lib:/usr/lib" /usr/lib
	mount --bind "$1/boot" /boot
	[ -z "$5" ] || mount --bind "$5" /usr/share/initramfs-tools/hooks/lvm2
	mkinitramfs -d "$2" -o "$3" "$4"' sh "$KROOT" "$W/conf" "$OUT.tmp" "$KVER" "$mask"
mv "$OUT.tmp" "$OUT"
rm -rf "$W"
