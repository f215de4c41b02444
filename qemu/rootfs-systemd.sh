#!/bin/bash
# Build a small Debian 12 root filesystem with a real systemd (PID 1), dbus, logind and busctl,
# with initkit-stage2 at /sbin/initkit-stage2 and a probe unit that prints what logind loaded,
# as ext4 disk images made WITHOUT root mounts (mkfs.ext4 -d, then debugfs for the variants).
#
# Usage: qemu/rootfs-systemd.sh OUTDIR [STAGE2_BINARY]
#   STAGE2_BINARY defaults to OUTDIR/../stripped/initkit-stage2 (build/stripped/...).
# Produces (all raw ext4, label initkit-sd, fixed UUID below):
#   OUTDIR/rootfs.img               nothing configured by the admin      scenarios (a), (d)
#   OUTDIR/rootfs-admin-main.img    /etc/systemd/logind.conf sets KillUserProcesses=yes  (b)
#   OUTDIR/rootfs-admin-dropin.img  /etc/systemd/logind.conf.d/50-admin.conf sets it     (c)
#   OUTDIR/rootfs-initkit-conf.img  /etc/initkit/logind-defaults.conf: KillUserProcesses=yes
#   OUTDIR/rootfs-admin-badheader.img  logind.conf line 1 '[Login' + an admin drop-in (yes)
#   OUTDIR/rootfs-noinit.img        /usr/lib/systemd/systemd cannot be executed (#! missing)
#   OUTDIR/rootfs-noproc.img        rootfs-noinit.img without a /proc directory
#   OUTDIR/debian-install.img       a whole disk as Debian's installer lays out encrypted LVM
#                                   (qemu/disks.sh debian-install) with this system as root,
#                                   hostname debian, and the install probe (below)
# The debootstrap tree is cached in OUTDIR/base (first run: several minutes, see README);
# the images are rebuilt when the binary or this script changes.
set -euo pipefail
OUT=$(realpath -m "${1:?usage: rootfs-systemd.sh OUTDIR [STAGE2_BINARY]}")
BIN=$(realpath -m "${2:-$OUT/../stripped/initkit-stage2}")
HERE=$(cd "$(dirname "$0")" && pwd)
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PKGS=systemd,systemd-sysv,dbus,libpam-systemd,procps,udev,kmod,lvm2,cryptsetup,dosfstools
FSUUID=5d3b6a0e-1c2f-4e7a-9b1d-2f6c8e4a0d51
MACHINE_ID=0d5a3c9e1b7f4e2a8c6d4b2a0e9f7c51

