#!/usr/bin/env bash
# make demo: kongsnap's main job end to end on the embedded defaults, with nothing to configure.
# kongsim (the Kong Admin API simulator) seeded with a realistic gateway, a local snapshot repository with a local
# bare "offsite" remote, a hand-made drift, a drift pull request rendered to a file (no GitHub needed), and a
# restore to the backed-up snapshot: dry run first, then applied and verified.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/bin"
work="$PWD/.cache/demo"
rm -rf "$work"
mkdir -p "$work/logs"
log="$work/logs"
step=0
say() { step=$((step + 1)); printf '%d. %s\n' "$step" "$*"; }
fail() { printf 'demo failed at step %d: %s (see %s)\n' "$((step + 1))" "$1" "$2" >&2; exit 1; }

# 1. A gateway: kongsim on a free loopback port, seeded through kongsnap's own restore engine.
"$bin/kongsim" --listen 127.0.0.1:0 --seed testdata/rich/kong.yaml >"$log/kongsim.log" 2>&1 &
kongsim_pid=$!
trap 'kill "$kongsim_pid" 2>/dev/null || true' EXIT
admin=""
for _ in $(seq 100); do
  admin=$(sed -n 's/.*msg="kongsim listening" url=\([^ ]*\).*/\1/p' "$log/kongsim.log")
  [ -n "$admin" ] && grep -q 'msg=seeded' "$log/kongsim.log" && break
  kill -0 "$kongsim_pid" 2>/dev/null || fail "kongsim did not start" "$log/kongsim.log"
  sleep 0.1
done
[ -n "$admin" ] || fail "kongsim did not start" "$log/kongsim.log"
entities=$(grep -c '^ *- id:' testdata/rich/kong.yaml)
say "kongsim (Kong 3.9 Admin API simulator) is up at $admin with $entities entities from testdata/rich/kong.yaml"

# 2. A snapshot repository with an offsite remote, and a throwaway encryption key for the secrets.
git init -q --bare "$work/offsite.git"
cat >"$work/kongsnap.yaml" <<YAML
repository:
  path: $work/backups
  remotes:
    - name: offsite
      url: file://$work/offsite.git
connections:
  - name: demo
    admin_url: $admin
    secrets: encrypt
    on_drift: pull-request
YAML
KONGSNAP_KEY=$(head -c 32 /dev/urandom | base64)
export KONGSNAP_KEY
ks() { "$bin/kongsnap" "$1" --config "$work/kongsnap.yaml" "${@:2}"; }

ks backup --report "$work/backup.json" >"$log/backup.log" 2>&1 || fail "backup failed" "$log/backup.log"
sha=$(git -C "$work/offsite.git" rev-parse kong/demo)
say "backed up into branch kong/demo at ${sha:0:12}, pushed to the offsite remote with secrets encrypted (bin/kongsnap log --config $work/kongsnap.yaml --connection demo)"

# 3. Someone changes the gateway by hand through the Admin API.
api() { curl -fsS -o /dev/null -X "$1" -H 'Content-Type: application/json' "$admin$2" ${3:+-d "$3"}; }
api PATCH /services/orders '{"retries": 9}'
api POST /services/orders/routes '{"name": "orders-debug", "paths": ["/debug"]}'
api PATCH /plugins/a4000000-0000-4000-8000-000000000006 '{"route": null}'
api DELETE /upstreams/inventory.upstream
say "drifted the live gateway by hand: orders.retries 3→9, a debug route added, the cors plugin moved from a route to global, an upstream deleted"

# 4. Drift is seen and written up as the pull request a reviewer would get.
set +e
ks diff --connection demo >"$log/diff.log" 2>&1
code=$?
set -e
[ "$code" = 2 ] || fail "diff should exit 2 on drift, got $code" "$log/diff.log"
ks drift --render-dir "$work/pull-requests" >"$log/drift.log" 2>&1 || fail "drift failed" "$log/drift.log"
say "drift found ($(sed -n 1p "$log/diff.log" | sed 's/^demo: //')); pull request rendered to $work/pull-requests/demo.md (no GitHub needed for the demo)"

# 5. Restore to the backed-up snapshot: a dry run first, writing nothing.
ks restore --connection demo --to "$sha" --dry-run >"$log/restore-dry-run.log" 2>&1 || fail "dry run failed" "$log/restore-dry-run.log"
say "dry run: $(sed -n 's/^plan: //p' "$log/restore-dry-run.log" | head -1) — nothing written ($log/restore-dry-run.log)"

# 6. Apply it, verified against the snapshot and recorded on the branch.
ks restore --connection demo --to "$sha" --yes >"$log/restore.log" 2>&1 || fail "restore failed" "$log/restore.log"
grep -q '^verified:' "$log/restore.log" || fail "restore was not verified" "$log/restore.log"
say "restored and verified: $(grep '^verified:' "$log/restore.log" | sed 's/^verified: //') ($log/restore.log)"

# 7. The gateway equals its branch again: no drift, and the pull request is gone.
ks diff --connection demo >"$log/diff-after.log" 2>&1 || fail "drift remains after the restore" "$log/diff-after.log"
# The closing run renders into a directory of its own, so the pull request of step 4 stays for you to read; closing
# it deletes the drift branch.
ks drift --render-dir "$work/pull-requests-after" >"$log/drift-after.log" 2>&1 || fail "drift failed" "$log/drift-after.log"
git -C "$work/backups" rev-parse -q --verify refs/heads/kongsnap/drift/demo >/dev/null &&
  fail "the drift pull request was not closed (branch kongsnap/drift/demo remains)" "$log/drift-after.log"
[ ! -e "$work/pull-requests-after/demo.md" ] || fail "the drift pull request was not closed" "$log/drift-after.log"
ks restore --connection demo --to "$sha" --yes >"$log/restore-again.log" 2>&1 || fail "second restore failed" "$log/restore-again.log"
grep -q 'nothing to do' "$log/restore-again.log" || fail "a second restore was not a no-op" "$log/restore-again.log"
say "clean: kongsnap diff reports no drift, the drift pull request is closed, and a second restore is a no-op"
echo "demo complete: everything it made is in $work"
echo "open the drift pull request a reviewer would get: $work/pull-requests/demo.md"
