#!/bin/bash
# Install the peers of the boot benchmark from Debian's packages, when missing (idempotent).
# None of them is run on the host's own boot: the benchmark builds every image into build/
# for the kernel in build/kernel (--kver, private config dirs; see qemu/bench/README.md).
#  - initramfs-tools (+ -core: mkinitramfs) and cryptsetup-initramfs: Debian's default;
#  - dracut-core: the dracut command without the dracut package (which conflicts with
#    initramfs-tools);
#  - busybox-static (or an installed busybox) and cryptsetup-bin: the NixOS-style stage 1;
#  - lvm2: its initramfs-tools hook and local-top script (the LVM-on-LUKS disk);
#  - kmod (modprobe), cpio, zstd, binutils (readelf).
# Note: installing initramfs-tools/cryptsetup-initramfs runs Debian's trigger, which
# regenerates the initramfs of kernels installed in /boot, if any (there are none on the
# benchmark machines; on a machine with a kernel it is the update Debian itself would do).
# The same holds for lvm2: its postinst runs update-initramfs (for kernels in /boot: none
# here); it also enables lvm2's systemd units, which do nothing on a machine without VGs.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in initramfs-tools initramfs-tools-core cryptsetup-initramfs dracut-core cryptsetup-bin \
	lvm2 kmod cpio zstd binutils; do
	installed "$p" || missing+=("$p")
done
# Either busybox will do (the NixOS-style image copies /bin/busybox with its libraries);
# busybox-static conflicts with busybox, so an installed busybox is kept.
installed busybox || installed busybox-static || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench-deps: installing ${missing[*]}" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
