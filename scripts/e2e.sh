#!/usr/bin/env bash
# Runs the end-to-end tests (end2end/, Playwright on Debian's Chromium) against
# a fresh server: `amtsweg serve` on a free loopback port with a new, empty
# data directory, stopped again at the end. Login goes to the OpenID Connect
# test provider (end2end/oidc/provider.mjs), started on another free loopback
# port and stopped at the end as well.
#
#   scripts/e2e.sh                       both projects (JavaScript on and off)
#   scripts/e2e.sh hydration --project js-on    any arguments for `playwright test`
#
# The server binary is $AMTSWEG_BIN, or the debug build of `amtsweg`, which
# this script builds (a no-op after scripts/test.sh). The browser files are
# taken from $LEPTOS_SITE_ROOT (default target/site) and built with
# scripts/build-site.sh when missing. Needs what `scripts/setup.sh` installs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root_dir=$(pwd)
case ":$PATH:" in
    *":$HOME/.cargo/bin:"*) ;;
    *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;;
esac
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-amtsweg}"
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root_dir/$target_dir" ;; esac
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$target_dir/site}"

say() { printf 'e2e: %s\n' "$*"; }
die() {
    printf 'e2e: ERROR: %s\n' "$*" >&2
    exit 1
}

if [ -n "${AMTSWEG_BIN:-}" ]; then
    server_bin="$AMTSWEG_BIN"
else
    say "cargo build -p amtsweg-server --bin amtsweg"
    cargo build -p amtsweg-server --bin amtsweg
    server_bin="$target_dir/debug/amtsweg"
fi
[ -x "$server_bin" ] || die "no server binary at $server_bin"
if [ ! -f "$LEPTOS_SITE_ROOT/pkg/$LEPTOS_OUTPUT_NAME.wasm" ]; then
    say "no browser files in $LEPTOS_SITE_ROOT: scripts/build-site.sh"
    ./scripts/build-site.sh
fi
[ -d end2end/node_modules ] || die "end2end/node_modules is missing; run scripts/setup.sh first"

tmp_dir=$(mktemp -d "${TMPDIR:-/tmp}/amtsweg-e2e.XXXXXX")
server_pid=""
oidc_pid=""
stop_server() {
    local rc=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$oidc_pid" ] && kill -0 "$oidc_pid" 2>/dev/null; then
        kill "$oidc_pid" 2>/dev/null || true
        wait "$oidc_pid" 2>/dev/null || true
    fi
    if [ $rc -eq 0 ]; then
        rm -rf "$tmp_dir"
    else
        echo "e2e: the server's data and log are kept in $tmp_dir; its last lines:"
        tail -n 40 "$tmp_dir/server.log" 2>/dev/null | sed 's/^/    /' || true
    fi
    exit $rc
}
trap stop_server EXIT
trap 'exit 130' INT TERM

free_port() {
    node -e '
        const s = require("net").createServer();
        s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
    '
}
port=$(free_port)
base_url="http://127.0.0.1:$port"
# Hermetic: the embedded defaults only, whatever this shell has configured.
unset AMTSWEG_CONFIG AMTSWEG_OIDC_ISSUER AMTSWEG_OIDC_CLIENT_ID AMTSWEG_OIDC_CLIENT_SECRET AMTSWEG_SMTP_URL
for name in $(compgen -e | grep '^AMTSWEG_OIDC_' || true); do unset "$name"; done

# The Servicekonto stand-in: a real OpenID provider with test accounts.
oidc_port=$(free_port)
oidc_issuer="http://127.0.0.1:$oidc_port"
export AMTSWEG_OIDC_CLIENT_ID="amtsweg-e2e"
export AMTSWEG_OIDC_CLIENT_SECRET="e2e-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
say "starting the OIDC test provider on $oidc_issuer"
AMTSWEG_PUBLIC_URL="$base_url" OIDC_PORT="$oidc_port" \
    node end2end/oidc/provider.mjs >"$tmp_dir/oidc.log" 2>&1 &
oidc_pid=$!
oidc_ready=false
for _ in $(seq 1 60); do
    kill -0 "$oidc_pid" 2>/dev/null || die "the OIDC test provider exited: $(tail -n 5 "$tmp_dir/oidc.log")"
    if curl -fs -o /dev/null --max-time 2 "$oidc_issuer/.well-known/openid-configuration" 2>/dev/null; then
        oidc_ready=true
        break
    fi
    sleep 0.5
done
[ "$oidc_ready" = true ] || die "the OIDC test provider did not answer within 30 s"
say "starting $server_bin serve on $base_url (data in $tmp_dir/data)"
AMTSWEG_DATA_DIR="$tmp_dir/data" \
    AMTSWEG_LISTEN="127.0.0.1:$port" \
    AMTSWEG_PUBLIC_URL="$base_url" \
    AMTSWEG_DATABASE_URL="sqlite://$tmp_dir/data/amtsweg.db" \
    AMTSWEG_DEFINITIONS_DIR="$root_dir/forms/definitions" \
    AMTSWEG_OIDC_ISSUER="$oidc_issuer" \
    RUST_LOG="${RUST_LOG:-info}" NO_COLOR=1 \
    "$server_bin" serve >"$tmp_dir/server.log" 2>&1 &
server_pid=$!

healthy=false
for _ in $(seq 1 120); do
    kill -0 "$server_pid" 2>/dev/null || die "the server exited before it answered /health"
    if curl -fs -o /dev/null --max-time 2 "$base_url/health" 2>/dev/null; then
        healthy=true
        break
    fi
    sleep 0.5
done
[ "$healthy" = true ] || die "$base_url/health did not answer 200 within 60 s"
say "server healthy at $base_url; npx playwright test $*"

cd end2end
# Mails go to files (lettre's file transport, the default without
# AMTSWEG_SMTP_URL); the tests read them there.
AMTSWEG_BASE_URL="$base_url" \
    AMTSWEG_DEFINITIONS_DIR="$root_dir/forms/definitions" \
    AMTSWEG_E2E_MAIL_DIR="$tmp_dir/data/mail" \
    npx --no-install playwright test "$@"
