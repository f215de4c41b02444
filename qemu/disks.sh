#!/bin/bash
# Build a test disk for the QEMU scenarios without root mounts or host device-mapper:
# the root filesystem is made with `mkfs.ext4 -d`, LUKS containers are formatted on plain
# files with cryptsetup and filled by encrypting the filesystem image with the volume key
# (qemu/xts-encrypt.c). The guest then opens them with real dm-crypt.
#
# Usage: qemu/disks.sh BUILD_DIR OUT.img RECIPE [key=value ...]
# Recipes:
#   ext4            whole-disk ext4 test root
#   gpt-ext4        GPT disk, one partition (partuuid=, partlabel=) holding the ext4 root
#   luks2-pbkdf2    LUKS2 (pbkdf2, 1000 iterations) around the ext4 root
#   luks2-argon2id  LUKS2 (argon2id, 32 MiB, 4 iterations, 1 thread) around the ext4 root
#   luks1           LUKS1 (pbkdf2, 1000 iterations) around the ext4 root
#   lvm-on-luks     as Debian's installer: LUKS2 (pbkdf2) around an LVM PV, VG debian-vg with
#                   LVs root (the ext4 test root) and swap_1 (made with this build's static
#                   lvm on a loop device, no host device-mapper: lvcreate --driverloaded n)
#                   (swap=MiB: swap_1 that size, made with mkswap: for hibernation)
#   lvm             the same PV without LUKS (a plain disk holding VG debian-vg)
#   debian-install  the whole disk Debian 12's installer makes with "guided - use entire disk
#                   and set up encrypted LVM": GPT, p1 ESP (vfat), p2 /boot (ext2), p3 LUKS2
#                   (argon2id, cheap) holding the PV of VG debian-vg with LVs root (ext4 made
#                   from tree=DIR, whose /boot goes to p2) and swap_1 (swap=MiB); /etc/fstab,
#                   /etc/crypttab (vda3_crypt) and the RESUME= file written as the installer does
#   raw             an unformatted disk (size=MiB)
#   swap            a whole-disk swap area, LABEL=initkit-swap (mkswap, size=MiB, swapuuid=)
#   swapfile        ext4 (4 KiB blocks) holding only /swapfile (size=MiB, random-filled so no
#                   block is a hole, then mkswap): for resume_offset=; prints its page offset
# Keys: label= fsuuid= luksuuid= pass= keyfile=PATH (added as a second key slot)
#       header=PATH (LUKS header detached into PATH) partuuid= partlabel= size=MiB
#       sbininit=PATH (/sbin/init links there; /bin/init is then the stage-2 marker)
#       swap=MiB (lvm-on-luks) swapuuid= (the UUID of a swap area made by swap= or swap)
#       tree=DIR (debian-install: the root tree; fssize= and swap= size the LVs)
set -euo pipefail
O=$(realpath -m "$1")
OUT=$2
RECIPE=$3
shift 3
label=initkit-root fsuuid=6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001 luksuuid=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002
pass=initkit-test-passphrase keyfile= header= partuuid=8c3e4e70-6c60-4f2d-9f7b-3b2d9c4f0003
partlabel=initkit-root-part size=48 kexec= initrd= fssize=32M corrupt= sbininit= swap=
swapuuid=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004 tree=
for kv in "$@"; do
	case "$kv" in
	label=* | fsuuid=* | luksuuid=* | pass=* | keyfile=* | header=* | partuuid=* | partlabel=* | \
		size=* | kexec=* | initrd=* | fssize=* | corrupt=* | sbininit=* | swap=* | swapuuid=* | tree=*)
		declare "${kv%%=*}=${kv#*=}" ;;
	*) echo "disks.sh: unknown key '$kv'" >&2; exit 2 ;;
	esac
done

