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
#   luks-on-lvm     LVM PV (no LUKS under it), VG vg= (default stack-vg) with LV root holding a
#                   LUKS2 container (uuid inneruuid=) around the ext4 root: LUKS on an LV
#   luks-lvm-luks   luks-on-lvm wrapped once more in LUKS2 (uuid luksuuid=): LUKS on LVM on LUKS
#   lvm-missing-pv  the first of two PVs of VG vg= whose LV root spans both (the second PV,
#                   UUID pvuuid2=, is not on the disk)
#   btrfs-raid1     one member (part=1 or part=2) of a two-disk btrfs RAID1 (data and metadata;
#                   fsuuid= default 0c5e8f2a-9b1d-4c3e-8f7a-4d3e0a5b0005, label=) whose subvolume
#                   "root" holds the test root; the top level has only /TOPLEVEL. mkfs.btrfs 6.2
#                   cannot fill a multi-device filesystem or make subvolumes, so a preparatory
#                   QEMU boot (initkit, ext4 root, busybox + qemu/btrfs-subvol) does; the pair is
#                   made once per inputs under $O/qemu/btrfs-pairs/ and each part copied from it
#   debian-install  the whole disk Debian 12's installer makes with "guided - use entire disk
#                   and set up encrypted LVM": GPT, p1 ESP (vfat), p2 /boot (ext2), p3 LUKS2
#                   (argon2id, cheap) holding the PV of VG debian-vg with LVs root (ext4 made
#                   from tree=DIR, whose /boot goes to p2) and swap_1 (swap=MiB); /etc/fstab,
#                   /etc/crypttab (vda3_crypt) and the RESUME= file written as the installer does
#   luks2-tpm2      luks2-pbkdf2 plus a systemd-tpm2 token: systemd-cryptenroll on the host
#                   against a fresh swtpm whose state is left in OUT.tpm/ (run.py's `tpm: disk N`
#                   boots with a copy of it); tpm2pcrs=13+14 (default 13; none: no PCR),
#                   tpm2pin=PIN (--tpm2-with-pin=yes), tpm2field=KEY:VALUE (added to the token
#                   afterwards, as a later systemd writes it: tpm2_salt, tpm2_srk, ...),
#                   tpm2other=1 (token 0 is first enrolled, with PCR 15, to another, throwaway
#                   swtpm; the kept state's token is then token 1)
#   raw             an unformatted disk (size=MiB)
#   gpt-many        GPT disk with 64 partitions: 1-63 empty (1 MiB each), 64 (partuuid=,
#                   partlabel=) holding the ext4 root, last on the disk (sparse, ~97 MiB)
#   guest-tools     the disk a guest builds its own image with (qemu/guest-tools.sh: this
#                   build's binaries, the kernel's whole module tree, run=SCRIPT); for disk-fresh:
#   swap            a whole-disk swap area, LABEL=initkit-swap (mkswap, size=MiB, swapuuid=)
#   swapfile        ext4 (4 KiB blocks) holding only /swapfile (size=MiB, random-filled so no
#                   block is a hole, then mkswap): for resume_offset=; prints its page offset
# Keys: label= fsuuid= luksuuid= inneruuid= vg= pvuuid2= pass= keyfile=PATH (a second key slot)
#       header=PATH (LUKS header detached into PATH) partuuid= partlabel= size=MiB
#       sbininit=PATH (/sbin/init links there; /bin/init is then the stage-2 marker)
#       swap=MiB (lvm-on-luks, lvm, debian-install) swapuuid= (the UUID of a swap area made by swap= or swap)
#       damage=repairable|beyond-preen  (fsck scenarios) the ext4 root is damaged with debugfs -w
#         before it is placed or encrypted, and marked not clean so e2fsck -a checks it:
#         repairable: a file's link count is 2 instead of 1 (e2fsck -a fixes it, exit 1);
#         beyond-preen: the inode of directory /adir is cleared while / still names it
#         (e2fsck -a: "UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY", exit 4)
#       part=1|2 (btrfs-raid1: which member)
#       lvextra=skip|snap (lvm recipes) root gets the activation-skip flag (lvchange -ky), or a
#         classic snapshot "snap" (metadata made by qemu/lvm-snapshot-meta.py, vgcfgrestore)
#       tree=DIR (debian-install: the root tree; fssize= and swap= size the LVs)
set -euo pipefail
O=$(realpath -m "$1")
OUT=$2
RECIPE=$3
shift 3
[ "$RECIPE" = guest-tools ] && exec "$(dirname "$0")/guest-tools.sh" "$O" "$OUT" "$@"
label=initkit-root fsuuid=6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001 luksuuid=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002
pass=initkit-test-passphrase keyfile= header= partuuid=8c3e4e70-6c60-4f2d-9f7b-3b2d9c4f0003
partlabel=initkit-root-part size=48 kexec= initrd= fssize=32M corrupt= sbininit= damage= part=
inneruuid=9d4f5f81-7d71-4a3e-8a8c-4c3e0d5f0004 vg=debian-vg pvuuid2=Miss1n-gPVx-2222-3333-4444-5555-666666
lvextra= swap= swapuuid=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004 tree=
tpm2pcrs=13 tpm2pin= tpm2field= tpm2other=
[[ "$RECIPE" = btrfs-* ]] && fsuuid=0c5e8f2a-9b1d-4c3e-8f7a-4d3e0a5b0005
for kv in "$@"; do
	case "$kv" in
	label=* | fsuuid=* | luksuuid=* | pass=* | keyfile=* | header=* | partuuid=* | partlabel=* | \
		size=* | kexec=* | initrd=* | fssize=* | corrupt=* | sbininit=* | inneruuid=* | vg=* | \
		pvuuid2=* | damage=* | part=* | swap=* | swapuuid=* | lvextra=* | \
		tree=* | tpm2pcrs=* | tpm2pin=* | tpm2field=* | tpm2other=*)
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
	[ -n "$damage" ] && echo "a file for the fsck scenarios" >"$r/adir/victim"
	mkfs.ext4 -q -F -E root_owner=0:0 -L "$label" -U "$fsuuid" -d "$r" "$TMP/fs.img" "$fssize" 2>&1 | grep -v "^Creating regular file" || true
	[ -z "$damage" ] || damage_fs "$TMP/fs.img"
}

