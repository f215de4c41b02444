#!/bin/bash
# Real-tree tests for kconfig-merge: Debian's linux-source-6.1 tree (real `make olddefconfig`),
# Debian's full amd64 config and the tree's own fragments. One scenario per check; each prints
# "ok"/"FAIL" with what it compared, and the run ends with "N passed, N failed".
#
# Usage: tests/kconfig/real-tree.sh BUILD_DIR   (make kconfig-check)
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath -m "${1:-build}")
"$HERE/tree.sh" "$BUILD" || { echo "kconfig-check: could not set up the kernel tree"; echo "0 passed, 1 failed"; exit 1; }

K=$BUILD/kconfig
SRC=$K/src
KM=$BUILD/bin/kconfig-merge
W=$K/check
rm -rf "$W"
mkdir -p "$W"
DEBIAN=$K/debian.config
FRAGS=()
for f in android-base android-recommended kvm_guest xen debug x86_debug nopm; do
	FRAGS+=("$SRC/kernel/configs/$f.config")
done
FRAGS+=("$SRC/arch/x86/configs/xen.config")

# verify -k keeps a cache of the parsed Kconfig tree (kconfig/README.md, "The Kconfig cache"):
# here a private one, so every -k check below also runs through it (the first one writes it).
export XDG_CACHE_HOME=$W/xdg-cache
# A tiny tree for the stale-cache check (t16). Made first: a cache is only written for files
# that have not changed for 2 s, and the checks in between take minutes.
mkdir -p "$W/mini/sub"
printf 'mainmenu "mini"\nsource "sub/Kconfig"\n' >"$W/mini/Kconfig"
printf 'config FOO\n\tbool "foo"\n' >"$W/mini/sub/Kconfig"
# And one for t18 (a cache that must not be trusted), same content.
mkdir -p "$W/mini18/sub"
cp "$W/mini/Kconfig" "$W/mini18/Kconfig"
cp "$W/mini/sub/Kconfig" "$W/mini18/sub/Kconfig"
# And one for t19 (pruning the cache directory).
mkdir -p "$W/mini19/sub"
cp "$W/mini/Kconfig" "$W/mini19/Kconfig"
cp "$W/mini/sub/Kconfig" "$W/mini19/sub/Kconfig"
# And one for t20 (a stale cache found while the fragments were read), with an int symbol.
mkdir -p "$W/mini20/sub"
cp "$W/mini/Kconfig" "$W/mini20/Kconfig"
printf 'config FOO\n\tbool "foo"\nconfig BAZ\n\tint "baz"\n' >"$W/mini20/sub/Kconfig"
MINI_MADE=$(date +%s)

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
olddefconfig() { make -s -C "$SRC" O="$1" olddefconfig >"$1.make.log" 2>&1; }

