#!/bin/bash
# The Debian 12 systemd guest of the stage-2 scenarios (qemu/rootfs-systemd.sh's cached base,
# read only) with initkit-confine as a systemd generator and the confinement scenario's units
# (qemu/confine/): OUTDIR/rootfs-confine.img (ext4, label initkit-sd, made without mounts).
#
# Usage: qemu/rootfs-confine.sh OUTDIR [CONFINE_BINARY]   (OUTDIR: build/rootfs-systemd)
set -euo pipefail
OUT=$(realpath -m "${1:?usage: rootfs-confine.sh OUTDIR [CONFINE_BINARY]}")
BIN=$(realpath -m "${2:-$OUT/../stripped/initkit-confine}")
HERE=$(cd "$(dirname "$0")" && pwd)
FSUUID=5d3b6a0e-1c2f-4e7a-9b1d-2f6c8e4a0d52
log() { echo "rootfs-confine: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

[ -x "$BIN" ] || { log "no initkit-confine at $BIN (run make first)"; exit 1; }
[ -f "$OUT/base/.stamp" ] || { log "no base system in $OUT/base (qemu/rootfs-systemd.sh makes it)"; exit 1; }
key=$( (cat "$BIN" "$0" "$OUT/base/.stamp"; find "$HERE/confine" -type f | sort | xargs cat) |
	sha256sum | cut -c1-16)
img=$OUT/rootfs-confine.img
# OUT may be shared by several builds at once (tests/mutate.py links BUILD/rootfs-systemd into
# its scratch build): one builder at a time, each in a tree of its own, so that the image and
# the key in .confine always belong together.
exec 9>>"$OUT/.confine.lock"
flock 9
[ -f "$img" ] && [ "$(cat "$OUT/.confine" 2>/dev/null)" = "$key" ] && touch "$OUT/.confine" && exit 0
start=$(date +%s)
T=$(mktemp -d "$OUT/confine-tree.XXXXXX")
trap 'as_root rm -rf "$T" "$img.tmp"' EXIT
as_root rmdir "$T"
# base may be a symlink into another tree's cache (read only!): copy what it points to, never
# the link itself (cp -a would copy the link, and every write below would land in the cache).
BASE=$(realpath "$OUT/base")
as_root cp -a "$BASE" "$T"
if [ -L "$T" ] || [ "$(realpath "$T")" = "$BASE" ]; then
	log "$T is not a copy of $BASE; refusing to write into the base system"
	exit 1
fi
as_root rm -f "$T/.stamp"
as_root install -m 0755 "$BIN" "$T/usr/sbin/initkit-confine"
as_root install -d "$T/usr/lib/systemd/system-generators"
as_root ln -sf /usr/sbin/initkit-confine "$T/usr/lib/systemd/system-generators/initkit-confine"
as_root install -m 0755 "$HERE/confine/confine-probe" "$HERE/confine/confine-tmpl" \
	"$HERE/confine/confine-shared" "$T/usr/local/bin/"
as_root install -m 0755 "$HERE/confine/confine-driver" "$T/usr/local/sbin/"
as_root cp -r "$HERE/confine/units/." "$T/etc/systemd/system/"
# The token only root may read; the confined service gets it as a credential.
printf 's3cret-token\n' | as_root tee "$T/etc/confine-token" >/dev/null
as_root chmod 0600 "$T/etc/confine-token"
as_root install -d "$T/etc/systemd/system/multi-user.target.wants" "$T/etc/systemd/system/sockets.target.wants"
as_root ln -sf ../confine-driver.service "$T/etc/systemd/system/multi-user.target.wants/"
for s in confine-echo proxy-bare proxy-confined proxy-strict proxy-offline; do
	as_root ln -sf ../$s.socket "$T/etc/systemd/system/sockets.target.wants/"
done
size=$(( $(as_root du -sm "$T" | cut -f1) + 256 ))
rm -f "$img.tmp"
as_root mkfs.ext4 -q -F -L initkit-sd -U "$FSUUID" -E root_owner=0:0 -d "$T" "$img.tmp" "${size}M"
mv "$img.tmp" "$img"
as_root rm -rf "$T"
echo "$key" >"$OUT/.confine"
log "rootfs-confine.img ready in $(($(date +%s) - start)) s"
