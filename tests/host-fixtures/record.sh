#!/bin/sh
# Records what `initkit-mkimage --host` reads into a tree that `--host-root DIR` reads back:
# proc/self/mountinfo, proc/cmdline, proc/swaps, etc/crypttab, etc/lvm/lvm.conf,
# etc/initramfs-tools/conf.d/resume, and of /sys only the attributes and symlinks of every
# block and input device and their ancestors (modalias, dev, partition, name, uevent, dm/,
# md/level, capabilities/key, driver and driver/module links, slaves/), /sys/dev/block,
# /sys/class/{block,input} and /sys/fs/btrfs/*/devices. Superblocks: the first 68 KiB of each
# readable block device as dev/block/MAJ:MIN (libblkid finds a swap area only on more than a
# few pages; btrfs's superblock is at 64 KiB). dm tables: `dmsetup table` when dmsetup exists,
# with dm-crypt keys replaced by "-" (never recorded).
#
# Usage: record.sh OUTDIR [ROOTMNT]
#   ROOTMNT: where the root filesystem is mounted when recording from stage 1's emergency
#   shell (e.g. /sysroot): mountinfo's "/" becomes that mount, ROOTMNT/usr becomes /usr, and
#   etc/ is read below ROOTMNT. BB=busybox runs every tool as a busybox applet.
# With OUTDIR "-" the tree goes to stdout as base64 of a tar between HOSTREC-BEGIN/END lines
# (for the QEMU console; tests/host-fixtures/record-qemu.sh unpacks it).
set -u
BB=${BB:-}
dest=$1
rootmnt=${2:-/}
out=$dest
[ "$dest" = - ] && out=/tmp/hostrec
$BB mkdir -p "$out"

copy() { # a file's contents (sysfs attributes are read, not stat'ed); $2: where, if not $1
	local dst="$out${2:-$1}"
	[ -r "$1" ] && [ -f "$1" ] || return 0
	$BB mkdir -p "${dst%/*}"
	$BB cat "$1" >"$dst" 2>/dev/null || $BB rm -f "$dst"
}
link() { # a symlink as it is (relative sysfs links stay relative)
	[ -L "$1" ] || return 0
	$BB mkdir -p "$out${1%/*}"
	$BB ln -sfn "$($BB readlink "$1")" "$out$1"
}
seen=" "
device() { # a device directory and its ancestors below /sys/devices
	local d=$1 a s drv
	while [ -n "$d" ] && [ "$d" != /sys/devices ] && [ "$d" != /sys ]; do
		case $seen in *" $d "*) return 0 ;; esac
		seen="$seen$d "
		$BB mkdir -p "$out$d"
		for a in modalias dev partition name dm/name dm/uuid md/level capabilities/key; do
			copy "$d/$a"
		done
		if [ -L "$d/driver" ]; then
			link "$d/driver"
			drv=$($BB readlink -f "$d/driver")
			$BB mkdir -p "$out$drv"
			link "$drv/module"
		fi
		for s in "$d"/slaves/*; do
			[ -L "$s" ] || continue
			link "$s"
			device "$($BB readlink -f "$s")"
		done
		d=${d%/*}
	done
}

for l in /sys/dev/block/* /sys/class/block/* /sys/class/input/input*; do
	[ -L "$l" ] || continue
	link "$l"
	device "$($BB readlink -f "$l")"
done
for l in /sys/fs/btrfs/*/devices/*; do
	link "$l"
done
for l in /sys/class/block/*; do
	[ -r "$l/dev" ] && [ -b "/dev/${l##*/}" ] || continue
	$BB mkdir -p "$out/dev/block"
	$BB dd if="/dev/${l##*/}" of="$out/dev/block/$($BB cat "$l/dev")" bs=4096 count=17 2>/dev/null ||
		$BB rm -f "$out/dev/block/$($BB cat "$l/dev")"
done
if command -v dmsetup >/dev/null 2>&1; then
	$BB mkdir -p "$out/dmsetup"
	for n in /sys/block/dm-*/dm/name; do
		[ -r "$n" ] || continue
		name=$($BB cat "$n")
		# crypt: "start len crypt CIPHER KEY IVOFF DEV OFF ...": the key never leaves
		dmsetup table "$name" | $BB sed 's/^\([0-9]* [0-9]* crypt [^ ]*\) [^ ]*/\1 -/' \
			>"$out/dmsetup/$name"
	done
fi
$BB mkdir -p "$out/proc/self"
if [ "$rootmnt" = / ]; then
	$BB cat /proc/self/mountinfo >"$out/proc/self/mountinfo"
else
	# stage 1's own "/" (rootfs) goes; ROOTMNT becomes "/"
	$BB sed -e '/^[^ ]* [^ ]* [^ ]* [^ ]* \/ /d' -e "s# $rootmnt # / #" -e "s# $rootmnt/# /#" \
		/proc/self/mountinfo >"$out/proc/self/mountinfo"
fi
# the words after "--" are the init's arguments: --host never reads them
$BB sed "s/ -- .*//" /proc/cmdline >"$out/proc/cmdline"
$BB cat /proc/swaps >"$out/proc/swaps"
r=${rootmnt%/}
for f in /etc/crypttab /etc/initramfs-tools/conf.d/resume; do
	copy "$r$f" "$f"
done
# lvm.conf (100 KB of comments) only where device-mapper devices exist
for d in /sys/block/dm-*; do
	[ -e "$d" ] && copy "$r/etc/lvm/lvm.conf" /etc/lvm/lvm.conf
	break
done
if [ "$dest" = - ]; then
	echo HOSTREC-BEGIN
	$BB tar -C "$out" -cf - . | $BB base64
	echo HOSTREC-END
fi
