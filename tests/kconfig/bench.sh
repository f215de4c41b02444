#!/bin/bash
# make bench-kconfig: Debian's full config + android-base, android-recommended, kvm_guest, xen
# (kernel/configs and arch/x86/configs), debug, x86_debug, nopm, merged by merge_config.sh -m and
# by kconfig-merge; then the requested-vs-actual check of both against the same final .config.
#
# merge_config.sh's check is timed on its own by running the script with a stand-in `make` that
# only puts the final .config in place (so the figure is its merge + check; its -m merge time is
# subtracted). kconfig-merge is timed over N runs (CPU time = user + sys, and wall time).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath -m "${1:-build}")
RUNS=${RUNS:-20}
"$HERE/tree.sh" "$BUILD"
K=$BUILD/kconfig
SRC=$K/src
KM=$BUILD/bin/kconfig-merge
W=$K/bench
rm -rf "$W"
mkdir -p "$W/mc" "$W/fakebin" "$W/ours"
FRAGS=()
for f in android-base android-recommended kvm_guest xen debug x86_debug nopm; do
	FRAGS+=("$SRC/kernel/configs/$f.config")
done
FRAGS+=("$SRC/arch/x86/configs/xen.config")

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
fmt_ms() { printf '%.2f' "$(echo "$1 * 1000" | bc -l)"; }

# 1. merge_config.sh -m
t0=$(now)
(cd "$W" && "$SRC/scripts/kconfig/merge_config.sh" -m -O mc "$K/debian.config" "${FRAGS[@]}" >mc-m.out 2>&1)
t1=$(now)
mc_merge=$(secs "$t0" "$t1")

# The final .config both checks look at: merge_config.sh's merge after a real alldefconfig, as
# its own run would produce.
(cd "$SRC" && make -s O="$W/final" KCONFIG_ALLCONFIG="$W/mc/.config" alldefconfig >/dev/null 2>&1)

# 2. merge_config.sh merge + check, with `make` standing in (copies the final .config).
cat >"$W/fakebin/make" <<EOF
#!/bin/sh
for a; do case \$a in O=*) cp "$W/final/.config" "\${a#O=}/.config" ;; esac; done
EOF
chmod +x "$W/fakebin/make"
mkdir -p "$W/mc2"
t0=$(now)
(cd "$W" && PATH="$W/fakebin:$PATH" "$SRC/scripts/kconfig/merge_config.sh" -O mc2 \
	"$K/debian.config" "${FRAGS[@]}" >mc-check.out 2>&1)
t1=$(now)
mc_total=$(secs "$t0" "$t1")
mc_check=$(echo "$mc_total - $mc_merge" | bc -l)
mc_reported=$(grep -c '^Value requested' "$W/mc-check.out" || true)

# 3. kconfig-merge: merge, and verify against the same final .config (no tree: the check itself;
#    with -k: also reading the tree's Kconfig files for types, depends on and typos).
args=(--base "$K/debian.config" "${FRAGS[@]}" "$HERE/resolve.kcm")
bench() { # name command... -> prints "wall_ms cpu_ms" per run
	local TIMEFORMAT='%R %U %S' t
	t=$( { time (for _ in $(seq "$RUNS"); do "$@" >/dev/null 2>&1 || true; done); } 2>&1)
	read -r wall user sys <<<"$t"
	echo "$(echo "$wall / $RUNS" | bc -l) $(echo "($user + $sys) / $RUNS" | bc -l)"
}
read -r km_merge_wall km_merge_cpu < <(bench "$KM" merge -q -o "$W/ours/merged.config" "${args[@]}")
read -r km_check_wall km_check_cpu < <(bench "$KM" verify -q -c "$W/final/.config" "${args[@]}")
read -r km_tree_wall km_tree_cpu < <(bench "$KM" verify -q -k "$SRC" -c "$W/final/.config" "${args[@]}")
read -r km_compat_wall km_compat_cpu < <(RUNS=3 bench "$KM" merge_config -m -O "$W/ours" \
	"$K/debian.config" "${FRAGS[@]}")
"$KM" verify -q -c "$W/final/.config" "${args[@]}" 2>"$W/ours-verify.out" || true
km_summary=$(grep '^verify:' "$W/ours-verify.out")

echo "bench-kconfig: Debian config + 8 fragments ($RUNS runs each for kconfig-merge)"
printf '  %-44s %10s ms\n' "merge_config.sh -m (merge)" "$(fmt_ms "$mc_merge")"
printf '  %-44s %10s ms wall, %s ms CPU\n' "kconfig-merge merge" "$(fmt_ms "$km_merge_wall")" "$(fmt_ms "$km_merge_cpu")"
printf '  %-44s %10s ms wall, %s ms CPU\n' "kconfig-merge merge_config -m (compat)" "$(fmt_ms "$km_compat_wall")" "$(fmt_ms "$km_compat_cpu")"
printf '  %-44s %10s ms (%s mismatches reported)\n' "merge_config.sh check (requested vs actual)" "$(fmt_ms "$mc_check")" "$mc_reported"
printf '  %-44s %10s ms wall, %s ms CPU (%s)\n' "kconfig-merge verify -c (merge + check)" "$(fmt_ms "$km_check_wall")" "$(fmt_ms "$km_check_cpu")" "$km_summary"
printf '  %-44s %10s ms wall, %s ms CPU\n' "kconfig-merge verify -k -c (+ Kconfig tree)" "$(fmt_ms "$km_tree_wall")" "$(fmt_ms "$km_tree_cpu")"
printf '  ratio merge: %.0fx   ratio check: %.0fx (wall time)\n' \
	"$(echo "$mc_merge / $km_merge_wall" | bc -l)" "$(echo "$mc_check / $km_check_wall" | bc -l)"
