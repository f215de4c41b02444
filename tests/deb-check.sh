#!/bin/bash
# The Debian package of `make deb`: its relationships (as dracut and tiny-initramfs declare
# them), its files and conffiles, installing it with the real dpkg into an empty root
# (dpkg --root; no maintainer scripts run outside it), its postinst.d hook building an image
# there with the packaged initkit-mkimage on Debian's modules (build/kernel), removing and
# purging it, and lintian: clean apart from initrd/mkimage/dist/debian/initkit.lintian-overrides.
# Usage: tests/deb-check.sh [BUILD_DIR]. Ends with "N passed, N failed".
set -uo pipefail
"$(dirname "$0")/../lib/apt-install" lintian man-db
O=$(realpath "${1:-build}")
DEB=$(ls "$O"/deb/initkit_*_*.deb 2>/dev/null | head -1)
KVER=$(cat "$O/kernel/kver")
. "$(dirname "$0")/lib.sh"
umask 0022
[ -n "$DEB" ] || { echo "deb-check: no package in $O/deb (make deb)"; exit 1; }

field() { dpkg-deb -f "$DEB" "$1"; }
check "Provides: linux-initramfs-tool (what Debian's kernel packages depend on)" bash -c "[ '$(field Provides)' = linux-initramfs-tool ]"
for c in initramfs-tools dracut tiny-initramfs; do
	check "Conflicts: $c" bash -c "dpkg-deb -f '$DEB' Conflicts | tr ',' '\n' | sed 's/ //g' | grep -qx '$c'"
done
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
for f in /usr/bin/initkit-init /usr/bin/initkit-mkimage /usr/bin/initkit-stage2 /usr/bin/kconfig-merge \
	/usr/bin/initkit-confine /usr/lib/systemd/system-generators/initkit-confine /usr/lib/initkit/lvm \
	/usr/share/man/man8/initkit-confine.8.gz \
	/usr/lib/kernel/install.d/86-initkit.install /etc/kernel/postinst.d/initkit \
	/etc/kernel/postrm.d/initkit /etc/initkit/mkimage.conf /usr/lib/initkit/build-image \
	/usr/lib/systemd/system-generators/initkit-logind-defaults \
	/usr/share/man/man8/initkit-init.8.gz /usr/share/man/man8/initkit-mkimage.8.gz \
	/usr/share/man/man8/initkit-stage2.8.gz /usr/share/man/man1/kconfig-merge.1.gz; do
	check "the package has $f" grep -qxF "$f" "$T/files"
done
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles >"$T/conffiles"
check "the hooks and mkimage.conf are conffiles" bash -c "grep -qx /etc/kernel/postinst.d/initkit '$T/conffiles' && grep -qx /etc/kernel/postrm.d/initkit '$T/conffiles' && grep -qx /etc/initkit/mkimage.conf '$T/conffiles'"

# Installed by dpkg into an empty root; its own hook then builds an image there.
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/lib/modules" "$R/lib/firmware" "$R/boot" "$R/etc/keys"
touch "$R/var/lib/dpkg/status"
dpkgr() { dpkg --root="$R" --force-depends --log=/dev/null "$@"; }
check "dpkg installs it" dpkgr -i "$DEB"
check "the generator link resolves to initkit-stage2" test "$(readlink -f "$R/usr/lib/systemd/system-generators/initkit-logind-defaults")" = "$(readlink -f "$R/usr/bin/initkit-stage2")"
check "the installed initkit-mkimage takes the package's static lvm by default (--lvm, --host on LVM)" bash -c "'$R/usr/bin/initkit-mkimage' --help | grep -qF '$R/usr/lib/initkit/lvm)' && file '$R/usr/lib/initkit/lvm' | grep -q 'statically linked'"
check "man -l renders the installed initkit-mkimage(8)" bash -c "LC_ALL=C man -l '$R/usr/share/man/man8/initkit-mkimage.8.gz' | grep -q '^NAME'"
ln -s "$O/kernel/root/lib/modules/$KVER" "$R/lib/modules/$KVER"
head -c 32 /dev/urandom >"$R/etc/keys/root.key" && chmod 0600 "$R/etc/keys/root.key"
printf 'HOST=no\nMODULES="virtio_blk ext4"\nKEYFILES=/etc/keys/root.key\n' >"$R/etc/initkit/mkimage.conf"
INITKIT_ROOT=$R DEB_MAINT_PARAMS="'configure' ''" "$R/etc/kernel/postinst.d/initkit" "$KVER" "/boot/vmlinuz-$KVER" >"$T/pi.out" 2>&1
check "the packaged postinst.d hook writes /boot/initrd.img-$KVER with the packaged initkit-mkimage" \
	bash -c "grep -q 'initrd.img-$KVER: .* entries' '$T/pi.out' && [ -s '$R/boot/initrd.img-$KVER' ]"
check "... mode 0600: it holds a key" test "$(stat -c %a "$R/boot/initrd.img-$KVER")" = 600
check "dpkg removes it" dpkgr -r initkit
check "removed: the programs are gone" test ! -e "$R/usr/bin/initkit-mkimage"
rm -f "$R/boot/initrd.img-$KVER"
INITKIT_ROOT=$R DEB_MAINT_PARAMS="'configure' ''" "$R/etc/kernel/postinst.d/initkit" "$KVER" "/boot/vmlinuz-$KVER" >"$T/left.out" 2>&1
check "removed, not purged: the conffile hook left behind does nothing, exit 0" bash -c "[ $? -eq 0 ] && [ ! -e '$R/boot/initrd.img-$KVER' ]"
check "dpkg purges it: the hooks are gone" bash -c "dpkg --root='$R' --force-depends --log=/dev/null -P initkit >/dev/null && [ ! -e '$R/etc/kernel/postinst.d/initkit' ]"

lintian --fail-on error,warning,info --info --display-info "$O"/deb/*.changes >"$T/lintian" 2>&1
check "lintian: clean apart from initrd/mkimage/dist/debian/initkit.lintian-overrides" bash -c "! grep -E '^[EWI]: ' '$T/lintian'"
grep -E '^[EWIO]: ' "$T/lintian" | sed 's/^/  lintian: /'
lintian --show-overrides "$O"/deb/*.changes 2>/dev/null | grep '^O: ' | sed 's/^/  /'
summary deb
