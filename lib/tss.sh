#!/bin/bash
# Builds static tpm2-tss (ESYS, SYS, MU, the device TCTI) with the mbedTLS crypto backend into
# BUILD/tss, for stage 1's TPM2 unlock (initrd/tpm2.c). Debian 12 ships no static tpm2-tss
# archives and the orig tarball of its 3.2.1 source package is gone from the mirror (404), so
# the 4.1.3 orig tarball of Debian's newer source package is fetched from the same pool and
# checked against its pinned SHA-256. mbedTLS comes from Debian 12's libmbedtls-dev
# (libmbedcrypto.a); no OpenSSL (its static libcrypto dlopen()s providers).
# --enable-nodl: the TCTI is linked directly, never dlopen()ed.
#
# Usage: lib/tss.sh BUILD_DIR     (skipped when BUILD_DIR/tss/.stamp matches)
set -euo pipefail

BUILD=$(realpath -m "${1:-build}")
OUT=$BUILD/tss
SRC=$BUILD/tss-src
VER=4.1.3
URL=http://deb.debian.org/debian/pool/main/t/tpm2-tss/tpm2-tss_$VER.orig.tar.gz
SHA256=8a389bda64690910e7af7deaf64703a3faed416dc538c9c3e4f893f24893524d
PKGS_TOOLS="build-essential pkg-config autoconf automake libtool autoconf-archive libltdl-dev
	libmbedtls-dev curl"

STAMP_WANT="$VER;$(sha256sum "$0" | cut -c1-16)"
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP_WANT" ]; then
	exit 0
fi
mkdir -p "$BUILD"
exec 9>"$BUILD/.tss.lock"
flock 9
"$(dirname "$0")/apt-install" $PKGS_TOOLS
rm -rf "$SRC" "$OUT"
mkdir -p "$SRC"
echo "tss: fetching $URL" >&2
curl -fsS -o "$SRC/tss.tar.gz" "$URL"
echo "$SHA256  $SRC/tss.tar.gz" | sha256sum -c --quiet
tar -C "$SRC" -xzf "$SRC/tss.tar.gz"
cd "$SRC/tpm2-tss-$VER"
# ESYS frees its resource objects (which hold auth values: the PIN's SHA-256, and a session's
# sessionKey||authValue) and its SYS context (whose buffer holds the last, decrypted, response:
# the unsealed secret) without wiping them. Wipe before those frees (tests/tpm2-residue.sh).
WIPE='{ void *(*volatile w_)(void *, int, size_t) = memset;'
sed -i "s|^\( *\)SAFE_FREE(node);|\1$WIPE w_(node, 0, sizeof(*node)); } SAFE_FREE(node);|" \
	src/tss2-esys/esys_tr.c
sed -i "s|^\( *\)SAFE_FREE(node_rsrc);|\1$WIPE w_(node_rsrc, 0, sizeof(*node_rsrc)); } SAFE_FREE(node_rsrc);|" \
	src/tss2-esys/esys_iutil.c
sed -i "s|^\( *\)free((\*esys_context)->sys);|\1$WIPE if ((*esys_context)->sys) w_((*esys_context)->sys, 0, Tss2_Sys_GetContextSize(0)); } free((*esys_context)->sys);|" \
	src/tss2-esys/esys_context.c
[ "$(grep -c 'w_(' src/tss2-esys/esys_tr.c src/tss2-esys/esys_iutil.c src/tss2-esys/esys_context.c |
	cut -d: -f2 | tr '\n' ' ')" = "1 1 2 " ] || { echo "tss: the wipe patch did not apply" >&2; exit 1; }
# The orig tarball is a git export: bootstrap wants `git describe` for VERSION.
sed -i "s/^git describe.*/echo $VER > VERSION/" bootstrap
./bootstrap >/dev/null
./configure -q --prefix="$OUT" --enable-static --disable-shared --with-crypto=mbed \
	--disable-fapi --disable-policy --enable-nodl --disable-doxygen-doc --disable-weakcrypto \
	--with-maxloglevel=none --disable-log-file --disable-unit --disable-integration \
	--disable-tcti-mssim --disable-tcti-swtpm --disable-tcti-pcap --disable-tcti-libtpms \
	--disable-tcti-cmd --disable-tcti-spi-helper --disable-tcti-spi-ltt2go \
	--disable-tcti-spidev --disable-tcti-spi-ftdi --disable-tcti-i2c-helper \
	--disable-tcti-i2c-ftdi >/dev/null
make -s -j"$(nproc)" >/dev/null
make -s install >/dev/null
rm -rf "$SRC"
echo "$STAMP_WANT" >"$OUT/.stamp"
echo "tss: tpm2-tss $VER installed in $OUT" >&2
