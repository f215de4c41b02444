#!/bin/bash
# Records the QEMU fixtures: boots each tests/host-fixtures/qemu/NAME.scn with the harness and
# unpacks the tree record.sh printed on the console into tests/host-fixtures/NAME/, then copies
# tests/host-fixtures/NAME.hand/ (hand-written parts, see the README there) over it.
# Usage: tests/host-fixtures/record-qemu.sh [BUILD] [NAME...]   (needs make's QEMU tools)
set -euo pipefail
build=${1:-build}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/../.."
names=${*:-"nvme-laptop ahci-usbkbd luks-lvm btrfs-raid1"}
for n in $names; do
	python3 qemu/run.py --build "$build" "tests/host-fixtures/qemu/$n.scn"
	rm -rf "tests/host-fixtures/$n" && mkdir -p "tests/host-fixtures/$n"
	sed -n '/^HOSTREC-BEGIN/,/^HOSTREC-END/p' "$build/qemu/logs/$n.log" | tr -d '\r' |
		sed '1d;$d' | grep -v '^\[' | base64 -d | tar -C "tests/host-fixtures/$n" -xf -
	# what could not be recorded in the guest (README): copied over the recording
	if [ -d "tests/host-fixtures/$n.hand" ]; then
		cp -a "tests/host-fixtures/$n.hand/." "tests/host-fixtures/$n/"
	fi
	echo "recorded tests/host-fixtures/$n"
done
