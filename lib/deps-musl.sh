#!/bin/bash
# The small stage-1 /init: every library initkit-init links, built against musl (Debian's
# musl-tools) from Debian's own source packages into BUILD/musl/deps, with -Os and
# -ffunction-sections -fdata-sections throughout (the link uses --gc-sections), and tpm2-tss
# (lib/tss.sh, with its wipe patch) into BUILD/musl/tss:
#   util-linux (libblkid, libuuid), json-c, libgpg-error and libgcrypt (cryptsetup's crypto
#   backend, configured with only what LUKS uses: aes, serpent, twofish, the LUKS hashes;
#   argon2 is cryptsetup's own; see README "Static dependencies"), xz-utils and libzstd (decoders only, for libkmod: kernels
#   that compress their modules use xz or zstd), lvm2 (libdevmapper), kmod (libkmod),
#   cryptsetup (libcryptsetup), mbedtls (libmbedcrypto, for tpm2-tss and the PIN's hash).
# The glibc deps in BUILD/deps (lib/deps.sh) stay for the other programs, tests and fuzzers.
#
# Usage: lib/deps-musl.sh BUILD_DIR     (skipped when BUILD_DIR/musl/deps/.stamp matches)
set -euo pipefail

BUILD=$(realpath -m "${1:-build}")
TOP=$BUILD/musl
DEPS=$TOP/deps
SRC=$TOP/src
APTDIR=$BUILD/apt-musl
JOBS=$(nproc)
HERE=$(cd "$(dirname "$0")" && pwd)
PKGS_TOOLS="musl-tools build-essential pkg-config autoconf automake libtool autopoint gettext
	dpkg-dev cmake"
SOURCES="util-linux json-c libgpg-error libgcrypt20 xz-utils libzstd mbedtls lvm2 kmod cryptsetup"

log() { echo "deps-musl: $*" >&2; }
# shellcheck source=lib/aptsrc.sh
. "$HERE/aptsrc.sh"

mkdir -p "$BUILD"
exec 9>"$BUILD/.deps-musl.lock"
flock 9
"$HERE/apt-install" $PKGS_TOOLS
apt_private
apt_src update -qq >/dev/null 2>&1 || apt_src update
STAMP_WANT="musl;$(for s in $SOURCES; do printf '%s=%s;' "$s" "$(src_version "$s")"; done)$(cat "$0" "$HERE/tss.sh" | sha256sum | cut -c1-16)"
if [ -f "$DEPS/.stamp" ] && [ "$(cat "$DEPS/.stamp")" = "$STAMP_WANT" ]; then
	log "up to date"
	touch "$DEPS/.stamp" # newer than the scripts make compared it with: no rerun on every make
	exit 0