log() { echo "rootfs-systemd: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

[ -x "$BIN" ] || { log "no stage-2 binary at $BIN (run make first)"; exit 1; }
"$HERE/../lib/apt-install" debootstrap e2fsprogs dosfstools gdisk

# 1. The cached base system: debootstrap (needs root for chroot; it mounts /proc inside the
#    target while installing, nothing else), a test user, a fixed machine-id (no first-boot).
base_key="$SUITE $PKGS $MIRROR v2"
if [ ! -f "$OUT/base/.stamp" ] || [ "$(cat "$OUT/base/.stamp")" != "$base_key" ]; then
	start=$(date +%s)
	as_root rm -rf "$OUT/base.tmp" "$OUT/base"
	mkdir -p "$OUT"
	log "debootstrap $SUITE (minbase + $PKGS) into $OUT/base"
	as_root debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$OUT/base.tmp" "$MIRROR" \
		>"$OUT/debootstrap.log" 2>&1 || { tail -20 "$OUT/debootstrap.log" >&2; exit 1; }
	r=$OUT/base.tmp
	as_root chroot "$r" useradd -m -s /bin/bash tester
	echo "$MACHINE_ID" | as_root tee "$r/etc/machine-id" >/dev/null
	echo initkit-sd | as_root tee "$r/etc/hostname" >/dev/null
	printf 'LABEL=initkit-sd / ext4 rw 0 1\n' | as_root tee "$r/etc/fstab" >/dev/null
	as_root rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*
	echo "$base_key" | as_root tee "$r/.stamp" >/dev/null
	as_root mv "$r" "$OUT/base"
	log "base system ready in $(($(date +%s) - start)) s"
fi

# 4. (called from below) The encrypted-LVM install disk: the base system as a real Debian 12
#    install made with "guided - use entire disk and set up encrypted LVM" (host name debian),
#    with the modules its mounts need, the kernel in /boot, and a probe that reports on the
#    console what systemd made of it. Its own key: it does not depend on initkit-stage2.
install_disk() {
	local O=$OUT/.. kver key T=$OUT/install-tree img=$OUT/debian-install.img start m
	kver=$(cat "$O/kernel/kver")
	key=$(cat "$0" "$HERE/disks.sh" "$HERE"/install/* "$OUT/base/.stamp" "$O/kernel/kver" | sha256sum | cut -c1-16)
	[ -f "$img" ] && [ "$(cat "$OUT/.install" 2>/dev/null)" = "$key" ] && return 0
	start=$(date +%s)
	as_root rm -rf "$T"
	as_root cp -a "$(readlink -f "$OUT/base")" "$T" # base may be a link to a shared cache
	as_root rm -f "$T/.stamp"
	echo debian | as_root tee "$T/etc/hostname" >/dev/null
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n' | as_root tee "$T/etc/hosts" >/dev/null
	# The kernel and, of its 396 MB of modules, those the disk stack and the vfat /boot/efi
	# load in stage 2 (a real install has them all; systemd's mounts ask modprobe for fs-vfat
	# and the nls tables), indexed by depmod.
	as_root install -d "$T/boot"
	as_root cp "$O/kernel/root/boot/vmlinuz-$kver" "$O/kernel/root/boot/config-$kver" "$T/boot/"
	for m in virtio_pci virtio_blk ext4 dm_crypt dm_mod xts aesni_intel vfat nls_cp437 \
		nls_ascii nls_utf8 crc32c_generic autofs4; do
		modprobe -d "$O/kernel/root" -S "$kver" --show-depends "$m" 2>/dev/null |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | sort -u | while read -r m; do
		as_root install -D -m 0644 "$m" "$T${m#"$O"/kernel/root}"
	done
	as_root cp "$O/kernel/root/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} \
		"$T/lib/modules/$kver/"
	as_root depmod -b "$T" "$kver"
	as_root install -m 0755 "$HERE/install/probe" "$T/usr/local/sbin/initkit-install-probe"
	as_root install -m 0755 "$HERE/install/counter" "$T/usr/local/sbin/initkit-counter"
	as_root install -D -m 0755 "$HERE/install/sleep-hook" "$T/usr/lib/systemd/system-sleep/initkit-probe"
	as_root tee "$T/etc/systemd/system/initkit-install-probe.service" >/dev/null <<'UNIT'
[Unit]
Description=initkit: report how the installed system came up
After=multi-user.target

[Service]
# simple, not oneshot: the probe waits for the boot to finish, which a oneshot job would hold up
Type=simple
ExecStart=/usr/local/sbin/initkit-install-probe
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
UNIT
	as_root install -d "$T/etc/systemd/system/multi-user.target.wants"
	as_root ln -sf ../initkit-install-probe.service \
		"$T/etc/systemd/system/multi-user.target.wants/initkit-install-probe.service"
	as_root "$HERE/disks.sh" "$O" "$img.tmp" debian-install tree="$T" fssize=384M swap=256
	as_root rm -rf "$T"
	mv "$img.tmp" "$img"
	echo "$key" >"$OUT/.install"
	log "install disk ready in $(($(date +%s) - start)) s: $(basename "$img")"
}

# 2. The test tree: base + initkit-stage2 + the probe unit.
key=$(cat "$BIN" "$0" "$OUT/base/.stamp" | sha256sum | cut -c1-16)
if [ -f "$OUT/.images" ] && [ "$(cat "$OUT/.images")" = "$key" ]; then
	install_disk
	touch "$OUT/.images" # for make: everything is current
	exit 0
fi
start=$(date +%s)
T=$OUT/tree
as_root rm -rf "$T"
as_root cp -a "$(readlink -f "$OUT/base")" "$T" # base may be a link to a shared cache
as_root rm -f "$T/.stamp"
as_root install -m 0755 "$BIN" "$T/sbin/initkit-stage2"
as_root install -d "$T/usr/local/sbin"
as_root tee "$T/usr/local/sbin/initkit-logind-probe" >/dev/null <<'PROBE'
#!/bin/sh
# What logind itself loaded, on the console, with a marker the QEMU scenarios match.
out=/dev/console
v=$(busctl get-property org.freedesktop.login1 /org/freedesktop/login1 \
	org.freedesktop.login1.Manager KillUserProcesses 2>&1)
echo "INITKIT-LOGIND KillUserProcesses=$v" >$out
echo "INITKIT-LOGIND uptime=$(cut -d' ' -f1 /proc/uptime)" >$out
for f in /run/systemd/logind.conf.d/*.conf; do
	[ -f "$f" ] || continue
	sed -n "s|^\([A-Za-z]*=.*\)|INITKIT-LOGIND dropin $f: \1|p" "$f" >$out
done
# Behavioural check, on request (initkit.test.survivor=1): a login session (su -l, which goes
# through pam_systemd) leaves a background process behind and ends; logind kills it when
# KillUserProcesses applies (20 s after the session is released), otherwise it survives.
if grep -q 'initkit.test.survivor=1' /proc/cmdline; then
	rm -f /tmp/survivor.pid
	su -l tester -c 'sleep 1000 </dev/null >/dev/null 2>&1 & echo $! >/tmp/survivor.pid'
	pid=$(cat /tmp/survivor.pid)
	echo "INITKIT-LOGIND survivor started pid=$pid" >$out
	state=alive
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || { state=gone; break; }
		sleep 1
	done
	echo "INITKIT-LOGIND survivor $state" >$out
fi
# Stage 1's timeline, on request (initkit.test.timeline=1): initkit-stage2 reads
# /run/initkit/timeline.json and draws it; its total must be stage 1's "after N ms".
if grep -q 'initkit.test.timeline=1' /proc/cmdline; then
	t=$(/sbin/initkit-stage2 --timeline /run/initkit/timeline.json --svg /run/timeline.svg 2>&1)
	echo "INITKIT-TIMELINE tool exit $?" >$out
	printf '%s\n' "$t" | head -4 | sed 's/^/INITKIT-TIMELINE /' >$out
	# the root's ext4 module, wherever it sits in the blame list (/init loads it: "root filesystem")
	printf '%s\n' "$t" | grep -m1 'ext4 (module, ' | sed 's/^/INITKIT-TIMELINE /' >$out
	after=$(dmesg | sed -n 's/.*initkit: switching to .* after \([0-9]*\) ms.*/\1/p' | head -1)
	total=$(printf '%s\n' "$t" | sed -n 's/^initkit: \([0-9]*\) ms from .*/\1/p')
	if [ -n "$total" ] && [ "$total" = "$after" ]; then
		echo "INITKIT-TIMELINE total $total ms matches stage 1's after $after ms" >$out
	else
		echo "INITKIT-TIMELINE total '$total' differs from stage 1's '$after'" >$out
	fi
	echo "INITKIT-TIMELINE svg lanes=$(grep -c '<g class="lane ' /run/timeline.svg)" >$out
fi
echo "INITKIT-LOGIND done" >$out
PROBE
as_root chmod 0755 "$T/usr/local/sbin/initkit-logind-probe"
as_root tee "$T/etc/systemd/system/initkit-logind-probe.service" >/dev/null <<'UNIT'
[Unit]
Description=initkit: print logind's KillUserProcesses and power off
Wants=systemd-logind.service dbus.service
After=systemd-logind.service dbus.service systemd-user-sessions.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/initkit-logind-probe
ExecStartPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
UNIT
as_root install -d "$T/etc/systemd/system/multi-user.target.wants"
as_root ln -sf ../initkit-logind-probe.service \
	"$T/etc/systemd/system/multi-user.target.wants/initkit-logind-probe.service"
# Generator mode too: systemd runs it before logind starts (a no-op after the PID-1 mode wrote
# the same drop-in; what matters when PID 1 is systemd straight after another initramfs).
as_root install -d "$T/usr/lib/systemd/system-generators"
as_root ln -sf /sbin/initkit-stage2 "$T/usr/lib/systemd/system-generators/initkit-logind-defaults"

# 3. Images without root mounts. Variants differ by one admin file, written with debugfs.
size=$(( $(as_root du -sm "$T" | cut -f1) + 256 ))
img=$OUT/rootfs.img
rm -f "$img.tmp"
as_root mkfs.ext4 -q -F -L initkit-sd -U "$FSUUID" -E root_owner=0:0 -d "$T" "$img.tmp" "${size}M"
mv "$img.tmp" "$img"
tmpf=$(mktemp)
trap 'rm -f "$tmpf"' EXIT
variant() { # NAME [MODE] REMOTE-DIR FILE CONTENT [[MODE] REMOTE-DIR FILE CONTENT ...]
	local v=$OUT/rootfs-$1.img mode
	shift
	cp --sparse=always "$img" "$v.tmp"
	while [ $# -gt 0 ]; do
		mode=0644
		case "$1" in 0[0-7][0-7][0-7]) mode=$1 && shift ;; esac
		printf '%s' "$3" >"$tmpf"
		debugfs -w -R "mkdir $1" "$v.tmp" >/dev/null 2>&1 || true
		debugfs -w -f - "$v.tmp" >/dev/null 2>&1 <<DBG
cd $1
rm $2
write $tmpf $2
set_inode_field $2 mode 0100${mode#0}
set_inode_field $2 uid 0
set_inode_field $2 gid 0
DBG
		debugfs -R "cat $1/$2" "$v.tmp" 2>/dev/null | cmp -s - "$tmpf" ||
			{ log "debugfs did not write $1/$2 into $v"; exit 1; }
		shift 3
	done
	mv "$v.tmp" "$v"
}
variant admin-main /etc/systemd logind.conf $'[Login]\nKillUserProcesses=yes\n'
variant admin-dropin /etc/systemd/logind.conf.d 50-admin.conf $'[Login]\nKillUserProcesses=yes\n'
# Debian builds logind with -Ddefault-kill-user-processes=false: initkit's built-in "no" equals
# the compiled-in value, so this variant (a default of "yes" from initkit's own config file)
# is the one that shows logind really reads the drop-in on an unconfigured system.
variant initkit-conf /etc/initkit logind-defaults.conf $'# initkit logind defaults\nKillUserProcesses=yes\n'
# A malformed section header on line 1 of the main file: logind 252 stops reading there, so
# neither the administrator's drop-in nor initkit's is read (stage 2 says "not applied").
variant admin-badheader /etc/systemd logind.conf $'[Login\n' \
	/etc/systemd/logind.conf.d 50-admin.conf $'[Login]\nKillUserProcesses=yes\n'
# Every init stage 2 falls back to is there and executable but cannot be executed: systemd
# (which /sbin/init links to) is a script whose #! interpreter does not exist.
variant noinit 0755 /usr/lib/systemd systemd $'#!/nonexistent/interpreter\n'
# ... and no /proc directory: stage 1 unmounts its /proc instead of moving it, stage 2 must
# create the directory before it can mount proc and read the command line (rd.emergency=).
cp --sparse=always "$OUT/rootfs-noinit.img" "$OUT/rootfs-noproc.img.tmp"
debugfs -w -R "rmdir /proc" "$OUT/rootfs-noproc.img.tmp" >/dev/null 2>&1 || true
if debugfs -R "stat /proc" "$OUT/rootfs-noproc.img.tmp" 2>&1 | grep -q "Inode:"; then
	log "debugfs did not remove /proc from rootfs-noproc.img"
	exit 1
fi
mv "$OUT/rootfs-noproc.img.tmp" "$OUT/rootfs-noproc.img"
as_root rm -rf "$T"
echo "$key" >"$OUT/.images"
install_disk
log "images ready in $(($(date +%s) - start)) s: $(ls "$OUT"/*.img | xargs -n1 basename | tr '\n' ' ')"
