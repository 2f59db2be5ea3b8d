#!/usr/bin/env bash
# kongsnap against decK v1.55.0 and against itself, on generated gateways (issue 17): every target row of the issue,
# measured in one run, printed as one table of medians, ratios, targets and PASS/MISS.
#
# One kongsim process ("main", separate from the tools measured) holds about N entities (kongsim --generate:
# services with routes and plugins, consumers with key-auth and ACLs, upstreams with targets). On it, RUNS times
# each, under /usr/bin/time -v (wall time, peak RSS):
#   - the page-fetch floor (scripts/pagefloor: every page a read asks for, fetched once, nothing decoded);
#   - `kongsnap dump` (encrypted decK directory) and `deck gateway dump`, in alternation;
#   - `kongsnap backup` into a local git repository: first (a new repository), unchanged (run again), changed
#     (one service's retries PATCHed through the Admin API before the run, and back before the next);
#   - `kongsnap diff`, `kongsnap drift` (on_drift: pull-request with --render-dir: the whole drift check, no
#     GitHub) and `kongsnap restore --dry-run` to the commit just backed up; kongsim logs every write it is sent
#     (--log-writes), and the script fails if any of these three sent one, or found a difference.
#   The backups, and the three reads, each run beside a `kongsnap dump` of their own, once per round, and their
#   ratios are to those dumps: measured minutes apart, on a machine whose load drifts, a ratio is the drift's.
# Before each measured command every kongsim running collects its garbage (SIGUSR1; see collect below).
# Then, on other kongsim processes (the table says which):
#   - dump with DELAY (default 5ms) added to every GET, kongsnap and decK in alternation, on a second kongsim
#     generated like the first;
#   - restore of RESTORE_N (default 10,000) generated entities into an empty gateway: `kongsnap restore --yes
#     --parallelism 10` (verification included) from a backup of them, and `deck gateway sync --parallelism 10`
#     of decK's dump of them, in alternation, each into a fresh empty kongsim (its start is not timed).
#
# Scale mode (N above 200,000, or SCALE=1): the rows whose target is about memory only (backup, diff, drift,
# restore plan: peak RSS <= 3 GB); decK's dump (about 23 GB at a million entities), the delayed dump and the
# restore of RESTORE_N are skipped and the table says so.
#
#   make bench-compare                     # N=100000, RUNS=5
#   N=20000 RUNS=1 make bench-compare      # a quick check of the harness
#   N=1000000 RUNS=1 make bench-compare    # the scale run
#   KONGSNAP=/path/to/kongsnap make bench-compare  # measure a kongsnap built elsewhere (an older commit)
#   DELAY=5ms RESTORE_N=10000 TIMEOUT=SECONDS RESTORE_TIMEOUT=SECONDS
#
# A measured command that runs past TIMEOUT (default 600 s + 1 s per 1000 entities; RESTORE_TIMEOUT, default
# 300 s, for the restore row) is stopped and its row shows "> limit" and MISS. decK is the one `make interop`
# builds (scripts/deck-path.sh); GNU time is installed with apt-get when missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

n=${N:-100000}
runs=${RUNS:-5}
delay=${DELAY:-5ms}
restore_n=${RESTORE_N:-10000}
limit_default=${TIMEOUT:-$((600 + n / 1000))}
limit_restore=${RESTORE_TIMEOUT:-300}
scale=${SCALE:-}
if [[ -z $scale ]]; then
	scale=$((n > 200000 ? 1 : 0))