# 1. Debian's config + the tree's fragments, verified after a real olddefconfig by the tool.
#    Cross-check the tool's "lost" count with an independent awk comparison of its own merge
#    output against the final .config ("is not set" of an absent symbol is met).
t1() {
	local o=$W/merge
	"$KM" verify -q -k "$SRC" -O "$o" -o "$W/merged.config" --base "$DEBIAN" "${FRAGS[@]}" \
		"$HERE/resolve.kcm" >"$W/verify.out" 2>&1
	local rc=$?
	local summary
	summary=$(grep '^verify:' "$W/verify.out")
	[ $rc -eq 0 ] || { bad "merge+verify Debian + 8 fragments: exit $rc"; tail -5 "$W/verify.out"; return; }
	local lost expect
	lost=$(sed -n 's/.* met, \([0-9]*\) lost .*/\1/p' <<<"$summary")
	expect=$(awk '
		function val(line) { if (line ~ /^# .* is not set$/) return "n"; sub(/^[^=]*=/, "", line); return line }
		function name(line,  parts) { if (line ~ /^# /) { split(line, parts, " "); return parts[2] } sub(/=.*/, "", line); return line }
		FNR == NR { if ($0 ~ /^(# )?CONFIG_/) req[name($0)] = val($0); next }
		/^(# )?CONFIG_[A-Za-z0-9_]+(=| is not set$)/ { act[name($0)] = val($0) }
		END { n = 0; for (s in req) { v = (s in act) ? act[s] : ""; if (req[s] == v) continue;
			if (req[s] == "n" && (v == "" || v == "n")) continue; n++ } print n }' \
		"$W/merged.config" "$o/.config")
	if [ "$lost" = "$expect" ] && grep -q 'CONFIG_DEBUG_KMEMLEAK=y' "$o/.config"; then
		ok "merge+verify Debian + 8 fragments with real olddefconfig ($summary; awk agrees: $expect lost)"
	else
		bad "merge+verify: tool says $lost lost, awk says $expect ($summary)"
	fi
}

# 2. A mandatory value that cannot hold fails verify, naming its depends on; typos and wrong
#    types are reported.
t2() {
	cat >"$W/strict.kcm" <<-'EOF'
	#%kconfig-merge 1
	BLK_DEV_DM=n priority=50
	DM_CRYPT=y
	VIRTIO_PCII=y optional
	NR_CPUS=y optional
	EOF
	"$KM" verify -q -k "$SRC" -O "$W/strict" --base "$DEBIAN" "$W/strict.kcm" >"$W/strict.out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] &&
		grep -q 'strict.kcm:3: error: CONFIG_DM_CRYPT=y (mandatory) is not in the final config: absent; depends on .*BLK_DEV_DM.*\[.*BLK_DEV_DM=n' "$W/strict.out" &&
		grep -q 'strict.kcm:4: warning: CONFIG_VIRTIO_PCII is not defined by any Kconfig file (typo?)' "$W/strict.out" &&
		grep -q 'strict.kcm:5: warning: CONFIG_NR_CPUS is a int symbol' "$W/strict.out"; then
		ok "lost mandatory value -> exit 1 with depends on; typo and wrong type reported"
	else
		bad "lost mandatory / typo / wrong type (exit $rc)"
		cat "$W/strict.out" | grep -v '^build' | head -8
	fi
}

# 3. merge_config.sh compatibility, -m: the same .config byte for byte, the same messages.
t3() {
	local flags
	for flags in "-m" "-m -y -r"; do
		mkdir -p "$W/mc-real" "$W/mc-ours"
		rm -f "$W/mc-real/.config" "$W/mc-ours/.config"
		(cd "$W" && KCONFIG_CONFIG= "$SRC/scripts/kconfig/merge_config.sh" $flags -O mc-real \
			"$DEBIAN" "${FRAGS[@]}" >mc-real.out 2>&1)
		(cd "$W" && KCONFIG_CONFIG= "$KM" merge_config $flags -O mc-ours "$DEBIAN" "${FRAGS[@]}" \
			>mc-ours.out 2>&1)
		if cmp -s "$W/mc-real/.config" "$W/mc-ours/.config" &&
			diff -q <(sed 's/mc-real/X/' "$W/mc-real.out") <(sed 's/mc-ours/X/' "$W/mc-ours.out") >/dev/null; then
			ok "merge_config $flags: same .config ($(wc -l <"$W/mc-ours/.config") lines) and messages ($(wc -l <"$W/mc-ours.out") lines) as merge_config.sh"
		else
			bad "merge_config $flags differs from merge_config.sh"
			diff <(sed 's/mc-real/X/' "$W/mc-real.out") <(sed 's/mc-ours/X/' "$W/mc-ours.out") | head -5
		fi
	done
}

# 4. merge_config.sh compatibility with its make run (allnoconfig): the same final .config; the
#    same messages except the script's false positives ("is not set" for an absent symbol).
t4() {
	local base=$W/nobase.config
	# EXT4_DEBUG and DM_CRYPT are absent from an allnoconfig result: "is not set" is met.
	printf 'CONFIG_64BIT=y\n# CONFIG_MODULES is not set\n# CONFIG_EXT4_DEBUG is not set\n# CONFIG_DM_CRYPT is not set\n' >"$base"
	mkdir -p "$W/mn-real" "$W/mn-ours"
	(cd "$SRC" && KCONFIG_CONFIG= scripts/kconfig/merge_config.sh -n -O "$W/mn-real" "$base" \
		kernel/configs/kvm_guest.config kernel/configs/nopm.config >"$W/mn-real.out" 2>&1)
	(cd "$SRC" && KCONFIG_CONFIG= "$KM" merge_config -n -O "$W/mn-ours" "$base" \
		kernel/configs/kvm_guest.config kernel/configs/nopm.config >"$W/mn-ours.out" 2>&1)
	# The script's report without its false positives, block by block.
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
		/^Value requested/ {
			if ($0 ~ /Requested value:  # CONFIG_[A-Za-z0-9_]+ is not set\nActual value:     $/ ||
			    $0 ~ /Requested value:  CONFIG_[A-Za-z0-9_]+=n\nActual value:     (# CONFIG_[A-Za-z0-9_]+ is not set)?$/) { fp++; next }
			print }
		END { print fp + 0 > "/dev/stderr" }' <(sed -n '/^Value requested/,/^$/p' "$W/mn-real.out") \
		>"$W/mn-real.filtered" 2>"$W/mn-fp"
	sed -n '/^Value requested/,/^$/p' "$W/mn-ours.out" |
		awk 'BEGIN { RS = ""; ORS = "\n\n" } { print }' >"$W/mn-ours.filtered"
	local fp
	fp=$(cat "$W/mn-fp")
	if cmp -s "$W/mn-real/.config" "$W/mn-ours/.config" &&
		cmp -s "$W/mn-real.filtered" "$W/mn-ours.filtered" && [ "${fp:-0}" -gt 0 ]; then
		ok "merge_config -n with make: same .config, same mismatch report minus the script's $fp false positives"
	else
		bad "merge_config -n with make differs (false positives: ${fp:-?})"
		diff "$W/mn-real.filtered" "$W/mn-ours.filtered" | head -6
	fi
}

# 5. export -> merge round trip: Debian's config after olddefconfig, exported and merged (alone,
#    and on top of another kernel's config), gives the same .config after olddefconfig.
t5() {
	mkdir -p "$W/rt-orig"
	cp "$DEBIAN" "$W/rt-orig/.config"
	olddefconfig "$W/rt-orig" || { bad "round trip: olddefconfig failed"; return; }
	"$KM" export -o "$W/debian.kcm" "$W/rt-orig/.config" 2>"$W/export.err" || { bad "export failed"; return; }
	"$KM" verify -q -k "$SRC" -O "$W/rt-alone" "$W/debian.kcm" >"$W/rt-alone.out" 2>&1
	local r1=$?
	"$KM" verify -q -k "$SRC" -O "$W/rt-onto" --base "$W/merged.config" "$W/debian.kcm" \
		>"$W/rt-onto.out" 2>&1
	local r2=$?
	if [ $r1 -eq 0 ] && cmp -s "$W/rt-orig/.config" "$W/rt-alone/.config" && [ $r2 -eq 0 ] &&
		cmp -s "$W/rt-orig/.config" "$W/rt-onto/.config"; then
		ok "export -> merge round trip: identical .config after olddefconfig, alone and onto the debug merge"
	else
		bad "round trip differs (exit $r1/$r2)"
		diff "$W/rt-orig/.config" "$W/rt-alone/.config" | head -4
		diff "$W/rt-orig/.config" "$W/rt-onto/.config" | head -4
	fi
}

# 6. Malformed input: every warning the real conf prints for a bad .config, kconfig-merge prints
#    too, with the same file:line and text.
t6() {
	local o=$W/mal
	mkdir -p "$o"
	cp "$HERE/malformed.config" "$o/real.config"
	cp "$HERE/malformed.config" "$o/ours.config"
	(cd "$o" && make -s -C "$SRC" O="$o" KCONFIG_CONFIG=real.config olddefconfig 2>&1 |
		grep ':warning:' | sed 's/^real.config/F/') >"$o/real.txt"
	(cd "$o" && "$KM" verify -q -k "$SRC" -c /dev/null ours.config 2>&1 |
		grep ':warning:' | sed 's/^ours.config/F/') >"$o/ours.txt"
	local n
	n=$(wc -l <"$o/real.txt")
	if [ "$n" -ge 10 ] && cmp -s "$o/real.txt" "$o/ours.txt"; then
		ok "malformed .config: the same $n file:line warnings as kconfig's conf"
	else
		bad "malformed .config warnings differ from conf's"
		diff "$o/real.txt" "$o/ours.txt" | head -6
	fi
}

# 7. initkit's own fragment holds on tinyconfig after a real olddefconfig (every value mandatory).
t7() {
	mkdir -p "$W/tiny"
	make -s -C "$SRC" O="$W/tiny" tinyconfig >/dev/null 2>&1 || { bad "tinyconfig failed"; return; }
	cp "$W/tiny/.config" "$W/tiny.config"
	"$KM" verify -q -k "$SRC" -O "$W/tiny" --base "$W/tiny.config" "$HERE/../../kconfig/initkit.kcm" \
		>"$W/tiny.out" 2>&1
	local rc=$?
	if [ $rc -eq 0 ]; then
		ok "initkit fragment on tinyconfig: every value holds ($(grep '^verify:' "$W/tiny.out"))"
	else
		bad "initkit fragment on tinyconfig (exit $rc)"
		grep -v '^note' "$W/tiny.out" | head -10
	fi
}

# 8. A relative -O (and -k): make -C TREE resolves O= inside the tree, so the tool must pass
#    absolute paths, or it checks its own merge instead of make's result and misses the loss.
t8() {
	rm -rf "$W/rel-obj" "$SRC/rel-obj"
	(cd "$W" && "$KM" verify -q -k ../src -O rel-obj --base "$DEBIAN" strict.kcm) \
		>"$W/rel.out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && [ -f "$W/rel-obj/.config" ] && [ ! -e "$SRC/rel-obj" ] &&
		grep -q 'strict.kcm:3: error: CONFIG_DM_CRYPT=y (mandatory) is not in the final config' "$W/rel.out" &&
		! grep -q '^CONFIG_DM_CRYPT=y' "$W/rel-obj/.config"; then
		ok "relative -k ../src -O rel-obj: make ran on rel-obj/.config, lost mandatory value found (exit 1)"
	else
		bad "relative -O: exit $rc, $( [ -e "$SRC/rel-obj" ] && echo 'make wrote into the tree')"
		grep -v '^note' "$W/rel.out" | tail -4
	fi
	rm -rf "$SRC/rel-obj"
}

# 13. KCONFIG_CONFIG exported: make would read and write OBJ/my.config, and the check would read
#     back its own merge from OBJ/.config ("0 lost", exit 0). The tool pins KCONFIG_CONFIG=.config
#     on make's command line, so the lost mandatory value is found.
t13() {
	rm -rf "$W/kcc"
	(cd "$W" && KCONFIG_CONFIG=my.config "$KM" verify -q -k "$SRC" -O "$W/kcc" --base "$DEBIAN" \
		strict.kcm) >"$W/kcc.out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && [ ! -e "$W/kcc/my.config" ] &&
		grep -q 'strict.kcm:3: error: CONFIG_DM_CRYPT=y (mandatory) is not in the final config' "$W/kcc.out" &&
		! grep -q '^CONFIG_DM_CRYPT=y' "$W/kcc/.config"; then
		ok "KCONFIG_CONFIG=my.config exported: make ran on OBJ/.config, lost mandatory value found (exit 1)"
	else
		bad "KCONFIG_CONFIG exported: exit $rc$( [ -e "$W/kcc/my.config" ] && echo ', make wrote my.config')"
		grep -v '^note' "$W/kcc.out" | tail -4
	fi
}

# 14. Another architecture: --arch arm64 (and ARCH=arm64 exported, no --arch) reads arch/arm64's
#     Kconfig files and runs make with ARCH=arm64 (no cross compiler needed for olddefconfig),
#     so an arm64-only mandatory value holds; with an x86 make it would be lost, with x86's
#     Kconfig files it would be undefined.
t14() {
	printf '#%%kconfig-merge 1\nARM64_64K_PAGES=y\nNR_CPUS=64\n' >"$W/arm64.kcm"
	rm -rf "$W/arm64-opt" "$W/arm64-env"
	"$KM" verify -q -k "$SRC" -O "$W/arm64-opt" --arch arm64 "$W/arm64.kcm" >"$W/arm64-opt.out" 2>&1
	local r1=$?
	ARCH=arm64 "$KM" verify -q -k "$SRC" -O "$W/arm64-env" "$W/arm64.kcm" >"$W/arm64-env.out" 2>&1
	local r2=$?
	local d fails=""
	for d in arm64-opt arm64-env; do
		grep -qx 'CONFIG_ARM64=y' "$W/$d/.config" && grep -qx 'CONFIG_ARM64_64K_PAGES=y' "$W/$d/.config" &&
			grep -q 'verify: 2 requested, 2 met, 0 lost' "$W/$d.out" || fails+=" $d"
	done
	if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ -z "$fails" ]; then
		ok "--arch arm64 and ARCH=arm64: arm64 Kconfig read, make ARCH=arm64, ARM64_64K_PAGES=y holds"
	else
		bad "arm64: exit $r1 (--arch) / $r2 (\$ARCH), wrong:$fails"
		grep -v '^note' "$W/arm64-opt.out" "$W/arm64-env.out" | tail -6
	fi
}

# 15. -O with missing parents is created (mkdir -p, as make O= does), and checked as usual.
t15() {
	rm -rf "$W/deep"
	(cd "$W" && "$KM" verify -q -k "$SRC" -O deep/a/b --base "$DEBIAN" strict.kcm) >"$W/deep.out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && [ -f "$W/deep/a/b/.config" ] &&
		grep -q 'strict.kcm:3: error: CONFIG_DM_CRYPT=y (mandatory) is not in the final config' "$W/deep.out" &&
		! grep -q '^CONFIG_DM_CRYPT=y' "$W/deep/a/b/.config"; then
		ok "-O deep/a/b with missing parents: created, make ran there, lost mandatory value found (exit 1)"
	else
		bad "-O deep/a/b: exit $rc"
		grep -v '^note' "$W/deep.out" | tail -4
	fi
}

# 9. Hex values compare by value: kconfig keeps a hex symbol's 1000000 as written, and that is
#    the 0x1000000 requested (not lost); merged with 0x1000000 it is no conflict.
t9() {
	mkdir -p "$W/hex"
	sed 's/^CONFIG_PHYSICAL_START=.*/CONFIG_PHYSICAL_START=1000000/' "$DEBIAN" >"$W/hex/.config"
	olddefconfig "$W/hex" || { bad "hex: olddefconfig failed"; return; }
	printf '#%%kconfig-merge 1\nPHYSICAL_START=0x1000000\n' >"$W/hex.kcm"
	printf 'CONFIG_PHYSICAL_START=1000000\n' >"$W/hex-plain.config"
	"$KM" verify -q -k "$SRC" -c "$W/hex/.config" "$W/hex.kcm" >"$W/hex.out" 2>&1
	local r1=$?
	"$KM" merge -q -o "$W/hex-merged.config" "$W/hex-plain.config" "$W/hex.kcm" >>"$W/hex.out" 2>&1
	local r2=$?
	if grep -qx 'CONFIG_PHYSICAL_START=1000000' "$W/hex/.config" && [ $r1 -eq 0 ] &&
		grep -q 'verify: 1 requested, 1 met, 0 lost' "$W/hex.out" && [ $r2 -eq 0 ] &&
		grep -qx 'CONFIG_PHYSICAL_START=0x1000000' "$W/hex-merged.config"; then
		ok "hex: kconfig kept PHYSICAL_START=1000000, verify counts 0x1000000 met; merge agrees"
	else
		bad "hex compared as text (verify exit $r1, merge exit $r2)"
		head -4 "$W/hex.out"
	fi
}

# 10. -o onto something that is not a regular file is refused (exit 2, the path named), and
#     the thing is left as it was: a symlink (its target untouched), a FIFO, a device node (a
#     private one: never /dev/*), a directory.
t10() {
	local d=$W/targets fails=""
	rm -rf "$d"
	mkdir -p "$d"
	echo keep >"$d/target.config"
	ln -s target.config "$d/link.config"
	mkfifo "$d/fifo"
	local targets=(link.config fifo .)
	if [ "$(id -u)" = 0 ] && mknod "$d/full" c 1 7 2>/dev/null; then targets+=(full); fi
	local t rc
	for t in "${targets[@]}"; do
		"$KM" merge -o "$d/$t" "$W/hex-plain.config" >"$d/out" 2>&1
		rc=$?
		[ $rc -eq 2 ] && grep -q "refusing to write $d/$t: it is a" "$d/out" || fails+=" $t(exit $rc)"
	done
	[ -L "$d/link.config" ] && [ "$(cat "$d/target.config")" = keep ] || fails+=" link-replaced"
	[ -p "$d/fifo" ] || fails+=" fifo-replaced"
	[ ! -e "$d/full" ] || [ -c "$d/full" ] || fails+=" device-replaced"
	ls "$d" | grep -q tmp && fails+=" temp-file-left"
	if [ -z "$fails" ]; then
		ok "-o onto ${targets[*]}: refused (exit 2, path named), left as they were"
	else
		bad "-o onto non-regular files:$fails"
		cat "$d/out"
	fi
	rm -f "$d/full"
}

# 11. Writing to stdout is checked: merge/export/--help into /dev/full exit 2 with a message.
t11() {
	local fails="" rc
	"$KM" merge "$W/hex-plain.config" >/dev/full 2>"$W/full.out"
	rc=$?
	[ $rc -eq 2 ] && grep -q 'writing the merged config to stdout failed: No space left on device' "$W/full.out" || fails+=" merge(exit $rc)"
	"$KM" export "$W/hex-plain.config" >/dev/full 2>"$W/full.out"
	rc=$?
	[ $rc -eq 2 ] && grep -q 'stdout failed: No space left on device' "$W/full.out" || fails+=" export(exit $rc)"
	"$KM" --help >/dev/full 2>"$W/full.out"
	rc=$?
	[ $rc -eq 2 ] && grep -q 'writing to stdout failed' "$W/full.out" || fails+=" --help(exit $rc)"
	if [ -z "$fails" ]; then
		ok "stdout on /dev/full: merge, export, --help exit 2 naming the error"
	else
		bad "stdout write errors not reported:$fails"
		cat "$W/full.out"
	fi
}

# 12. Outputs are durable: the temporary file is fsync()ed before the rename, its directory
#     after it (strace of merge -o).
t12() {
	mkdir -p "$W/sync"
	strace -o "$W/sync.trace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2 \
		"$KM" merge -o "$W/sync/out.config" "$W/hex-plain.config" >/dev/null 2>&1
	local verdict
	verdict=$(awk '
		/^openat\(.*out\.config\.tmp.*O_CREAT/ { split($0, a, "= "); tmpfd = a[2] + 0 }
		/^f(data)?sync\(/ { fd = $0; sub(/^f(data)?sync\(/, "", fd); fd += 0
			if (tmpfd != "" && fd == tmpfd && !renamed) file = 1
			if (renamed && dirfd != "" && fd == dirfd) dir = 1 }
		/^rename(at2?)?\(.*out\.config"/ && / = 0$/ { renamed = 1 }
		renamed && /^openat\(.*O_DIRECTORY/ { split($0, a, "= "); dirfd = a[2] + 0 }
		END { print (file ? "file" : "nofile") "," (renamed ? "renamed" : "norename") "," (dir ? "dir" : "nodir") }' \
		"$W/sync.trace")
	if [ "$verdict" = "file,renamed,dir" ] && [ -f "$W/sync/out.config" ]; then
		ok "merge -o: temp file fsync()ed before the rename, directory after it"
	else
		bad "merge -o durability: $verdict"
		cat "$W/sync.trace" | tail -8
	fi
}

# 16. The Kconfig cache: the same answers as without it; used (the Kconfig files are not opened)
#     while the files are unchanged; a damaged cache is rebuilt, never used; a Kconfig file
#     changed in place (same size) after the cache was written makes it stale.
t16() {
	local c=$W/kcache final=$W/merge/.config out=$W/cache
	mkdir -p "$out"
	[ -f "$final" ] || olddefconfig "$W/merge" # t1 made it; alone, any final config will do
	local args=(-k "$SRC" -c "$final" --base "$DEBIAN" "${FRAGS[@]}" "$HERE/resolve.kcm")
	"$KM" verify --no-cache "${args[@]}" >/dev/null 2>"$out/none.err"
	"$KM" verify --cache-dir "$c" "${args[@]}" >/dev/null 2>"$out/first.err"
	local cf
	cf=$(ls "$c"/tree-*-x86.kct 2>/dev/null | head -1)
	strace -f -o "$out/second.trace" -e trace=openat "$KM" verify --cache-dir "$c" "${args[@]}" \
		>/dev/null 2>"$out/second.err"
	local opened size
	opened=$(grep -c 'Kconfig' "$out/second.trace")
	size=$(stat -c %s "$cf" 2>/dev/null)
	# Damage: cut in half, then one byte changed.
	head -c $((size / 2)) "$cf" >"$cf.cut" && mv "$cf.cut" "$cf"
	"$KM" verify --cache-dir "$c" "${args[@]}" >/dev/null 2>"$out/cut.err"
	local size_cut=$(stat -c %s "$cf")
	printf 'X' | dd of="$cf" bs=1 seek=$((size / 3)) conv=notrunc status=none
	"$KM" verify --cache-dir "$c" "${args[@]}" >/dev/null 2>"$out/flip.err"
	# A cache directory that cannot be made: no cache, no error.
	"$KM" verify --cache-dir /dev/null/kcache "${args[@]}" >/dev/null 2>"$out/nodir.err"
	local same=yes
	for f in first second cut flip nodir; do cmp -s "$out/none.err" "$out/$f.err" || same="no ($f)"; done
	# Stale: FOO renamed BAR in place, same size; the mini tree is older than 2 s by now.
	while [ "$(date +%s)" -le $((MINI_MADE + 2)) ]; do sleep 0.2; done
	printf 'CONFIG_FOO=y\n' >"$out/foo.config"
	"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$out/foo.config" "$out/foo.config" \
		>/dev/null 2>"$out/mini1.err"
	local mini_cached
	mini_cached=$(ls "$c" | grep -c .)
	printf 'BAR' | dd of="$W/mini/sub/Kconfig" bs=1 seek=7 conv=notrunc status=none # same inode
	"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$out/foo.config" "$out/foo.config" \
		>/dev/null 2>"$out/mini2.err"
	if [ "$same" = yes ] && [ -n "$cf" ] && [ "$opened" = 0 ] && [ "$size_cut" = "$size" ] &&
		[ "$mini_cached" = 2 ] && grep -q 'verify: 1 requested, 1 met' "$out/mini1.err" &&
		grep -q 'CONFIG_FOO is not defined by any Kconfig file' "$out/mini2.err"; then
		ok "Kconfig cache: same report as without it, Kconfig files not opened when cached, damaged cache rebuilt, unusable cache directory ignored, in-place edit seen"
	else
		bad "Kconfig cache: same=$same cache=$cf opened=$opened size=$size after-cut=$size_cut mini-caches=$mini_cached"
		cat "$out/mini1.err" "$out/mini2.err" | head -6
	fi
}

# 17. A patch series (tests/kconfig/series: two real patches against the tree, each adding a
#     Kconfig symbol; one carries its config in a Kconfig-fragment: block, one beside it):
#     merge --series takes both; verify -k on the unpatched tree knows the patches' symbols (not
#     typos) and says the series is not applied; applied to a copy of the tree, a real
#     olddefconfig keeps both values. Bad input: messages with file and line.
t17() {
	local S=$HERE/series o=$W/series
	mkdir -p "$o"
	"$KM" merge --series "$S/series" --base "$DEBIAN" -o "$o/merged.config" 2>"$o/merge.err"
	local rc_merge=$?
	"$KM" merge --series "$S/series" -o "$o/alone.config" 2>/dev/null
	"$KM" verify -q -k "$SRC" -c "$o/alone.config" "$S/0002-virtio-initkit-delay.kcm" \
		>/dev/null 2>"$o/noseries.err"
	# alone.config stands for the final config of a patched kernel; the tree is not patched.
	"$KM" verify -q -k "$SRC" -c "$o/alone.config" --series "$S/series" >/dev/null 2>"$o/kept.err"
	local rc_kept=$?
	"$KM" verify -q -k "$SRC" -c "$DEBIAN" --series "$S/series" >/dev/null 2>"$o/lost.err"
	local rc_lost=$?
	# Applied to a copy of the tree (hard links; patch replaces the files it changes).
	rm -rf "$o/tree" && cp -al "$SRC" "$o/tree"
	local applied=yes
	for p in $(sed -e 's/#.*//' "$S/series" | awk 'NF { print $1 }'); do
		(cd "$o/tree" && patch -s -p1 <"$S/$p") >"$o/patch.log" 2>&1 || applied="no ($p)"
	done
	grep -q INITKIT "$SRC/drivers/virtio/Kconfig" && applied="no (the original tree changed)"
	"$KM" verify -q -k "$o/tree" -O "$o/obj" --series "$S/series" --base "$DEBIAN" \
		>/dev/null 2>"$o/applied.err"
	local rc_applied=$?
	if [ $rc_merge -eq 0 ] && grep -qx 'CONFIG_VIRTIO_INITKIT_PROBE=y' "$o/merged.config" &&
		grep -qx 'CONFIG_VIRTIO_INITKIT_DELAY=250' "$o/merged.config" &&
		grep -q '0002-virtio-initkit-delay.kcm:2: error: CONFIG_VIRTIO_INITKIT_DELAY is not defined by any Kconfig file (typo?)' "$o/noseries.err" &&
		[ $rc_kept -eq 0 ] && grep -q 'verify: 3 requested, 3 met, 0 lost (0 mandatory, 0 optional), 0 undefined' "$o/kept.err" &&
		[ $rc_lost -eq 1 ] && grep -q '0002-virtio-initkit-delay.kcm:2: error: CONFIG_VIRTIO_INITKIT_DELAY=250 (mandatory) is not in the final config: absent; defined by .*/0002-virtio-initkit-delay.patch:9 only (is the series applied to the tree?)' "$o/lost.err" &&
		[ "$applied" = yes ] && [ $rc_applied -eq 0 ] &&
		grep -qx 'CONFIG_VIRTIO_INITKIT_PROBE=y' "$o/obj/.config" &&
		grep -qx 'CONFIG_VIRTIO_INITKIT_DELAY=250' "$o/obj/.config"; then
		ok "--series: fragments from a Kconfig-fragment: block and beside a patch merged; the patches' symbols known to verify -k before they are applied; kept by a real olddefconfig after"
	else
		bad "--series: merge=$rc_merge kept=$rc_kept lost=$rc_lost applied=$applied verify-applied=$rc_applied"
		cat "$o/merge.err" "$o/kept.err" "$o/lost.err" "$o/applied.err" | grep -v '^/.*debian.config' | head -8
	fi
	# Bad input.
	local b=$o/bad
	mkdir -p "$b"
	printf '# broken\nmissing.patch\n' >"$b/series1"
	"$KM" merge --series "$b/series1" >/dev/null 2>"$b/1.err"
	local rc1=$?
	printf 'two.patch -p1\n' >"$b/series2"
	printf -- '--- a/Kconfig\n+++ b/Kconfig\n@@ -1 +1,2 @@\n+config A\n' >"$b/two.patch"
	printf 'CONFIG_A=y\n' >"$b/two.config"
	printf '#%%kconfig-merge 1\nA=y\n' >"$b/two.kcm"
	"$KM" merge --series "$b/series2" >/dev/null 2>"$b/2.err"
	local rc2=$?
	"$KM" merge --series "$b/no/series" >/dev/null 2>"$b/0.err"
	local rc0=$?
	printf 'x.patch -z\n' >"$b/series3"
	"$KM" verify -c "$DEBIAN" --series "$b/series3" >/dev/null 2>"$b/3.err"
	local rc3=$?
	if [ $rc0 -eq 2 ] && grep -q "$b/no/series: No such file or directory" "$b/0.err" &&
		[ $rc1 -eq 2 ] && grep -q "series1:2: $b/missing.patch: No such file or directory" "$b/1.err" &&
		[ $rc2 -eq 1 ] && grep -q "two.patch:4: error: the patch ends inside the hunk at line 3 (1 old and 1 new lines missing)" "$b/2.err" &&
		grep -q "series2:1: error: two.patch: both $b/two.kcm and $b/two.config are beside it (keep one)" "$b/2.err" &&
		[ $rc3 -eq 1 ] && grep -q "series3:1: error: x.patch: unknown patch option '-z'" "$b/3.err"; then
		ok "--series bad input: missing series file and patch (exit 2), broken hunk and two fragments beside a patch, unknown option (exit 1), each with file and line"
	else
		bad "--series bad input: exit $rc0 $rc1 $rc2 $rc3"
		cat "$b/1.err" "$b/2.err" "$b/3.err" | head -6
	fi
}

# 18. A cache that is not this user's own, or not written by this very executable, is not
#     trusted. The mini tree's cache is poisoned (FOO renamed BAR, checksum made right again, as
#     another user with write access to the cache directory could): used as this user's own file
#     by the executable that wrote it, FOO is reported as unknown (the poison works); the same
#     poison writable by group/others, owned by another user, or read by a copy of the
#     executable (an upgraded kconfig-merge) is ignored; a FIFO in place of the cache neither
#     blocks nor fails the run. A Kconfig file replaced by a rename with the same size and mtime
#     is seen (inode and ctime are in the key).
poison_cache() { # CACHE_FILE: FOO -> BAR, resealed (kconfig_cache.c's layout and checksum)
	python3 - "$1" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
old = struct.pack("<I", 3) + b"FOO\0"
assert d.count(old) == 1, "FOO not found once"
i = d.index(old)
d[i + 4:i + 7] = b"BAR"
pay = bytes(d[32:])
O, P, M = 1469598103934665603, 1099511628211, (1 << 64) - 1
def mix(h, w):
	h = ((h ^ w) * P) & M
	return h ^ (h >> 29)
word = lambda j: int.from_bytes(pay[j:j + 8], "little")
lanes, j = [O, O ^ 1, O ^ 2, O ^ 3], 0
while j + 32 <= len(pay):
	lanes = [mix(lanes[k], word(j + 8 * k)) for k in range(4)]
	j += 32
h = lanes[0]
for k in range(1, 4):
	h = mix(h, lanes[k])
while j + 8 <= len(pay):
	h, j = mix(h, word(j)), j + 8
for b in pay[j:]:
	h = ((h ^ b) * P) & M
d[16:24] = struct.pack("<Q", len(pay))
d[24:32] = struct.pack("<Q", h)
open(p, "wb").write(d)
PY
}
t18() {
	local c=$W/kcache18 o=$W/cache18 km2=$W/kconfig-merge-copy
	rm -rf "$c" "$o" && mkdir -p "$o"
	while [ "$(date +%s)" -le $((MINI_MADE + 2)) ]; do sleep 0.2; done
	printf 'CONFIG_FOO=y\n' >"$o/foo.config"
	run18() { # NAME [KM]: verify the mini tree through the cache
		timeout 60 "${2:-$KM}" verify --cache-dir "$c" -k "$W/mini18" -c "$o/foo.config" \
			"$o/foo.config" >/dev/null 2>"$o/$1.err"
	}
	run18 first
	local cf
	cf=$(ls "$c"/tree-*.kct 2>/dev/null | head -1)
	[ -n "$cf" ] && poison_cache "$cf" && cp -p "$cf" "$o/poison.kct"
	run18 own # control: the poison is used
	cp -p "$o/poison.kct" "$cf" && chmod 0666 "$cf"
	run18 writable
	local foreign=skipped
	if [ "$(id -u)" = 0 ]; then
		cp -p "$o/poison.kct" "$cf" && chown 65534 "$cf"
		run18 foreign
		foreign=$(grep -c 'is not defined by any Kconfig' "$o/foreign.err")
	fi
	cp "$KM" "$km2"
	cp -p "$o/poison.kct" "$cf"
	run18 copy "$km2"
	rm -f "$cf" && mkfifo "$cf"
	run18 fifo
	local rc_fifo=$?
	rm -f "$cf" "$km2"
	# The tree's file replaced by a rename with the same size and mtime (tar, rsync -t, cp -p):
	# only the inode and ctime tell, and the cache (rewritten by the FIFO run) is not used.
	run18 recached
	local k=$W/mini18/sub/Kconfig
	sed 's/FOO/BAR/' "$k" >"$k.new" && touch -r "$k" "$k.new" && mv "$k.new" "$k"
	local before after
	before=$(stat -c %i "$cf" 2>/dev/null)
	run18 renamed
	# ... and, its ctime being fresh (racy), no cache is written for it.
	after=$(stat -c %i "$cf" 2>/dev/null)
	local unknown='CONFIG_FOO is not defined by any Kconfig file' met='verify: 1 requested, 1 met'
	if [ -n "$cf" ] && grep -q "$met" "$o/first.err" && grep -q "$unknown" "$o/own.err" &&
		grep -q "$met" "$o/writable.err" && [ "$foreign" != 1 ] && grep -q "$met" "$o/copy.err" &&
		[ $rc_fifo -eq 0 ] && grep -q "$met" "$o/fifo.err" && grep -q "$met" "$o/recached.err" &&
		[ -n "$before" ] && [ "$before" = "$after" ] && grep -q "$unknown" "$o/renamed.err"; then
		ok "Kconfig cache: a poisoned cache writable by others, owned by another user ($foreign) or from another executable is ignored; a FIFO there neither blocks nor fails; a file renamed over with the same size and mtime is seen"
	else
		bad "Kconfig cache trust: cache=$cf foreign=$foreign fifo=$rc_fifo cache inode before/after the racy run: $before/$after"
		head -3 "$o"/*.err
	fi
}

# 19. The cache directory is pruned when a cache is written: caches unused for 30 days go, and
#     all but the 8 most recently used, and temporary files older than a day; anything else in
#     the directory stays. A cache hit refreshes the cache's mtime (its last use) when it is
#     more than a day old, and prunes nothing.
t19() {
	local c=$W/kcache19 o=$W/cache19
	rm -rf "$c" "$o" && mkdir -p "$c" "$o"
	while [ "$(date +%s)" -le $((MINI_MADE + 2)) ]; do sleep 0.2; done
	printf 'CONFIG_FOO=y\n' >"$o/foo.config"
	local i
	for i in 1 2 3 4 5; do
		touch -d "$i days ago" "$c/tree-000000000000000$i-x86.kct"
	done
	touch -d "40 days ago" "$c/tree-00000000000000a0-x86.kct" "$c/tree-00000000000000b0-arm64.kct"
	touch -d "2 days ago" "$c/tree-00000000000000c0-x86.kct.tmpAbCdEf" "$c/notes.txt"
	touch "$c/tree-00000000000000d0-x86.kct.tmpGhIjKl"
	run19() { # NAME [ARCH]
		"$KM" verify --cache-dir "$c" -k "$W/mini19" --arch "${2:-x86}" -c "$o/foo.config" \
			"$o/foo.config" >/dev/null 2>"$o/$1.err"
	}
	# 8 caches with the one written: only the 40-day-old ones go.
	run19 write
	local aged
	aged=$(cd "$c" && ls | sort | tr '\n' ' ')
	# 10 with a second one (another architecture): the 2 least recently used go.
	for i in 6 7 8; do
		touch -d "$i days ago" "$c/tree-000000000000000$i-x86.kct"
	done
	run19 write2 arm64
	local kept new
	kept=$(cd "$c" && ls | sort | tr '\n' ' ')
	new=$(cd "$c" && ls tree-*-x86.kct | grep -v '^tree-0000000000000' | head -1)
	# A hit: the cache (made 2 days old) gets a fresh mtime; an old file appears but stays.
	touch -d "2 days ago" "$c/$new"
	touch -d "40 days ago" "$c/tree-00000000000000e0-x86.kct"
	run19 hit
	local age=$(($(date +%s) - $(stat -c %Y "$c/$new")))
	local fakes="tree-0000000000000001-x86.kct tree-0000000000000002-x86.kct tree-0000000000000003-x86.kct tree-0000000000000004-x86.kct tree-0000000000000005-x86.kct"
	local want_aged="notes.txt $fakes tree-00000000000000d0-x86.kct.tmpGhIjKl $new"
	local want="$want_aged tree-0000000000000006-x86.kct ${new%-x86.kct}-arm64.kct"
	want_aged=$(echo "$want_aged" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	want=$(echo "$want" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	if [ -n "$new" ] && [ "$aged" = "$want_aged" ] && [ "$kept" = "$want" ] && [ "$age" -lt 600 ] &&
		[ -e "$c/tree-00000000000000e0-x86.kct" ] &&
		grep -q 'verify: 1 requested, 1 met' "$o/write.err" &&
		grep -q 'verify: 1 requested, 1 met' "$o/hit.err"; then
		ok "Kconfig cache pruning: 30-day-old caches, all but the 8 most recent and day-old temporary files removed when a cache is written, other files kept; a hit refreshes the cache's mtime and prunes nothing"
	else
		bad "Kconfig cache pruning: after the first write [$aged] want [$want_aged]; after the second [$kept] want [$want]; new=$new mtime age after the hit=$age"
	fi
}

# 20. A cached tree found stale by the check that runs while the fragments are read, with an
#     unreadable fragment after one whose values the tree's types reject: the same messages and
#     exit code as without the cache (the readable fragment's warnings are not lost), and the
#     same with a cache that is a symlink (not followed: a cache is only ever renamed into
#     place, and a symlink there, in a directory others can write, could point anywhere: it is
#     replaced by a regular cache).
t20() {
	local c=$W/kcache20 o=$W/cache20
	rm -rf "$c" "$o" && mkdir -p "$o"
	while [ "$(date +%s)" -le $((MINI_MADE + 2)) ]; do sleep 0.2; done
	printf 'CONFIG_FOO=y\n' >"$o/foo.config"
	printf 'CONFIG_FOO=y\nCONFIG_BAZ=y\nnonsense\n' >"$o/bad.config"
	run20() { # NAME [--no-cache]
		"$KM" verify ${2:---cache-dir "$c"} -k "$W/mini20" -c "$o/foo.config" "$o/bad.config" \
			"$o/missing.config" >/dev/null 2>"$o/$1.err"
		echo $? >"$o/$1.rc"
	}
	run20 write
	local cf
	cf=$(ls "$c"/tree-*.kct 2>/dev/null | head -1)
	printf 'BAR' | dd of="$W/mini20/sub/Kconfig" bs=1 seek=7 conv=notrunc status=none # same inode
	local edited
	edited=$(date +%s)
	run20 stale
	run20 none --no-cache
	# A symlink to a good cache of this tree: not followed, replaced by a cache of its own.
	while [ "$(date +%s)" -le $((edited + 3)) ]; do sleep 0.2; done # racy: no cache written
	run20 rewrite
	local link=no
	[ -n "$cf" ] && mv "$cf" "$c/elsewhere.kct" && ln -s elsewhere.kct "$cf" && run20 link &&
		[ -f "$cf" ] && [ ! -L "$cf" ] && link=yes
	if [ -n "$cf" ] && cmp -s "$o/none.err" "$o/stale.err" && cmp -s "$o/none.rc" "$o/stale.rc" &&
		grep -q "bad.config:2:warning: symbol value 'y' invalid for BAZ" "$o/none.err" &&
		grep -q 'missing.config: No such file or directory' "$o/none.err" &&
		[ "$(cat "$o/none.rc")" = 2 ] && [ "$link" = yes ] && cmp -s "$o/none.err" "$o/link.err"; then
		ok "Kconfig cache: found stale while the fragments were read, with an unreadable fragment: the same messages and exit code as without the cache; a symlink in place of the cache is not followed"
	else
		bad "Kconfig cache stale + unreadable fragment: cache=$cf exit $(cat "$o/stale.rc") (without cache $(cat "$o/none.rc")), symlink replaced: $link"
		diff "$o/none.err" "$o/stale.err" | head -6
	fi
}

# 21. A cache truncated in place (as `cp` over it, a restored backup or rsync --inplace write
#     it) while a run has it mapped: the run must not die of SIGBUS; the truncation waits for
#     the run (the cache is mapped under a read lease) and the run's report is the usual one.
#     The run is slowed down by strace (each open after the cache's delayed) to truncate the
#     cache in the middle of it.
t21() {
	local c=$W/kcache21 o=$W/cache21
	rm -rf "$c" "$o" && mkdir -p "$o"
	while [ "$(date +%s)" -le $((MINI_MADE + 2)) ]; do sleep 0.2; done
	printf 'CONFIG_FOO=y\n' >"$o/foo.config"
	"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$o/foo.config" "$o/foo.config" \
		>/dev/null 2>"$o/write.err"
	local cf
	cf=$(ls "$c"/tree-*.kct 2>/dev/null | head -1)
	[ -n "$cf" ] || { bad "Kconfig cache truncated while mapped: no cache written"; return; }
	local rc=x
	(
		strace -f -o "$o/trace" -e trace=openat,fcntl -e inject=openat:delay_enter=1500000:when=3+ \
			"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$o/foo.config" "$o/foo.config" \
			>/dev/null 2>"$o/run.err"
		echo $? >"$o/run.rc"
	) &
	local pid=$!
	# Truncated once the run has opened (and mapped) the cache.
	local i
	for i in $(seq 100); do grep -q 'kct.*= [0-9]' "$o/trace" 2>/dev/null && break; sleep 0.05; done
	sleep 0.3
	local t0 t1
	t0=$(date +%s%N)
	: >"$cf"
	t1=$(date +%s%N)
	wait $pid
	rc=$(cat "$o/run.rc")
	local waited=no # the run had more than a second left: an instant truncation did not wait
	[ $(((t1 - t0) / 1000000)) -ge 500 ] && waited=yes
	# Truncated after it was opened and before the lease was taken (the lease's fcntl
	# delayed): the size is checked again under the lease; read instead, found torn, parsed.
	"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$o/foo.config" "$o/foo.config" \
		>/dev/null 2>/dev/null # rewrites the truncated cache
	(
		strace -f -o "$o/trace3" -e trace=openat,fcntl -e inject=fcntl:delay_enter=1500000:when=1 \
			"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$o/foo.config" "$o/foo.config" \
			>/dev/null 2>"$o/prelease.err"
		echo $? >"$o/prelease.rc"
	) &
	pid=$!
	for i in $(seq 100); do grep -q 'kct.*= [0-9]' "$o/trace3" 2>/dev/null && break; sleep 0.05; done
	sleep 0.3
	: >"$cf"
	wait $pid
	local rc_pre
	rc_pre=$(cat "$o/prelease.rc")
	# No lease to be had (the cache open for writing elsewhere): read instead, still used.
	"$KM" verify --cache-dir "$c" -k "$W/mini" -c "$o/foo.config" "$o/foo.config" \
		>/dev/null 2>/dev/null # rewrites the truncated cache
	local opened
	opened=$(
		exec 9>>"$cf"
		strace -f -o "$o/trace2" -e trace=openat,fcntl "$KM" verify --cache-dir "$c" -k "$W/mini" \
			-c "$o/foo.config" "$o/foo.config" >/dev/null 2>"$o/nolease.err"
		grep -c 'Kconfig' "$o/trace2"
	)
	if [ "$rc" = 0 ] && grep -q 'verify: 1 requested, 1 met' "$o/run.err" && [ "$waited" = yes ] &&
		grep -q 'F_SETLEASE.*DELAYED' "$o/trace3" && [ "$rc_pre" = 0 ] &&
		grep -q 'verify: 1 requested, 1 met' "$o/prelease.err" &&
		grep -q 'F_SETLEASE.*EAGAIN' "$o/trace2" && [ "$opened" = 0 ] &&
		grep -q 'verify: 1 requested, 1 met' "$o/nolease.err"; then
		ok "Kconfig cache truncated in place while mapped: no SIGBUS, the truncation waited for the run, the report is the usual one; without a lease the cache is read, and used"
	else
		bad "Kconfig cache truncated while mapped: exit $rc (135: SIGBUS), truncation waited for the run: $waited; truncated before the lease: exit $rc_pre; without a lease, Kconfig files opened: $opened"
		head -3 "$o/run.err"
	fi
}

# KCONFIG_TESTS="t3 t4" runs a subset (t5 uses t1's merge; t8, t13, t15 t2's fragment; t10-t12
# t9's).
for t in ${KCONFIG_TESTS:-t1 t2 t3 t4 t5 t6 t7 t8 t13 t14 t15 t9 t10 t11 t12 t16 t17 t18 t19 t20 t21}; do
	$t
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
