#!/bin/bash
# Fetch what the QEMU harness needs, without touching the system's boot:
#  - qemu-system-x86, cryptsetup-bin, e2fsprogs, gdisk, python3, kbd and console-setup (loadkeys,
#    ckbcomp: initkit-mkimage --keymap) (apt-get, when missing);
#  - Debian's kernel and its modules, extracted into $O/kernel (apt-get download + dpkg-deb -x).
# Usage: qemu/setup.sh BUILD_DIR      Prints nothing when everything is in place.
set -euo pipefail
O=$(realpath -m "${1:-build}")
KDIR=$O/kernel

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
"$(dirname "$0")/../lib/apt-install" qemu-system-x86 qemu-utils cryptsetup-bin e2fsprogs gdisk \
	python3 libgcrypt20-dev kmod kbd console-setup

if [ ! -f "$KDIR/.stamp" ]; then
	rm -rf "$KDIR" && mkdir -p "$KDIR/deb"
	# The versioned image package the meta-package linux-image-amd64 points at.
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		as_root apt-get update -qq
		pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	echo "qemu-setup: fetching $pkg" >&2
	(cd "$KDIR/deb" && apt-get download -qq "$pkg" 2>&1 | grep -v unsandboxed || true)
	dpkg-deb -x "$KDIR"/deb/*.deb "$KDIR/root"
	kver=$(ls "$KDIR/root/lib/modules")
	# The package ships no modules.dep*: its postinst runs depmod. Do that here, privately.
	depmod -b "$KDIR/root" "$kver"
	ln -sf "root/boot/vmlinuz-$kver" "$KDIR/vmlinuz"
	echo "$kver" >"$KDIR/kver"
	rm -rf "$KDIR/deb"
	echo "$pkg" >"$KDIR/.stamp"
fi
