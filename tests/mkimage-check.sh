#!/bin/bash
# initkit-mkimage end to end on Debian's real kernel modules (build/kernel): reproducibility
# (same inputs + SOURCE_DATE_EPOCH -> identical bytes, whatever the build host's modprobe.d),
# what goes into the image (module closure with indexes, the modprobe.d files used, firmware,
# /sbin/modprobe, key files 0400, hooks 0755, gen_init_cpio entries with owners and hard
# links), the static lvm and e2fsck (refused when not static), fsync before the rename, and
# that bad input or a non-regular -o target leaves things untouched; --host on the recorded
# trees of tests/host-fixtures/. Ends with "N passed, N failed".
set -uo pipefail
"$(dirname "$0")/../lib/apt-install" cpio strace xz-utils zstd kbd console-setup
O=$(realpath "${1:-build}")
MK=$O/stripped/initkit-mkimage
KVER=$(cat "$O/kernel/kver")
MOD=$O/kernel/root/lib/modules/$KVER
. "$(dirname "$0")/lib.sh"

printf 'file /etc/motd %s/motd 0644 0 0\nslink /bin/sh /init 0777 0 0\ndir /var/empty 0700 0 0\n' "$T" >"$T/list"
# gen_init_cpio owners and hard links: a setuid binary of user 1000, a file of group 42, one
# file under three names.
printf '#!/bin/sh\necho tool\n' >"$T/tool"
printf 'file /bin/tool %s/tool 04755 1000 1000\nfile /etc/secret %s/motd 0640 0 42\nfile /bin/a %s/tool 0755 0 0 /bin/b /sbin/c\n' "$T" "$T" "$T" >>"$T/list"
printf 'dir /home/user 0750 1000 1000\n' >>"$T/list" # owners of non-file entries too
echo hello >"$T/motd"
echo 'croot UUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002 /etc/initkit/keys/k luks' >"$T/crypttab"
head -c 32 /dev/urandom >"$T/k"
printf '#!/bin/sh\n' >"$T/hook" && chmod 755 "$T/hook"
args=(--init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" -m virtio_pci,virtio_blk,ext4
	--crypttab "$T/crypttab" --keyfile "$T/k" --hook "$T/hook" --file-list "$T/list" -q)
SOURCE_DATE_EPOCH=1700000000 "$MK" -o "$T/a.img" "${args[@]}" >/dev/null
touch "$T/motd" "$T/k" # new mtimes on the inputs must not matter
SOURCE_DATE_EPOCH=1700000000 "$MK" -o "$T/b.img" "${args[@]}" >/dev/null
check "reproducible: same inputs and SOURCE_DATE_EPOCH give identical bytes" cmp "$T/a.img" "$T/b.img"
SOURCE_DATE_EPOCH=1700000001 "$MK" -o "$T/c.img" "${args[@]}" >/dev/null
check "SOURCE_DATE_EPOCH is what sets the mtimes" bash -c "! cmp -s '$T/a.img' '$T/c.img'"
"$MK" -o "$T/u.img" --compress none "${args[@]}" >/dev/null
list "$T/u.img" >"$T/ls"
check "init is /init, mode 0755" grep -qx '100755 init' "$T/ls"
check "/sbin/modprobe links to /init" grep -qx '120777 sbin/modprobe' "$T/ls"
check "key file stored mode 0400" grep -qx '100400 etc/initkit/keys/k' "$T/ls"
check "hook stored executable" grep -qx '100755 etc/initkit/hooks.d/hook' "$T/ls"
check "crypttab included" grep -qx '100644 etc/crypttab' "$T/ls"
check "gen_init_cpio list: file, slink, dir" bash -c "grep -qx '100644 etc/motd' '$T/ls' && grep -qx '120777 bin/sh' '$T/ls' && grep -qx '40700 var/empty' '$T/ls'"
check "module closure: virtio_blk with its dependency virtio_ring" bash -c "grep -q 'kernel/drivers/block/virtio_blk.ko$' '$T/ls' && grep -q 'virtio_ring.ko$' '$T/ls'"
check "module closure: ext4 softdep crc32c and dependency jbd2" bash -c "grep -q 'crc32c' '$T/ls' && grep -q 'jbd2.ko$' '$T/ls'"
"$MK" -o "$T/btrfs.img" --compress none --kver "$KVER" --moddir "$MOD" --init "$O/stripped/initkit-init" --module btrfs >/dev/null 2>&1
check "module closure: every MODULE_SOFTDEP of btrfs (libkmod returns only the first: crc32c)" bash -c "list '$T/btrfs.img' | grep -q 'xxhash_generic.ko$' && list '$T/btrfs.img' | grep -q 'blake2b_generic.ko$' && list '$T/btrfs.img' | grep -q 'sha256'"
check "crypttab implies dm-crypt and the xts template" bash -c "grep -q 'dm-crypt.ko$' '$T/ls' && grep -q '/xts.ko$' '$T/ls'"
check "module indexes regenerated for the image" grep -q "lib/modules/$KVER/modules.dep.bin" "$T/ls"
check "zstd by default" bash -c "[ \"\$(head -c 4 '$T/a.img' | od -An -tx1 | tr -d ' ')\" = 28b52ffd ]"
"$MK" -o "$T/g.img" --compress gzip "${args[@]}" >/dev/null
check "gzip on request" bash -c "[ \"\$(head -c 2 '$T/g.img' | od -An -tx1 | tr -d ' ')\" = 1f8b ]"
cp "$T/a.img" "$T/keep.img"
check "unknown module: clear error, old image untouched" bash -c "! '$MK' -o '$T/keep.img' --init '$O/stripped/initkit-init' --kver $KVER --moddir '$MOD' -m no_such_module 2>'$T/err' && grep -q \"no module or alias named 'no_such_module'\" '$T/err' && cmp -s '$T/a.img' '$T/keep.img'"
printf 'file /x /nonexistent/file 0644 0 0\nbogus line here\n' >"$T/badlist"
check "bad file list: errors name the line, no image" bash -c "! '$MK' -o '$T/bad.img' --init '$O/stripped/initkit-init' --file-list '$T/badlist' 2>'$T/err' && grep -q ':2:' '$T/err' && [ ! -e '$T/bad.img' ]"
check "--help documents the options" bash -c "'$MK' --help | grep -q -- '--keyfile'"