# Damage for the fsck scenarios, made with debugfs on the filesystem image (no mounts); the
# result is checked with the host's e2fsck -n, so a recipe that stops damaging fails here.
damage_fs() {
	local img=$1 cmds rc=0
	case "$damage" in
	repairable) cmds=("sif /adir/victim links_count 2") ;;
	beyond-preen) cmds=("clri /adir") ;;
	*) echo "disks.sh: damage=$damage: expected repairable or beyond-preen" >&2; return 2 ;;
	esac
	cmds+=("ssv state 0") # not cleanly unmounted: e2fsck -a checks it without -f
	for c in "${cmds[@]}"; do debugfs -w -R "$c" "$img" 2>/dev/null || return 1; done
	e2fsck -n "$img" >/dev/null 2>&1 || rc=$?
	[ "$rc" = 4 ] || { echo "disks.sh: damage=$damage: e2fsck -n exit $rc, expected 4" >&2; return 1; }
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
make_pv() { # [two]: a second PV that the root LV spans, left out of the result
	local pv=$TMP/pv.img pv2=$TMP/pv2.img loop loop2= off swapoff etc=$TMP/lvm-etc fsbytes pvmib
	mkdir -p "$etc"
	fsbytes=$(stat -c %s "$TMP/fs.img")
	pvmib=$(((fsbytes + 1048575) / 1048576 + 8 + ${swap:-8}))
	[ -n "$lvextra" ] && pvmib=$((pvmib + 16))
	# two: the first PV too small for root, which spans into the second
	[ "${1:-}" = two ] && pvmib=$(((fsbytes + 1048575) / 1048576 + 4))
	case "${1:-}" in *M) pvmib=${1%M} ;; esac # a size: the PV's (debian-install)
	truncate -s "${pvmib}M" "$pv"
	loop=$(losetup --show -f "$pv")
	local filter="\"a|^$loop\$|\", "
	if [ "${1:-}" = two ]; then
		truncate -s 32M "$pv2"
		loop2=$(losetup --show -f "$pv2")
		filter+="\"a|^$loop2\$|\", "
	fi
	lvm() {
		LVM_SYSTEM_DIR=$etc LVM_SUPPRESS_FD_WARNINGS=1 "$O/deps/sbin/lvm" "$@" --config \
			"devices { filter = [ $filter\"r|.*|\" ] use_devicesfile = 0 obtain_device_list_from_udev = 0 } backup { backup = 0 archive = 0 } activation { udev_sync = 0 udev_rules = 0 }"
	}
	lv_offset() { # the byte offset of LV $1's first segment in the (first) PV
		lvm pvs --noheadings --nosuffix --units b --segments \
			-o pe_start,vg_extent_size,pvseg_start -S lv_name="$1" "$loop" |
			awk '{ print $1 + $3 * $2 }'
	}
	local rc=0 size=$((fsbytes / 1048576))M
	[ -n "$loop2" ] && size=$((fsbytes / 1048576 + 8))M
	{ lvm pvcreate -q "$loop" &&
		{ [ -z "$loop2" ] || lvm pvcreate -q --uuid "$pvuuid2" --norestorefile "$loop2"; } &&
		lvm vgcreate -q "$vg" "$loop" $loop2 &&
		lvm lvcreate -q --driverloaded n -an -Zn -L "$size" -n root "$vg" &&
		lvm lvcreate -q --driverloaded n -an -Zn -L "${swap:-8}M" -n swap_1 "$vg" &&
		{ [ "$lvextra" != skip ] || lvm lvchange -q -ky "$vg/root"; } &&
		{ [ "$lvextra" != snap ] || { lvm lvcreate -q --driverloaded n -an -Zn -L 8M -n snap "$vg" &&
			lvm vgcfgbackup -q -f "$TMP/meta" "$vg" &&
			"$(dirname "$0")/lvm-snapshot-meta.py" "$TMP/meta" &&
			lvm vgcfgrestore -q -f "$TMP/meta" "$vg"; }; } &&
		off=$(lv_offset root) && swapoff=$(lv_offset swap_1); } >&2 || rc=1
	swap_off=$swapoff # for debian-install
	losetup -d "$loop"
	[ -n "$loop2" ] && losetup -d "$loop2"
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
	mv "$img" "${LUKS_OUT:-$OUT}"
}

