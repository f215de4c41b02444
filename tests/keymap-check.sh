#!/bin/bash
# initkit-mkimage --keymap end to end with the distribution's tools (kbd's loadkeys,
# console-setup's ckbcomp): names, XKB layouts, binary files, detection from a root directory's
# etc/vconsole.conf and etc/default/keyboard (--keymap-root), what lands in the image, and that
# every failure names its input and writes no image. Ends with "N passed, N failed".
set -uo pipefail
"$(dirname "$0")/../lib/apt-install" kbd console-setup cpio
O=$(realpath "${1:-build}")
MK=$O/stripped/initkit-mkimage
INIT=$O/stripped/initkit-init
. "$(dirname "$0")/lib.sh"
# img NAME ARGS...: an uncompressed image, unpacked into $T/NAME.d; stdout/stderr kept.
img() {
	local n=$1; shift
	"$MK" -o "$T/$n.img" --compress none --init "$INIT" "$@" >"$T/$n.out" 2>"$T/$n.err" || return 1
	mkdir -p "$T/$n.d" && (cd "$T/$n.d" && cpio -id --quiet <"$T/$n.img")
}
# refused NAME PATTERN ARGS...: mkimage fails, says PATTERN, writes no image.
refused() {
	local n=$1 pat=$2; shift 2
	! "$MK" -o "$T/$n.img" --compress none --init "$INIT" "$@" >"$T/$n.out" 2>"$T/$n.err" &&
		grep -qF -- "$pat" "$T/$n.err" && [ ! -e "$T/$n.img" ] || { cat "$T/$n.err"; return 1; }
}
ckbcomp de 2>/dev/null | loadkeys -u -b >"$T/de.ref" 2>/dev/null
ckbcomp de nodeadkeys 2>/dev/null | loadkeys -u -b >"$T/de-nd.ref" 2>/dev/null

img de --keymap de
check "--keymap de: the XKB layout converted, stored as /etc/initkit/keymaps/de.bmap" cmp "$T/de.d/etc/initkit/keymaps/de.bmap" "$T/de.ref"
check "--keymap de: the image's /etc/vconsole.conf names it (KEYMAP=de)" grep -qx 'KEYMAP=de' "$T/de.d/etc/vconsole.conf"
check "--keymap de: the listing says where it came from" grep -q 'keymap de (default): 33031 bytes, 128 tables, XKB layout de (ckbcomp | loadkeys -u -b)' "$T/de.out"
img two --keymap us --keymap de-nodeadkeys
check "two keymaps: both stored, the first is the default" bash -c "[ -f '$T/two.d/etc/initkit/keymaps/us.bmap' ] && cmp '$T/two.d/etc/initkit/keymaps/de-nodeadkeys.bmap' '$T/de-nd.ref' && grep -qx 'KEYMAP=us' '$T/two.d/etc/vconsole.conf'"
cp "$T/de.ref" "$T/mine.bmap"
img file --keymap "$T/mine.bmap"
check "a binary keymap file: stored under its name without .bmap" cmp "$T/file.d/etc/initkit/keymaps/mine.bmap" "$T/de.ref"

