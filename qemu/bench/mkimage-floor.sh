#!/bin/bash
# The floor (issue 15): qemu/bench/floor-init.c as a static /init (linked against this build's
# static libcryptsetup, as initkit-init is), and the modules the benchmark's boots need, each
# list in dependency order as modprobe --show-depends reads the kernel's modules.dep:
# /floor/plain.list (virtio disk + ext4) and /floor/luks.list (+ dm-crypt and the crypto
# templates dm-crypt asks the kernel for: xts, ecb; aes is built in). crc32c-intel is left
# out: TCG's default CPU has no SSE4.2, it would only fail with ENODEV (crc32c_generic serves).
# Usage: qemu/bench/mkimage-floor.sh BUILD OUT.img
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
B=$(realpath "$1")
OUT=$(realpath -m "$2")
KVER=$(cat "$B/kernel/kver")
KROOT=$B/kernel/root
W=$B/bench/work/floor
R=$W/root
rm -rf "$W" && mkdir -p "$R"/{dev,proc,sys,run,sysroot,floor/mods} "$(dirname "$OUT")"
mknod -m 0600 "$R/dev/console" c 5 1
PKG="env PKG_CONFIG_PATH=$B/deps/lib/pkgconfig pkg-config"
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Werror -static -Wl,--gc-sections $($PKG --cflags libcryptsetup) \
	-o "$R/init" "$HERE/floor-init.c" $($PKG --static --libs libcryptsetup)
strip "$R/init"
list() { # NAME MODULE...: the insmod lines, first appearance kept, crc32c-intel dropped
	local name=$1 && shift
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | grep -v '/crc32c-intel\.ko' | while read -r ko; do
		cp -n "$ko" "$R/floor/mods/"
		echo "/floor/mods/$(basename "$ko")"
	done >"$R/floor/$name.list"
}
list plain virtio_pci virtio_blk ext4
list luks virtio_pci virtio_blk dm_crypt xts ext4
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) |
	zstd -q -9 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$W"