fi

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
declare -A sim_pid sim_addr
cleanup() {
	local name
	for name in "${!sim_pid[@]}"; do
		kill "${sim_pid[$name]}" 2>/dev/null || true
		wait "${sim_pid[$name]}" 2>/dev/null || true
	done
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
ks=$work/kongsnap

# start_sim NAME [FLAG...] starts kongsim on a port the system picks, with its log in $work/sim-NAME.log, and
# waits, however long generating takes (a million entities take minutes), until it answers and, with --generate,
# has generated; sets sim_addr[NAME] and sim_pid[NAME].
start_sim() {
	local name=$1 t waited=0 sim_log
	shift
	sim_log=$work/sim-$name.log
	t=$(now_ms)
	: >"$sim_log"
	"$work/kongsim" --listen 127.0.0.1:0 "$@" >"$sim_log" 2>&1 &
	sim_pid[$name]=$!
	sim_addr[$name]=
	until [[ -n ${sim_addr[$name]} ]] && curl -fsS -o /dev/null "${sim_addr[$name]}/" 2>/dev/null &&
		{ [[ " $* " != *" --generate "* ]] || grep -q 'msg=generated' "$sim_log"; }; do
		kill -0 "${sim_pid[$name]}" 2>/dev/null || die "kongsim ($name) exited: $(tail -5 "$sim_log")"
		sim_addr[$name]=$(sed -n 's/.*msg="kongsim listening" url=\([^ ]*\).*/\1/p' "$sim_log")
		sleep 0.2
		waited=$((waited + 1))
		if ((waited % 150 == 0)); then
			log "kongsim ($name) still starting after $(took "$t")"
		fi
	done
	if [[ " $* " == *" --generate "* ]]; then
		log "kongsim ($name) on ${sim_addr[$name]} holds $(entities "$name") entities (started in $(took "$t"))"
	fi
}

stop_sim() {
	kill "${sim_pid[$1]}" 2>/dev/null || true
	wait "${sim_pid[$1]}" 2>/dev/null || true
	unset "sim_pid[$1]" "sim_addr[$1]"
}

entities() { sed -n 's/.*msg=generated entities=\([0-9]*\).*/\1/p' "$work/sim-$1.log"; }

# writes NAME counts the writes kongsim NAME has been sent (kongsim --log-writes).
writes() { grep -c 'msg=write ' "$work/sim-$1.log" || true; }

export KONGSNAP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
limit=$limit_default

# collect has every kongsim running collect its garbage (SIGUSR1) and waits until each has said so, so that a
# measured command starts on collected heaps. Otherwise a collection the commands before it made due lands in it
# (at 100,000 entities a quarter of a second of two cores), and in this script's fixed order of commands, on the
# same command round after round: that, not the command, was what some rows measured.
collect() {
	local name want waited
	for name in "${!sim_pid[@]}"; do
		want=$(($(grep -c 'msg=collected' "$work/sim-$name.log" || true) + 1))
		kill -USR1 "${sim_pid[$name]}" 2>/dev/null || die "kongsim ($name) is not running: $(tail -5 "$work/sim-$name.log")"
		waited=0
		until (($(grep -c 'msg=collected' "$work/sim-$name.log" || true) >= want)); do
			sleep 0.05
			waited=$((waited + 1))
			((waited < 1200)) || die "kongsim ($name) did not collect within 60 s of SIGUSR1"
		done
	done
}

# measure NAME CMD... runs CMD under GNU time (stopped after $limit seconds), appending "seconds kbytes" to
# $work/NAME.runs, or "limit 0" and a NAME.timeout mark when it ran out of time. Its output is in $work/NAME.log.
measure() {
	local name=$1 rc=0
	shift
	collect
	# GNU time's peak RSS is its child's, timeout's, which includes the command timeout waited for. timeout sends
	# TERM at the limit and KILL 10 s later if the command is still running (exit 124, or 137 after KILL).
	/usr/bin/time -v -o "$work/time.out" timeout --kill-after=10 "$limit" "$@" >"$work/$name.log" 2>&1 || rc=$?
	if ((rc == 124 || rc == 137)); then
		echo "$limit 0" >>"$work/$name.runs"
		touch "$work/$name.timeout"
		log "$name: stopped after $limit s"
		return
	fi
	if ((rc != 0)); then
		tail -5 "$work/$name.log" >&2
		die "$name exited $rc: $*"
	fi
	awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]}
		/Maximum resident set size/ {k = $2} END {printf "%.2f %d\n", s, k}' "$work/time.out" >>"$work/$name.runs"
	log "$name: $(tail -1 "$work/$name.runs" | awk '{printf "%.2f s, %.0f MB", $1, $2 / 1024}')"
}

# expect NAME PHRASE fails the run when NAME's last output lacks PHRASE (unless it ran out of time).
expect() {
	[[ -e $work/$1.timeout ]] || grep -q "$2" "$work/$1.log" ||
		die "$1: no \"$2\" in its output: $(tail -3 "$work/$1.log")"
}

