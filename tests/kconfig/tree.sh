#!/bin/bash
# Fetch Debian's linux-source-6.1 and linux-config-6.1 into BUILD/kconfig (cached) and install
# the tools a real `make olddefconfig` needs. Nothing is installed system-wide except the build
# tools; the packages are `apt-get download`ed and unpacked with dpkg-deb -x.
#
# Usage: tests/kconfig/tree.sh BUILD_DIR
# Prints nothing on success (when cached); afterwards BUILD/kconfig/src is the kernel tree and
# BUILD/kconfig/debian.config Debian's full amd64 config.
set -euo pipefail

BUILD=$(realpath -m "${1:-build}")
DIR=$BUILD/kconfig
log() { echo "kconfig-tree: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }


# The tools first: a cached tree (build/ restored on a fresh machine) still needs them.
# strace: real-tree.sh checks that outputs are fsync()ed before and after the rename; patch:
# it applies tests/kconfig/series to a copy of the tree.
"$(dirname "$0")/../../lib/apt-install" gcc make bc flex bison libelf-dev xz-utils dpkg strace patch
[ -f "$DIR/.stamp" ] && [ -d "$DIR/src/scripts/kconfig" ] && [ -f "$DIR/debian.config" ] && exit 0
mkdir -p "$DIR/debs"
cd "$DIR/debs"
for p in linux-source-6.1 linux-config-6.1; do
	if ! ls ${p}_*.deb >/dev/null 2>&1; then
		log "downloading $p"
		apt-get download -q "$p" >/dev/null 2>&1 || { as_root apt-get update -qq; apt-get download -q "$p" >/dev/null; }
	fi
done
rm -rf "$DIR/x" "$DIR/src"
mkdir -p "$DIR/x"
dpkg-deb -x linux-config-6.1_*.deb "$DIR/x"
xz -dc "$DIR"/x/usr/src/linux-config-6.1/config.amd64_none_amd64.xz >"$DIR/debian.config"
log "unpacking linux-source-6.1"
dpkg-deb -x linux-source-6.1_*.deb "$DIR/x"
mkdir -p "$DIR/src"
tar -C "$DIR/src" --strip-components=1 -xaf "$DIR"/x/usr/src/linux-source-6.1.tar.*
rm -rf "$DIR/x"
touch "$DIR/.stamp"
