#!/bin/bash
# make kconfig-kernel: a kernel matching initkit, from Debian's linux-source-6.1 tree:
# tinyconfig + kconfig/initkit.kcm merged and verified by kconfig-merge (real olddefconfig),
# then bzImage. Cached: rebuilt only when the fragment or kconfig-merge changes.
#
# Usage: tests/kconfig/kernel.sh BUILD_DIR   -> BUILD_DIR/kconfig/bzImage
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath -m "${1:-build}")
"$HERE/tree.sh" "$BUILD"
K=$BUILD/kconfig
SRC=$K/src
OBJ=$K/kernel-obj
KM=$BUILD/bin/kconfig-merge
FRAG=$HERE/../../kconfig/initkit.kcm
STAMP=$K/bzImage.inputs

inputs=$(cat "$FRAG" | sha256sum | cut -d' ' -f1)
if [ -f "$K/bzImage" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$inputs" ]; then
	echo "kconfig-kernel: $K/bzImage is up to date"
	exit 0
fi
mkdir -p "$OBJ"
make -s -C "$SRC" O="$OBJ" tinyconfig >/dev/null
cp "$OBJ/.config" "$K/tinyconfig.config"
"$KM" verify -q -k "$SRC" -O "$OBJ" --base "$K/tinyconfig.config" "$FRAG" 2>&1 | grep -v '^/.*warning:.*(optional)' || true
# verify again on the result, so a failure stops here (the pipe above hides the exit code)
"$KM" verify -q -k "$SRC" -c "$OBJ/.config" "$FRAG" >/dev/null 2>&1 || {
	echo "kconfig-kernel: initkit fragment does not hold on tinyconfig" >&2
	exit 1
}
time make -s -C "$SRC" O="$OBJ" -j"$(nproc)" bzImage
cp "$OBJ/arch/x86/boot/bzImage" "$K/bzImage"
echo "$inputs" >"$STAMP"
ls -l "$K/bzImage"
