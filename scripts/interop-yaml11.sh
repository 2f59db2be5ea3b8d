#!/usr/bin/env bash
# decK reads kongsnap's files exactly as kongsnap does (issue 12 §4), proven with the real decK CLI:
#  1. testdata/yaml11/kong.yaml (strings such as no, on, 0123, 1e3, 2001-12-14) is seeded into kongsim; kongsnap
#     dumps it; decK syncs kongsnap's directory into an empty kongsim and dumps that; kongsnap's dump of the synced
#     gateway equals its dump of the source, and kongsim seeded from decK's dump (read by kongsnap's reader) dumps
#     to the same snapshot again.
#  2. a select-tag dump (--select-tag team-payments of testdata/rich) diffed by decK against the full gateway
#     reports no deletes: _info.select_tags scopes decK to the tagged entities.
# Needs bin/ (make build) and decK as scripts/interop.sh builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
deck=${KONGSNAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kongsnap}/deck-v1.55.0/bin/deck
[ -x "$deck" ] || { echo "interop-yaml11: run scripts/interop.sh first (it builds decK)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kongsnap-interop-yaml11.XXXXXX")
# start runs inside $(...), a subshell, so it records each kongsim's pid in a file the EXIT trap reads.
stop_sims() { [ -f "$work/pids" ] && kill $(cat "$work/pids") 2>/dev/null; true; }
trap stop_sims EXIT
fail() { echo "interop-yaml11: FAIL: $*" >&2; exit 1; }

start() { # start NAME [kongsim flags...]: prints the admin URL once it answers (and has seeded)
  local name=$1; shift
  bin/kongsim --listen 127.0.0.1:0 "$@" >"$work/$name.log" 2>&1 &
  echo $! >>"$work/pids"
  for _ in $(seq 100); do
    url=$(sed -n 's/.*kongsim listening.*url=\([^ "]*\).*/\1/p' "$work/$name.log" | head -1)
    if [ -n "$url" ] && { [[ " $* " != *" --seed "* ]] || grep -q 'seeded' "$work/$name.log"; }; then
      echo "$url"; return 0
    fi
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  fail "kongsim $name did not start"
}

dump() { # dump URL DIR [flags...]
  local url=$1 dir=$2; shift 2
  bin/kongsnap dump --admin-url "$url" --secrets plain "$@" -o "$dir" 2>>"$work/dump.log" || { cat "$work/dump.log" >&2; fail "kongsnap dump of $url"; }
}

same_yaml() { # same_yaml DIR1 DIR2 WHAT
  for f in "$1"/*.yaml; do
    cmp -s "$f" "$2/$(basename "$f")" || { diff -u "$f" "$2/$(basename "$f")" | head -40 >&2; fail "$3: $(basename "$f") differs"; }
  done
  [ "$(ls "$1" | grep -c yaml)" = "$(ls "$2" | grep -c yaml)" ] || fail "$3: not the same files"
}

source_url=$(start source --seed testdata/yaml11/kong.yaml)
dump "$source_url" "$work/snapshot"
grep -q 'body: "no"' "$work/snapshot/services.yaml" || fail "kongsnap wrote request-termination's body unquoted"

target_url=$(start target)
"$deck" gateway sync --kong-addr "$target_url" "$work/snapshot" >"$work/sync.log" 2>&1 ||
  { cat "$work/sync.log" >&2; fail "deck gateway sync of kongsnap's directory"; }
"$deck" gateway diff --kong-addr "$target_url" --non-zero-exit-code "$work/snapshot" >"$work/diff.log" 2>&1 ||
  { cat "$work/diff.log" >&2; fail "deck gateway diff after syncing kongsnap's directory"; }
"$deck" gateway dump --yes --with-id --kong-addr "$target_url" -o "$work/deck-dump.yaml" >/dev/null 2>&1 || fail "deck gateway dump"
dump "$target_url" "$work/resynced"
same_yaml "$work/snapshot" "$work/resynced" "decK's sync of kongsnap's files"

reread_url=$(start reread --seed "$work/deck-dump.yaml")
dump "$reread_url" "$work/reread"
same_yaml "$work/snapshot" "$work/reread" "kongsnap reading decK's dump"
echo "interop-yaml11: PASS: decK syncs YAML 1.1 look-alike strings as strings; dumps and reads agree both ways"

rich_url=$(start rich --seed testdata/rich/kong.yaml)
dump "$rich_url" "$work/payments" --select-tag team-payments
for f in "$work"/payments/*.yaml; do
  grep -q 'select_tags:' "$f" || fail "$(basename "$f") of the select-tag dump has no _info.select_tags"
done
"$deck" gateway diff --kong-addr "$rich_url" "$work/payments" >"$work/payments-diff.log" 2>&1 ||
  { cat "$work/payments-diff.log" >&2; fail "deck gateway diff of the select-tag dump"; }
grep -q 'Deleted: 0' "$work/payments-diff.log" || { cat "$work/payments-diff.log" >&2; fail "decK would delete untagged entities"; }
echo "interop-yaml11: PASS: deck gateway diff of a select-tag dump against the full gateway deletes nothing"
stop_sims
rm -rf "$work"