# Enrolls $OUT with systemd-cryptenroll (Debian 12: systemd 252) against a fresh swtpm whose
# state directory is left in $OUT.tpm: the TPM that disk was sealed to.
tpm2_enroll() {
	"$(dirname "$0")/../lib/apt-install" swtpm swtpm-tools libtss2-esys-3.0.2-0 libtss2-mu0 \
		libtss2-rc0 libtss2-tcti-swtpm0
	local st sock=$TMP/tpm.sock args=() states=("$OUT.tpm")
	[ -z "$tpm2other" ] || states=("$TMP/other.tpm" "$OUT.tpm")
	for st in "${states[@]}"; do
		rm -rf "$st" && mkdir -p "$st" && rm -f "$sock" "$sock.ctrl"
		swtpm socket --tpm2 --tpmstate dir="$st" --server type=unixio,path="$sock" \
			--ctrl type=unixio,path="$sock.ctrl" --flags not-need-init,startup-clear \
			--pid file="$TMP/tpm.pid" --daemon
		for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
		args=()
		if [ "$st" != "$OUT.tpm" ]; then
			args+=(--tpm2-pcrs=15) # 252 enrolls a PCR set only once ("already enrolled")
		elif [ "$tpm2pcrs" = none ]; then
			args+=(--tpm2-pcrs=)
		else
			args+=(--tpm2-pcrs="$tpm2pcrs")
		fi
		[ -z "$tpm2pin" ] || args+=(--tpm2-with-pin=yes)
		PASSWORD=$pass NEWPIN=$tpm2pin systemd-cryptenroll --tpm2-device=swtpm:path="$sock" \
			"${args[@]}" "$OUT" >&2 2>/dev/null
		local pid
		pid=$(cat "$TMP/tpm.pid")
		swtpm_ioctl --unix "$sock.ctrl" -s
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	done
	local n
	n=$(cryptsetup luksDump "$OUT" | grep -c ': systemd-tpm2$' || true)
	[ "$n" = "${#states[@]}" ] || { echo "disks.sh: $n systemd-tpm2 tokens, expected ${#states[@]}" >&2; return 1; }
	cryptsetup token export --token-id 0 "$OUT" >"$TMP/token.json"
	if [ -n "$tpm2field" ]; then
		# VALUE: JSON, or else taken as a string (base64, as systemd writes tpm2_srk)
		python3 -c 'import json, sys
t = json.load(open(sys.argv[1])); k, v = sys.argv[2].split(":", 1)
try: t[k] = json.loads(v)
except ValueError: t[k] = v
print(json.dumps(t))' \
			"$TMP/token.json" "$tpm2field" >"$TMP/token2.json"
		cryptsetup token remove --token-id 0 "$OUT"
		cryptsetup token import --token-id 0 --json-file "$TMP/token2.json" "$OUT"
	fi
}

