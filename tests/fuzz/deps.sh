#!/bin/bash
# Installs what the fuzz targets need (clang and its compiler-rt runtimes: libFuzzer, ASan,
# UBSan) with apt-get when missing. Idempotent: does nothing when everything is there.
# Usage: tests/fuzz/deps.sh
set -euo pipefail

PKGS="clang libclang-rt-14-dev"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "fuzz: installing ${missing[*]}" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# The libFuzzer runtime must be where clang looks for it.
lib=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [ -z "$lib" ] || [ ! -f "$lib" ]; then
	lib=$(clang --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-x86_64.a
fi
if [ ! -f "$lib" ]; then
	echo "fuzz: clang's libFuzzer runtime not found (libclang-rt-*-dev)" >&2
	exit 1
fi
