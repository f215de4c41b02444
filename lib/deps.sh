#!/bin/bash
# Build static libdevmapper, libkmod and libcryptsetup from Debian's own source
# packages into build/deps (prefix), installing the build tools with apt-get,
# and a static `lvm` (deps/sbin/lvm) from the same lvm2 source for images with LVM.
# Debian 12 ships no static archives for these three and no static lvm (see shared/FACTS.md);
# everything else (blkid, uuid, json-c, gcrypt, zstd, xz, zlib) is linked from
# Debian's -dev packages.
#
# Usage: lib/deps.sh BUILD_DIR     (skipped when BUILD_DIR/deps/.stamp matches)
set -euo pipefail

BUILD=$(realpath -m "${1:-build}")
DEPS=$BUILD/deps
SRC=$BUILD/deps-src
APTDIR=$BUILD/apt
JOBS=$(nproc)

PKGS_TOOLS="build-essential pkg-config autoconf automake libtool autopoint gettext
	dpkg-dev libblkid-dev uuid-dev libjson-c-dev libpopt-dev liblzma-dev libzstd-dev
	zlib1g-dev libgcrypt20-dev libgpg-error-dev libcmocka-dev libaio-dev"
SOURCES="lvm2 kmod cryptsetup"

log() { echo "deps: $*" >&2; }

# apt_private, apt_src, src_version: apt-get source against a private deb-src list derived
# from the system's deb entries (the system's apt configuration is never edited).
# shellcheck source=lib/aptsrc.sh
. "$(dirname "$0")/aptsrc.sh"

# One build at a time per build directory (two makes in one tree would delete each
# other's source trees).
mkdir -p "$BUILD"
exec 9>"$BUILD/.deps.lock"
flock 9
"$(dirname "$0")/apt-install" $PKGS_TOOLS
apt_private
apt_src update -qq >/dev/null 2>&1 || apt_src update
STAMP_WANT="gcrypt;lvm.static;$(for s in $SOURCES; do printf '%s=%s;' "$s" "$(src_version "$s")"; done)$(cat "$0" "$(dirname "$0")/aptsrc.sh" | sha256sum | cut -c1-16)"
if [ -f "$DEPS/.stamp" ] && [ "$(cat "$DEPS/.stamp")" = "$STAMP_WANT" ]; then
	log "up to date ($STAMP_WANT)"
	exit 0
fi

rm -rf "$DEPS" "$SRC"
mkdir -p "$DEPS" "$SRC"
cd "$SRC"
for s in $SOURCES; do
	log "fetching source $s $(src_version "$s")"
	apt_src source -qq "$s" >/dev/null 2>&1 || apt_src source "$s"
done
export PKG_CONFIG_PATH=$DEPS/lib/pkgconfig
export CPPFLAGS="-I$DEPS/include" LDFLAGS="-L$DEPS/lib" CFLAGS="-O2 -g -ffunction-sections -fdata-sections"

log "building libdevmapper and lvm.static"
# One configure serves both: libdm ignores the LVM-only switches. No udev sync: libdm
# makes the /dev/mapper nodes and lvm the /dev/VG/LV links itself; no daemons (dmeventd,
# lvmpolld, lvmlockd) in an initramfs. argv[0] of lvm.static must be "lvm" at run time.
(cd lvm2-*/ &&
	./configure --prefix="$DEPS" --enable-static_link --enable-pkgconfig --disable-selinux \
		--disable-udev_sync --disable-udev_rules --disable-readline --enable-blkid_wiping \
		--disable-systemd-journal --disable-app-machineid --disable-notify-dbus \
		--disable-dmeventd --disable-lvmpolld --disable-use-lvmpolld --disable-use-lvmlockd \
		--disable-nls --disable-fsadm --disable-blkdeactivate --disable-lvmimportvdo \
		--with-default-run-dir=/run/lvm --with-default-locking-dir=/run/lock/lvm \
		--with-default-pid-dir=/run >../lvm2.log 2>&1 &&
	make -j"$JOBS" -C libdm >>../lvm2.log 2>&1 &&
	make -C libdm install_static install_include install_pkgconfig >>../lvm2.log 2>&1 &&
	t0=$(date +%s) &&
	make -j"$JOBS" lib libdaemon >>../lvm2.log 2>&1 &&
	make -j"$JOBS" -C tools lvm.static >>../lvm2.log 2>&1 &&
	install -D -m 0755 -s tools/lvm.static "$DEPS/sbin/lvm" &&
	log "lvm.static built in $(($(date +%s) - t0)) s, $(stat -c %s "$DEPS/sbin/lvm") bytes stripped") ||
	{ tail -30 lvm2.log; exit 1; }

log "building libkmod"
(cd kmod-*/ &&
	# kmod's configure.ac refuses --enable-static outright; we want exactly that.
	sed -i '/AC_MSG_ERROR(\[--enable-static is not supported/d' configure.ac &&
	sed -i '/AC_MSG_ERROR(.*static/d' configure.ac &&
	mkdir -p libkmod/docs && touch libkmod/docs/gtk-doc.make &&
	autoreconf -fi >../kmod.log 2>&1 &&
	./configure --prefix="$DEPS" --sysconfdir=/etc --enable-static --disable-shared \
		--disable-tools --disable-manpages --disable-test-modules --with-xz --with-zstd \
		--with-zlib --without-openssl >>../kmod.log 2>&1 &&
	make -j"$JOBS" libkmod/libkmod.la libkmod/libkmod.pc >>../kmod.log 2>&1 &&
	mkdir -p "$DEPS/lib/pkgconfig" "$DEPS/include" &&
	cp libkmod/.libs/libkmod.a "$DEPS/lib/" && cp libkmod/libkmod.h "$DEPS/include/" &&
	sed -e "s|^prefix=.*|prefix=$DEPS|" libkmod/libkmod.pc >"$DEPS/lib/pkgconfig/libkmod.pc") ||
	{ tail -30 kmod.log; exit 1; }

log "building libcryptsetup"
(cd cryptsetup-*/ &&
	{ [ -x configure ] || ./autogen.sh >../cryptsetup.log 2>&1; } &&
	./configure --prefix="$DEPS" --enable-static --disable-shared --with-crypto_backend=gcrypt \
		--enable-internal-sse-argon2 --disable-asciidoc --disable-nls --disable-ssh-token \
		--disable-external-tokens --disable-udev --disable-selinux --disable-cryptsetup \
		--disable-veritysetup --disable-integritysetup >>../cryptsetup.log 2>&1 &&
	make -j"$JOBS" libcryptsetup.la >>../cryptsetup.log 2>&1 &&
	make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA \
		>>../cryptsetup.log 2>&1) ||
	{ tail -30 cryptsetup.log; exit 1; }

echo "$STAMP_WANT" >"$DEPS/.stamp"
log "done: $(ls "$DEPS/lib"/*.a | xargs -n1 basename | tr '\n' ' ')"
