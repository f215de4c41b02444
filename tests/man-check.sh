#!/bin/bash
# The man pages (make man): each renders with man -l without a groff warning, and every option
# of its program's --help has an item of its own there, as does every stage-1 parameter of README.md's tables
# in initkit-init(8) -- so a new option or parameter without documentation fails here.
# Usage: tests/man-check.sh [BUILD_DIR]. Ends with "N passed, N failed".
set -uo pipefail
"$(dirname "$0")/../lib/apt-install" man-db groff-base
O=$(realpath "${1:-build}")
SRC=$(realpath "$(dirname "$0")/..")
. "$(dirname "$0")/lib.sh"
# A failure also shows why, from $T/why (then emptied).
ko() { echo "FAIL $1"; fail=$((fail + 1)); [ -s "$T/why" ] && sed 's/^/  | /' "$T/why"; : >"$T/why"; }
: >"$T/why"
# Plain ASCII, no hyphenation, long lines: an option is never split or turned into a dash.
render() { LC_ALL=C MANWIDTH=200 MANROFFOPT='-rHY=0' man -l "$1"; }
# The options a text names: --long, and -x standing alone.
options() { grep -oE -- '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]*//' |
	grep -E -- '^(--[a-z][a-z0-9-]+|-[A-Za-z])$' | sort -u; }

for page in initkit-init.8 initkit-mkimage.8 initkit-stage2.8 initkit-confine.8 kconfig-merge.1; do
	prog=${page%.*}
	f=$O/man/$page
	if render "$f" >"$T/$prog.txt" 2>"$T/why" && [ ! -s "$T/why" ] &&
		grep -q "^NAME" "$T/$prog.txt" && grep -q "^ *$prog - " "$T/$prog.txt"; then
		ok "$page renders with man -l, no warnings, NAME says $prog"
	else
		ko "$page renders with man -l, no warnings, NAME says $prog"
	fi
	"$O/bin/$prog" --help 2>&1 | options >"$T/$prog.opts"
	# Documented = an item of its own: a tagged paragraph heading (indent 7) naming it.
	grep -E '^ {7}-' "$T/$prog.txt" | options >"$T/$prog.items"
	missing=$(comm -23 "$T/$prog.opts" "$T/$prog.items" | tr '\n' ' ')
	n=$(wc -l <"$T/$prog.opts")
	if [ "$n" -gt 0 ] && [ -z "$missing" ]; then
		ok "$page has an item for each of the $n options of $prog --help"
	else
		echo "$prog --help names options missing from $page: ${missing:-(no options found)}" >"$T/why"
		ko "$page has an item for each option of $prog --help"
	fi
	# The other way: an item for an option --help does not name is stale (the option was
	# renamed or dropped) -- apart from --help/--version, which some programs leave out.
	stale=$(comm -13 "$T/$prog.opts" "$T/$prog.items" | grep -vxE -- '-h|--help|-V|--version' | tr '\n' ' ')
	if [ -z "$stale" ]; then
		ok "$page has no item for an option $prog --help does not name"
	else
		echo "$page has items for options $prog --help does not name (stale?): $stale" >"$T/why"
		ko "$page has no item for an option $prog --help does not name"
	fi
done

# Stage 1's parameters: the first column of the tables of README.md's "Stage 1" section.
# (not JSON keys: the timeline's file format, the TPM2 token's fields)
awk '/^## Stage 1/ { f = 1; next } /^## / { f = 0 } /^### / { skip = /Boot timeline/ }
	/^\|/ && !t { t = 1; json = /token field/ } !/^\|/ { t = 0 }
	f && !skip && !json && /^\| `/' "$SRC/README.md" |
	cut -d'|' -f2 | grep -oE '`[^`]+`' | tr -d '`' | sed -E 's/=.*/=/' | grep -v '\*' |
	sort -u >"$T/params"
missing=$(while read -r p; do grep -qF -- "$p" "$T/initkit-init.txt" || echo "$p"; done <"$T/params")
if [ "$(wc -l <"$T/params")" -gt 20 ] && [ -z "$missing" ]; then
	ok "initkit-init.8 documents all $(wc -l <"$T/params") parameters of README.md's stage-1 tables"
else
	echo "missing from initkit-init.8: $(echo $missing)" >"$T/why"
	ko "initkit-init.8 documents every parameter of README.md's stage-1 tables"
fi
summary man