# read_only NAME SIM PHRASE CMD... measures CMD as NAME, records in NAME.writes how many writes kongsim SIM was
# sent meanwhile, and fails the run when the command's output lacks PHRASE (it found a difference).
read_only() {
	local name=$1 sim=$2 phrase=$3 before after
	shift 3
	before=$(writes "$sim")
	measure "$name" "$@"
	after=$(writes "$sim")
	echo $((after - before)) >>"$work/$name.writes"
	if ((after != before)); then
		log "$name sent $((after - before)) writes to kongsim ($sim):"
		grep 'msg=write ' "$work/sim-$sim.log" | tail -n $((after - before)) | head -5 >&2
	fi
	expect "$name" "$phrase"
}

# config FILE REPO_DIR ADMIN_URL writes a kongsnap.yaml with one connection, bench, backed up into REPO_DIR (a local
# repository kongsnap creates, no remotes); drift opens no pull request there (on_drift: pull-request and
# --render-dir), so it runs the whole drift check and writes the body to a file.
config() {
	cat >"$1" <<-EOF
		repository:
		  path: $2
		encryption:
		  key_env: KONGSNAP_KEY
		connections:
		  - name: bench
		    admin_url: $3
		    secrets: encrypt
		    on_drift: pull-request
	EOF
}

started=$(now_ms)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
skipped=()

# --- the main kongsim: floor, dumps, backups, diff, drift, restore plan -------------------------------------
start_sim main --generate "$n" --log-writes
main=${sim_addr[main]}
total=$(entities main)
config "$work/kongsnap.yaml" "$work/repo" "$main"
cfg=(--config "$work/kongsnap.yaml")

for i in $(seq 1 "$runs"); do
	measure floor "$work/pagefloor" "$main"
	if ((scale)); then
		measure dump "$ks" dump --admin-url "$main" -o "$work/kongsnap-dump" --force
	elif ((i % 2)); then
		measure dump "$ks" dump --admin-url "$main" -o "$work/kongsnap-dump" --force
		measure deck-dump "$deck" gateway dump --yes --analytics=false --kong-addr "$main" -o "$work/deck.yaml"
	else
		measure deck-dump "$deck" gateway dump --yes --analytics=false --kong-addr "$main" -o "$work/deck.yaml"
		measure dump "$ks" dump --admin-url "$main" -o "$work/kongsnap-dump" --force
	fi
done
if ((scale)); then
	skipped+=("decK gateway dump of $total entities (it needs about 23 MB of RSS per 1000 entities)")
fi

