#!/bin/bash
# Runs build/tests/tpm2_residue (see tests/tpm2_residue.c) against swtpm on a fresh copy of the
# TPM state a PIN-enrolled disk was sealed to (qemu/disks.sh luks2-tpm2 tpm2pin=..., built here
# when missing; that installs swtpm, as for the tpm2-*.scn scenarios).
# Usage: tests/tpm2-residue.sh BUILD_DIR   (make tpm2-residue-check; part of make check)
set -euo pipefail
O=$(realpath -m "${1:-build}")
HERE=$(cd "$(dirname "$0")/.." && pwd)
PIN=4711-tpm-pin
DISK=$O/qemu/disks/tpm2-residue.img
if [ ! -f "$DISK" ]; then
	mkdir -p "$(dirname "$DISK")"
	rm -rf "$DISK.tmp" "$DISK.tmp.tpm"
	(cd "$HERE/qemu" && ./disks.sh "$O" "$DISK.tmp" luks2-tpm2 tpm2pcrs=13+14 tpm2pin=$PIN) >/dev/null
	rm -rf "$DISK.tpm"
	mv "$DISK.tmp.tpm" "$DISK.tpm"
	mv "$DISK.tmp" "$DISK"
fi
WD=$(mktemp -d)
SWTPM=
cleanup() {
	[ -n "$SWTPM" ] && kill "$SWTPM" 2>/dev/null && wait "$SWTPM" 2>/dev/null
	rm -rf "$WD"
}
trap cleanup EXIT
cp -r "$DISK.tpm" "$WD/state"
cryptsetup token export --token-id 0 "$DISK" >"$WD/token.json"
swtpm socket --tpm2 --tpmstate dir="$WD/state" --server type=unixio,path="$WD/sock" \
	--ctrl type=unixio,path="$WD/ctrl" --flags not-need-init,startup-clear &
SWTPM=$!
for _ in $(seq 200); do [ -S "$WD/sock" ] && break; sleep 0.05; done
"$O/tests/tpm2_residue" "$WD/sock" "$WD/token.json" "$PIN"
