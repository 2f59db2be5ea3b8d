#!/usr/bin/env bash
# kongsnap against decK v1.55.0 on one generated gateway (issue 17): starts kongsim as a separate process holding
# about N entities (kongsim --generate: services with routes and plugins, consumers with key-auth and ACLs,
# upstreams with targets), then, RUNS times in alternation, `kongsnap dump` (encrypted decK directory) and
# `deck gateway dump`, each under /usr/bin/time -v, plus the page-fetch floor (scripts/pagefloor: every page a
# read asks for, fetched once, nothing decoded). Prints the medians of wall time and peak RSS, and the ratios.
#
#   make bench-compare                 # N=100000, RUNS=3
#   N=1000000 RUNS=1 make bench-compare  # the scale run
#   DELAY=5ms make bench-compare       # every kongsim answer delayed by 5 ms (kongsim --fault)
#   KONGSNAP=/path/to/kongsnap make bench-compare  # measure a kongsnap built elsewhere (an older commit)
#
# decK is the one `make interop` builds (scripts/deck-path.sh); GNU time is installed with apt-get when missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

n=${N:-100000}
runs=${RUNS:-3}
delay=${DELAY:-}

log() { printf 'bench-compare: %s\n' "$*" >&2; }
die() {
	log "FAIL: $*"
	exit 1
}
now_ms() { date +%s%3N; }
took() {
	local ms=$(($(now_ms) - $1))
	printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# shellcheck source=scripts/deck-path.sh
source "$repo/scripts/deck-path.sh"
build_deck

if ! /usr/bin/time -v true >/dev/null 2>&1; then
	log "installing GNU time"
	{ apt-get update && apt-get install -y time; } >/dev/null 2>&1 || die "apt-get install time failed; install GNU time"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kongsnap-bench.XXXXXX")
sim_pid=
cleanup() {
	if [[ -n $sim_pid ]]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/kongsim" ./cmd/kongsim || die "building ./cmd/kongsim failed"
if [[ -n ${KONGSNAP:-} ]]; then
	cp "$KONGSNAP" "$work/kongsnap" || die "copying KONGSNAP=$KONGSNAP failed"
else
	go build -o "$work/kongsnap" ./cmd/kongsnap || die "building ./cmd/kongsnap failed"
fi
go build -o "$work/pagefloor" ./scripts/pagefloor || die "building ./scripts/pagefloor failed"

port=$((20000 + RANDOM % 20000))
addr="http://127.0.0.1:$port"
sim_flags=(--listen "127.0.0.1:$port" --generate "$n")
if [[ -n $delay ]]; then
	sim_flags+=(--fault "method=GET,latency=$delay")
fi
t=$(now_ms)
"$work/kongsim" "${sim_flags[@]}" >"$work/kongsim.log" 2>&1 &
sim_pid=$!
until grep -q 'msg=generated' "$work/kongsim.log"; do
	kill -0 "$sim_pid" 2>/dev/null || die "kongsim exited: $(tail -5 "$work/kongsim.log")"
	sleep 0.5
done
entities=$(sed -n 's/.*msg=generated entities=\([0-9]*\).*/\1/p' "$work/kongsim.log")
log "kongsim on $addr holds $entities entities (generated in $(took "$t"))"

export KONGSNAP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# measure NAME CMD... runs CMD under GNU time, appending "seconds kbytes" to $work/NAME.runs.
measure() {
	local name=$1
	shift
	/usr/bin/time -v -o "$work/time.out" "$@" >"$work/$name.log" 2>&1 || {
		tail -5 "$work/$name.log" >&2
		die "$name failed: $*"
	}
	awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]}
		/Maximum resident set size/ {k = $2} END {printf "%.2f %d\n", s, k}' "$work/time.out" >>"$work/$name.runs"
	log "$name: $(tail -1 "$work/$name.runs" | awk '{printf "%.2f s, %.0f MB", $1, $2 / 1024}')"
}

for i in $(seq 1 "$runs"); do
	measure floor "$work/pagefloor" "$addr"
	if ((i % 2)); then
		measure kongsnap "$work/kongsnap" dump --admin-url "$addr" -o "$work/kongsnap-dump" --force
		measure deck "$deck" gateway dump --yes --analytics=false --kong-addr "$addr" -o "$work/deck.yaml"
	else
		measure deck "$deck" gateway dump --yes --analytics=false --kong-addr "$addr" -o "$work/deck.yaml"
		measure kongsnap "$work/kongsnap" dump --admin-url "$addr" -o "$work/kongsnap-dump" --force
	fi
done

# median FILE COLUMN prints the median of a column.
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

ks_s=$(median "$work/kongsnap.runs" 1) ks_kb=$(median "$work/kongsnap.runs" 2)
dk_s=$(median "$work/deck.runs" 1) dk_kb=$(median "$work/deck.runs" 2)
fl_s=$(median "$work/floor.runs" 1) fl_kb=$(median "$work/floor.runs" 2)
cpus=$(nproc)
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "dump of $entities entities${delay:+, $delay per request}, medians of $runs runs; $cpus cores, ${model:-unknown CPU}"
echo
echo "| | wall time | peak RSS |"
echo "|---|---|---|"
awk -v s="$fl_s" -v k="$fl_kb" 'BEGIN {printf "| page-fetch floor | %.2f s | %.0f MB |\n", s, k / 1024}'
awk -v s="$ks_s" -v k="$ks_kb" 'BEGIN {printf "| kongsnap dump | %.2f s | %.0f MB |\n", s, k / 1024}'
awk -v s="$dk_s" -v k="$dk_kb" 'BEGIN {printf "| decK v1.55.0 gateway dump | %.2f s | %.0f MB |\n", s, k / 1024}'
awk -v ks="$ks_s" -v kk="$ks_kb" -v ds="$dk_s" -v dk="$dk_kb" -v fs="$fl_s" 'BEGIN {
	printf "| kongsnap / decK | %.2f | %.2f |\n", ks / ds, kk / dk
	printf "| kongsnap / floor | %.2f | |\n", ks / fs }'
