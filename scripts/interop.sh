#!/usr/bin/env bash
# decK interop check: drives kongsim with the real decK CLI, as a user would, and fails on the first step whose
# outcome would differ from the same step against Kong 3.9. Steps, on testdata/rich/kong.yaml: ping; sync into
# an empty kongsim; diff reports no changes; dump and dump --with-id hold the file's entities; decK validates
# kongsnap's own dump and finds nothing to change against it; a second sync is a no-op; 13 in-place updates
# (interop/testdata/changes.yaml) sync, diff clean and revert; dump --skip-defaults keeps only what the file
# set; validate; a kongsim seeded through kongsnap's restore engine (--seed) diffs clean and dumps identically;
# reset deletes everything the sync created; then interop/testdata/every-plugin.yaml, one plugin of every kind
# Kong 3.9.1 bundles, syncs, diffs clean, dumps back and is reset.
#
# With KONG_ADMIN_URL set, the same steps run against that gateway instead of kongsim (it must be empty; the
# integration workflow points it at a real Kong 3.9), except the seeded-kongsim round, which needs kongsim.
#
#   bash scripts/interop.sh              # run the checks
#   INTEROP_SAVE_DUMPS=1 bash scripts/interop.sh
#                                        # also write decK's dumps to testdata/rich/ after a passing run
#   KONG_ADMIN_URL=http://localhost:8001 bash scripts/interop.sh
#                                        # against a real, empty gateway
#   KONGSIM=/path/to/kongsim KONGSNAP=/path/to/kongsnap bash scripts/interop.sh
#                                        # use binaries built elsewhere instead of ./cmd/kongsim, ./cmd/kongsnap
#
# decK is built once, outside the clone (scripts/deck-path.sh).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

fixture=testdata/rich/kong.yaml
every_plugin=interop/testdata/every-plugin.yaml
gateway=${KONG_ADMIN_URL:-}
log() { printf '%s\n' "$*" >&2; }
die() {
	log "interop: FAIL: $*"
	exit 1
}
now_ms() { date +%s%3N; }
took() {
	local ms=$(($(now_ms) - $1))
	printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# shellcheck source=scripts/deck-path.sh
source "$repo/scripts/deck-path.sh"

free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	die "no free TCP port found on 127.0.0.1"
}

started=$(now_ms)
build_deck

work=$(mktemp -d "${TMPDIR:-/tmp}/kongsnap-interop.XXXXXX")
sim_pids=()
cleanup() {
	local rc=$? pid
	for pid in "${sim_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ $rc -eq 0 ]]; then
		rm -rf "$work"
	else
		log "interop: logs and dumps kept in $work"
	fi
}
trap cleanup EXIT

# provide NAME: copies $<NAME in capitals> when set, else builds ./cmd/NAME, into $work/NAME.
provide() {
	local name=$1 prebuilt t
	prebuilt=$(printenv "${name^^}" || true)
	if [[ -n $prebuilt ]]; then
		cp "$prebuilt" "$work/$name" || die "copying ${name^^}=$prebuilt failed"
		return
	fi
	t=$(now_ms)
	go build -o "$work/$name" "./cmd/$name" || die "building ./cmd/$name failed"
	log "interop: built $name in $(took "$t")"
}
provide kongsim
provide kongsnap

# start_sim NAME [FLAG...] starts kongsim on a free port with its log in $work/NAME.log, points $addr at it, and
# waits until it answers GET / (and, with --seed, until it has loaded the seed file).
start_sim() {
	local name=$1 port pid
	shift
	port=$(free_port)
	addr="http://127.0.0.1:$port"
	"$work/kongsim" --listen "127.0.0.1:$port" "$@" >"$work/$name.log" 2>&1 &
	pid=$!
	sim_pids+=("$pid")
	for _ in $(seq 1 300); do
		if curl -fsS -o /dev/null "$addr/" 2>/dev/null &&
			{ [[ " $* " != *" --seed "* ]] || grep -qw seeded "$work/$name.log"; }; then
			log "interop: kongsim ($name) listening on $addr"
			return
		fi
		kill -0 "$pid" 2>/dev/null || die "kongsim ($name) exited at start: $(tail -5 "$work/$name.log")"
		sleep 0.1
	done
	die "kongsim ($name) not ready on $addr within 30s"
}

if [[ -n $gateway ]]; then
	addr=${gateway%/}
	log "interop: against $addr (KONG_ADMIN_URL)"
else
	start_sim kongsim
fi
under_test=${gateway:-kongsim}

# run NAME CMD... runs one decK command, keeps its output in $work/NAME.out and fails with its tail.
run() {
	local name=$1 t rc=0
	shift
	t=$(now_ms)
	"$deck" "$@" --kong-addr "$addr" --analytics=false >"$work/$name.out" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		log "interop: deck $* exited $rc:"
		tail -20 "$work/$name.out" >&2
		die "step '$name' failed"
	fi
	log "interop: ok   $name ($(took "$t"))"
}