fi
t_start=$(date +%s)
rm -rf "$TOP"
mkdir -p "$DEPS/include" "$DEPS/lib/pkgconfig" "$SRC"
cd "$SRC"
for s in $SOURCES; do
	log "fetching source $s"
	# A security update's source may be missing from the mirror: then take the newest
	# version of the source package that downloads (libzstd in Debian 12).
	apt_src source -qq "$s" >/dev/null 2>&1 || {
		for v in $(apt-cache -o Dir::Etc::SourceList="$APTDIR/sources.list" \
			-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$APTDIR/lists" \
			-o Dir::Cache="$APTDIR/cache" showsrc "$s" | awk '/^Version:/ { print $2 }'); do
			apt_src source -qq "$s=$v" >/dev/null 2>&1 && break
		done
		ls -d "$s"-*/ >/dev/null 2>&1 || { log "cannot fetch source $s"; exit 1; }
	}
done

# musl-gcc brings musl's headers only: the kernel's UAPI headers come from linux-libc-dev.
for d in linux asm-generic mtd scsi; do ln -s "/usr/include/$d" "$DEPS/include/$d"; done
ln -s "/usr/include/$(gcc -print-multiarch)/asm" "$DEPS/include/asm"

export CC=musl-gcc
export CFLAGS="-Os -ffunction-sections -fdata-sections -isystem $DEPS/include"
export CPPFLAGS="-I$DEPS/include" LDFLAGS="-L$DEPS/lib"
export PKG_CONFIG_PATH=$DEPS/lib/pkgconfig PKG_CONFIG_LIBDIR=$DEPS/lib/pkgconfig
step() { # step NAME COMMAND...: run in the NAME source tree, log to ../NAME.log
	local n=$1 t0
	shift
	t0=$(date +%s)
	log "building $n"
	(cd "$SRC/$n"-*/ && "$@") >"$SRC/$n.log" 2>&1 ||
		{ tail -40 "$SRC/$n.log"; log "$n failed (log: $SRC/$n.log)"; exit 1; }
	log "$n: $(($(date +%s) - t0)) s"
}

b_util_linux() {
	./configure -q --prefix="$DEPS" --disable-shared --enable-static --disable-all-programs \
		--enable-libblkid --enable-libuuid --disable-nls --without-udev --without-systemd \
		--without-python --without-readline --without-ncursesw --without-ncurses \
		--without-tinfo --without-cap-ng --without-selinux --without-audit --without-libz \
		--without-libmagic --without-btrfs --disable-bash-completion --disable-asciidoc
	make -j"$JOBS" libblkid.la libuuid.la
	make install-usrlib_execLTLIBRARIES install-pkgconfigDATA install-nodist_blkidincHEADERS \
		install-uuidincHEADERS
}
b_json_c() {
	cmake -S . -B b -DCMAKE_INSTALL_PREFIX="$DEPS" -DCMAKE_INSTALL_LIBDIR=lib \
		-DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_C_FLAGS="$CFLAGS" -DBUILD_SHARED_LIBS=OFF \
		-DBUILD_STATIC_LIBS=ON -DDISABLE_EXTRA_LIBS=ON -DBUILD_TESTING=OFF \
		-DDISABLE_WERROR=ON -DBUILD_APPS=OFF
	make -C b -j"$JOBS" install
}
b_libgpg_error() {
	./configure -q --prefix="$DEPS" --disable-shared --enable-static --disable-nls \
		--disable-doc --disable-tests --disable-languages
	make -j"$JOBS" -C src
	make -C src install-libLTLIBRARIES install-nodist_includeHEADERS install-pkgconfigDATA \
		install-binSCRIPTS install-m4dataDATA
}
b_libgcrypt20() {
	# Only what LUKS1/LUKS2 use: the userspace cipher decrypts keyslot areas (cryptsetup's
	# gcrypt backend tries it before AF_ALG, so no kernel AF_ALG is needed: README "Static
	# dependencies"); chacha20 because the poly1305 mode references it. --host: gcrypt's
	# configure otherwise rejects the musl-built libgpg-error as a cross mismatch.
	./configure -q --host=x86_64-pc-linux-musl --build="$(gcc -dumpmachine)" \
		--prefix="$DEPS" --disable-shared --enable-static --with-libgpg-error-prefix="$DEPS" \
		--enable-ciphers=aes,serpent,twofish,chacha20 \
		--enable-digests=sha1,sha256,sha512,rmd160,whirlpool --enable-pubkey-ciphers= \
		--enable-kdfs=pkdf2 --disable-doc --disable-jent-support --disable-asm \
		--disable-padlock-support --disable-hmac-binary-check --disable-large-data-tests
	local d
	for d in compat mpi cipher random; do make -j"$JOBS" -C $d; done
	make -j"$JOBS" -C src libgcrypt.la libgcrypt-config libgcrypt.pc
	make -C src install-libLTLIBRARIES install-nodist_includeHEADERS install-binSCRIPTS \
		install-pkgconfigDATA install-m4dataDATA
}
b_xz_utils() {
	./configure -q --prefix="$DEPS" --disable-shared --enable-static --disable-nls \
		--disable-encoders --disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links --disable-scripts --disable-doc --disable-threads
	make -j"$JOBS" -C src/liblzma
	make -C src/liblzma install
}
b_libzstd() {
	make -j"$JOBS" -C lib libzstd.a ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 \
		ZSTD_LIB_DEPRECATED=0 ZSTD_LEGACY_SUPPORT=0 ZSTD_NO_ASM=1 \
		MOREFLAGS="$CFLAGS -DZSTD_MULTITHREAD=0"
	install -m 0644 lib/libzstd.a "$DEPS/lib/"
	install -m 0644 lib/zstd.h lib/zstd_errors.h "$DEPS/include/"
	local v
	v=$(sed -n 's/^#define ZSTD_VERSION_\(MAJOR\|MINOR\|RELEASE\) *\([0-9]*\).*/\2/p' lib/zstd.h |
		paste -sd.)
	printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\nName: zstd\nDescription: zstd (decoder only)\nVersion: %s\nLibs: -L${libdir} -lzstd\nCflags: -I${includedir}\n' \
		"$DEPS" "$v" >"$DEPS/lib/pkgconfig/libzstd.pc"
}
b_mbedtls() {
	make -j"$JOBS" -C library libmbedcrypto.a CFLAGS="$CFLAGS -I../include"
	install -m 0644 library/libmbedcrypto.a "$DEPS/lib/"
	cp -r include/mbedtls include/psa "$DEPS/include/"
}
b_lvm2() {
	./configure --prefix="$DEPS" --enable-static_link --enable-pkgconfig --disable-selinux \
		--disable-udev_sync --disable-udev_rules --disable-readline --disable-blkid_wiping \
		--disable-systemd-journal --disable-app-machineid --disable-notify-dbus \
		--disable-dmeventd --disable-lvmpolld --disable-use-lvmpolld --disable-use-lvmlockd \
		--disable-nls
	make -j"$JOBS" -C libdm
	make -C libdm install_static install_include install_pkgconfig
}
b_kmod() {
	# kmod's configure.ac refuses --enable-static outright; we want exactly that.
	sed -i '/AC_MSG_ERROR(.*static/d' configure.ac
	mkdir -p libkmod/docs && touch libkmod/docs/gtk-doc.make
	autoreconf -fi
	./configure --prefix="$DEPS" --sysconfdir=/etc --enable-static --disable-shared \
		--disable-tools --disable-manpages --disable-test-modules --with-xz --with-zstd \
		--without-zlib --without-openssl
	make -j"$JOBS" libkmod/libkmod.la libkmod/libkmod.pc
	cp libkmod/.libs/libkmod.a "$DEPS/lib/" && cp libkmod/libkmod.h "$DEPS/include/"
	sed -e "s|^prefix=.*|prefix=$DEPS|" libkmod/libkmod.pc >"$DEPS/lib/pkgconfig/libkmod.pc"
}
b_cryptsetup() {
	# AM_PATH_LIBGCRYPT comes from the musl libgcrypt's libgcrypt.m4.
	[ -x configure ] || ACLOCAL_PATH="$DEPS/share/aclocal" ./autogen.sh
	# popt is only for the command-line tools, which are not built; configure asks for it
	# anyway (and restores LIBS after the check). gcrypt, not nettle: nettle has no block
	# ciphers, so LUKS2 keyslots could only be decrypted through the kernel's AF_ALG
	# (algif_skcipher, which needs CONFIG_NET): a kernel without it could not unlock LUKS2.
	./configure --prefix="$DEPS" --enable-static --disable-shared --with-crypto_backend=gcrypt \
		--with-libgcrypt-prefix="$DEPS" LIBGCRYPT_CONFIG="$DEPS/bin/libgcrypt-config" \
		--enable-internal-sse-argon2 \
		--disable-asciidoc --disable-nls --disable-ssh-token --disable-external-tokens \
		--disable-udev --disable-selinux --disable-cryptsetup --disable-veritysetup \
		--disable-integritysetup --disable-blkid ac_cv_lib_popt_poptConfigFileToString=yes
	make -j"$JOBS" libcryptsetup.la
	make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA
}
b_tss() {
	log "building tpm2-tss (lib/tss.sh) against musl"
	CFLAGS="$CFLAGS" "$HERE/tss.sh" "$TOP" >"$SRC/tss.log" 2>&1 ||
		{ tail -40 "$SRC/tss.log"; log "tpm2-tss failed (log: $SRC/tss.log)"; exit 1; }
}
# Three independent chains at once (configure scripts run one test at a time, so one chain
# alone leaves the CPUs idle most of the time; util-linux's configure is the longest); then
# cryptsetup, which needs libuuid, json-c, libdevmapper and libgcrypt.
step util-linux b_util_linux &
g1=$!
(step libgpg-error b_libgpg_error && step libgcrypt20 b_libgcrypt20 && step json-c b_json_c &&
	step lvm2 b_lvm2) &
g2=$!
(step xz-utils b_xz_utils && step libzstd b_libzstd && step mbedtls b_mbedtls &&
	step kmod b_kmod && b_tss) &
g3=$!
failed=0
for g in $g1 $g2 $g3; do wait "$g" || failed=1; done
[ "$failed" = 0 ] || { log "failed; the stamp is not written, the next run starts over"; exit 1; }
step cryptsetup b_cryptsetup
rm -rf "$SRC"
echo "$STAMP_WANT" >"$DEPS/.stamp"
log "done in $(($(date +%s) - t_start)) s: $(ls "$DEPS/lib"/*.a | xargs -n1 basename | tr '\n' ' ')"
