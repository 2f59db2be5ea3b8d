#!/usr/bin/env bash
# decK applies kongsnap's own snapshot directory as is: `kongsnap dump` of a seeded kongsim, `deck gateway sync DIR`
# into an empty kongsim, then `deck gateway diff DIR` reports no changes and `kongsnap diff`-style comparison of the
# two gateways is clean. Needs bin/ (make build) and decK as scripts/interop.sh builds it. With KONG_ADMIN_URL set,
# that gateway (empty, and reset at the end) takes the synced side's place instead of a second kongsim.
set -euo pipefail
cd "$(dirname "$0")/.."
deck=${KONGSNAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kongsnap}/deck-v1.55.0/bin/deck
[ -x "$deck" ] || { echo "interop-kongsnap: run scripts/interop.sh first (it builds decK)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kongsnap-interop-dir.XXXXXX")
# start runs inside $(...), a subshell, so it records each kongsim's pid in a file the EXIT trap reads.
stop_sims() { [ -f "$work/pids" ] && kill $(cat "$work/pids") 2>/dev/null; true; }
trap stop_sims EXIT

start() { # start NAME [kongsim flags...]: prints the admin URL once it answers
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
  echo "interop-kongsnap: kongsim $name did not start (see $work/$name.log)" >&2; exit 1
}

source_url=$(start source --seed testdata/rich/kong.yaml)
bin/kongsnap dump --admin-url "$source_url" --secrets plain -o "$work/snapshot" 2>"$work/dump.log"
ls "$work/snapshot" | grep -q MANIFEST.kongsnap || { echo "interop-kongsnap: no manifest in the dump" >&2; exit 1; }

if [ -n "${KONG_ADMIN_URL:-}" ]; then
  target_url=${KONG_ADMIN_URL%/}
  "$deck" gateway dump --yes --kong-addr "$target_url" -o "$work/before.yaml" >/dev/null 2>&1 &&
    [ "$(grep -cv '^_format_version:' "$work/before.yaml")" -eq 0 ] ||
    { echo "interop-kongsnap: FAIL: $target_url is not an empty gateway" >&2; exit 1; }
  trap 'stop_sims; "$deck" gateway reset --force --kong-addr "$target_url" >/dev/null 2>&1 || true' EXIT
else
  target_url=$(start target)
fi
"$deck" gateway sync --kong-addr "$target_url" "$work/snapshot" >"$work/sync.log" 2>&1 ||
  { cat "$work/sync.log" >&2; echo "interop-kongsnap: FAIL: deck gateway sync of kongsnap's directory" >&2; exit 1; }
"$deck" gateway diff --kong-addr "$target_url" --non-zero-exit-code "$work/snapshot" >"$work/diff.log" 2>&1 ||
  { cat "$work/diff.log" >&2; echo "interop-kongsnap: FAIL: deck gateway diff after syncing kongsnap's directory" >&2; exit 1; }
grep -q 'Created: 0' "$work/diff.log" && grep -q 'Updated: 0' "$work/diff.log" && grep -q 'Deleted: 0' "$work/diff.log" ||
  { cat "$work/diff.log" >&2; echo "interop-kongsnap: FAIL: decK sees changes" >&2; exit 1; }

# And the gateway decK built from kongsnap's files dumps to the same snapshot kongsnap took of the source.
bin/kongsnap dump --admin-url "$target_url" --secrets plain -o "$work/resynced" 2>>"$work/dump.log"
for f in "$work"/snapshot/*.yaml; do
  name=$(basename "$f")
  # basic-auth passwords are hashes: decK sends them back and Kong hashes them again (a limit of both tools).
  if ! diff -q <(grep -v 'password:' "$f") <(grep -v 'password:' "$work/resynced/$name") >/dev/null; then
    diff -u "$f" "$work/resynced/$name" | head -40 >&2
    echo "interop-kongsnap: FAIL: $name differs after a decK round trip" >&2; exit 1
  fi
done
echo "interop-kongsnap: PASS: deck gateway sync/diff accept kongsnap's directory; round trip identical (basic-auth hashes aside)"
stop_sims
rm -rf "$work"
