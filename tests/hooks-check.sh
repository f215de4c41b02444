#!/bin/bash
# The kernel hooks of issue 13, as installed by `make install` into a temporary root and run
# there the way dpkg and kernel-install run them: /etc/kernel/postinst.d/initkit and
# postrm.d/initkit (DEB_MAINT_PARAMS, /boot/initrd.img-VERSION, /etc/initramfs/post-update.d/),
# the kernel-install(8) plugin through systemd 252's real kernel-install with its real
# 90-loaderentry.install, and /etc/initkit/mkimage.conf. The images are written by the real
# initkit-mkimage on Debian's kernel modules (build/kernel); INITKIT_ROOT=ROOT (the hooks'
# documented test hook) makes them read and write below ROOT. HOST=no in most cases: whether
# --host is passed is checked on the execve() (strace), not on what --host does.
# Usage: tests/hooks-check.sh [BUILD_DIR]. Ends with "N passed, N failed".
set -uo pipefail
SRC=$(realpath "$(dirname "$0")/..")
"$SRC/lib/apt-install" strace systemd
O=$(realpath "${1:-build}")
KVER=$(cat "$O/kernel/kver")
. "$(dirname "$0")/lib.sh"
umask 0022

R=$T/root
make -s -C "$SRC" install O="$O" PREFIX=/usr DESTDIR="$R" >"$T/install.log" 2>&1 || { cat "$T/install.log"; exit 1; }
mkdir -p "$R/lib/modules" "$R/lib/firmware" "$R/boot" "$R/etc/keys" "$R/etc/initramfs/post-update.d"
ln -s "$O/kernel/root/lib/modules/$KVER" "$R/lib/modules/$KVER"
echo "not a kernel: the hooks only take its directory" >"$R/boot/vmlinuz-$KVER"
head -c 32 /dev/urandom >"$R/etc/keys/root.key" && chmod 0600 "$R/etc/keys/root.key"
printf '#!/bin/sh\n' >"$R/etc/initkit/unlock-hook" && chmod 0755 "$R/etc/initkit/unlock-hook"
printf '#!/bin/sh\necho "$@" >>%s/post-update.log\n' "$T" >"$R/etc/initramfs/post-update.d/record"
chmod 0755 "$R/etc/initramfs/post-update.d/record"
export INITKIT_ROOT=$R
IMG=$R/boot/initrd.img-$KVER
POSTINST=$R/etc/kernel/postinst.d/initkit
POSTRM=$R/etc/kernel/postrm.d/initkit
conf() { printf '%s\n' "$@" >"$R/etc/initkit/mkimage.conf"; }
KEYCONF=('# a comment' 'HOST=no' 'MODULES="virtio_blk ext4"' "KEYFILES='/etc/keys/root.key'"
	'HOOKS=/etc/initkit/unlock-hook' 'COMPRESS=none')

check "make install put the hooks, the plugin and build-image in place" test -x "$POSTINST" -a -x "$POSTRM" \
	-a -x "$R/usr/lib/kernel/install.d/86-initkit.install" -a -x "$R/usr/lib/initkit/build-image" \
	-a -f "$R/etc/initkit/mkimage.conf"
check "the shipped mkimage.conf is all comments (the defaults)" bash -c "! grep -v '^#' '$R/etc/initkit/mkimage.conf' | grep -q ."