# The changed backups toggle the first service's retries between its value and one more.
service=$(curl -fsS "$main/services?size=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
retries=$(curl -fsS "$main/services/$service" | grep -o '"retries":[0-9]*' | cut -d: -f2)
[[ -n $service && -n $retries ]] || die "could not read the first service's id and retries from $main"
patch_retries() {
	curl -fsS -o /dev/null -X PATCH -H 'Content-Type: application/json' -d "{\"retries\":$1}" "$main/services/$service" ||
		die "PATCH $main/services/$service failed"
}
# Each row compared with a dump is compared with the dumps measured beside it, in the same loop: on a shared
# machine the load drifts over a run's minutes, and a ratio of figures taken minutes apart measures the drift.
for i in $(seq 1 "$runs"); do
	rm -rf "$work/repo"
	measure dump-backups "$ks" dump --admin-url "$main" -o "$work/kongsnap-dump" --force
	measure backup-first "$ks" "${cfg[@]}" backup --connection bench
	expect backup-first 'first snapshot'
	measure backup-unchanged "$ks" "${cfg[@]}" backup --connection bench
	expect backup-unchanged 'no change since the last snapshot'
	patch_retries $((retries + i % 2))
	measure backup-changed "$ks" "${cfg[@]}" backup --connection bench
	expect backup-changed '1 service changed'
done

for i in $(seq 1 "$runs"); do
	measure dump-reads "$ks" dump --admin-url "$main" -o "$work/kongsnap-dump" --force
	read_only diff main 'no drift from' "$ks" "${cfg[@]}" diff --connection bench
	read_only drift main 'no drift' "$ks" "${cfg[@]}" drift --connection bench --render-dir "$work/prs"
	read_only restore-plan main 'nothing to do' "$ks" "${cfg[@]}" restore --connection bench --to kong/bench --dry-run
done
stop_sim main

# --- dump with DELAY per request, on a second kongsim ----------------------------------------------------------
if ((scale)); then
	skipped+=("dump with $delay per request (needs a second kongsim of $total entities)")
else
	start_sim slow --generate "$n" --fault "method=GET,latency=$delay"
	slow=${sim_addr[slow]}
	for i in $(seq 1 "$runs"); do
		if ((i % 2)); then
			measure slow-dump "$ks" dump --admin-url "$slow" -o "$work/kongsnap-dump" --force
			measure deck-slow-dump "$deck" gateway dump --yes --analytics=false --kong-addr "$slow" -o "$work/deck.yaml"
		else
			measure deck-slow-dump "$deck" gateway dump --yes --analytics=false --kong-addr "$slow" -o "$work/deck.yaml"
			measure slow-dump "$ks" dump --admin-url "$slow" -o "$work/kongsnap-dump" --force
		fi
	done
	stop_sim slow
fi

# --- restore of RESTORE_N entities into an empty gateway, a fresh kongsim per run ---------------------------------
if ((scale)); then
	skipped+=("restore of $restore_n entities (independent of N: see the run at N=100000)")
else
	start_sim source --generate "$restore_n"
	restored=$(entities source)
	config "$work/restore.yaml" "$work/restore-repo" "${sim_addr[source]}"
	"$ks" --config "$work/restore.yaml" backup --connection bench >"$work/restore-backup.log" 2>&1 ||
		die "backing up the $restored entities to restore failed: $(tail -3 "$work/restore-backup.log")"
	"$deck" gateway dump --yes --analytics=false --kong-addr "${sim_addr[source]}" -o "$work/restore-deck.yaml" \
		>"$work/restore-deck-dump.log" 2>&1 || die "decK's dump of the $restored entities to restore failed"
	stop_sim source
	limit=$limit_restore
	restore_kongsnap() {
		start_sim empty
		measure restore "$ks" --config "$work/restore.yaml" restore --connection bench --to kong/bench \
			--admin-url "${sim_addr[empty]}" --parallelism 10 --yes
		stop_sim empty
	}
	restore_deck() {
		start_sim empty
		measure deck-restore "$deck" gateway sync --yes --analytics=false --parallelism 10 \
			--kong-addr "${sim_addr[empty]}" "$work/restore-deck.yaml"
		stop_sim empty
	}
	for i in $(seq 1 "$runs"); do
		if ((i % 2)); then
			restore_kongsnap
			restore_deck
		else
			restore_deck
			restore_kongsnap
		fi
	done
	limit=$limit_default
fi

# --- the table ----------------------------------------------------------------------------------------------

# median NAME COLUMN prints the median of a column of $work/NAME.runs.
median() {
	sort -n -k"$2" "$work/$1.runs" | awk -v c="$2" '{v[NR] = $c} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# figures NAME prints "12.30 s, 582 MB" (medians), or "> 600 s" when a run ran out of time.
figures() {
	if [[ -e $work/$1.timeout ]]; then
		echo "> $(median "$1" 1) s (stopped)"
	else
		awk -v s="$(median "$1" 1)" -v k="$(median "$1" 2)" 'BEGIN {printf "%.2f s, %.0f MB", s, k / 1024}'
	fi
}

# row WORK NAME [against CMP_NAME CMP_LABEL time|rss MAX] [rss_mb MAX] [writes] prints one table row per target:
# NAME's medians, and either their ratio to CMP_NAME's (time or peak RSS) against MAX (- for no target), or its
# peak RSS against MAX megabytes; with writes, the row also needs no write to have been sent during NAME's runs.
row() {
	local what=$1 name=$2 kind=${3:-} ks_v cmp_v ratio target result cmp=— extra=
	shift 3 || shift $#
	local ks_fig
	ks_fig=$(figures "$name")
	case $kind in
	against)
		local cmp_name=$1 label=$2 metric=$3 max=$4 col=1
		shift 4
		[[ $metric == rss ]] && col=2
		ks_v=$(median "$name" $col) cmp_v=$(median "$cmp_name" $col)
		cmp="$label: $(figures "$cmp_name")"
		ratio=$(awk -v a="$ks_v" -v b="$cmp_v" 'BEGIN {printf "%.2f", a / b}')
		target="≤ $max× ${metric/rss/peak RSS}"
		if [[ $max == - ]]; then
			target=— result=—
		elif [[ -e $work/$name.timeout && -e $work/$cmp_name.timeout ]]; then
			ratio='?' result=MISS
		elif [[ -e $work/$name.timeout ]]; then
			ratio="> $ratio" result=MISS
		elif [[ -e $work/$cmp_name.timeout ]]; then
			ratio="< $ratio" result='?'
		elif awk -v r="$ratio" -v m="$max" 'BEGIN {exit !(r <= m)}'; then
			result=PASS
		else
			result=MISS
		fi
		[[ $ratio == '?' ]] || ratio="$ratio ${metric/rss/RSS}"
		;;
	rss_mb)
		local max=$1
		shift
		ks_v=$(median "$name" 2)
		ratio=— target="≤ $max MB peak RSS"
		if [[ ! -e $work/$name.timeout ]] && awk -v k="$ks_v" -v m="$max" 'BEGIN {exit !(k / 1024 <= m)}'; then
			result=PASS
		else
			result=MISS
		fi
		;;
	*)
		ratio=— target=— result=—
		;;
	esac
	if [[ ${1:-} == writes ]]; then
		local w
		w=$(awk '{s += $1} END {print s + 0}' "$work/$name.writes")
		target="$target, 0 writes"
		if ((w > 0)); then
			result="FAIL ($w writes)"
		else
			extra=", 0 writes"
		fi
	fi
	printf '| %s | %s%s | %s | %s | %s | %s |\n' "$what" "$ks_fig" "$extra" "$cmp" "$ratio" "$target" "$result"
}