# --- gen_init_cpio owners and hard links (issue 17, item 10)
list -v "$T/u.img" >"$T/lv"
check "list file keeps uid/gid: setuid binary of user 1000, not root" grep -qx '104755 1000 1000 1 [0-9]* 20 bin/tool' "$T/lv"
check "list file keeps its group (0640 0 42)" grep -qx '100640 0 42 1 [0-9]* 6 etc/secret' "$T/lv"
check "list dir keeps uid/gid (0750 1000 1000)" grep -qx '40750 1000 1000 [0-9]* [0-9]* 0 home/user' "$T/lv"
check "hard links: one inode, nlink 3, data once on the last name" bash -c "
	a=\$(grep ' bin/a\$' '$T/lv'); b=\$(grep ' bin/b\$' '$T/lv'); c=\$(grep ' sbin/c\$' '$T/lv')
	set -- \$a; ia=\$5; set -- \$b; ib=\$5; set -- \$c; ic=\$5
	[ \"\$ia\" = \"\$ib\" ] && [ \"\$ia\" = \"\$ic\" ] &&
	echo \"\$a\" | grep -qx '100755 0 0 3 [0-9]* 0 bin/a' && echo \"\$b\" | grep -qx '100755 0 0 3 [0-9]* 0 bin/b' &&
	echo \"\$c\" | grep -qx '100755 0 0 3 [0-9]* 20 sbin/c' &&
	[ \$(cut -d' ' -f5 '$T/lv' | sort | uniq -d | wc -l) = 1 ]"
# GNU cpio unpacks newc hard links like the kernel (init/initramfs.c): first name created,
# later names linked to it, data written through the last one.
mkdir "$T/x"
(cd "$T/x" && cpio -idm --quiet --no-absolute-filenames <"$T/u.img") 2>"$T/cpio.err"
cpio -tv --numeric-uid-gid <"$T/u.img" >"$T/tv" 2>/dev/null
check "cpio -tv: bin/tool is -rwsr-xr-x 1000 1000" grep -q '^-rwsr-xr-x *1 1000 *1000 .* bin/tool$' "$T/tv"
check "cpio -tv: the three names have 3 links" bash -c "[ \$(grep -c '^-rwxr-xr-x *3 0 *0 .* \(bin/a\|bin/b\|sbin/c\)$' '$T/tv') = 3 ]"
check "unpacked: the three names are one file with the data" bash -c "
	[ \"\$(stat -c '%i %h' '$T/x/bin/a')\" = \"\$(stat -c '%i %h' '$T/x/sbin/c')\" ] &&
	[ \"\$(stat -c '%i %h' '$T/x/bin/b')\" = \"\$(stat -c '%i %h' '$T/x/sbin/c')\" ] &&
	[ \$(stat -c %h '$T/x/bin/a') = 3 ] && cmp -s '$T/x/bin/a' '$T/tool'"
# A hard link under the file's own name (any spelling) would make the kernel's unpacker
# delete the file; (uid_t)-1 would leave a setuid file root's: both refused, naming the line.
printf 'file /t/a %s/tool 0755 0 0 ./t/a\n' "$T" >"$T/selflink.list"
printf 'file /bin/su %s/tool 04755 4294967295 4294967295\n' "$T" >"$T/uidmax.list"
check "list: a hard link under the file's own name is refused, naming the line" bash -c "! '$MK' -o '$T/self.img' --init '$O/stripped/initkit-init' --file-list '$T/selflink.list' 2>'$T/err' && grep -q \"selflink.list:1: hard link './t/a' is the file's own name '/t/a'\" '$T/err' && [ ! -e '$T/self.img' ]"
check "list: uid/gid 4294967295 is refused, saying why" bash -c "! '$MK' -o '$T/uidmax.img' --init '$O/stripped/initkit-init' --file-list '$T/uidmax.list' 2>'$T/err' && grep -q \"uidmax.list:1: uid/gid '4294967295 4294967295': 4294967295 is (uid_t)-1, which the kernel's chown() takes as 'no change'\" '$T/err'"
if [ "$(id -u)" = 0 ]; then
	check "unpacked as root: owner 1000:1000 and mode 4755 kept" bash -c "[ \"\$(stat -c '%u:%g %a' '$T/x/bin/tool')\" = '1000:1000 4755' ]"
fi

# --- firmware (item 11): Debian's r8169 declares 20 rtl_nic/ files; two are given here
# (one plain, one .xz as the kernel looks them up), the rest must be named as missing.
mkdir -p "$T/fw/rtl_nic"
echo fake-firmware >"$T/fw/rtl_nic/rtl8168d-1.fw"
echo fake-firmware | xz >"$T/fw/rtl_nic/rtl8168e-2.fw.xz"
# Debian's 6.1 reads .xz but not .zst (CONFIG_FW_LOADER_COMPRESS_XZ=y, ZSTD not set, in the
# kernel package's boot/config-KVER): with both forms the .xz goes in, a .zst alone is named.
echo fake-firmware | xz >"$T/fw/rtl_nic/rtl8168e-3.fw.xz"
echo fake-firmware | zstd -q >"$T/fw/rtl_nic/rtl8168e-3.fw.zst"
echo fake-firmware | zstd -q >"$T/fw/rtl_nic/rtl8168f-1.fw.zst"
fwargs=(--init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" -m r8169 --compress none)
"$MK" -o "$T/fw.img" "${fwargs[@]}" --firmware-dir "$T/fw" >"$T/fw.out" 2>"$T/fw.err"
list "$T/fw.img" >"$T/fw.ls"
check "firmware: r8169's rtl_nic/rtl8168d-1.fw included" grep -qx '100644 lib/firmware/rtl_nic/rtl8168d-1.fw' "$T/fw.ls"
check "firmware: the .xz form included when that is what exists" grep -qx '100644 lib/firmware/rtl_nic/rtl8168e-2.fw.xz' "$T/fw.ls"
check "firmware: the kernel's config is read (boot/config-KVER of the moddir's root)" grep -q "firmware forms the kernel reads: plain, xz (.*/boot/config-$KVER)" "$T/fw.out"
check "firmware: .zst and .xz: the .xz the 6.1 kernel reads, not the .zst" bash -c "grep -qx '100644 lib/firmware/rtl_nic/rtl8168e-3.fw.xz' '$T/fw.ls' && ! grep -q 'rtl8168e-3.fw.zst' '$T/fw.ls'"
check "firmware: .zst only: not included, warning says the kernel cannot read it" bash -c "grep -q 'firmware: r8169 needs rtl_nic/rtl8168f-1.fw: only rtl_nic/rtl8168f-1.fw.zst exists, which this kernel cannot read' '$T/fw.err' && ! grep -q rtl8168f-1 '$T/fw.ls'"
check "firmware: a missing file is a warning naming module and file" grep -q 'firmware: r8169 needs rtl_nic/rtl8125b-2.fw, not found in' "$T/fw.err"
check "firmware: the summary counts what is missing" grep -q 'firmware: 17 of 20 declared files not found' "$T/fw.err"
check "firmware: only the declared files, nothing else from the directory" bash -c "[ \$(grep -c '^100644 lib/firmware/' '$T/fw.ls') = 3 ]"
"$MK" -o "$T/fwz.img" "${fwargs[@]}" --firmware-dir "$T/fw" --firmware-compress zst,xz >/dev/null 2>&1
check "firmware: --firmware-compress zst,xz: the kernel's order, .zst first" bash -c "list '$T/fwz.img' | grep -qx '100644 lib/firmware/rtl_nic/rtl8168e-3.fw.zst' && list '$T/fwz.img' | grep -qx '100644 lib/firmware/rtl_nic/rtl8168f-1.fw.zst'"
check "firmware: --firmware-compress gz is refused (exit 2)" bash -c "'$MK' -o '$T/fwbad.img' ${fwargs[*]@Q} --firmware-compress gz 2>'$T/err'; [ \$? = 2 ] && grep -q 'firmware-compress gz: expected' '$T/err'"
# A kernel whose config is nowhere (a moddir of symlinks, no boot/, no build/): plain, then
# .xz, then .zst with a warning.
UK=$T/uk/lib/modules/$KVER
mkdir -p "$UK" && for f in "$MOD"/*; do ln -s "$f" "$UK/"; done
"$MK" -o "$T/fwu.img" --init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$UK" -m r8169 --compress none --firmware-dir "$T/fw" >"$T/fwu.out" 2>"$T/fwu.err"
list "$T/fwu.img" >"$T/fwu.ls"
check "firmware, unknown kernel config: .xz preferred over .zst" bash -c "grep -q 'no kernel config found' '$T/fwu.out' && grep -qx '100644 lib/firmware/rtl_nic/rtl8168e-3.fw.xz' '$T/fwu.ls' && ! grep -q 'rtl8168e-3.fw.zst' '$T/fwu.ls'"
check "firmware, unknown kernel config: a .zst alone goes in with a warning" bash -c "grep -qx '100644 lib/firmware/rtl_nic/rtl8168f-1.fw.zst' '$T/fwu.ls' && grep -q 'included rtl_nic/rtl8168f-1.fw.zst, but the kernel may not read .zst' '$T/fwu.err'"

# --- modprobe.d (item 12): explicit configuration, shipped; the build host's is not read.
mkdir -p "$T/mp" "$T/hostmp"
echo 'softdep virtio_blk pre: loop' >"$T/mp/initkit-test.conf"
echo 'this directory also holds a README, which is not a modprobe.d file' >"$T/mp/README"
echo 'softdep virtio_blk pre: loop' >"$T/hostmp/host-softdep.conf"
mpargs=(--init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" -m virtio_blk --compress none -q)
SOURCE_DATE_EPOCH=1 "$MK" -o "$T/mp0.img" "${mpargs[@]}" >/dev/null
SOURCE_DATE_EPOCH=1 "$MK" -o "$T/mp1.img" "${mpargs[@]}" --modprobe-config "$T/mp/initkit-test.conf" >/dev/null
SOURCE_DATE_EPOCH=1 "$MK" -o "$T/mp2.img" "${mpargs[@]}" --modprobe-config "$T/mp" >/dev/null
list "$T/mp1.img" >"$T/mp1.ls"
check "modprobe.d: a softdep from --modprobe-config shapes the closure" grep -q '/loop.ko$' "$T/mp1.ls"
check "modprobe.d: the file used is shipped as /etc/modprobe.d/NAME" bash -c "mkdir '$T/mpx' && cd '$T/mpx' && cpio -idm --quiet etc/modprobe.d/initkit-test.conf <'$T/mp1.img' 2>/dev/null && cmp etc/modprobe.d/initkit-test.conf '$T/mp/initkit-test.conf'"
check "modprobe.d: a directory gives its .conf files (same bytes as naming the file)" cmp "$T/mp1.img" "$T/mp2.img"
check "modprobe.d: none by default (no softdep module, no modprobe.d)" bash -c "! list '$T/mp0.img' | grep -q 'loop.ko\|modprobe.d'"
hostconf=/etc/modprobe.d
[ -d "$hostconf" ] || hostconf=/lib/modprobe.d
ns=(unshare -m)
[ "$(id -u)" = 0 ] || ns=(unshare -r -m)
SOURCE_DATE_EPOCH=1 "${ns[@]}" bash -c "mount --bind '$T/hostmp' '$hostconf' && '$MK' -o '$T/mp3.img' ${mpargs[*]@Q}" >/dev/null 2>"$T/ns.err"
check "modprobe.d: the build host's $hostconf (softdep planted in a mount namespace) is not read" cmp "$T/mp0.img" "$T/mp3.img"
echo x >"$T/mp/bad.txt"
check "modprobe.d: a file modprobe.d would ignore is refused, naming it" bash -c "! '$MK' -o '$T/mpbad.img' ${mpargs[*]@Q} --modprobe-config '$T/mp/bad.txt' 2>'$T/err' && grep -q 'bad.txt: the name must end in .conf' '$T/err'"

# A file masked by a symlink to /dev/null is shipped empty (it still hides its name); of two
# files of one name the first given wins, as in libkmod, and the one skipped is named; the
# name stage 1 uses for rd.driver.blacklist= is refused.
mkdir -p "$T/mpm" "$T/mpa" "$T/mpb"
ln -s /dev/null "$T/mpm/masked.conf"
echo 'softdep virtio_blk pre: loop' >"$T/mpa/same.conf"
echo 'softdep virtio_blk pre: dummy' >"$T/mpb/same.conf"
check "modprobe.d: a file masked by a symlink to /dev/null is shipped empty" bash -c "'$MK' -o '$T/mpm.img' ${mpargs[*]@Q} --modprobe-config '$T/mpm' >/dev/null 2>'$T/err' && list -v '$T/mpm.img' | grep -qx '100644 0 0 1 [0-9]* 0 etc/modprobe.d/masked.conf'"
"$MK" -o "$T/mpab.img" "${mpargs[@]:0:${#mpargs[@]}-1}" --modprobe-config "$T/mpa" --modprobe-config "$T/mpb" >"$T/mpab.out" 2>&1
list "$T/mpab.img" >"$T/mpab.ls" 2>/dev/null
check "modprobe.d: one name in two directories: the first wins, the other is named as skipped" bash -c "grep -q 'modprobe.d same.conf: $T/mpb/same.conf skipped' '$T/mpab.out' && grep -q '/loop.ko\$' '$T/mpab.ls' && ! grep -q '/dummy.ko\$' '$T/mpab.ls'"
echo 'blacklist loop' >"$T/mp/zz-initkit-cmdline-blacklist.conf"
check "modprobe.d: the name stage 1 writes rd.driver.blacklist= to is refused" bash -c "! '$MK' -o '$T/mpz.img' ${mpargs[*]@Q} --modprobe-config '$T/mp' 2>'$T/err' && grep -q 'zz-initkit-cmdline-blacklist.conf is reserved' '$T/err' && [ ! -e '$T/mpz.img' ]"
rm "$T/mp/zz-initkit-cmdline-blacklist.conf"

# The build host's modprobe.d lines for the image's modules are not in the image (its bytes
# do not depend on the host) but each is named (INITKIT_HOST_ROOT: the test hook for the
# host's root): file, line, command, module, and the option that would ship it.
H=$T/host
mkdir -p "$H/etc/modprobe.d" "$H/lib/modprobe.d" "$H/usr/lib/modprobe.d" "$T/emptyhost"
printf 'options nvme_core default_ps_max_latency_us=0\ninstall nvme /bin/false\noptions e1000e IntMode=1\n' >"$H/etc/modprobe.d/nvme.conf"
echo 'softdep virtio-blk pre: loop' >"$H/lib/modprobe.d/vblk.conf"
ln -s /dev/null "$H/etc/modprobe.d/masked.conf"
echo 'blacklist nvme' >"$H/usr/lib/modprobe.d/masked.conf"
hargs=(--init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" -m nvme,virtio_blk --compress none -q)
SOURCE_DATE_EPOCH=1 INITKIT_HOST_ROOT=$H "$MK" -o "$T/h1.img" "${hargs[@]}" >/dev/null 2>"$T/h1.err"
SOURCE_DATE_EPOCH=1 INITKIT_HOST_ROOT=$T/emptyhost "$MK" -o "$T/h0.img" "${hargs[@]}" >/dev/null 2>"$T/h0.err"
check "host modprobe.d: options for a module of the image is a warning naming file, line, module" grep -q "$H/etc/modprobe.d/nvme.conf:1: 'options nvme_core' applies on this host but not in the image.*add --modprobe-config $H/etc/modprobe.d\$" "$T/h1.err"
check "host modprobe.d: install, and a softdep in lib/modprobe.d ('-' as '_')" bash -c "grep -q \"nvme.conf:2: 'install nvme'\" '$T/h1.err' && grep -q \"$H/lib/modprobe.d/vblk.conf:1: 'softdep virtio_blk'\" '$T/h1.err'"
check "host modprobe.d: nothing for modules not in the image, nor for a masked file" bash -c "! grep -q 'e1000e\|masked' '$T/h1.err' && [ \$(grep -c 'applies on this host' '$T/h1.err') = 3 ]"
check "host modprobe.d: the image bytes do not depend on it" cmp "$T/h0.img" "$T/h1.img"
check "host modprobe.d: no warning when empty" bash -c "! grep -q 'applies on this host' '$T/h0.err'"
INITKIT_HOST_ROOT=$H "$MK" -o "$T/h2.img" "${hargs[@]}" --modprobe-config "$H/etc/modprobe.d" >/dev/null 2>"$T/h2.err"
check "host modprobe.d: a --modprobe-config file of the same name covers the host's" bash -c "! grep -q 'nvme.conf' '$T/h2.err' && grep -q 'vblk.conf:1' '$T/h2.err'"

# --- fsync (item 13): the data, then the rename, then the directory.
strace -f -e trace=fsync,rename,renameat,renameat2 -o "$T/strace" "$MK" -o "$T/s.img" "${args[@]}" >/dev/null 2>&1
check "fsync of the image before the rename, of its directory after" bash -c "
	grep -v 'exited\|resumed' '$T/strace' | sed -n 's/^[0-9]* *\([a-z0-9]*\)(.*/\1/p' | tr '\n' ' ' | grep -q 'fsync rename[a-z0-9]* fsync'"

# Syncing the directory fails after the rename (strace injects EIO into the second fsync):
# the image is in place, and the message and exit status 3 say so; EINVAL (a filesystem that
# cannot sync directories) is ignored.
rm -f "$T/s.img"
SOURCE_DATE_EPOCH=1700000000 strace -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO:when=2 "$MK" -o "$T/s.img" "${args[@]}" >/dev/null 2>"$T/err"
rc=$?
check "directory sync fails: exit 3, 'written, but syncing its directory failed', image in place" bash -c "[ $rc = 3 ] && grep -q 's.img: written, but syncing its directory $T failed (Input/output error): the new image is in place.*exit status 3' '$T/err' && cmp '$T/s.img' '$T/a.img'"
SOURCE_DATE_EPOCH=1700000000 strace -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EINVAL:when=2 "$MK" -o "$T/s2.img" "${args[@]}" >/dev/null 2>"$T/err"
rc=$?
check "directory sync EINVAL (not supported): ignored, exit 0" bash -c "[ $rc = 0 ] && ! grep -q syncing '$T/err' && cmp '$T/s2.img' '$T/a.img'"

# SOURCE_DATE_EPOCH is parsed strictly: decimal 0..4294967295, else exit 2 naming the value.
for sde in abc -1 99999999999 4294967296 '' ' 1'; do
	check "SOURCE_DATE_EPOCH='$sde': refused, exit 2, named, nothing written" bash -c "SOURCE_DATE_EPOCH='$sde' '$MK' -o '$T/sde.img' ${args[*]@Q} >/dev/null 2>'$T/err'; [ \$? = 2 ] && grep -q \"SOURCE_DATE_EPOCH='$sde': expected seconds\" '$T/err' && [ ! -e '$T/sde.img' ]"
done
SOURCE_DATE_EPOCH=4294967295 "$MK" -o "$T/sdemax.img" --compress none "${args[@]}" >/dev/null
check "SOURCE_DATE_EPOCH=4294967295 is the mtime field FFFFFFFF" bash -c "[ \"\$(head -c 110 '$T/sdemax.img' | cut -c47-54)\" = FFFFFFFF ]"

# --- -o targets, depmod, module paths (item 14)
echo old >"$T/target"
ln -s "$T/target" "$T/link.img"
check "-o onto a symlink: refused naming the path, link and target untouched" bash -c "! '$MK' -o '$T/link.img' ${args[*]@Q} >/dev/null 2>'$T/err' && grep -q 'link.img: is a symbolic link; refusing' '$T/err' && [ -L '$T/link.img' ] && [ \"\$(cat '$T/target')\" = old ]"
mkfifo "$T/fifo"
check "-o onto a FIFO: refused" bash -c "! '$MK' -o '$T/fifo' ${args[*]@Q} >/dev/null 2>'$T/err' && grep -q 'fifo: is a FIFO; refusing' '$T/err' && [ -p '$T/fifo' ]"
if [ "$(id -u)" = 0 ]; then
	mknod "$T/full" c 1 7
	check "-o onto a device node (as root): refused, node kept" bash -c "! '$MK' -o '$T/full' ${args[*]@Q} >/dev/null 2>'$T/err' && grep -q 'full: is a character device; refusing' '$T/err' && [ -c '$T/full' ]"
fi
mkdir "$T/fakebin"
printf '#!/bin/sh\ntouch %s/fake-depmod-ran\n' "$T" >"$T/fakebin/depmod" && chmod 755 "$T/fakebin/depmod"
PATH="$T/fakebin:$PATH" "$MK" -o "$T/p.img" --compress none "${args[@]}" >/dev/null 2>&1
"$MK" -o "$T/v.img" "${args[@]}" >"$T/v.out" 2>&1
check "depmod: the summary names it and its version (the indexes are its output)" grep -q "module indexes by /\(usr/\)\?sbin/depmod ($(/sbin/depmod --version | head -1))\$" "$T/v.out"
check "depmod: the system's, not one earlier in \$PATH" bash -c "[ ! -e '$T/fake-depmod-ran' ] && list '$T/p.img' | grep -q 'modules.dep.bin'" 
# Modules outside --moddir (absolute paths in modules.dep, from depmod's "external"): one
# whose path is shorter than the modules directory, one whose path merely starts with it.
XM=$T/xm/lib/modules/$KVER
mkdir -p "$XM/kernel" "$T/e" "$XM-extra" "$T/xmconf"
cp "$(find "$MOD" -name virtio_ring.ko)" "$XM/kernel/"
cp "$MOD/modules.order" "$MOD/modules.builtin" "$MOD/modules.builtin.modinfo" "$XM/"
cp "$(find "$MOD" -name loop.ko)" "$T/e/"
cp "$(find "$MOD" -name dummy.ko)" "$XM-extra/"
printf 'external * %s\nexternal * %s\n' "$T/e" "$XM-extra" >"$T/xmconf/ext.conf"
depmod -b "$T/xm" -C "$T/xmconf" "$KVER" 2>/dev/null
"$MK" -o "$T/xm.img" --init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$XM" -m loop,dummy --compress none -q >/dev/null 2>"$T/xm.err"
list "$T/xm.img" >"$T/xm.ls"
check "module outside --moddir, path shorter than it: stored at the top" grep -qx "100644 lib/modules/$KVER/loop.ko" "$T/xm.ls"
check "module outside --moddir whose path only starts with its name: at the top too" grep -qx "100644 lib/modules/$KVER/dummy.ko" "$T/xm.ls"
# --- --lvm: the static lvm, a read-only-metadata lvm.conf, dm_mod
LVMBIN=$O/deps/sbin/lvm
"$MK" -o "$T/lvm.img" --init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" --lvm \
	--lvm-binary "$LVMBIN" --compress none -q >/dev/null 2>"$T/lvm.err"
list "$T/lvm.img" >"$T/lvm.ls"
mkdir "$T/lx" && (cd "$T/lx" && cpio -idm --quiet --no-absolute-filenames <"$T/lvm.img") 2>/dev/null
check "--lvm: /sbin/lvm 0755, the static binary given" bash -c "grep -qx '100755 sbin/lvm' '$T/lvm.ls' && cmp -s '$T/lx/sbin/lvm' '$LVMBIN' && file -b '$LVMBIN' | grep -q 'statically linked'"
check "--lvm: lvm.conf makes metadata read-only, no udev, no monitoring, no backups" bash -c "
	c='$T/lx/etc/lvm/lvm.conf'; grep -qE '^\s*metadata_read_only = 1' \$c && grep -qE '^\s*udev_sync = 0' \$c &&
	grep -qE '^\s*udev_rules = 0' \$c && grep -qE '^\s*monitoring = 0' \$c && grep -qE '^\s*backup = 0' \$c &&
	grep -qE '^\s*archive = 0' \$c && grep -qE '^\s*obtain_device_list_from_udev = 0' \$c"
check "--lvm: lvm itself accepts the lvm.conf (no unknown settings)" bash -c "
	LVM_SYSTEM_DIR='$T/lx/etc/lvm' '$LVMBIN' lvmconfig --validate 2>&1 | grep -q 'LVM configuration valid' &&
	! LVM_SYSTEM_DIR='$T/lx/etc/lvm' '$LVMBIN' lvmconfig 2>&1 | grep -qi 'unknown\|deprecated'"
check "--lvm: dm_mod in the image" grep -q '/dm-mod.ko$' "$T/lvm.ls"
check "no --lvm: no lvm in the image" bash -c "! grep -q 'sbin/lvm\|etc/lvm' '$T/ls'"
check "--lvm-binary missing: clear error naming it, no image" bash -c "! '$MK' -o '$T/nolvm.img' --init '$O/stripped/initkit-init' --kver $KVER --moddir '$MOD' --lvm-binary /nonexistent/lvm -q 2>'$T/err' && grep -q '/nonexistent/lvm' '$T/err' && [ ! -e '$T/nolvm.img' ]"
# --- --fsck: a static e2fsck as /sbin/e2fsck with fsck.ext2/3/4 links; refused when unusable
E2=$O/qemu/e2fsck/sbin/e2fsck.static # Debian's e2fsck-static, unpacked by qemu/qemu.mk
fsck_img() { # NAME ARGS...: build an image with ARGS, stderr to $T/NAME.err, stdout to $T/NAME.out
	local n=$1; shift
	"$MK" -o "$T/$n.img" --init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" \
		--compress none "$@" >"$T/$n.out" 2>"$T/$n.err"
}
fsck_img fsck --fsck-binary "$E2"
list "$T/fsck.img" >"$T/fsck.ls"
mkdir "$T/fx" && (cd "$T/fx" && cpio -idm --quiet --no-absolute-filenames <"$T/fsck.img") 2>/dev/null
check "--fsck-binary: /sbin/e2fsck 0755, the binary given" bash -c "grep -qx '100755 sbin/e2fsck' '$T/fsck.ls' && cmp -s '$T/fx/sbin/e2fsck' '$E2'"
fsck_links() {
	local t
	for t in 2 3 4; do
		grep -qx "120777 sbin/fsck.ext$t" "$T/fsck.ls" && [ "$(readlink "$T/fx/sbin/fsck.ext$t")" = e2fsck ] || return 1
	done
}
check "--fsck-binary: fsck.ext2, fsck.ext3, fsck.ext4 link to e2fsck" fsck_links
check "--fsck-binary: the summary names the checker" grep -q "fsck $E2 as /sbin/e2fsck" "$T/fsck.out"
check "no --fsck: no checker in the image" bash -c "! grep -q 'sbin/e2fsck\|sbin/fsck' '$T/ls'"
fsck_refused() { # NAME EXPECTED-TEXT BINARY: refused, the message names the binary, no image
	fsck_img "$1" --fsck-binary "$3"
	local rc=$?
	[ "$rc" = 1 ] && grep -qF -- "--fsck: checker $3: $2" "$T/$1.err" && [ ! -e "$T/$1.img" ]
}
cp "$E2" "$T/e2fsck-noexec" && chmod 0644 "$T/e2fsck-noexec"
printf '#!/bin/sh\nexit 0\n' >"$T/e2fsck-script" && chmod 0755 "$T/e2fsck-script"
check "--fsck-binary missing: refused naming it" fsck_refused fm "No such file or directory" /nonexistent/e2fsck
check "--fsck-binary not executable: refused naming it" fsck_refused fx1 "not executable" "$T/e2fsck-noexec"
check "--fsck-binary a directory: refused naming it" fsck_refused fd "not a regular file" "$T"
check "--fsck-binary dynamically linked: refused naming it" fsck_refused fdyn "dynamically linked" "$(readlink -f /bin/true)"
check "--fsck-binary a script: refused (not an ELF)" fsck_refused fsh "not an ELF file" "$T/e2fsck-script"
# --fsck alone takes the host's /sbin/e2fsck.static: included when it is there, else refused naming it
fsck_img fdef --fsck
if [ -x /sbin/e2fsck.static ]; then
	check "--fsck: the host's /sbin/e2fsck.static" grep -q 'fsck /sbin/e2fsck.static as /sbin/e2fsck' "$T/fdef.out"
else
	check "--fsck without /sbin/e2fsck.static on the host: refused naming it" grep -q -- '--fsck: checker /sbin/e2fsck.static: No such file' "$T/fdef.err"
fi
# --lvm-config: the device filters of an lvm.conf, read by lvm itself, go into the image's
LVMB=$O/deps/sbin/lvm
mkdir -p "$T/lc"
printf 'devices {\n\tfilter = [ "a|^/dev/sda3$|", "r|.*|" ]\n\tglobal_filter = [ "r|^/dev/nbd|" ]\n\tscan = [ "/dev" ]\n}\nglobal {\n\tumask = 077\n}\n' >"$T/lc/host.conf"
printf 'global {\n\tumask = 077\n}\n' >"$T/lc/nofilter.conf"
printf 'devices {\n\tfilter = [ "a|/dev/disk/by-id/ata-X|", "r|.*|" ]\n}\n' >"$T/lc/byid.conf"
lvm_img() { # NAME CONF: image with --lvm-config CONF, unpacked into $T/NAME.d
	"$MK" -o "$T/$1.img" --compress none --kver "$KVER" --moddir "$MOD" --init "$O/stripped/initkit-init" \
		--lvm-binary "$LVMB" --lvm-config "$2" >"$T/$1.out" 2>"$T/$1.err" || return 1
	mkdir -p "$T/$1.d" && (cd "$T/$1.d" && cpio -id --quiet <"$T/$1.img")
}
lvm_img lvf "$T/lc/host.conf"
lvf_filters() {
	grep -qxF "$(printf '\tfilter=["a|^/dev/sda3$|","r|.*|"]')" "$T/lvf.d/etc/lvm/lvm.conf" &&
		grep -qxF "$(printf '\tglobal_filter="r|^/dev/nbd|"')" "$T/lvf.d/etc/lvm/lvm.conf"
}
check "--lvm-config: filter and global_filter carried, as lvm reads them" lvf_filters
check "--lvm-config: nothing else of the host's lvm.conf (umask, scan)" bash -c "! grep -q 'umask\|scan' '$T/lvf.d/etc/lvm/lvm.conf'"
check "--lvm-config: the image's lvm.conf parses (lvm lvmconfig reads the filter back)" bash -c "LVM_SYSTEM_DIR='$T/lvf.d/etc/lvm' LVM_SUPPRESS_FD_WARNINGS=1 '$LVMB' lvmconfig --typeconfig current devices/filter 2>/dev/null | grep -qF 'a|^/dev/sda3\$|'"
check "--lvm-config: the summary says which filters" grep -q "filter, global_filter from --lvm-config" "$T/lvf.out"
lvm_img lvn "$T/lc/nofilter.conf"
check "--lvm-config without filters: none added" bash -c "! grep -q 'filter' '$T/lvn.d/etc/lvm/lvm.conf'"
lvm_img lvb "$T/lc/byid.conf"
check "--lvm-config: a /dev/disk/ filter is warned about (no udev links in stage 1)" grep -q "names /dev/disk/ links, which stage 1 does not have" "$T/lvb.err"
check "--lvm-config missing: refused naming it, no image" bash -c "! '$MK' -o '$T/lvm-miss.img' --kver '$KVER' --moddir '$MOD' --init '$O/stripped/initkit-init' --lvm-binary '$LVMB' --lvm-config /nonexistent/lvm.conf 2>'$T/lvm-miss.err' && grep -q -- '--lvm-config /nonexistent/lvm.conf' '$T/lvm-miss.err' && [ ! -e '$T/lvm-miss.img' ]"
# --host on the recorded trees of tests/host-fixtures/ (README there): what goes in, the table,
# and every layout it cannot handle refused by name with no image written.
HF=$(realpath "$(dirname "$0")/host-fixtures")
host_img() { # NAME TREE [ARGS...]: an uncompressed image, its listing NAME.ls and tree NAME.d
	local n=$1 tree=$2
	shift 2
	"$MK" -o "$T/$n.img" --compress none --kver "$KVER" --moddir "$MOD" --init "$O/stripped/initkit-init" \
		--host-root "$tree" "$@" >"$T/$n.out" 2>"$T/$n.err" || return 1
	list "$T/$n.img" >"$T/$n.ls"
	mkdir -p "$T/$n.d" && (cd "$T/$n.d" && cpio -id --quiet <"$T/$n.img")
}
host_refused() { # NAME TREE MESSAGE: exit 1, MESSAGE and "not written" on stderr, no image
	! "$MK" -o "$T/$1.img" --kver "$KVER" --moddir "$MOD" --init "$O/stripped/initkit-init" \
		--host-root "$2" >"$T/$1.out" 2>"$T/$1.err" && grep -qF -- "$3" "$T/$1.err" &&
		grep -q "not written" "$T/$1.err" && [ ! -e "$T/$1.img" ]
}
host_variant() { # NAME FROM FILE TEXT: a copy of tree FROM with FILE replaced
	rm -rf "$T/hv-$1" && cp -a "$HF/$2" "$T/hv-$1" && mkdir -p "$(dirname "$T/hv-$1/$3")" &&
		printf '%s\n' "$4" >"$T/hv-$1/$3"
}
host_img hvm "$HF/build-vm" --fsck-binary "$O/qemu/e2fsck/sbin/e2fsck.static"
check "--host (build VM): virtio_blk, virtio_pci (driver virtio-pci), ext4 and their dependencies" bash -c "grep -q 'virtio_blk.ko$' '$T/hvm.ls' && grep -q 'virtio_pci.ko$' '$T/hvm.ls' && grep -q 'virtio_ring.ko$' '$T/hvm.ls' && grep -q '/ext4.ko$' '$T/hvm.ls'"
check "--host: root= into the image config (not on the host's command line)" grep -qx 'root=/dev/vda' "$T/hvm.d/etc/initkit.conf"
check "--host: the table says why (virtio_pci: bound to driver virtio-pci)" grep -q 'host: module   virtio_pci .*bound to driver virtio-pci' "$T/hvm.out"
check "--host: the table names the closure's dependencies too (virtio_ring, jbd2)" bash -c "grep -q 'host: module   virtio_ring .*a dependency or softdep' '$T/hvm.out' && grep -q 'host: module   jbd2 .*a dependency or softdep' '$T/hvm.out'"
check "--host: ext4 root with a static e2fsck: --fsck added" grep -qx '100755 sbin/e2fsck' "$T/hvm.ls"
check "--host: keyboard safe set (usbhid, xhci_pci, i2c_hid_acpi) included" bash -c "grep -q '/usbhid.ko$' '$T/hvm.ls' && grep -q '/xhci-pci.ko$' '$T/hvm.ls' && grep -q '/i2c-hid-acpi.ko$' '$T/hvm.ls'"
host_img hvmod "$HF/build-vm" --module nvme --set root=LABEL=mine
check "--host plus --module adds (nvme)" bash -c "grep -q '/nvme.ko$' '$T/hvmod.ls' && grep -q 'virtio_blk.ko$' '$T/hvmod.ls'"
check "--host plus --set root=: the user's line comes last (wins)" bash -c "[ \"\$(grep '^root=' '$T/hvmod.d/etc/initkit.conf' | tail -1)\" = root=LABEL=mine ]"
host_img hnv "$HF/nvme-laptop"
check "--host (NVMe laptop): nvme, no virtio; resume= from the active swap" bash -c "grep -q '/nvme.ko$' '$T/hnv.ls' && ! grep -q 'virtio_blk.ko$' '$T/hnv.ls' && grep -qx 'resume=UUID=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004' '$T/hnv.d/etc/initkit.conf'"
check "--host: root= on the host's command line is not written again" bash -c "! grep -q '^root=' '$T/hnv.d/etc/initkit.conf' && grep -q 'not written: the kernel command line has root=' '$T/hnv.out'"
host_img hak "$HF/ahci-usbkbd"
check "--host (AHCI + USB keyboard): ahci, sd_mod, hid-generic, usbhid, xhci-pci" bash -c "for m in ahci sd_mod hid-generic usbhid xhci-pci; do grep -q \"/\$m.ko\$\" '$T/hak.ls' || exit 1; done"
host_img hll "$HF/luks-lvm" --lvm-binary "$LVMB"
check "--host (LUKS + LVM): dm-crypt, xts, /sbin/lvm, the crypttab entries needed" bash -c "grep -q 'dm-crypt.ko$' '$T/hll.ls' && grep -q '/xts.ko$' '$T/hll.ls' && grep -qx '100755 sbin/lvm' '$T/hll.ls' && grep -q '^sda3_crypt' '$T/hll.d/etc/crypttab' && grep -q '^srv_crypt.*none.*initramfs' '$T/hll.d/etc/crypttab' && ! grep -q home_crypt '$T/hll.d/etc/crypttab'"
check "--host: a key file on the encrypted root is not copied, and said so" bash -c "! grep -q 'srv.key' '$T/hll.ls' && grep -q 'srv_crypt: key file /etc/keys/srv.key lives on an encrypted filesystem' '$T/hll.err'"
"$MK" -o "$T/univ.img" --compress none --kver "$KVER" --moddir "$MOD" --init "$O/stripped/initkit-init" --universal >"$T/univ.out" 2>&1
check "--universal: nvme, ahci, virtio_blk, usb-storage, dm-crypt, btrfs, usbhid" bash -c "list '$T/univ.img' >'$T/univ.ls' && for m in nvme ahci virtio_blk usb-storage dm-crypt btrfs usbhid; do grep -q \"/\$m.ko\$\" '$T/univ.ls' || exit 1; done"
host_variant nfs build-vm proc/self/mountinfo "27 1 0:52 / / rw,relatime - nfs4 10.0.0.1:/export/root rw"
check "--host: root on NFS refused naming it, no image" host_refused nfs "$T/hv-nfs" "/ is nfs4 on 10.0.0.1:/export/root"
host_variant zfs build-vm proc/self/mountinfo "27 1 0:52 / / rw,relatime - zfs rpool/ROOT/debian rw"
check "--host: root on ZFS refused naming it, no image" host_refused zfs "$T/hv-zfs" "/ is zfs on rpool/ROOT/debian"
host_variant loop build-vm proc/self/mountinfo "27 1 7:0 / / rw,relatime - ext4 /dev/loop0 rw"
check "--host: root on a loop device refused naming it, no image" host_refused loop "$T/hv-loop" "loop0 is a virtual block device"
host_variant md build-vm sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda/md/level raid1
check "--host: root on md RAID refused naming it, no image" host_refused md "$T/hv-md" "vda is an md RAID array"
host_variant mp luks-lvm dmsetup/debian--vg-root "0 65536 multipath 0 0 1 1 round-robin 0 1 1 253:0 1"
check "--host: an unknown dm target refused naming the device, no image" host_refused mp "$T/hv-mp" "dm device debian--vg-root (dm-1) uses the device-mapper target 'multipath'"
check "--host-root without a mountinfo: refused naming it, no image" host_refused none /nonexistent "--host-root /nonexistent"
# --host and the console keymap: the tree's etc/default/keyboard converted (as --keymap auto),
# nothing configured = no keymap (said in the table), --keymap given = the host's is not read.
host_variant kb build-vm etc/default/keyboard 'XKBLAYOUT="de"'
host_img hkb "$T/hv-kb" --fsck-binary "$O/qemu/e2fsck/sbin/e2fsck.static"
check "--host: the host's XKB layout becomes the image's keymap (de), listed in the table" bash -c "[ -s '$T/hkb.d/etc/initkit/keymaps/de.bmap' ] && grep -qx 'KEYMAP=de' '$T/hkb.d/etc/vconsole.conf' && grep -q 'host: keymap   de .*from $T/hv-kb/etc/default/keyboard' '$T/hkb.out'"
host_img hkbnone "$HF/build-vm" --fsck-binary "$O/qemu/e2fsck/sbin/e2fsck.static"
check "--host: no keymap configured: none in the image, the table says the kernel's US map" bash -c "[ ! -e '$T/hkbnone.d/etc/initkit/keymaps' ] && grep -q 'host: keymap   (none) .*the kernel.s US map' '$T/hkbnone.out'"
host_img hkbgiven "$T/hv-kb" --keymap us --fsck-binary "$O/qemu/e2fsck/sbin/e2fsck.static"
check "--host --keymap us: the given keymap only" bash -c "[ -s '$T/hkbgiven.d/etc/initkit/keymaps/us.bmap' ] && [ ! -e '$T/hkbgiven.d/etc/initkit/keymaps/de.bmap' ]"
host_variant kbbad build-vm etc/default/keyboard 'XKBLAYOUT="zz-nowhere"'
check "--host: a configured layout that cannot be converted: refused, no image" host_refused kbbad "$T/hv-kbbad" "--host: the console keymap:"
# --- Secrets on disk (issue 13): an image holding a key is 0600 whatever the umask; one
# without keeps 0666 minus the umask; the temporary file never follows a planted symlink.
plain=(--init "$O/stripped/initkit-init" --kver "$KVER" --moddir "$MOD" -q)
mode_of() { stat -c %a "$1"; }
(umask 0022 && "$MK" -o "$T/sk22.img" "${args[@]}" >/dev/null 2>&1)
check "an image with a key file is 0600 under umask 0022" test "$(mode_of "$T/sk22.img")" = 600
(umask 0077 && "$MK" -o "$T/sk77.img" "${args[@]}" >/dev/null 2>&1)
check "an image with a key file is 0600 under umask 0077" test "$(mode_of "$T/sk77.img")" = 600
(umask 0000 && "$MK" -o "$T/sk00.img" "${args[@]}" >/dev/null 2>&1)
check "an image with a key file is 0600 under umask 0000" test "$(mode_of "$T/sk00.img")" = 600
(umask 0022 && "$MK" -o "$T/pl22.img" "${plain[@]}" >/dev/null 2>&1)
check "an image without secrets is 0644 under umask 0022" test "$(mode_of "$T/pl22.img")" = 644
(umask 0077 && "$MK" -o "$T/pl77.img" "${plain[@]}" >/dev/null 2>&1)
check "an image without secrets is 0600 under umask 0077" test "$(mode_of "$T/pl77.img")" = 600
printf 'file /etc/initkit/header.img %s/motd 0600 0 0\n' "$T" >"$T/hdrlist"
(umask 0022 && "$MK" -o "$T/hdr.img" "${plain[@]}" --file-list "$T/hdrlist" >/dev/null 2>&1)
check "an image with a --file-list file not readable by others (detached header) is 0600" test "$(mode_of "$T/hdr.img")" = 600
# What the host hides stays hidden, whatever mode the image gives the copy: a hook others
# may not read (it holds a PIN) and a header 0600 on the host that the list calls 0644.
printf '#!/bin/sh\necho pin\n' >"$T/secret-hook" && chmod 0700 "$T/secret-hook"
(umask 0022 && "$MK" -o "$T/shook.img" "${plain[@]}" --hook "$T/secret-hook" >/dev/null 2>&1)
check "an image with a --hook others may not read on the host (0700) is 0600" test "$(mode_of "$T/shook.img")" = 600
head -c 64 /dev/urandom >"$T/hdr-host" && chmod 0600 "$T/hdr-host"
printf 'file /etc/initkit/header.img %s/hdr-host 0644 0 0\n' "$T" >"$T/hdrlist2"
(umask 0022 && "$MK" -o "$T/hdr2.img" "${plain[@]}" --file-list "$T/hdrlist2" >/dev/null 2>&1)
check "an image with a --file-list source 0600 on the host, listed 0644, is 0600" test "$(mode_of "$T/hdr2.img")" = 600
printf 'old image\n' >"$T/over.img" && chmod 0644 "$T/over.img"
(umask 0022 && "$MK" -o "$T/over.img" "${args[@]}" >/dev/null 2>&1)
check "replacing a 0644 image with one holding a key leaves 0600" test "$(mode_of "$T/over.img")" = 600
"$MK" -o "$T/say.img" "${args[@]:0:${#args[@]}-1}" >"$T/say.out" 2>&1
check "the summary says why the image is 0600" grep -q "image mode 0600: it holds /etc/initkit/keys/k" "$T/say.out"
# A symlink planted at a predictable temporary name (the old OUTPUT.tmp.PID; the shell execs
# the builder, so $$ is its pid) and one per guessable pid: the write never goes through them.
mkdir -p "$T/shared" && echo victim >"$T/victim"
bash -c 'ln -s "$1" "$2.tmp.$$"; out=$2 mk=$3; shift 3; exec "$mk" -o "$out" "$@"' sh \
	"$T/victim" "$T/shared/img" "$MK" "${args[@]}" >/dev/null 2>&1
check "a symlink at the temporary name is not followed (its target untouched)" test "$(cat "$T/victim")" = victim
check "the image is written beside it all the same" test -f "$T/shared/img" -a ! -L "$T/shared/img"
check "no temporary file is left in the output directory" bash -c "[ \$(ls -A '$T/shared' | grep -vc '\.tmp\.') -eq 1 ]"
# A filesystem that keeps no modes (vfat: fchmod() fails with EPERM, injected here by strace):
# an image without secrets is written as before; one with a key too, as its file is 0600
# from mkostemp() (a vfat mount that shows others its files refuses it: checked by hand).
strace -qq -o /dev/null -e trace=fchmod -e inject=fchmod:error=EPERM "$MK" -o "$T/vf-plain.img" "${plain[@]}" >/dev/null 2>"$T/vf-plain.err"
check "fchmod() refused (vfat): an image without secrets is written all the same" test -s "$T/vf-plain.img"
strace -qq -o /dev/null -e trace=fchmod -e inject=fchmod:error=EPERM "$MK" -o "$T/vf-key.img" "${args[@]}" >/dev/null 2>"$T/vf-key.err"
check "fchmod() refused (vfat): an image with a key is written, mode 0600" test "$(mode_of "$T/vf-key.img" 2>/dev/null)" = 600
# Warnings about the key file on the host.
cp "$T/k" "$T/kw" && chmod 0644 "$T/kw"
"$MK" -o "$T/kw.img" "${plain[@]}" --keyfile "$T/kw" >/dev/null 2>"$T/kw.err"
check "a world-readable key file is warned about, naming it" grep -q -- "--keyfile $T/kw: readable by every user on this host (mode 0644)" "$T/kw.err"
chmod 0600 "$T/kw"
"$MK" -o "$T/kw2.img" "${plain[@]}" --keyfile "$T/kw" >/dev/null 2>"$T/kw2.err"
check "a 0600 key file is not warned about" bash -c "! grep -q 'readable by every user' '$T/kw2.err'"
summary mkimage