mkdir -p "$T/r1/etc/default" "$T/r2/etc/default" "$T/r3/etc" "$T/r4/etc" "$T/empty"
printf 'XKBMODEL="pc105"\nXKBLAYOUT="de"\nXKBVARIANT="nodeadkeys"\nXKBOPTIONS=""\n' >"$T/r1/etc/default/keyboard"
cp "$T/r1/etc/default/keyboard" "$T/r2/etc/default/keyboard"
printf 'KEYMAP=us\n' >"$T/r2/etc/vconsole.conf"
printf 'KEYMAP="de\n' >"$T/r3/etc/vconsole.conf"
printf 'KEYMAP=zz-nowhere\n' >"$T/r4/etc/vconsole.conf"
img auto1 --keymap auto --keymap-root "$T/r1"
check "auto: Debian's /etc/default/keyboard converted with ckbcomp (layout de, variant nodeadkeys)" cmp "$T/auto1.d/etc/initkit/keymaps/de-nodeadkeys.bmap" "$T/de-nd.ref"
check "auto: the listing names the file it read" grep -q "XKB layout de variant nodeadkeys (ckbcomp | loadkeys -u -b), from $T/r1/etc/default/keyboard" "$T/auto1.out"
mkdir -p "$T/r5/etc/default"
printf 'XKBMODEL="pc105"\nXKBLAYOUT="us,ru"\nXKBVARIANT=","\nXKBOPTIONS="grp:alt_shift_toggle,grp_led:scroll"\n' >"$T/r5/etc/default/keyboard"
ckbcomp -model pc105 -option grp:alt_shift_toggle,grp_led:scroll us,ru 2>/dev/null | loadkeys -u -b >"$T/usru.ref" 2>/dev/null
img auto5 --keymap auto --keymap-root "$T/r5"
check "auto: Debian's Russian us,ru with XKBVARIANT=\",\" and a grp: toggle: named us+ru, converted with the options" bash -c "cmp '$T/auto5.d/etc/initkit/keymaps/us+ru.bmap' '$T/usru.ref' && grep -qx 'KEYMAP=us+ru' '$T/auto5.d/etc/vconsole.conf' && grep -q 'XKB layout us,ru options grp:alt_shift_toggle,grp_led:scroll' '$T/auto5.out'"
mkdir -p "$T/r6/etc"
printf 'KEYMAP=us\nKEYMAP_TOGGLE=de\nFONT=eurlatgr\n' >"$T/r6/etc/vconsole.conf"
img auto6 --keymap auto --keymap-root "$T/r6"
check "auto: KEYMAP_TOGGLE= is said to be left out, not silently dropped" grep -q "from KEYMAP=us in $T/r6/etc/vconsole.conf (KEYMAP_TOGGLE=de not carried: the prompt uses KEYMAP= only)" "$T/auto6.out"
img auto2 --keymap auto --keymap-root "$T/r2"
check "auto: /etc/vconsole.conf KEYMAP= wins over /etc/default/keyboard" bash -c "grep -qx 'KEYMAP=us' '$T/auto2.d/etc/vconsole.conf' && grep -q 'from KEYMAP=us in $T/r2/etc/vconsole.conf' '$T/auto2.out'"

check "auto with nothing configured: refused naming both files" refused none "neither $T/empty/etc/vconsole.conf (KEYMAP=) nor $T/empty/etc/default/keyboard (XKBLAYOUT=) names a keymap" --keymap auto --keymap-root "$T/empty"
check "auto: an unterminated quote: refused with file and line" refused quote "$T/r3/etc/vconsole.conf:1: unterminated quote in KEYMAP=" --keymap auto --keymap-root "$T/r3"
check "auto: KEYMAP= names no keymap: refused naming it" refused nowhere "--keymap auto: neither a kbd keymap" --keymap auto --keymap-root "$T/r4"
check "an unknown layout: refused naming it and what each tool said" refused zz 'Can not find file "symbols/zz"' --keymap zz
check "ckbcomp missing: refused naming it and its package" bash -c "INITKIT_CKBCOMP=/nonexistent/ckbcomp; export INITKIT_CKBCOMP; $(declare -f refused); MK='$MK' INIT='$INIT' T='$T' refused nockb '/nonexistent/ckbcomp: No such file or directory (packages console-setup, xkb-data)' --keymap de"
check "loadkeys missing: refused naming it and its package" bash -c "INITKIT_LOADKEYS=/nonexistent/loadkeys; export INITKIT_LOADKEYS; $(declare -f refused); MK='$MK' INIT='$INIT' T='$T' refused nolk '/nonexistent/loadkeys: No such file or directory (package kbd)' --keymap de"
head -c 5000 "$T/de.ref" >"$T/cut.bmap"
check "a cut binary keymap: refused before it is stored" refused cut "--keymap $T/cut.bmap: $T/cut.bmap: not a usable binary keymap: 5000 bytes, but 128 tables make 33031 bytes (cut short)" --keymap "$T/cut.bmap"
printf 'KEYMAP=de\n' >"$T/text.map"
check "a text file as binary keymap: refused" refused text 'not a usable binary keymap: does not start with "bkeymap"' --keymap "$T/text.map"
check "the same name twice: refused" refused dup "--keymap $T/mine.bmap: a keymap named mine is already in the image" --keymap "$T/mine.bmap" --keymap "$T/mine.bmap"
check "a name that cannot be a file name: refused" refused badname "keymap name '.x' cannot name a file in the image" --keymap ./.x.bmap

# What the de keymap adds to a zstd image (the README's figure).
"$MK" -o "$T/z0.img" --init "$INIT" >/dev/null && "$MK" -o "$T/z1.img" --init "$INIT" --keymap de >/dev/null
echo "size: the de keymap adds $(($(stat -c %s "$T/z1.img") - $(stat -c %s "$T/z0.img"))) bytes to a zstd image ($(stat -c %s "$T/z0.img") -> $(stat -c %s "$T/z1.img"))"
summary keymap