cpus=$(nproc)
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n ${KONGSNAP:-} ]] && commit="KONGSNAP=$KONGSNAP"
dump="kongsnap dump"
{
	echo
	echo "bench-compare: $total entities (kongsim --generate $n), medians of $runs run$( ((runs == 1)) || echo s); kongsnap $commit, decK $deck_version"
	echo "machine: $cpus cores, ${model:-unknown CPU}, $mem; load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; took $(took "$started")"
	if ((scale)); then
		echo "kongsim \"main\" (one process, --log-writes) serves every row"
	else
		echo "kongsim \"main\" (one process, --log-writes) serves every row but the last two; the delayed dump runs on a second"
		echo "kongsim generated alike (--fault method=GET,latency=$delay), the restore on a fresh empty kongsim per run"
	fi
	echo
	echo "| work | kongsnap | compared with | ratio | target | result |"
	echo "|---|---|---|---|---|---|"
	row "page-fetch floor (scripts/pagefloor)" floor
	row "dump" dump against floor "page-fetch floor" time 2
	if ((!scale)); then
		row "dump" dump against deck-dump "decK gateway dump" time 0.25
		row "dump" dump against deck-dump "decK gateway dump" rss 0.2
		row "dump" dump rss_mb 400
		row "dump, $delay per GET (second kongsim)" slow-dump against deck-slow-dump "decK gateway dump" time 0.2
	fi
	row "backup, first (new repository)" backup-first against dump-backups "$dump (beside the backups)" time -
	row "backup, unchanged" backup-unchanged against dump-backups "$dump (beside the backups)" time 1.1
	row "backup, changed (one service's retries)" backup-changed against dump-backups "$dump (beside the backups)" time 1.2
	row "diff (live vs its branch)" diff against dump-reads "$dump (beside the reads)" time 1.2 writes
	row "drift check (--render-dir, no GitHub)" drift against dump-reads "$dump (beside the reads)" time 1.2 writes
	row "no-op restore plan (--dry-run)" restore-plan against dump-reads "$dump (beside the reads)" time 1.2 writes
	if ((scale)); then
		row "backup, first (new repository)" backup-first rss_mb 3072
		row "backup, unchanged" backup-unchanged rss_mb 3072
		row "backup, changed (one service's retries)" backup-changed rss_mb 3072
		row "diff (live vs its branch)" diff rss_mb 3072
		row "no-op restore plan (--dry-run)" restore-plan rss_mb 3072
	else
		row "restore $restored entities into an empty kongsim (fresh per run), --parallelism 10" restore \
			against deck-restore "decK gateway sync --parallelism 10" time 0.3
	fi
	((${#skipped[@]} == 0)) || echo
	for s in "${skipped[@]}"; do
		echo "skipped: $s"
	done
} >"$work/table.md"
cat "$work/table.md"
[[ -z ${BENCH_TABLE:-} ]] || cp "$work/table.md" "$BENCH_TABLE"
if grep -q '| FAIL (' "$work/table.md"; then
	die "a command that must not write sent writes to kongsim (see the table)"
fi
