# Sourced by lib/deps.sh and lib/deps-musl.sh: apt-get source against a private deb-src list
# derived from the system's deb entries (the system's apt configuration is never edited), in
# $APTDIR.
apt_private() {
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
	local list=$APTDIR/sources.list
	: >"$list.new"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$list.new"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: one stanza per paragraph; emit one-line deb-src entries.
		awk 'function flush() { if (uris != "" && types ~ /deb/) {
				n = split(suites, s, " "); m = split(uris, u, " ");
				for (i = 1; i <= m; i++) for (j = 1; j <= n; j++)
					printf "deb-src %s%s %s %s\n", opt, u[i], s[j], comps } 
				types = uris = suites = comps = opt = "" }
			/^[[:space:]]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
			/^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
			/^Components:/ { sub(/^Components:[[:space:]]*/, ""); comps = $0 }
			/^Signed-By:/ { sub(/^Signed-By:[[:space:]]*/, ""); opt = "[signed-by=" $0 "] " }
			END { flush() }' "$f" >>"$list.new"
	done
	mv "$list.new" "$list"
}
apt_src() {
	apt-get -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" \
		-o Debug::NoLocking=1 "$@"
}
src_version() {
	apt-cache -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" showsrc "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}