# Both members of the btrfs RAID1 into $1/1.img and $1/2.img: mkfs.btrfs on two files, then a
# preparatory boot of this build's kernel and initkit with the two members and an ext4 disk
# holding busybox, qemu/btrfs-subvol and the test root (make_rootfs) under /tree; its init
# mounts the pair (device= options), creates subvolume "root", copies /tree into it and marks
# the top level, then powers off. Nothing on the host is mounted.
make_btrfs_pair() {
	local dir=$1 p=$TMP/prep kver log=$TMP/prep.log
	"$(dirname "$0")/../lib/apt-install" btrfs-progs
	for f in "$O/qemu/busybox/bin/busybox" "$O/qemu/btrfs-subvol" "$O/stripped/initkit-init"; do
		[ -x "$f" ] || { echo "disks.sh: $f missing (make it first: make qemu-check builds it)" >&2; return 1; }
	done
	truncate -s 128M "$TMP/1.img" "$TMP/2.img"
	mkfs.btrfs -q -f -d raid1 -m raid1 -U "$fsuuid" -L "$label" "$TMP/1.img" "$TMP/2.img" 2>&1 |
		grep -v -e '^NOTE' -e '^ ' >&2 || true
	make_rootfs
	mkdir -p "$p"/{bin,proc,sys,dev,run,mnt}
	mv "$TMP/root" "$p/tree"
	echo "subvolume root" >"$p/tree/etc/initkit-test-subvol"
	cp "$O/qemu/busybox/bin/busybox" "$p/bin/busybox"
	cp "$O/qemu/btrfs-subvol" "$p/bin/btrfs-subvol"
	cat >"$p/prep" <<-'PREP'
		#!/bin/busybox sh
		b=/bin/busybox
		$b mount -t btrfs -o device=/dev/vda,device=/dev/vdb /dev/vda /mnt &&
			/bin/btrfs-subvol /mnt root && $b cp -a /tree/. /mnt/root/ &&
			echo "top level, not the root subvolume" >/mnt/TOPLEVEL &&
			$b umount /mnt && echo BTRFS-PREP-DONE
		$b sync
		$b poweroff -f
	PREP
	chmod 0755 "$p/prep"
	mkfs.ext4 -q -F -E root_owner=0:0 -L initkit-prep -d "$p" "$TMP/prep.img" 64M
	kver=$(cat "$O/kernel/kver")
	SOURCE_DATE_EPOCH=1700000000 "$O/stripped/initkit-mkimage" -o "$TMP/prep-initrd.img" \
		--init "$O/stripped/initkit-init" --kver "$kver" --moddir "$O/kernel/root/lib/modules/$kver" \
		--module virtio_pci,virtio_blk,ext4 --load btrfs >/dev/null
	timeout 600 qemu-system-x86_64 -machine q35 -m 512 -smp 1 -display none -no-reboot \
		-serial stdio -monitor none -kernel "$O/kernel/vmlinuz" -initrd "$TMP/prep-initrd.img" \
		-append "console=ttyS0 panic=-1 root=LABEL=initkit-prep rw init=/prep rd.emergency=poweroff" \
		-drive "file=$TMP/1.img,format=raw,if=virtio" -drive "file=$TMP/2.img,format=raw,if=virtio" \
		-drive "file=$TMP/prep.img,format=raw,if=virtio" </dev/null >"$log" 2>&1 || true
	if ! grep -q BTRFS-PREP-DONE "$log"; then
		echo "disks.sh: the btrfs preparatory boot failed; its console:" >&2
		tail -30 "$log" >&2
		return 1
	fi
	mkdir -p "$dir.tmp" && mv "$TMP/1.img" "$TMP/2.img" "$dir.tmp/" && mv "$dir.tmp" "$dir"
}

