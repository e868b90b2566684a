#!/usr/bin/env bash
# Load test of submitting (docs/benchmarks.md, "Submissions"): how many
# applications per second the server stores, each in its own durable
# transaction (submission row, reference number, outbox job).
#
#   scripts/load-submit.sh [SECONDS] [CONNECTIONS] [DRAFTS]
#       defaults: 10 s, 32 connections, 700 drafts per second of run
#   RATE=100 scripts/load-submit.sh     offers about RATE submits per second
#       instead of as many as the server takes (each connection pauses
#       CONNECTIONS/RATE seconds after an answer)
#   PERF_DATA=/tmp/submit.perf scripts/load-submit.sh   also profiles the
#       server during the run (perf record --call-graph dwarf; then
#       perf report -i /tmp/submit.perf --no-children)
#
# Builds the release server and starts it on a fresh data dir: SQLite by
# default; with AMTSWEG_DATABASE_URL=postgres://…/DB it creates a fresh
# database amtsweg_load_<pid> on that server and drops it at the end.
# scripts/load_prepare.py then completes DRAFTS drafts of the dog tax form
# (hundesteuer) through the real HTTP journey, each in its own session
# (start page, POST /starten, POST every step). wrk posts
# /forms/hundesteuer/absenden once per draft (scripts/load-submit.lua: a
# different draft per request, each thread its own slice), so every
# request is a new submission; a replayed POST would only be redirected.
#
# The rate is counted in the database, not taken from wrk: the submissions
# stored since wrk started, divided by the time from wrk's start to the
# last commit (if the drafts run out early, the run ends there). Only
# loopback addresses are used; every run is bounded in time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
conns="${2:-32}"
drafts="${3:-$((seconds * ${RATE:-700}))}"
scripts/ensure-tools.sh wrk=wrk python3=python3 curl=curl

cargo build --release -q -p amtsweg-server --bin amtsweg
tmp=$(mktemp -d "${TMPDIR:-/tmp}/amtsweg-load-submit.XXXXXX")
port=3919
base="http://127.0.0.1:$port"
admin_url="${AMTSWEG_DATABASE_URL:-}"
pg_db=""
cleanup() {
    if [ -n "${server_pid:-}" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_db" ]; then
        psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

case "$admin_url" in
postgres://* | postgresql://*)
    scripts/ensure-tools.sh psql=postgresql-client
    backend=postgres
    pg_db="amtsweg_load_$$"
    psql -q "$admin_url" -c "CREATE DATABASE $pg_db" >/dev/null
    # The same server and options, the fresh database.
    without_query="${admin_url%%\?*}"
    query="${admin_url#"$without_query"}"
    db_url="${without_query%/*}/$pg_db$query"
    sql() { psql -At "$db_url" -c "$1"; }
    epoch_sql="extract(epoch from submitted_at)"
    latency_sql="extract(epoch from delivered_at - submitted_at)"
    ;;
"")
    scripts/ensure-tools.sh sqlite3=sqlite3
    backend=sqlite
    db_url="sqlite://$tmp/data/amtsweg.db"
    sql() { sqlite3 "$tmp/data/amtsweg.db" "$1"; }
    epoch_sql="(julianday(submitted_at) - 2440587.5) * 86400.0"
    latency_sql="(julianday(delivered_at) - julianday(submitted_at)) * 86400.0"
    ;;
*)
    echo "load-submit: AMTSWEG_DATABASE_URL must be postgres://… (or unset for SQLite)" >&2
    exit 1
    ;;
esac

AMTSWEG_DATA_DIR="$tmp/data" AMTSWEG_DATABASE_URL="$db_url" AMTSWEG_LISTEN="127.0.0.1:$port" \
    AMTSWEG_PUBLIC_URL="$base" AMTSWEG_DEFINITIONS_DIR=forms/definitions RUST_LOG=warn \
    "${CARGO_TARGET_DIR:-target}/release/amtsweg" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do curl -fs -o /dev/null "$base/health" && break; sleep 0.5; done
