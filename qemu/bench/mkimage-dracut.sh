#!/bin/bash
# Peer 2: dracut (Debian's dracut-core) with its crypt module and systemd in the initramfs
# (systemd-cryptsetup asks for the passphrase), for the kernel in BUILD/kernel.
# Usage: qemu/bench/mkimage-dracut.sh BUILD OUT.img
#
# No host state is read or written: --conf /dev/null and an empty private --confdir (the
# host's /etc/dracut.conf* are ignored), --kver/--kmoddir point at BUILD/kernel, --no-hostonly
# (the image must not depend on the build host's disks), a private --tmpdir. The dracut
# module list is the smallest that boots a LUKS root with systemd (systemd-initrd,
# dracut-systemd, crypt, rootfs-block; dracut adds their dependencies), and the kernel
# drivers are the same as the other peers'. dracut's crypt module adds every module under
# kernel/crypto by itself (=crypto) when not host-only.
# BENCH_LVM=1 adds dracut's lvm module (the LVM-on-LUKS disk): Debian's dynamic lvm, its
# 64-lvm.rules and lvm_scan, dm-snapshot; activation by rd.lvm.lv= on the command line.
set -euo pipefail
B=$(realpath "$1")
OUT=$(realpath -m "$2")
KVER=$(cat "$B/kernel/kver")
W=$B/bench/work/dracut
mods="systemd-initrd dracut-systemd crypt rootfs-block"
[ "${BENCH_LVM:-}" = 1 ] && mods+=" lvm"
rm -rf "$W" && mkdir -p "$W/conf.d" "$W/tmp" "$(dirname "$OUT")"
SOURCE_DATE_EPOCH=1700000000 dracut --quiet --force --no-hostonly --reproducible \
	--conf /dev/null --confdir "$W/conf.d" --tmpdir "$W/tmp" \
	--kver "$KVER" --kmoddir "$B/kernel/root/lib/modules/$KVER" \
	--modules "$mods" \
	--drivers "virtio_pci virtio_blk ext4 dm_crypt xts ecb" \
	--zstd --no-early-microcode "$OUT.tmp"
chmod 0644 "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$W"
