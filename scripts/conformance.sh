#!/usr/bin/env bash
# go-kong conformance: runs go-kong v0.78.0's own kong/ package tests (source and test files from the Go module
# cache; nothing of go-kong is committed) against an Admin API, in two passes:
#   1. one top-level test at a time, each against a fresh kongsim (against KONG_ADMIN_URL when it is set, the
#      same gateway every time);
#   2. the whole suite in one process against one kongsim (or KONG_ADMIN_URL).
# Every test that does not skip itself must pass. It prints, per pass and in total,
#   conformance: N passed, 0 failed, M skipped
#
#   bash scripts/conformance.sh                           # both passes against kongsim
#   CONFORMANCE_PASSES=suite bash scripts/conformance.sh  # only the single-process pass (CI's quick form)
#   KONG_ADMIN_URL=http://localhost:8001 bash scripts/conformance.sh
#                                                         # the same yardstick against a real Kong 3.9
#   KONGSIM=/path/to/kongsim bash scripts/conformance.sh  # a kongsim built elsewhere
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

gokong_version=v0.78.0
passes=${CONFORMANCE_PASSES:-each,suite}
target=${KONG_ADMIN_URL:-}

# TestBaseRootURL only checks how go-kong reads KONG_ADMIN_URL: its "default" case expects
# http://localhost:8001 with the variable set to the gateway under test, so it cannot pass against any
# address but that one. It says nothing about the gateway; it is skipped by name.
skip_tests='^TestBaseRootURL$'

log() { printf '%s\n' "$*" >&2; }
die() {
	log "conformance: FAIL: $*"
	exit 1
}
now_ms() { date +%s%3N; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kongsnap-conformance.XXXXXX")
sim_pid=
stop_sim() {
	if [[ -n $sim_pid ]]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
		sim_pid=
	fi
}
cleanup() {
	stop_sim
	rm -rf "$work"
}
trap cleanup EXIT

started=$(now_ms)
# The test binary is built once per machine into the cache, like decK (scripts/interop.sh), from a copy of the
# module: the module cache is read-only and go-kong's tests are not part of kongsnap's build.
cache=${KONGSNAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kongsnap}/go-kong-$gokong_version
case $cache in /*) ;; *) cache="$repo/$cache" ;; esac
if [[ ! -x $cache/kong.test ]]; then
	dir=$(GOFLAGS=-mod=mod GONOSUMDB=github.com/kong go mod download -json "github.com/kong/go-kong@$gokong_version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -n $dir && -d $dir/kong ]] || die "could not download github.com/kong/go-kong@$gokong_version from the module proxy"
	rm -rf "$cache/src"
	mkdir -p "$cache"
	cp -r "$dir" "$cache/src"
	chmod -R u+w "$cache/src"
	(cd "$cache/src" && GOFLAGS=-mod=mod GONOSUMDB=github.com/kong go test -c -o "$cache/kong.test.tmp" ./kong/) ||
		die "building go-kong $gokong_version's kong/ tests failed"
	mv "$cache/kong.test.tmp" "$cache/kong.test"
	log "conformance: built go-kong $gokong_version's tests into $cache"
fi

if [[ -z $target ]]; then
	if [[ -n ${KONGSIM:-} ]]; then
		cp "$KONGSIM" "$work/kongsim"
	else
		go build -o "$work/kongsim" ./cmd/kongsim || die "building ./cmd/kongsim failed"
	fi
fi

# start_sim starts a fresh kongsim on a free port and points $addr at it.
start_sim() {
	local n=0
	: >"$work/kongsim.log"
	"$work/kongsim" --listen 127.0.0.1:0 2>"$work/kongsim.log" &
	sim_pid=$!
	while ! addr=$(sed -n 's/.*msg="kongsim listening" url=\([^ ]*\).*/\1/p' "$work/kongsim.log") || [[ -z $addr ]]; do
		kill -0 "$sim_pid" 2>/dev/null || die "kongsim exited at start: $(tail -5 "$work/kongsim.log")"
		n=$((n + 1))
		((n < 1500)) || die "kongsim not ready within 30s"
		sleep 0.02
	done
}

# count FILE adds the top-level results in a go test -v output to passed/failed/skipped.
count() {
	local p f s
	p=$(grep -c '^--- PASS: ' "$1" || true)
	f=$(grep -c '^--- FAIL: ' "$1" || true)
	s=$(grep -c '^--- SKIP: ' "$1" || true)
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if ((f > 0)) || ! grep -qx PASS "$1"; then
		failures+=("$1")
	fi
}

run_tests() { # run_tests OUTPUT ARGS...: runs the test binary from its package directory
	local out=$1
	shift
	(cd "$cache/src/kong" && KONG_ADMIN_URL=$addr "$cache/kong.test" -test.count=1 -test.v -test.timeout=10m "$@") \
		>"$out" 2>&1 || true
}

mapfile -t tests < <("$cache/kong.test" -test.list '.*' | grep -E '^Test' | grep -vE "$skip_tests")
by_name=1 # the tests skip_tests names

total_passed= total_failed=0 total_skipped=
failures=()
summary() { # summary LABEL
	log "conformance ($1): $passed passed, $failed failed, $skipped skipped"
	# the total counts each test once (both passes run the same tests) and every failure of either pass
	total_passed=${total_passed:-$passed} total_skipped=${total_skipped:-$skipped}
	total_failed=$((total_failed + failed))
}

if [[ ,$passes, == *,each,* ]]; then
	t=$(now_ms)
	passed=0 failed=0 skipped=$by_name
	addr=$target
	for name in "${tests[@]}"; do
		[[ -n $target ]] || start_sim
		run_tests "$work/each-$name.out" -test.run "^$name\$"
		[[ -n $target ]] || stop_sim
		count "$work/each-$name.out"
	done
	summary "one test at a time, $(( ($(now_ms) - t) / 1000 ))s"
fi

if [[ ,$passes, == *,suite,* ]]; then
	t=$(now_ms)
	passed=0 failed=0 skipped=$by_name
	addr=$target
	[[ -n $target ]] || start_sim
	run_tests "$work/suite.out" -test.skip "$skip_tests"
	stop_sim
	count "$work/suite.out"
	summary "whole suite in one process, $(( ($(now_ms) - t) / 1000 ))s"
fi

for f in "${failures[@]}"; do
	log "---- $(basename "$f")"
	grep -E '^(--- FAIL|\s+.*(Error|Messages):|\s+.*_test.go:[0-9]+:)' "$f" | head -40 >&2 || tail -20 "$f" >&2
done
log "conformance: took $((($(now_ms) - started) / 1000))s against ${target:-kongsim}"
printf 'conformance: %d passed, %d failed, %d skipped\n' "${total_passed:-0}" "$total_failed" "${total_skipped:-0}"
((${#failures[@]} == 0)) || die "${#failures[@]} runs failed against ${target:-kongsim}"
