# Sourced by scripts/interop.sh and scripts/bench-compare.sh: where decK lives and how it is built once.
# Needs the caller's log, die, now_ms and took; sets deck_version, cache and deck; build_deck builds decK there
# unless the right version is there already.
#
# decK is built from source once into ${KONGSNAP_CACHE:-~/.cache/kongsnap}/deck-<version>/bin/deck, outside the
# clone, so fresh clones on the same machine (CI) reuse it. `go install github.com/kong/deck@v1.55.0` cannot do
# it: decK's go.mod has replace directives, which `go install pkg@version` refuses, and its deprecation lookup
# asks the module proxy for the version list, which the proxy here does not serve. So the script downloads the
# exact module version with `go mod download` and builds it inside a copy of that module, as one builds a clone.
deck_version=v1.55.0
cache=${KONGSNAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kongsnap}/deck-$deck_version
case $cache in /*) ;; *) cache="$repo/$cache" ;; esac
deck="$cache/bin/deck"

build_deck() {
	if [[ -x $deck ]] && "$deck" version 2>/dev/null | grep -q "decK $deck_version "; then
		log "reusing $deck ($deck_version)"
		return
	fi
	local t dir src
	t=$(now_ms)
	log "building decK $deck_version into $deck (a few minutes the first time)"
	dir=$(GOFLAGS=-mod=mod GONOSUMDB=github.com/kong go mod download -json "github.com/kong/deck@$deck_version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -n $dir && -d $dir ]] || die "could not download github.com/kong/deck@$deck_version from the module proxy"
	src="$cache/src-$deck_version"
	rm -rf "$src"
	mkdir -p "$cache/bin"
	cp -r "$dir" "$src"
	chmod -R u+w "$src"
	(cd "$src" && GOFLAGS=-mod=mod GONOSUMDB=github.com/kong go build -trimpath \
		-ldflags "-s -w -X github.com/kong/deck/cmd.VERSION=$deck_version" -o "$deck" .) ||
		die "building decK $deck_version failed"
	log "built decK in $(took "$t")"
}