# summary NAME prints "created updated deleted" from decK's Summary block in $work/NAME.out.
summary() {
	awk '/^Summary:/ {s=1} s && /Created:/ {c=$2} s && /Updated:/ {u=$2} s && /Deleted:/ {d=$2}
		END {if (c == "" || u == "" || d == "") exit 1; print c, u, d}' "$work/$1.out" ||
		die "step '$1': no Summary block in decK's output (see $work/$1.out)"
}

# expect_summary NAME "C U D" fails unless decK's Summary in $work/NAME.out reads Created: C Updated: U Deleted: D.
expect_summary() {
	local got
	got=$(summary "$1")
	[[ $got == "$2" ]] || {
		grep -E '^(creating|updating|deleting) ' "$work/$1.out" | head -20 >&2 || true
		die "step '$1': expected (created updated deleted) $2, decK reported $got"
	}
}

expect_no_changes() { expect_summary "$1" "0 0 0"; }

# compare_dump TARGET DUMP DUMP_WITH_ID fails unless both dumps hold the entities of the decK file TARGET.
compare_dump() {
	local t
	t=$(now_ms)
	go test -tags interop -count=1 ./interop -run '^TestDeckDump$' -args \
		-target "$1" -dump "$2" -dump-with-id "$3" >"$work/compare.out" 2>&1 || {
		cat "$work/compare.out" >&2
		die "decK's dump does not hold the entities of $1"
	}
	log "interop: ok   dump matches $1 ($(took "$t"))"
}

run ping gateway ping
if [[ -n $gateway ]]; then
	run dump-before gateway dump --yes -o "$work/before.yaml"
	[[ $(grep -cv '^_format_version:' "$work/before.yaml") -eq 0 ]] ||
		die "$addr is not empty; interop syncs, resets and deletes, so it needs a gateway of its own"
fi
run sync gateway sync "$fixture"
read -r created updated deleted <<<"$(summary sync)"
[[ $created -gt 0 && $updated -eq 0 && $deleted -eq 0 ]] ||
	die "first sync into an empty $under_test: want only creates, decK reported created=$created updated=$updated deleted=$deleted"
log "interop:      sync created $created entities"

run diff gateway diff --non-zero-exit-code "$fixture"
expect_no_changes diff

run dump gateway dump --yes -o "$work/deck-dump.yaml"
run dump-with-id gateway dump --yes --with-id -o "$work/deck-dump-with-id.yaml"
compare_dump "$repo/$fixture" "$work/deck-dump.yaml" "$work/deck-dump-with-id.yaml"

# check_kongsnap_dump NAME OUT checks that decK validates `kongsnap dump -o OUT` and finds the gateway already
# matching it; OUT "-" is one merged file, anything else a directory (the form kongsnap commits). Secrets stay
# plain so decK compares real values.
check_kongsnap_dump() {
	local name=$1 out=$2 t target
	t=$(now_ms)
	target="$work/$name"
	[[ $out == - ]] && target="$work/$name.yaml" || out=$target
	"$work/kongsnap" dump --admin-url "$addr" --secrets plain -o "$out" >"$work/$name.stdout" 2>"$work/$name.err" ||
		die "kongsnap dump -o $out failed: $(tail -5 "$work/$name.err")"
	[[ $out == - ]] && mv "$work/$name.stdout" "$target"
	log "interop: ok   kongsnap dump -o $out ($(took "$t"))"
	"$deck" file validate "$target" >"$work/$name.validate" 2>&1 ||
		die "deck file validate rejects kongsnap's dump $target: $(tail -5 "$work/$name.validate")"
	run "$name-diff" gateway diff --non-zero-exit-code "$target"
	expect_no_changes "$name-diff"
}
check_kongsnap_dump kongsnap-dir "$work/kongsnap-dir"
check_kongsnap_dump kongsnap-file -

run resync gateway sync "$fixture"
expect_no_changes resync

# Updates in place: 13 patched entities go out as full-replace PUTs, and syncing the original puts them back.
"$deck" file patch -s "$fixture" -o "$work/changed.yaml" interop/testdata/changes.yaml >"$work/patch.out" 2>&1 ||
	die "deck file patch of $fixture failed: $(tail -5 "$work/patch.out")"
run change gateway sync "$work/changed.yaml"
expect_summary change "0 13 0"
run change-diff gateway diff --non-zero-exit-code "$work/changed.yaml"
expect_no_changes change-diff
run change-dump gateway dump --yes --with-id -o "$work/changed-dump.yaml"
compare_dump "$work/changed.yaml" "$work/changed-dump.yaml" "$work/changed-dump.yaml"
run revert gateway sync "$fixture"
expect_summary revert "0 13 0"
run revert-diff gateway diff --non-zero-exit-code "$fixture"
expect_no_changes revert-diff

