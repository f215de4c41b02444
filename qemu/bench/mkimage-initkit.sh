#!/bin/bash
# Peer 4: initkit, built like the QEMU scenarios build it.
# Usage: qemu/bench/mkimage-initkit.sh BUILD OUT.img [PROBE]
# With PROBE (the static vmhwm-probe), the image also carries it as a hook: used only for the
# untimed boots that measure /init's peak memory.
# BENCH_LVM=1: --lvm with this build's static lvm (BUILD/deps/sbin/lvm), as the LVM scenarios.
set -euo pipefail
B=$(realpath "$1")
OUT=$(realpath -m "$2")
KVER=$(cat "$B/kernel/kver")
extra=()
[ -n "${3:-}" ] && extra=(--hook "$3")
[ "${BENCH_LVM:-}" = 1 ] && extra+=(--lvm --lvm-binary "$B/deps/sbin/lvm")
mkdir -p "$(dirname "$OUT")"
SOURCE_DATE_EPOCH=1700000000 "$B/stripped/initkit-mkimage" -q -o "$OUT" \
	--init "$B/stripped/initkit-init" --kver "$KVER" --moddir "$B/kernel/root/lib/modules/$KVER" \
	--module virtio_pci,virtio_blk,ext4 --luks "${extra[@]}" >/dev/null
