#!/bin/sh
# Run inside the Debian 12 install guest (the /run script of the initkit-tools disk,
# qemu/guest-tools.sh debs=...; started by qemu/install/probe after multi-user.target): the
# package a user installs, used as a user's kernel installation uses it (issue 13).
#  1. dpkg -i the initkit_*.deb that `make deb` built (the guest has neither initramfs-tools
#     nor dracut, which it conflicts with: checked);
#  2. the kernel package's postinst as dpkg runs it for the running kernel: run-parts over
#     /etc/kernel/postinst.d with DEB_MAINT_PARAMS=configure and the arguments VERSION
#     /boot/vmlinuz-VERSION (linux-image-*.postinst). The guest has no kernel package: the
#     module tree comes from the tools disk (bound on /lib/modules/VERSION, as host-image.sh
#     does); the hook needs no vmlinuz (the image path only names the directory). A key file
#     in /etc/initkit/mkimage.conf (KEYFILES=) makes the image hold a key: written 0600 under
#     umask 0022;
#  3. the image goes to the raw disk named by initkit.test.image-to= (header "initkit-image
#     SIZE SHA256", image from byte 4096: run.py's initrd-from:) for the next boot;
#  4. the kernel package's postrm: run-parts over /etc/kernel/postrm.d with
#     DEB_MAINT_PARAMS=remove; the image is gone.
# Output lines start with INITKIT-DEB; the hooks' own output (the --host table) comes as it is.
T=/run/initkit-tools
say() { echo "INITKIT-DEB $*"; }
fail() { say "error: $*"; exit 1; }
kver=$(uname -r)
initrd=/boot/initrd.img-$kver
for p in initramfs-tools dracut tiny-initramfs; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
	case $st in ii*) fail "$p is installed (the guest should have no other initramfs generator)" ;; esac
	say "$p: not installed"
done
deb=$T/debs/initkit.deb
[ -f "$deb" ] || fail "the tools disk has no $deb"
dpkg -i "$deb" || fail "dpkg -i $deb failed"
say "installed: $(dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}' initkit)"
for f in /etc/kernel/postinst.d/initkit /etc/kernel/postrm.d/initkit /usr/bin/initkit-mkimage; do
	[ -x "$f" ] || fail "the package installed no $f"
done
say "postinst.d: $(ls /etc/kernel/postinst.d | tr '\n' ' ')"

# The kernel package's part: its module tree (the install disk carries only what stage 2
# loads). The static lvm is the package's own (/usr/lib/initkit/lvm, the default --help names).
[ -d "$T/$kver" ] || fail "the tools disk has no modules for the running kernel $kver"
mount --bind "$T/$kver" "/lib/modules/$kver" || fail "cannot bind the modules on /lib/modules/$kver"
lvm=$(/usr/bin/initkit-mkimage --help | sed -n '/--lvm-binary/{n;s/^ *\(\/[^ )]*\)).*/\1/p}')
[ "$lvm" = /usr/lib/initkit/lvm ] && [ -x "$lvm" ] ||
	fail "the package's initkit-mkimage takes --lvm-binary ${lvm:-?} by default, not its own /usr/lib/initkit/lvm"
say "lvm: the package's $lvm"
# A key the image carries (KEYFILES=), kept 0600 on the host as mkimage.conf asks.
(umask 077 && head -c 64 /dev/urandom >/etc/initkit-test.key)
echo 'KEYFILES="/etc/initkit-test.key"' >>/etc/initkit/mkimage.conf
rm -f "$initrd"

umask 022
start=$(date +%s%N)
DEB_MAINT_PARAMS="configure" run-parts --report --exit-on-error --arg="$kver" \
	--arg="/boot/vmlinuz-$kver" /etc/kernel/postinst.d
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
umount "/lib/modules/$kver"
say "postinst.d (configure) for $kver exited with status $rc after $ms ms"
[ $rc -eq 0 ] || exit 1
[ -f "$initrd" ] || fail "$initrd was not written"
magic=$(od -An -tx1 -N4 "$initrd" | tr -d ' ')
say "$initrd: mode $(stat -c %a "$initrd"), $(stat -c %s "$initrd") bytes, magic $magic"

dev=$(sed -n 's/.*initkit\.test\.image-to=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -b "$dev" ] || fail "initkit.test.image-to= names no block device ('$dev')"
size=$(stat -c %s "$initrd")
sum=$(sha256sum "$initrd" | cut -c1-64)
printf 'initkit-image %s %s\n' "$size" "$sum" | dd of="$dev" bs=4096 conv=sync,notrunc,fsync status=none &&
	dd if="$initrd" of="$dev" bs=4096 seek=1 conv=notrunc,fsync status=none ||
	fail "cannot write $initrd to $dev"
say "image written to $dev: $size bytes, sha256 $sum"

DEB_MAINT_PARAMS="remove" run-parts --report --exit-on-error --arg="$kver" \
	--arg="/boot/vmlinuz-$kver" /etc/kernel/postrm.d
rc=$?
say "postrm.d (remove) for $kver exited with status $rc"
[ $rc -eq 0 ] || exit 1
if [ -e "$initrd" ]; then
	fail "$initrd is still there after postrm.d"
fi
say "$initrd removed"
