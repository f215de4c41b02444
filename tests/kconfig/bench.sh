#!/bin/bash
# make bench-kconfig: Debian's full config + android-base, android-recommended, kvm_guest, xen
# (kernel/configs and arch/x86/configs), debug, x86_debug, nopm, merged by merge_config.sh -m and
# by kconfig-merge; then the requested-vs-actual check of both against the same final .config.
#
# merge_config.sh's check is timed on its own by running the script with a stand-in `make` that
# only puts the final .config in place (so the figure is its merge + check; its -m merge time is
# subtracted). kconfig-merge is timed over RUNS runs each (default 20): the median wall time and,
# when perf is installed, the median CPU time (perf stat task-clock: user + kernel, including
# exec and page faults). QUICK=1 skips merge_config.sh's check (the slowest part, ~30-60 s).
# KCONFIG_MERGE=path benchmarks another kconfig-merge binary (e.g. an older build).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath -m "${1:-build}")
RUNS=${RUNS:-20}
"$HERE/tree.sh" "$BUILD"
K=$BUILD/kconfig
SRC=$K/src
KM=${KCONFIG_MERGE:-$BUILD/bin/kconfig-merge}
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
mc_check=
if [ -z "${QUICK:-}" ]; then
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
fi

# 3. kconfig-merge: merge, and verify against the same final .config (no tree: the check itself;
#    with -k: also the tree's Kconfig files for types, depends on and typos, parsed or cached).
args=(--base "$K/debian.config" "${FRAGS[@]}" "$HERE/resolve.kcm")
have_perf=$(command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1 && echo yes)
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
bench() { # label command... -> one table line: median wall ms, median CPU ms
	local label=$1 i t0 t1 cpu
	shift
	: >"$W/wall"
	: >"$W/cpu"
	# Wall time without perf in the way ($EPOCHREALTIME: no process for the clock), then CPU
	# time under perf stat in separate runs.
	for i in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		echo "($t1 - $t0) * 1000" | bc -l >>"$W/wall"
	done
	for i in $(seq "$RUNS"); do
		[ "$have_perf" = yes ] || break
		perf stat -x, -e task-clock -o "$W/perf.out" "$@" >/dev/null 2>&1
		awk -F, '/task-clock/ { print $1 }' "$W/perf.out" >>"$W/cpu"
	done
	cpu=$(median <"$W/cpu")
	[ "$cpu" = - ] || cpu=$(printf '%.2f' "$cpu")
	printf '  %-52s %8.2f ms wall %8s ms CPU\n' "$label" "$(median <"$W/wall")" "$cpu"
}
cache=$W/kcache
has_cache=$("$KM" --help 2>/dev/null | grep -q -- --cache-dir && echo yes || true)
nocache=()
[ "$has_cache" = yes ] && nocache=(--no-cache)

echo "bench-kconfig: Debian config + 8 fragments, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  kconfig-merge: median of $RUNS runs each${have_perf:+ (CPU: perf stat task-clock)}; $KM"
printf '  %-52s %8.2f ms\n' "merge_config.sh -m (merge)" "$(fmt_ms "$mc_merge")"
[ -n "$mc_check" ] && printf '  %-52s %8.2f ms (%s mismatches reported)\n' \
	"merge_config.sh check (requested vs actual)" "$(fmt_ms "$mc_check")" "$mc_reported"
bench "kconfig-merge merge (to stdout)" "$KM" merge -q "${args[@]}"
bench "kconfig-merge merge -o (atomic, fsynced)" "$KM" merge -q -o "$W/ours/merged.config" "${args[@]}"
bench "kconfig-merge verify -c (merge + check)" "$KM" verify -q -c "$W/final/.config" "${args[@]}"
RUNS=$((RUNS < 10 ? RUNS : 10)) bench "kconfig-merge verify -k -c (Kconfig files parsed)" \
	"$KM" verify -q "${nocache[@]}" -k "$SRC" -c "$W/final/.config" "${args[@]}"
if [ "$has_cache" = yes ]; then
	"$KM" verify -q --cache-dir "$cache" -k "$SRC" -c "$W/final/.config" "${args[@]}" >/dev/null 2>&1
	bench "kconfig-merge verify -k -c (Kconfig tree cached)" \
		"$KM" verify -q --cache-dir "$cache" -k "$SRC" -c "$W/final/.config" "${args[@]}"
fi
RUNS=3 bench "kconfig-merge merge_config -m (compat)" "$KM" merge_config -m -O "$W/ours" \
	"$K/debian.config" "${FRAGS[@]}"
"$KM" verify -q -c "$W/final/.config" "${args[@]}" 2>"$W/ours-verify.out" || true
echo "  verify -c: $(grep '^verify:' "$W/ours-verify.out")"
