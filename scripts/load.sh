#!/usr/bin/env bash
# Load test of the server (docs/benchmarks.md): renders the first step of the
# large form (grosser-testantrag) and posts it, with wrk on loopback, and
# compares the render with nginx serving the very same HTML bytes.
#
#   scripts/load.sh [SECONDS] [CONNECTIONS]     defaults: 15 s, 32 connections
#   PERF_DATA=/tmp/step.perf scripts/load.sh    and record a profile of the render
#
# Then, for scale, /health (one SQLite query, no page) and the 404 page (the
# smallest Leptos page, no database). Fails if the server logged an error or
# a panic during the run.
#
# Builds the release server, starts it with a fresh data dir (SQLite; set
# AMTSWEG_DATABASE_URL=postgres://… for PostgreSQL), starts a draft through
# the real start page (session cookie + CSRF token), then runs wrk. Only
# loopback addresses are used; every run is bounded in time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-15}"
conns="${2:-32}"
scripts/ensure-tools.sh wrk=wrk nginx=nginx-light curl=curl

# AMTSWEG_LOAD_BIN: a server binary built before (e.g. to profile it);
# otherwise the release build of this checkout.
bin="${AMTSWEG_LOAD_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -q -p amtsweg-server --bin amtsweg
    bin=target/release/amtsweg
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/amtsweg-load.XXXXXX")
port=3917
nginx_port=3918
base="http://127.0.0.1:$port"
cleanup() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

AMTSWEG_DATA_DIR="$tmp/data" AMTSWEG_LISTEN="127.0.0.1:$port" AMTSWEG_PUBLIC_URL="$base" \
    AMTSWEG_DEFINITIONS_DIR=forms/definitions RUST_LOG=warn \
    "$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do curl -fs -o /dev/null "$base/health" && break; sleep 0.5; done

# A draft, as a browser starts it: the start page sets the session cookie and
# carries the CSRF token; POST /starten answers 303 to the first step.
jar="$tmp/cookies"
start_page=$(curl -fs -c "$jar" -b "$jar" "$base/forms/grosser-testantrag")
csrf=$(printf '%s' "$start_page" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
step_url=$(curl -fs -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
    -H "Origin: $base" --data-urlencode "_csrf=$csrf" "$base/forms/grosser-testantrag/starten")
# curl writes HttpOnly cookies as "#HttpOnly_host …" lines.
cookie=$(awk 'NF >= 7 && ($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) { print $6 "=" $7 }' "$jar" | head -n1)
[ -n "$step_url" ] && [ -n "$cookie" ] || { echo "load: could not start a draft" >&2; exit 1; }
step_path=${step_url#"$base"}
curl -fs -H "Cookie: $cookie" "$base$step_path" >"$tmp/step.html"
csrf=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$tmp/step.html" | head -n1)
echo "load: step $step_path, $(wc -c <"$tmp/step.html") bytes of HTML"

# nginx serving the same bytes.
mkdir -p "$tmp/www"
cp "$tmp/step.html" "$tmp/www/step.html"
# nginx's workers run as an unprivileged user: let them read the file.
chmod 755 "$tmp" "$tmp/www"
chmod 644 "$tmp/www/step.html"
cat >"$tmp/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/www;
        location / { default_type text/html; }
    }
}
EOF
nginx -c "$tmp/nginx.conf" -p "$tmp"

# The POST: the step's fields (empty answers are fine: the handler parses,
# evaluates the 730-field form, saves the draft and answers 303).
cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "_csrf=$csrf&f_1_1=Mustermann"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["Origin"] = "$base"
EOF

run() {
    echo
    echo "== $1"
    shift
    wrk --latency -t"${threads:-2}" -c"${c:-$conns}" -d"${seconds}s" --timeout 10s "$@" |
        grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|timeout|Socket'
}
if [ -n "${PERF_DATA:-}" ]; then
    perf record -q -F 299 --call-graph dwarf,65528 -p "$server_pid" -o "$PERF_DATA" \
        -- sleep "$seconds" 2>"$tmp/perf.log" &
    perf_pid=$!
fi
run "amtsweg: GET step (render)" -H "Cookie: $cookie" "$base$step_path"
[ -n "${perf_pid:-}" ] && wait "$perf_pid"
# DESIGN.md's budget is server time (< 5 ms at p99): one connection, one
# request at a time, so the latency is the server's time plus loopback, not
# the queue of the 32 connections above.
threads=1 c=1 run "amtsweg: GET step, one connection (server time, no queue)" -H "Cookie: $cookie" "$base$step_path"
run "nginx: the same bytes" "http://127.0.0.1:$nginx_port/step.html"
run "amtsweg: POST step (parse, evaluate, save draft, 303)" -s "$tmp/post.lua" "$base$step_path"
# What this stack costs without the step's work, for the comparison: one
# SQLite query and no page (/health), and the smallest Leptos page, the
# 404 page (no session cookie, no database).
run "amtsweg: /health (one database query, no page)" "$base/health"
run "amtsweg: 404 page (Leptos, no database)" "$base/gibt-es-nicht"
if grep -qE 'ERROR|panicked' "$tmp/server.log"; then
    echo "load: the server logged errors:" >&2
    grep -E 'ERROR|panicked' "$tmp/server.log" | head -n 5 >&2
    exit 1
fi