TMP=$(mktemp -d "$O/qemu/disk.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

make_rootfs() {
	local r=$TMP/root
	mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,run,tmp,usr/lib/test,adir}
	install -m 0755 "$O/qemu/stage2-marker" "$r/usr/lib/test/marker"
	# the stage-2 init of the hibernate/resume scenario (qemu/hibernate-probe.c), when built
	[ ! -e "$O/qemu/hibernate-probe" ] || install -m 0755 "$O/qemu/hibernate-probe" "$r/usr/lib/test/hibernate-probe"
	# Links that resolve only inside the new root (absolute targets), as a real system has.
	ln -s /usr/lib/test/marker "$r/bin/marker"
	ln -s /bin/marker "$r/sbin/init"
	ln -s /chain2 "$r/chain1"
	ln -s ../../bin/marker "$r/chain2"
	ln -s /nonexistent/init "$r/dangling"
	ln -s /loop2 "$r/loop1"
	ln -s /loop1 "$r/loop2"
	ln -s ../../../../../usr/lib/test/marker "$r/escape"
	printf '#!/bin/marker\n' >"$r/notexec" && chmod 0644 "$r/notexec"
	# Inits that pass the x-bit test but cannot run (initcheck.c reads them as execve() does):
	# a #! interpreter missing from the root, an AArch64 ELF, and a dynamic ELF whose loader
	# is cut after its ELF header (only execve() finds that out).
	printf '#!/nonexistent/interp\n' >"$r/badinterp" && chmod 0755 "$r/badinterp"
	"$(dirname "$0")/fake-elf.py" --machine 183 "$r/wrongarch"
	"$(dirname "$0")/fake-elf.py" --interp /lib/trunc-ld.so "$r/trunc-dyn"
	mkdir -p "$r/lib" && head -c 64 "$O/qemu/stage2-marker" >"$r/lib/trunc-ld.so"
	chmod 0755 "$r/lib/trunc-ld.so"
	# A dynamic init whose shared library is missing: the host's true with glibc's loader
	# (as its PT_INTERP names it) but no libc.so.6. execve() succeeds; the loader exits 127.
	local ld
	cp -L "$(type -P true)" "$r/dyn-nolibc" || return 1
	ld=$(readelf -l "$r/dyn-nolibc" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
	[ -n "$ld" ] && mkdir -p "$r$(dirname "$ld")" && cp -L "$ld" "$r$ld" || return 1
	# sbininit=PATH: /sbin/init points there, and the later default /bin/init is the marker
	[ -n "$sbininit" ] && ln -sfn "$sbininit" "$r/sbin/init" && ln -s /bin/marker "$r/bin/init"
	echo "initkit test root ($RECIPE)" >"$r/etc/initkit-test-root"
	[ -n "$kexec" ] && add_kexec "$r"
	mkfs.ext4 -q -F -E root_owner=0:0 -L "$label" -U "$fsuuid" -d "$r" "$TMP/fs.img" "$fssize" 2>&1 | grep -v "^Creating regular file" || true
}

# Debian's kexec-tools with the shared libraries it needs (from Debian's packages, unpacked
# under $O/qemu/kexec-tools, never installed), the kernel and the initkit image to kexec into.
add_kexec() {
	local r=$1 kx=$O/qemu/kexec-tools
	if [ ! -f "$kx/.stamp" ]; then
		rm -rf "$kx" && mkdir -p "$kx/deb"
		(cd "$kx/deb" && apt-get download -qq kexec-tools libxenmisc4.17 libxencall1 \
			libxendevicemodel1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 \
			libxenhypfs1 libxenstore4 libxentoollog1 libxentoolcore1 libyajl2 2>&1 | grep -v unsandboxed || true)
		for d in "$kx"/deb/*.deb; do dpkg-deb -x "$d" "$kx/root"; done
		touch "$kx/.stamp"
	fi
	mkdir -p "$r/sbin" "$r/lib/x86_64-linux-gnu" "$r/lib64" "$r/boot"
	cp "$kx/root/sbin/kexec" "$r/sbin/kexec"
	# The shared-library closure, looked up in the unpacked packages, then on the host.
	local todo=("$r/sbin/kexec") seen=" " f lib p
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]} && todo=("${todo[@]:1}")
		for lib in $(readelf -d "$f" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
			case "$seen" in *" $lib "*) continue ;; esac
			seen+="$lib "
			for p in "$kx/root/usr/lib/x86_64-linux-gnu/$lib" "$kx/root/lib/x86_64-linux-gnu/$lib" \
				"/lib/x86_64-linux-gnu/$lib" "/usr/lib/x86_64-linux-gnu/$lib"; do
				[ -e "$p" ] && cp -L "$p" "$r/lib/x86_64-linux-gnu/$lib" && todo+=("$p") && break
			done
		done
	done
	cp -L /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
	cp -L "$O/kernel/vmlinuz" "$r/boot/vmlinuz"
	cp "$initrd" "$r/boot/initrd.img"
}

# The ext4 root as LV "root" of VG debian-vg (plus an empty swap_1) in a PV image that
# replaces fs.img. Uses $O/deps/sbin/lvm (static, from lib/deps.sh) with a private system dir
# and a filter that sees only our loop device, so the host's LVM setup is neither read nor
# written; LVs are made inactive (-an) and unzeroed (-Zn), as there is no dm here.
make_pv() {
	local pv=$TMP/pv.img loop off swapoff etc=$TMP/lvm-etc
	mkdir -p "$etc"
	truncate -s "${1:-$((48 + ${swap:-0}))M}" "$pv" # $1: the PV's size (debian-install)
	loop=$(losetup --show -f "$pv")
	lvm() {
		LVM_SYSTEM_DIR=$etc LVM_SUPPRESS_FD_WARNINGS=1 "$O/deps/sbin/lvm" "$@" --config \
			"devices { filter = [ \"a|^$loop\$|\", \"r|.*|\" ] use_devicesfile = 0 obtain_device_list_from_udev = 0 } backup { backup = 0 archive = 0 } activation { udev_sync = 0 udev_rules = 0 }"
	}
	lv_offset() { # the byte offset of LV $1 (one segment) in the PV
		lvm pvs --noheadings --nosuffix --units b --segments \
			-o pe_start,vg_extent_size,pvseg_start -S lv_name="$1" "$loop" |
			awk '{ print $1 + $3 * $2 }'
	}
	local rc=0
	{ lvm pvcreate -q "$loop" && lvm vgcreate -q debian-vg "$loop" &&
		lvm lvcreate -q --driverloaded n -an -Zn -L "$fssize" -n root debian-vg &&
		lvm lvcreate -q --driverloaded n -an -Zn -L "${swap:-8}M" -n swap_1 debian-vg &&
		off=$(lv_offset root) && swapoff=$(lv_offset swap_1); } >&2 || rc=1
	swap_off=$swapoff # for debian-install
	losetup -d "$loop"
	[ "$rc" = 0 ] && [ -n "$off" ] || { echo "disks.sh: making the LVM PV failed" >&2; return 1; }
	dd if="$TMP/fs.img" of="$pv" bs=1M oflag=seek_bytes seek="$off" conv=notrunc status=none
	if [ -n "$swap" ]; then
		truncate -s "${swap}M" "$TMP/swap.img"
		mkswap -q -U "$swapuuid" -L swap_1 "$TMP/swap.img" >&2
		dd if="$TMP/swap.img" of="$pv" bs=1M oflag=seek_bytes seek="$swapoff" conv=notrunc status=none
	fi
	mv "$pv" "$TMP/fs.img"
}

luks_wrap() { # $1: luks type args...
	local fs=$TMP/fs.img img=$TMP/disk.img fssize off hdr=()
	fssize=$(stat -c %s "$fs")
	head -c 64 /dev/urandom >"$TMP/vk"
	[ -n "$header" ] && hdr=(--header "$TMP/hdr.img") && truncate -s 16M "$TMP/hdr.img"
	if [ -n "$header" ]; then truncate -s "$fssize" "$img"; else truncate -s $((16 * 1048576 + fssize)) "$img"; fi
	printf '%s' "$pass" | cryptsetup luksFormat --batch-mode "$@" --uuid "$luksuuid" \
		--volume-key-file "$TMP/vk" "${hdr[@]}" --key-file - "$img"
	if [ -n "$keyfile" ]; then
		cryptsetup luksAddKey --batch-mode "${hdr[@]}" --volume-key-file "$TMP/vk" \
			--pbkdf pbkdf2 --pbkdf-force-iterations 1000 "$img" "$keyfile"
	fi
	local dumpdev=$img
	[ -n "$header" ] && dumpdev=$TMP/hdr.img
	off=$(cryptsetup luksDump "$dumpdev" | awk '
		/^Payload offset:/ { print $3 * 512; exit }          # LUKS1, in sectors
		/^Data segments:/ { seg = 1 }
		seg && /offset:/ { print $2; exit }                 # LUKS2, in bytes')
	[ -n "$header" ] && off=0
	"$O/qemu/xts-encrypt" "$TMP/vk" "$fs" "$img" "$off"
	if [ -n "$corrupt" ]; then
		# Break the checksum of both LUKS2 binary headers (offset 0x1c0, 64 bytes; the
		# second header follows 16 KiB of metadata). The magic stays, so libblkid still
		# calls it crypto_LUKS and only libcryptsetup's checks can tell.
		for o in 448 $((16384 + 448)); do
			head -c 64 /dev/zero | dd of="$img" bs=1 seek=$o conv=notrunc status=none
		done
	fi
	if [ -n "$header" ]; then
		case "$header" in /*) ;; *) header=$O/$header ;; esac
		mkdir -p "$(dirname "$header")" && cp "$TMP/hdr.img" "$header"
	fi
	mv "$img" "$OUT"
}

# Debian 12's installer, "guided - use entire disk and set up encrypted LVM", on a virtio
# disk (vda): GPT with p1 ESP (FAT32, /boot/efi), p2 /boot (ext2), p3 LUKS2 "vda3_crypt"
# (crypttab options luks,discard) holding the PV of VG debian-vg: LV root (ext4) first, then
# swap_1. The root is tree=DIR; its /boot is moved to p2. fstab and crypttab as the installer
# writes them. The swap LV is left as an unwritten hole after its header: it decrypts to noise,
# as a real swap partition reads before its first use.
ESP_ID=4A1C0E5F BOOT_UUID=3e6f2a1d-8c4b-4f5e-a1d2-6b7c8d9e0f12
make_install() {
	[ -d "$tree" ] || { echo "disks.sh: debian-install needs tree=DIR (got '$tree')" >&2; return 1; }
	local r=$TMP/root pvsize p3 disk=$TMP/disk.img mib=1048576
	cp -a "$tree" "$r"
	mkdir -p "$TMP/boot" && cp -a "$r/boot/." "$TMP/boot/" && rm -rf "$r/boot" && mkdir -p "$r/boot/efi"
	cat >"$r/etc/fstab" <<FSTAB
# /etc/fstab: static file system information.
#
# Use 'blkid' to print the universally unique identifier for a
# device; this may be used with UUID= as a more robust way to name devices
# that works even if disks are added and removed. See fstab(5).
#
# systemd generates mount units based on this file, see systemd.mount(5).
# Please run 'systemctl daemon-reload' after you make changes to this file.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
/dev/mapper/debian--vg-root /               ext4    errors=remount-ro 0       1
# /boot was on /dev/vda2 during installation
UUID=$BOOT_UUID /boot           ext2    defaults        0       2
# /boot/efi was on /dev/vda1 during installation
UUID=${ESP_ID:0:4}-${ESP_ID:4:4}  /boot/efi       vfat    umask=0077      0       1
/dev/mapper/debian--vg-swap_1 none            swap    sw              0       0
FSTAB
	printf 'vda3_crypt UUID=%s none luks,discard\n' "$luksuuid" >"$r/etc/crypttab"
	mkdir -p "$r/etc/initramfs-tools/conf.d"
	echo "RESUME=/dev/mapper/debian--vg-swap_1" >"$r/etc/initramfs-tools/conf.d/resume"
	mkfs.ext4 -q -F -E root_owner=0:0 -U "$fsuuid" -d "$r" "$TMP/fs.img" "$fssize" 2>&1 | grep -v "^Creating regular file" || true
	mkfs.ext2 -q -F -E root_owner=0:0 -U "$BOOT_UUID" -d "$TMP/boot" "$TMP/boot.img" 64M 2>&1 | grep -v "^Creating regular file" || true
	[ -s "$TMP/fs.img" ] && [ -s "$TMP/boot.img" ] || { echo "disks.sh: mkfs failed" >&2; return 1; }
	truncate -s 40M "$TMP/esp.img" && mkfs.vfat -F 32 -s 1 -i "$ESP_ID" "$TMP/esp.img" >/dev/null
	# PV: 1 MiB of metadata, root, swap_1 (mkswap by make_pv), 4 MiB to spare (extents)
	[ -n "$swap" ] || { echo "disks.sh: debian-install needs swap=MiB" >&2; return 1; }
	pvsize=$((${fssize%M} + swap + 5))M
	make_pv "$pvsize" || return 1
	truncate -s $((swap_off + mib)) "$TMP/fs.img"
	OUT=$TMP/p3.img luks_wrap --type luks2 --sector-size 512 --pbkdf argon2id \
		--pbkdf-memory 32768 --pbkdf-force-iterations 4 --pbkdf-parallel 1
	p3=$((16 * mib + ${pvsize%M} * mib))
	truncate -s "$p3" "$TMP/p3.img"
	truncate -s $((mib + 40 * mib + 64 * mib + p3 + mib)) "$disk"
	sgdisk -n 1:2048:+40M -t 1:EF00 -u "1:$partuuid" -n 2:0:+64M -t 2:8300 \
		-n "3:0:+$((p3 / 512))" -t 3:8300 "$disk" >/dev/null
	dd if="$TMP/esp.img" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
	dd if="$TMP/boot.img" of="$disk" bs=1M seek=41 conv=notrunc,sparse status=none
	dd if="$TMP/p3.img" of="$disk" bs=1M seek=105 conv=notrunc,sparse status=none
	mv "$disk" "$OUT"
}

PBKDF2=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
case "$RECIPE" in
ext4) make_rootfs && mv "$TMP/fs.img" "$OUT" ;;
gpt-ext4)
	make_rootfs
	truncate -s $((34 * 1048576)) "$TMP/disk.img"
	sgdisk -n 1:2048:+32M -t 1:8300 -u "1:$partuuid" -c "1:$partlabel" "$TMP/disk.img" >/dev/null 2>&1
	dd if="$TMP/fs.img" of="$TMP/disk.img" bs=1M seek=1 conv=notrunc status=none
	mv "$TMP/disk.img" "$OUT" ;;
luks2-pbkdf2) make_rootfs && luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}" ;;
luks2-argon2id)
	make_rootfs && luks_wrap --type luks2 --sector-size 512 --pbkdf argon2id \
		--pbkdf-memory 32768 --pbkdf-force-iterations 4 --pbkdf-parallel 1 ;;
luks1) make_rootfs && luks_wrap --type luks1 "${PBKDF2[@]}" ;;
lvm) make_rootfs && make_pv && mv "$TMP/fs.img" "$OUT" ;;
lvm-on-luks) make_rootfs && make_pv && luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}" ;;
debian-install) make_install ;;
raw) truncate -s "${size}M" "$OUT" ;;
swapfile)
	mkdir -p "$TMP/sf" && head -c "${size}M" /dev/urandom >"$TMP/sf/swapfile" && chmod 0600 "$TMP/sf/swapfile"
	mkswap -q -U "$swapuuid" "$TMP/sf/swapfile" >&2
	mkfs.ext4 -q -F -b 4096 -E root_owner=0:0 -L initkit-swapfs -d "$TMP/sf" "$TMP/fs.img" $((size + 16))M | grep -v "^Creating regular file" >&2 || true
	echo "disks.sh: /swapfile starts at page $(debugfs -R 'bmap /swapfile 0' "$TMP/fs.img" 2>/dev/null)" >&2
	mv "$TMP/fs.img" "$OUT" ;;
swap) truncate -s "${size}M" "$TMP/swap.img" && mkswap -q -U "$swapuuid" -L initkit-swap "$TMP/swap.img" >&2 && mv "$TMP/swap.img" "$OUT" ;;
*) echo "disks.sh: unknown recipe '$RECIPE'" >&2; exit 2 ;;
esac