# --- Debian's postinst.d hook, called as the kernel package's postinst calls it.
conf "${KEYCONF[@]}"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/pi.out" 2>&1
list "$IMG" >"$T/pi.ls" 2>/dev/null
check "postinst configure: /boot/initrd.img-$KVER written" test -s "$IMG"
check "postinst: the image is initkit's (/init, /sbin/modprobe -> /init)" grep -q ' sbin/modprobe$' "$T/pi.ls"
check "postinst: MODULES= of mkimage.conf are in it" grep -q "/virtio_blk.ko" "$T/pi.ls"
check "postinst: KEYFILES= is in it, mode 0400" grep -q '^100400 etc/initkit/keys/root.key$' "$T/pi.ls"
check "postinst: HOOKS= is in it" grep -q '^100755 etc/initkit/hooks.d/unlock-hook$' "$T/pi.ls"
check "postinst: an image holding a key is 0600 (umask 0022)" test "$(stat -c %a "$IMG")" = 600
check "postinst: post-update.d ran with the version and the image" grep -qxF "$KVER $IMG" "$T/post-update.log"
: >"$T/post-update.log"
# HOST=yes (the default) passes --host; seen on the execve() of the real binary.
conf 'MODULES=virtio_blk' 'COMPRESS=none'
DEB_MAINT_PARAMS="'configure' ''" strace -f -qq -s 256 -e trace=execve -o "$T/host.trace" \
	"$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "mkimage.conf without HOST=: initkit-mkimage runs with --host, --kver and the module" \
	grep -q "initkit-mkimage\", \[.*\"--kver\", \"$KVER\".*\"--host\".*\"--module\", \"virtio_blk\"" "$T/host.trace"
: >"$T/post-update.log"
cp -p "$IMG" "$T/good.img"
# A world-readable key: initkit-mkimage's warning reaches the hook's caller.
chmod 0644 "$R/etc/keys/root.key"
conf "${KEYCONF[@]}"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/wr.out" 2>&1
check "a world-readable key file is warned about through the hook, naming it" \
	grep -q -- "--keyfile $R/etc/keys/root.key: readable by every user on this host (mode 0644)" "$T/wr.out"
