#!/bin/bash
# Host-only images of the three tools, built for the same machine and the same kernel, side by
# side: initkit-mkimage --host, initramfs-tools with MODULES=dep, dracut --hostonly (in its
# default "sloppy" mode and in --hostonly-mode strict), each with its own detection; nothing is
# named by hand. Nothing is booted.
#
# Usage: qemu/bench/hostonly-compare.sh BUILD [OUT.md]                  (make bench-hostonly)
#   On the build host, for the kernel in BUILD/kernel: the host's /boot and /lib/modules are
#   never written (initramfs-tools runs in a private mount namespace that shows BUILD/kernel
#   there, as mkimage-initramfs-tools.sh does; dracut and initkit get --kmoddir/--moddir).
# Or as the /run script of the initkit-tools disk inside the Debian 12 encrypted-LVM install
#   guest (no arguments; qemu/scenarios/install-debian-hostonly-compare.scn, make
#   bench-hostonly-guest): for the running kernel, whose whole module tree the tools disk
#   brings (bound on /lib/modules/KVER); the peers' Debian packages, downloaded on the build
#   host into BUILD/bench/guest-debs, are unpacked into the guest (their data only: no maintainer
#   scripts, so nothing regenerates the guest's own initramfs) before they run.
# Prints a markdown table: the image (compressed) and the sum of its regular files, the entries
# (every path in the archive), regular files, kernel modules, wall time of the whole build, and
# initkit's detection time as --host reports it (the peers do not report theirs separately).
# Every image is zstd (each tool's default level), without early microcode; all three are
# listed by the same reader (lsinitramfs, initramfs-tools-core).
set -euo pipefail
T=/run/initkit-tools
if [ $# -eq 0 ] && [ -x "$T/bin/initkit-mkimage" ]; then
	guest=1
	KVER=$(uname -r)
	W=/var/tmp/hostonly
	OUTMD=$W/table.md
	MKIMAGE=$T/bin/initkit-mkimage INIT=$T/bin/initkit-init
	moddir=/lib/modules/$KVER
	[ -d "$T/$KVER" ] || { echo "hostonly-compare: the tools disk has no modules for $KVER" >&2; exit 1; }
	mountpoint -q "$moddir" || mount --bind "$T/$KVER" "$moddir"
	# this initkit-mkimage's compiled-in default lvm (the build's deps path; --help names it)
	lvm=$("$MKIMAGE" --help | sed -n '/--lvm-binary/{n;s/^ *\(\/[^ )]*\)).*/\1/p}')
	install -D -m 0755 "$T/bin/lvm.static" "$lvm"
	install -m 0755 "$T/bin/e2fsck.static" /sbin/e2fsck.static
	ls "$T"/debs/*.deb >/dev/null 2>&1 || { echo "hostonly-compare: no peer packages on the tools disk (make bench-hostonly-guest downloads them)" >&2; exit 1; }
	# (tar keeps the merged-/usr links /bin, /lib, /sbin: dpkg-deb -x would replace them)
	for d in "$T"/debs/*.deb; do dpkg-deb --fsys-tarfile "$d" | tar -x --keep-directory-symlink -C /; done
	fsck=()
else
	guest=
	B=$(realpath "${1:?usage: hostonly-compare.sh BUILD [OUT.md]}")
	OUTMD=${2:-$B/bench-hostonly.md}
	KVER=$(cat "$B/kernel/kver")
	KROOT=$B/kernel/root
	W=$B/bench/hostonly
	MKIMAGE=$B/stripped/initkit-mkimage INIT=$B/stripped/initkit-init
	moddir=$KROOT/lib/modules/$KVER
	fsck=(--fsck-binary "$B/qemu/e2fsck/sbin/e2fsck.static")
fi
rm -rf "$W" && mkdir -p "$W"
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
export SOURCE_DATE_EPOCH=1700000000

# initkit: --host, nothing named by hand
t0=$(now)
"$MKIMAGE" --host -o "$W/initkit.img" --init "$INIT" --kver "$KVER" --moddir "$moddir" "${fsck[@]}" \
	>"$W/initkit.table" 2>"$W/initkit.err" || { cat "$W/initkit.err" >&2; exit 1; }
t_initkit=$(ms "$t0" "$(now)")
det_initkit=$(cat "$W/initkit.table" "$W/initkit.err" | sed -n 's/.*detect[a-z]* [a-z ]*in \([0-9.]* *m\?s\).*/\1/p' | head -1)

# initramfs-tools, MODULES=dep: its own detection (hook-functions' dep_add_modules: the root's
# block device chain and filesystem; cryptsetup-initramfs and lvm2's hooks add what the
# guest's crypttab and LVM need)
mkdir -p "$W/itools/conf/conf.d" "$W/itools/conf/hooks" "$W/itools/conf/scripts" "$W/itools/tmp"
cat >"$W/itools/conf/initramfs.conf" <<'CONF'
MODULES=dep
BUSYBOX=auto
KEYMAP=n
COMPRESS=zstd
DEVICE=
NFSROOT=auto
RUNSIZE=10%
FSTYPE=auto
CONF
: >"$W/itools/conf/modules"
t0=$(now)
if [ -n "$guest" ]; then
	TMPDIR=$W/itools/tmp mkinitramfs -d "$W/itools/conf" -o "$W/initramfs-tools.img" "$KVER" >"$W/itools.log" 2>&1
else
	TMPDIR=$W/itools/tmp unshare -m --propagation private /bin/sh -eu -c '
		mount -t overlay bench-modules -o "lowerdir=$1/lib:/usr/lib" /usr/lib
		mount --bind "$1/boot" /boot
		mkinitramfs -d "$2" -o "$3" "$4"' sh "$KROOT" "$W/itools/conf" "$W/initramfs-tools.img" "$KVER" \
		>"$W/itools.log" 2>&1
fi || { cat "$W/itools.log" >&2; exit 1; }
t_itools=$(ms "$t0" "$(now)")

# dracut --hostonly with its default module set for this machine (no --modules), private config
mkdir -p "$W/dracut/conf.d" "$W/dracut/tmp"
t0=$(now)
dracut --quiet --force --hostonly --reproducible \
	--conf /dev/null --confdir "$W/dracut/conf.d" --tmpdir "$W/dracut/tmp" \
	--kver "$KVER" --kmoddir "$moddir" \
	--zstd --no-early-microcode "$W/dracut.img" >"$W/dracut.log" 2>&1 ||
	{ cat "$W/dracut.log" >&2; exit 1; }
t_dracut=$(ms "$t0" "$(now)")
# ... and with --hostonly-mode strict (only the drivers of the devices the machine has; the
# default "sloppy" mode keeps whole driver classes, e.g. every HID and watchdog driver)
mkdir -p "$W/dracut-strict/conf.d" "$W/dracut-strict/tmp"
t0=$(now)
dracut --quiet --force --hostonly --hostonly-mode strict --reproducible \
	--conf /dev/null --confdir "$W/dracut-strict/conf.d" --tmpdir "$W/dracut-strict/tmp" \
	--kver "$KVER" --kmoddir "$moddir" \
	--zstd --no-early-microcode "$W/dracut-strict.img" >"$W/dracut-strict.log" 2>&1 ||
	{ cat "$W/dracut-strict.log" >&2; exit 1; }
t_dracut_strict=$(ms "$t0" "$(now)")

row() { # NAME IMAGE BUILD_MS DETECT
	local l="$W/$1.list" size files entries mods raw
	lsinitramfs -l "$2" >"$l"
	size=$(stat -c %s "$2")
	entries=$(grep -c '^[-dlcbps]' "$l" || true)
	files=$(grep -c '^-' "$l" || true)
	raw=$(awk '/^-/ { s += $5 } END { print s + 0 }' "$l")
	mods=$(grep -cE '^-.*\.ko(\.(xz|zst|gz))?$' "$l" || true)
	awk -v n="$1" -v s="$size" -v r="$raw" -v e="$entries" -v f="$files" -v m="$mods" -v t="$3" -v d="${4:--}" \
		'BEGIN { printf "| %s | %.2f MB | %.2f MB | %d | %d | %d | %.2f s | %s |\n", n, s / 1e6, r / 1e6, e, f, m, t / 1000, d }'
	grep -E '^-.*\.ko' "$l" | awk '{ print $NF }' | xargs -rn1 basename | sed 's/\.ko.*//' | sort >"$W/$1.modules"
}
{
	root=$(findmnt -n -o SOURCE,FSTYPE / | tr -s ' ')
	where="this build host"
	[ -z "$guest" ] || where="the install guest"
	echo "Host-only images for $where (root $root), kernel $KVER, zstd:"
	echo
	echo "| tool | image | uncompressed | entries | files | modules | build time | detection |"
	echo "|---|---|---|---|---|---|---|---|"
	row "initkit --host" "$W/initkit.img" "$t_initkit" "$det_initkit"
	row "initramfs-tools MODULES=dep" "$W/initramfs-tools.img" "$t_itools" ""
	row "dracut --hostonly" "$W/dracut.img" "$t_dracut" ""
	row "dracut --hostonly-mode strict" "$W/dracut-strict.img" "$t_dracut_strict" ""
	echo
	for t in "initkit --host" "initramfs-tools MODULES=dep" "dracut --hostonly" "dracut --hostonly-mode strict"; do
		echo "- $t ($(wc -l <"$W/$t.modules") modules): $(tr '\n' ' ' <"$W/$t.modules")"
	done
} | tee "$OUTMD"
