#!/bin/ash
# A NixOS-style stage 1 (the shape of nixpkgs' nixos/modules/system/boot/stage-1-init.sh),
# written for the boot benchmark: busybox ash + Debian's cryptsetup tool + kmod's modprobe.
# Command line: root=DEV|UUID=...  bench.luks=LUKS-UUID:NAME, once per LUKS device, opened in
# that order (NixOS bakes both into the script at build time; the benchmark uses one image for
# every test disk).
export PATH=/bin:/sbin

fail() {
	echo "stage-1: $*"
	echo "stage-1: An error occurred in stage 1 of the boot process."
	poweroff -f
}

echo
echo "<<< NixOS-style Stage 1 >>>"
echo

mkdir -p /proc /sys /dev /run /tmp /mnt-root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs -o mode=0755 devtmpfs /dev
mount -t tmpfs -o mode=0755,size=10% tmpfs /run
ln -s /proc/mounts /etc/mtab 2>/dev/null

root= luks=
for o in $(cat /proc/cmdline); do
	case $o in
	root=*) root=${o#root=} ;;
	bench.luks=*) luks="$luks ${o#bench.luks=}" ;;
	esac
done

# NixOS points the kernel's module helper at stage 1's modprobe (and restores it below).
echo /sbin/modprobe >/proc/sys/kernel/modprobe

echo "loading module virtio_pci virtio_blk ext4..."
for i in virtio_pci virtio_blk ext4; do
	modprobe "$i" || echo "stage-1: warning: cannot load $i"
done

# Wait for a device (NixOS runs udevd and `udevadm settle`, then polls; without udev this
# polls findfs every 50 ms, for 20 s at most).
waitDevice() {
	local spec=$1 try=400 dev
	while [ $try -gt 0 ]; do
		case $spec in
		UUID=* | LABEL=*) dev=$(findfs "$spec" 2>/dev/null) ;;
		*) [ -e "$spec" ] && dev=$spec ;;
		esac
		[ -n "$dev" ] && echo "$dev" && return 0
		sleep 0.05
		try=$((try - 1))
	done
	return 1
}

# NixOS's openDevice for each luks device, in order, with boot.initrd.luks.reusePassphrases
# (its default): the first passphrase typed is kept (NixOS: /crypt-ramfs/passphrase) and tried
# first on the next devices; a prompt only when it does not open one.
if [ -n "$luks" ]; then
	for i in dm_mod dm_crypt; do modprobe "$i"; done
	mkdir -p /run/cryptsetup && chmod 0700 /run/cryptsetup
	passphrase=
	for l in $luks; do
		uuid=${l%%:*}
		name=${l#*:}
		dev=$(waitDevice "UUID=$uuid") || fail "LUKS device UUID=$uuid did not appear"
		if [ -n "$passphrase" ]; then
			echo -n "Verifying passphrase for $dev..."
			if printf '%s' "$passphrase" | cryptsetup luksOpen --key-file=- "$dev" "$name" 2>/dev/null; then
				echo " - success"
				continue
			fi
			echo " - failure"
		fi
		# NixOS's askPassphrase loop: read the passphrase on the console, pipe it to cryptsetup.
		tries=3
		while [ $tries -gt 0 ]; do
			printf "Passphrase for %s: " "$dev"
			IFS= read -rs passphrase
			echo
			if printf '%s' "$passphrase" | cryptsetup luksOpen --key-file=- "$dev" "$name"; then
				echo "$dev opened as $name"
				break
			fi
			echo "stage-1: cannot open $dev, try again"
			tries=$((tries - 1))
		done
		[ $tries -gt 0 ] || fail "cannot unlock $dev"
	done
	unset passphrase
fi

# NixOS with LVM enabled: "starting device mapper and LVM..." after the LUKS devices
# (preLVM), activating every VG found. Only the LVM image carries /sbin/lvm. NixOS's udevd
# makes the /dev/mapper nodes; without udev here, lvm is told to make them itself.
if [ -x /sbin/lvm ]; then
	echo "starting device mapper and LVM..."
	lvm vgchange -ay --config 'activation { udev_sync = 0 udev_rules = 0 }' ||
		echo "stage-1: warning: lvm vgchange -ay failed"
fi

[ -n "$root" ] || fail "no root= on the command line"
rootdev=$(waitDevice "$root") || fail "root device $root did not appear"
echo "mounting $rootdev on /..."
mount -t ext4 -o rw "$rootdev" /mnt-root || fail "cannot mount $rootdev"

# Restore /proc/sys/kernel/modprobe to its original value.
echo /sbin/modprobe >/proc/sys/kernel/modprobe

# Start stage 2: `switch_root' deletes all files in the ramfs on the current root.
mount --move /proc /mnt-root/proc
mount --move /sys /mnt-root/sys
mount --move /dev /mnt-root/dev
mount --move /run /mnt-root/run
exec env -i switch_root /mnt-root /sbin/init
fail "switch_root failed"