btrfs_member() {
	[ "$part" = 1 ] || [ "$part" = 2 ] || { echo "disks.sh: $RECIPE needs part=1 or part=2" >&2; return 1; }
	local key dir
	key=$(cat "$0" "$O/qemu/stage2-marker" "$O/qemu/btrfs-subvol" "$O/qemu/busybox/bin/busybox" |
		sha256sum | cut -c1-12)
	dir=$O/qemu/btrfs-pairs/$RECIPE-$fsuuid-$label-$key
	mkdir -p "$O/qemu/btrfs-pairs"
	(
		flock 9
		[ -d "$dir" ] || make_btrfs_pair "$dir"
	) 9>"$O/qemu/btrfs-pairs/.lock" || return 1
	cp --sparse=always "$dir/$part.img" "$OUT"
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
ext4-ambivalent) # the ext4 root with a stale squashfs magic in its unused boot sector: two
	# signatures, libblkid's "ambivalent result" (ext4 itself stays clean)
	make_rootfs && printf 'hsqs' | dd of="$TMP/fs.img" conv=notrunc status=none &&
		printf '\x04\x00' | dd of="$TMP/fs.img" bs=1 seek=28 conv=notrunc status=none &&
		mv "$TMP/fs.img" "$OUT" ;;
gpt-ext4)
	make_rootfs
	truncate -s $((34 * 1048576)) "$TMP/disk.img"
	sgdisk -n 1:2048:+32M -t 1:8300 -u "1:$partuuid" -c "1:$partlabel" "$TMP/disk.img" >/dev/null 2>&1
	dd if="$TMP/fs.img" of="$TMP/disk.img" bs=1M seek=1 conv=notrunc status=none
	mv "$TMP/disk.img" "$OUT" ;;
luks2-pbkdf2) make_rootfs && luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}" ;;
luks2-tpm2) make_rootfs && luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}" && tpm2_enroll ;;
luks2-argon2id)
	make_rootfs && luks_wrap --type luks2 --sector-size 512 --pbkdf argon2id \
		--pbkdf-memory 32768 --pbkdf-force-iterations 4 --pbkdf-parallel 1 ;;
luks1) make_rootfs && luks_wrap --type luks1 "${PBKDF2[@]}" ;;
lvm) make_rootfs && make_pv && mv "$TMP/fs.img" "$OUT" ;;
lvm-on-luks) make_rootfs && make_pv && luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}" ;;
luks-on-lvm | luks-lvm-luks)
	[ "$vg" = debian-vg ] && vg=stack-vg
	make_rootfs
	LUKS_OUT=$TMP/inner.img luksuuid=$inneruuid luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}"
	mv "$TMP/inner.img" "$TMP/fs.img" && make_pv
	if [ "$RECIPE" = luks-on-lvm ]; then mv "$TMP/fs.img" "$OUT"; else luks_wrap --type luks2 --sector-size 512 "${PBKDF2[@]}"; fi ;;
lvm-missing-pv) make_rootfs && make_pv two && mv "$TMP/fs.img" "$OUT" ;;
debian-install) make_install ;;
raw) truncate -s "${size}M" "$OUT" ;;
gpt-many)
	make_rootfs
	truncate -s $((98 * 1048576)) "$TMP/disk.img"
	args=()
	for i in $(seq 1 63); do args+=(-n "$i:$((2048 * i)):+1M" -t "$i:8300"); done
	sgdisk "${args[@]}" -n "64:$((2048 * 64)):+32M" -t 64:8300 -u "64:$partuuid" -c "64:$partlabel" \
		"$TMP/disk.img" >/dev/null
	dd if="$TMP/fs.img" of="$TMP/disk.img" bs=1M seek=64 conv=notrunc,sparse status=none
	mv "$TMP/disk.img" "$OUT" ;;
btrfs-raid1) btrfs_member ;;
swapfile)
	mkdir -p "$TMP/sf" && head -c "${size}M" /dev/urandom >"$TMP/sf/swapfile" && chmod 0600 "$TMP/sf/swapfile"
	mkswap -q -U "$swapuuid" "$TMP/sf/swapfile" >&2
	mkfs.ext4 -q -F -b 4096 -E root_owner=0:0 -L initkit-swapfs -d "$TMP/sf" "$TMP/fs.img" $((size + 16))M | grep -v "^Creating regular file" >&2 || true
	echo "disks.sh: /swapfile starts at page $(debugfs -R 'bmap /swapfile 0' "$TMP/fs.img" 2>/dev/null)" >&2
	mv "$TMP/fs.img" "$OUT" ;;
swap) truncate -s "${size}M" "$TMP/swap.img" && mkswap -q -U "$swapuuid" -L initkit-swap "$TMP/swap.img" >&2 && mv "$TMP/swap.img" "$OUT" ;;
*) echo "disks.sh: unknown recipe '$RECIPE'" >&2; exit 2 ;;
esac