curl -fs -o /dev/null "$base/health" || { echo "load-submit: the server did not start:" >&2; cat "$tmp/server.log" >&2; exit 1; }

echo "load-submit: $backend, preparing $drafts complete drafts of the dog tax form"
python3 scripts/load_prepare.py "$base" "$drafts" "$tmp/drafts.tsv"

before=$(sql "SELECT count(*) FROM submissions")
read -r load1 _ </proc/loadavg
if [ -n "${PERF_DATA:-}" ]; then
    perf record -q -F 499 --call-graph dwarf,32768 -p "$server_pid" -o "$PERF_DATA" \
        -- sleep "$seconds" 2>"$tmp/perf.log" &
    perf_pid=$!
fi
pause_ms=0
[ -n "${RATE:-}" ] && pause_ms=$((conns * 1000 / RATE))
started=$(date +%s.%N)
wrk --latency -t2 -c"$conns" -d"${seconds}s" --timeout 10s -s scripts/load-submit.lua \
    "$base/forms/hundesteuer/absenden" -- "$tmp/drafts.tsv" 2 "$base" "$pause_ms" >"$tmp/wrk.out"
read -r load2 _ </proc/loadavg
[ -n "${perf_pid:-}" ] && wait "$perf_pid"
grep -E 'Latency|50%|99%|requests in|Non-2xx|Socket|submit:' "$tmp/wrk.out"

IFS='|' read -r stored last < <(sql "SELECT count(*), max($epoch_sql) FROM submissions")
[ "$stored" -gt "$before" ] || { echo "load-submit: nothing was stored" >&2; tail -n 20 "$tmp/server.log" >&2; exit 1; }
python3 - "$stored" "$before" "$started" "$last" "$load1" "$load2" <<'EOF'
import sys
stored, before = int(sys.argv[1]), int(sys.argv[2])
started, last = float(sys.argv[3]), float(sys.argv[4])
new = stored - before
wall = last - started
print(f"load-submit: {new} submissions stored in {wall:.2f} s = {new / wall:.0f} per second "
      f"(load average {sys.argv[5]} before, {sys.argv[6]} after)")
EOF
if grep -qE 'ERROR|panicked' "$tmp/server.log"; then
    echo "load-submit: the server logged errors:" >&2
    grep -E 'ERROR|panicked' "$tmp/server.log" | head -n 5 >&2
fi

# Delivery under load (DESIGN.md budget: submit -> package in the E-Akte
# drop folder < 2 s at p99): the embedded worker delivers while wrk
# submits; wait (at most DELIVERY_WAIT seconds) until every submission of
# the run is delivered, then take the time from the submission's commit to
# its package landing in the drop folder, as the database recorded both.
wait_s="${DELIVERY_WAIT:-300}"
waited=0
while [ "$(sql "SELECT count(*) FROM submissions WHERE delivered_at IS NULL")" -gt 0 ] &&
    [ "$waited" -lt "$wait_s" ]; do
    sleep 1
    waited=$((waited + 1))
done
packages=$(find "$tmp/data/eakte" -name '*_FVDaten.SGOAblegen.0605.zip' 2>/dev/null | wc -l)
sql "SELECT $latency_sql FROM submissions WHERE delivered_at IS NOT NULL" >"$tmp/latency.txt"
python3 - "$tmp/latency.txt" "$stored" "$packages" "$waited" <<'EOF'
import sys
values = sorted(float(line) for line in open(sys.argv[1]) if line.strip())
stored, packages, waited = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if not values:
    print("load-submit: delivery: nothing was delivered")
    sys.exit(1)
def pct(p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
print(f"load-submit: delivery: {len(values)} of {stored} submissions delivered "
      f"({waited} s after wrk ended), {packages} packages in the drop folders; "
      f"submit -> package p50 {pct(50):.3f} s, p90 {pct(90):.3f} s, "
      f"p99 {pct(99):.3f} s, max {values[-1]:.3f} s")
EOF
