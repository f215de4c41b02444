#!/bin/bash
# Peer 3: a NixOS-style stage 1 (qemu/bench/nixos-stage1-init.sh): Debian's busybox(-static),
# Debian's cryptsetup tool (cryptsetup-bin) and kmod's modprobe with the shared libraries
# they link (readelf NEEDED closure, plus libgcc_s for glibc's pthread_exit), and the same
# kernel modules as the other peers with their dependencies (modules.dep by depmod -b).
# Usage: qemu/bench/mkimage-nixos-style.sh BUILD OUT.img
# BENCH_LVM=1 (the LVM-on-LUKS disk) adds Debian's dynamic lvm with its libraries and dm_mod:
# the script runs `lvm vgchange -ay` when /sbin/lvm is there, as NixOS's does with LVM enabled.
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
B=$(realpath "$1")
OUT=$(realpath -m "$2")
KVER=$(cat "$B/kernel/kver")
KROOT=$B/kernel/root
W=$B/bench/work/nixos-style
R=$W/root
rm -rf "$W" && mkdir -p "$R"/{bin,sbin,etc,lib64,lib/x86_64-linux-gnu,proc,sys,dev,run,tmp,mnt-root} "$(dirname "$OUT")"
install -m 0755 "$HERE/nixos-stage1-init.sh" "$R/init"
cp /bin/busybox "$R/bin/busybox"
for a in ash sh cat echo mkdir mount ln sleep findfs printf chmod env switch_root poweroff; do
	ln -s busybox "$R/bin/$a"
done
cp /sbin/cryptsetup "$R/sbin/cryptsetup"
cp /bin/kmod "$R/bin/kmod"
ln -s ../bin/kmod "$R/sbin/modprobe"
todo=("$R/bin/busybox" "$R/sbin/cryptsetup" "$R/bin/kmod" /lib/x86_64-linux-gnu/libgcc_s.so.1)
mods="virtio_pci virtio_blk ext4 dm_crypt xts ecb"
if [ "${BENCH_LVM:-}" = 1 ]; then
	cp /sbin/lvm "$R/sbin/lvm"
	todo+=("$R/sbin/lvm")
	mods+=" dm_mod"
fi
seen=" "
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$R/lib/x86_64-linux-gnu/"
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]} && todo=("${todo[@]:1}")
	for lib in $(readelf -d "$f" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
		case "$seen" in *" $lib "*) continue ;; esac
		seen+="$lib "
		[ "$lib" = ld-linux-x86-64.so.2 ] && continue
		cp -L "/lib/x86_64-linux-gnu/$lib" "$R/lib/x86_64-linux-gnu/$lib"
		todo+=("/lib/x86_64-linux-gnu/$lib")
	done
done
cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
# Kernel modules: the same set as the other peers, with what modprobe says they need.
M=$R/lib/modules/$KVER
mkdir -p "$M"
for m in $mods; do
	modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	rel=${ko#"$KROOT"/lib/modules/"$KVER"/}
	mkdir -p "$M/$(dirname "$rel")" && cp "$ko" "$M/$rel"
done
cp "$KROOT/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$M/"
depmod -b "$R" "$KVER"
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) |
	zstd -q -9 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$W"