# dump --skip-defaults strips every value equal to a default kongsim serves in /schemas, so what is left must be
# what the file set. decK v1.55.0 cannot do it with basic-auth credentials (it asks Kong for the schema of
# "basicauth_credential", which no Kong has), so this round runs on the fixture without its one basic-auth.
"$deck" file patch -s "$fixture" -o "$work/no-basic-auth.yaml" interop/testdata/no-basic-auth.yaml \
	>"$work/patch.out" 2>&1 || die "deck file patch of $fixture failed: $(tail -5 "$work/patch.out")"
run skip-sync gateway sync "$work/no-basic-auth.yaml"
expect_summary skip-sync "0 0 1"
run skip-dump gateway dump --yes --skip-defaults -o "$work/skip-defaults.yaml"
t=$(now_ms)
go test -tags interop -count=1 ./interop -run '^TestDeckDumpSkipDefaults$' -args \
	-skip-defaults-target "$work/no-basic-auth.yaml" -skip-defaults-dump "$work/skip-defaults.yaml" \
	>"$work/compare.out" 2>&1 || {
	cat "$work/compare.out" >&2
	die "the schema defaults $under_test serves disagree with the values it stores"
}
log "interop: ok   skip-defaults dump holds only what the file set ($(took "$t"))"
run skip-revert gateway sync "$fixture"
expect_summary skip-revert "1 0 0"

# deck gateway validate posts every entity to /schemas/<entity>/validate. decK v1.55.0 adds "SkipHash": null to
# basic-auth credentials there, which Kong 3.9 rejects as an unknown field (Kong/deck#1957, fixed after v1.55.0),
# so the one acceptable failure is exactly that one.
t=$(now_ms)
rc=0
"$deck" gateway validate "$fixture" --kong-addr "$addr" --analytics=false >"$work/validate.out" 2>&1 || rc=$?
errors=$(grep '^Error' "$work/validate.out" || true)
if [[ $rc -ne 0 && ( -z $errors || -n $(grep -v 'schema violation (SkipHash: unknown field)' <<<"$errors") ) ]]; then
	tail -20 "$work/validate.out" >&2
	die "step 'validate' failed other than on decK's known SkipHash field"
fi
log "interop: ok   validate ($(took "$t"))"

# kongsim --seed loads the fixture through kongsnap's own restore engine: decK must find nothing to change, and
# dump it byte for byte as it dumped what decK itself synced.
if [[ -z $gateway ]]; then
	seeded_from=$addr
	start_sim kongsim-seeded --seed "$fixture"
	run seeded-diff gateway diff --non-zero-exit-code "$fixture"
	expect_no_changes seeded-diff
	run seeded-dump gateway dump --yes -o "$work/seeded-dump.yaml"
	cmp -s "$work/seeded-dump.yaml" "$work/deck-dump.yaml" || {
		diff -u "$work/deck-dump.yaml" "$work/seeded-dump.yaml" | head -40 >&2
		die "decK dumps a kongsim seeded by kongsnap's restore differently from one synced by decK"
	}
	addr=$seeded_from
else
	log "interop: skip seeded-diff, seeded-dump (they need kongsim --seed)"
fi

run reset gateway reset --force
read -r _ _ removed <<<"$(summary reset)"
[[ $removed -eq $created ]] || die "reset deleted $removed entities, the sync created $created"
run dump-empty gateway dump --yes -o "$work/empty.yaml"
[[ $(grep -cv '^_format_version:' "$work/empty.yaml") -eq 0 ]] ||
	die "$under_test still holds entities after deck gateway reset: $(head -5 "$work/empty.yaml")"

# One plugin of every bundled kind: decK syncs them all, finds nothing to change and dumps them back.
run every-plugin-sync gateway sync "$every_plugin"
read -r ep_created _ _ <<<"$(summary every-plugin-sync)"
expect_summary every-plugin-sync "$ep_created 0 0"
log "interop:      every-plugin sync created $ep_created entities"
run every-plugin-diff gateway diff --non-zero-exit-code "$every_plugin"
expect_no_changes every-plugin-diff
run every-plugin-dump gateway dump --yes -o "$work/every-plugin-dump.yaml"
run every-plugin-dump-with-id gateway dump --yes --with-id -o "$work/every-plugin-dump-with-id.yaml"
compare_dump "$repo/$every_plugin" "$work/every-plugin-dump.yaml" "$work/every-plugin-dump-with-id.yaml"
run every-plugin-reset gateway reset --force

if [[ ${INTEROP_SAVE_DUMPS:-} == 1 ]]; then
	install -m 0644 "$work/deck-dump.yaml" "$work/deck-dump-with-id.yaml" testdata/rich/
	log "interop: saved testdata/rich/deck-dump.yaml and deck-dump-with-id.yaml"
fi
log "interop: PASS: decK $deck_version against $under_test in $(took "$started")"