chmod 0600 "$R/etc/keys/root.key"
: >"$T/post-update.log"
# No secret: the caller's umask decides, as for any file.
conf 'HOST=no' 'MODULES=virtio_blk' 'COMPRESS=none'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "postinst: an image without a key is 0644 (umask 0022)" test "$(stat -c %a "$IMG")" = 644
# FILES=: host files at the same path with their mode; a 0600 one (a detached header) makes
# the image 0600.
head -c 4096 /dev/zero >"$R/etc/keys/header.img" && chmod 0600 "$R/etc/keys/header.img"
echo x >"$R/etc/motd" && chmod 0644 "$R/etc/motd"
conf 'HOST=no' 'MODULES=virtio_blk' 'COMPRESS=none' 'FILES="/etc/keys/header.img /etc/motd"'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/files.out" 2>&1
list "$IMG" >"$T/files.ls" 2>/dev/null
check "FILES=: each file at its path with its mode" bash -c "grep -q '^100600 etc/keys/header.img$' '$T/files.ls' && grep -q '^100644 etc/motd$' '$T/files.ls'"
check "FILES=: a file others may not read (a detached header) makes the image 0600" test "$(stat -c %a "$IMG")" = 600
conf 'HOST=no' 'FILES=/etc/keys'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/fdir.out" 2>&1
check "FILES= naming a directory: refused naming it" grep -q "FILES: /etc/keys is not a regular file" "$T/fdir.out"
# A broken mkimage.conf: the hook fails naming the line, the old image stays, no post-update.
cp -p "$T/good.img" "$IMG"
: >"$T/post-update.log"
conf 'HOST=no' 'MODULE=virtio_blk'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/bad.out" 2>&1
echo $? >"$T/bad.rc"
check "an unknown mkimage.conf key: the hook fails (dpkg sees it)" test "$(cat "$T/bad.rc")" -ne 0
check "... naming the file and line" grep -q "mkimage.conf:2: unknown key 'MODULE'" "$T/bad.out"
check "... the old image untouched" cmp "$T/good.img" "$IMG"
check "... post-update.d not run" test ! -s "$T/post-update.log"
conf 'HOST=maybe'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/bad2.out" 2>&1
check "HOST= neither yes nor no: refused naming the value" grep -q "HOST=maybe: expected yes or no" "$T/bad2.out"
# Comments after a value, quotes that do not close, globs: the conf is not a shell script.
rm -f "$IMG"
conf 'HOST=no' 'MODULES="virtio_blk ext4" # for the VM' 'COMPRESS=none  # size does not matter'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/cmt.out" 2>&1
check "a # comment after a quoted or unquoted value is a comment" bash -c "list '$IMG' | grep -q '/virtio_blk.ko' && list '$IMG' | grep -q '/ext4.ko'"
conf 'HOST=no' 'MODULES="virtio_blk ext4'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/unq.out" 2>&1
check "a quote that does not close: refused naming the line" grep -q "mkimage.conf:2: 'MODULES=\"virtio_blk ext4': no closing \"" "$T/unq.out"
conf 'HOST=no' 'MODULES="virtio_blk" ext4'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/aft.out" 2>&1
check "text after the closing quote: refused naming the line" grep -q "mkimage.conf:2: .*'ext4' after the closing \"" "$T/aft.out"
mkdir -p "$T/cwd" && touch "$T/cwd/virtio_blk"
conf 'HOST=no' 'MODULES=virtio_bl?'
(cd "$T/cwd" && DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER") >"$T/glob.out" 2>&1
check "a value is never a glob against the hook's working directory" grep -q "no module or alias named 'virtio_bl?'" "$T/glob.out"
# A kernel whose modules are not installed: refused as initramfs-tools and dracut do.
conf 'HOST=no'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" 0.0.0-nomodules /boot/vmlinuz-0.0.0-nomodules >"$T/nomod.out" 2>&1
echo $? >"$T/nomod.rc"
check "a kernel without /lib/modules/VERSION: the hook fails naming it, nothing written" bash -c \
	"[ \$(cat '$T/nomod.rc') -ne 0 ] && grep -q 'lib/modules/0.0.0-nomodules does not exist: the modules of kernel 0.0.0-nomodules are not installed' '$T/nomod.out' && [ ! -e '$R/boot/initrd.img-0.0.0-nomodules' ]"
# Under debconf stdin and stdout are not the hook's (kernel handbook): everything to stderr,
# nothing read from stdin, for the hook and what it runs.
printf '#!/bin/sh\ncat >%s/stdin.log\n' "$T" >"$R/etc/initramfs/post-update.d/stdin"
chmod 0755 "$R/etc/initramfs/post-update.d/stdin"
conf 'HOST=no'
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" <<<"debconf's" >"$T/so.out" 2>"$T/se.out"
check "postinst: nothing on stdout (debconf's), the summary on stderr" bash -c "[ ! -s '$T/so.out' ] && grep -q 'initrd.img-$KVER: .* entries' '$T/se.out'"
check "postinst: post-update.d reads nothing from the hook's stdin" bash -c "[ -e '$T/stdin.log' ] && [ ! -s '$T/stdin.log' ]"
rm -f "$T/stdin.log"
DEB_MAINT_PARAMS="'remove'" "$POSTRM" "$KVER" "/boot/vmlinuz-$KVER" <<<"debconf's" >"$T/so.out" 2>"$T/se.out"
check "postrm: nothing on stdout, nothing read from stdin" bash -c "[ ! -s '$T/so.out' ] && grep -q 'removing' '$T/se.out' && [ -e '$T/stdin.log' ] && [ ! -s '$T/stdin.log' ]"
rm -f "$R/etc/initramfs/post-update.d/stdin"
# make install by hand next to initramfs-tools: its hook would replace the image; said.
mkdir -p "$R/usr/sbin" && printf '#!/bin/sh\n' >"$R/usr/sbin/update-initramfs"
printf '#!/bin/sh\ncommand -v update-initramfs >/dev/null || exit 0\n' >"$R/etc/kernel/postinst.d/initramfs-tools"
chmod 0755 "$R/usr/sbin/update-initramfs" "$R/etc/kernel/postinst.d/initramfs-tools"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/itools.out" 2>&1
check "initramfs-tools installed too: the hook warns its image will be replaced" grep -q "warning: initramfs-tools is installed too: its /etc/kernel/postinst.d/initramfs-tools runs after this hook" "$T/itools.out"
rm -f "$R/usr/sbin/update-initramfs"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >"$T/itools2.out" 2>&1
check "... not when only its conffile hook is left (initramfs-tools removed)" bash -c "! grep -q 'initramfs-tools is installed too' '$T/itools2.out'"
rm -f "$R/etc/kernel/postinst.d/initramfs-tools"
# When not to act.
conf "${KEYCONF[@]}"
rm -f "$IMG"
DEB_MAINT_PARAMS="'abort-upgrade' '1'" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "postinst with DEB_MAINT_PARAMS abort-upgrade: nothing written" test ! -e "$IMG"
INITRD=No DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "postinst with INITRD=No: nothing written" test ! -e "$IMG"
mv "$R/usr/lib/initkit/build-image" "$T/build-image"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
echo $? >"$T/gone.rc"
check "initkit removed, its conffile hook left: exit 0, nothing written" test "$(cat "$T/gone.rc")" = 0 -a ! -e "$IMG"
mv "$T/build-image" "$R/usr/lib/initkit/build-image"
"$POSTINST" >/dev/null 2>"$T/nover.out"
check "postinst without a version: exit status 2, says so" bash -c "[ $? -eq 2 ] && grep -q 'no kernel version given' '$T/nover.out'"
"$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1 # run by hand: no DEB_MAINT_PARAMS
check "postinst run by hand (no DEB_MAINT_PARAMS): written" test -s "$IMG"

# --- Debian's postrm.d hook.
: >"$T/post-update.log"
DEB_MAINT_PARAMS="'upgrade' '2'" "$POSTRM" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "postrm with DEB_MAINT_PARAMS upgrade: the image stays" test -s "$IMG"
DEB_MAINT_PARAMS="'remove'" "$POSTRM" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "postrm remove: /boot/initrd.img-$KVER removed" test ! -e "$IMG"
check "postrm remove: post-update.d ran with the version and the image" grep -qxF "$KVER $IMG" "$T/post-update.log"

# --- The kernel-install plugin, through systemd's own kernel-install and 90-loaderentry.
MID=0123456789abcdef0123456789abcdef
ENTRY=$R/boot/$MID/$KVER
# Debian's 85-initrd.install stages a link to /boot/initrd.img-VERSION; here systemd's own
# script with that one path pointed into the temporary root (sed), so the host's /boot is
# never read.
sed "s|INITRD_SRC=\"/boot/|INITRD_SRC=\"$R/boot/|" /usr/lib/kernel/install.d/85-initrd.install >"$T/85-initrd.install"
chmod 0755 "$T/85-initrd.install"
check "systemd's 85-initrd.install was pointed at the temporary root" grep -q "INITRD_SRC=\"$R/boot/" "$T/85-initrd.install"
ki() { # LAYOUT GENERATOR ARGS...: kernel-install -v with systemd's 85-initrd and 90-loaderentry
	printf 'layout=%s\n%s\n' "$1" "${2:+initrd_generator=$2}" >"$R/etc/kernel/install.conf"
	shift 2
	KERNEL_INSTALL_PLUGINS="$T/85-initrd.install $R/usr/lib/kernel/install.d/86-initkit.install /usr/lib/kernel/install.d/90-loaderentry.install" \
		KERNEL_INSTALL_CONF_ROOT=$R/etc/kernel BOOT_ROOT=$R/boot MACHINE_ID=$MID kernel-install -v "$@"
}
conf "${KEYCONF[@]}"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
check "/boot/initrd.img-$KVER is there before kernel-install runs (as on Debian)" test -s "$IMG"
ki bls "" add "$KVER" "$R/boot/vmlinuz-$KVER" >"$T/ki.out" 2>&1
check "kernel-install add (generator unset, layout bls): the entry has initkit's initrd" bash -c "list '$ENTRY/initrd' 2>/dev/null | grep -q ' sbin/modprobe$'"
check "... holding a key, it is 0600 in the entry (90-loaderentry would copy it 0644)" test "$(stat -c %a "$ENTRY/initrd" 2>/dev/null)" = 600
check "... and the loader entry names it" grep -q "^initrd .*$KVER/initrd$" "$R/boot/loader/entries/$MID-$KVER.conf"
check "... 85-initrd's link to /boot/initrd.img-$KVER dropped: no second (0644) copy" bash -c "[ ! -e '$ENTRY/initrd.img-$KVER' ] && [ \$(grep -c '^initrd ' '$R/boot/loader/entries/$MID-$KVER.conf') -eq 1 ]"
ki bls "" remove "$KVER" >/dev/null 2>&1
check "kernel-install remove: the entry and its initrd are gone" test ! -e "$ENTRY"
conf 'HOST=no' 'MODULES=virtio_blk' 'COMPRESS=none'
ki bls initkit add "$KVER" "$R/boot/vmlinuz-$KVER" >"$T/ki2.out" 2>&1
check "initrd_generator=initkit, no key: staged, then installed by 90-loaderentry" bash -c "grep -q 'writing .*/initrd' '$T/ki2.out' && list '$ENTRY/initrd' | grep -q ' sbin/modprobe$'"
check "... the loader entry names it" grep -q "^initrd .*$KVER/initrd$" "$R/boot/loader/entries/$MID-$KVER.conf"
ki bls "" remove "$KVER" >/dev/null 2>&1
ki bls dracut add "$KVER" "$R/boot/vmlinuz-$KVER" >"$T/ki3.out" 2>&1
check "initrd_generator=dracut: no initrd written" bash -c "[ ! -e '$ENTRY/initrd' ] && grep -q \"initrd generator is 'dracut', not initkit\" '$T/ki3.out'"
check "... and 85-initrd's /boot/initrd.img-$KVER left to be used" test -f "$ENTRY/initrd.img-$KVER"
ki bls "" remove "$KVER" >/dev/null 2>&1
echo 'not ours' >"$T/given.img"
ki bls "" add "$KVER" "$R/boot/vmlinuz-$KVER" "$T/given.img" >"$T/ki4.out" 2>&1
check "an initrd given to kernel-install: none written (the given one is used)" bash -c "grep -q 'an initrd was given' '$T/ki4.out' && cmp -s '$T/given.img' '$ENTRY/given.img' && [ ! -e '$ENTRY/initrd' ]"
ki bls "" remove "$KVER" >/dev/null 2>&1
# As Debian's /etc/initramfs/post-update.d/systemd-boot calls it after the postinst.d hook:
# the initrd given is initkit's 0600 image holding a key; 90-loaderentry copies it 0644.
conf "${KEYCONF[@]}"
DEB_MAINT_PARAMS="'configure' ''" "$POSTINST" "$KVER" "/boot/vmlinuz-$KVER" >/dev/null 2>&1
ki bls "" add "$KVER" "$R/boot/vmlinuz-$KVER" "$IMG" >"$T/ki7.out" 2>&1
# (Others could read the copy only through a directory open to them: it is 0644 itself.)
check "a given initrd holding a key (0600): its copy in the entry is closed to other users (entry dir 0700)" bash -c \
	"[ -f '$ENTRY/initrd.img-$KVER' ] && [ \"\$(stat -c %a '$ENTRY')\" = 700 ]"
check "... the loader entry names it all the same" grep -q "^initrd .*$KVER/initrd.img-$KVER$" "$R/boot/loader/entries/$MID-$KVER.conf"
ki bls "" remove "$KVER" >/dev/null 2>&1
ki other "" add "$KVER" "$R/boot/vmlinuz-$KVER" >"$T/ki5.out" 2>&1
check "layout other: nothing written (the Debian hooks serve it)" bash -c "grep -q \"layout 'other': no boot entry\" '$T/ki5.out' && [ ! -e '$ENTRY/initrd' ]"
ki uki "" add "$KVER" "$R/boot/vmlinuz-$KVER" >"$T/ki6.out" 2>&1
check "layout uki: says initkit writes no unified kernel images" grep -q "layout 'uki': initkit writes no unified kernel images" "$T/ki6.out"
summary hooks
