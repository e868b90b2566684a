#!/usr/bin/env bash
# Starts the Amtsweg portal on http://127.0.0.1:3000 with the example forms
# and the embedded defaults (SQLite and files under ./data, mail as .eml
# files, E-Akte drop folders under ./data/eakte).
#
#   scripts/run.sh                     installs what is missing, builds, serves
#   scripts/run.sh check-definition F  any other `amtsweg` command and its arguments
#   scripts/run.sh --with-test-login   serves with login: starts the OpenID Connect
#                                      test provider (end2end/oidc/provider.mjs, needs
#                                      Node.js) on http://127.0.0.1:$AMTSWEG_TEST_LOGIN_PORT
#                                      (default 3100) and points AMTSWEG_OIDC_* at it.
#                                      For development only: its accounts have no password.
#
# The settings are the AMTSWEG_* environment variables (see README.md); this
# script sets only those that it needs and leaves any you set alone.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh --run
case ":$PATH:" in
    *":$HOME/.cargo/bin:"*) ;;
    *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-amtsweg}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-${CARGO_TARGET_DIR:-target}/site}"
export AMTSWEG_DEFINITIONS_DIR="${AMTSWEG_DEFINITIONS_DIR:-forms/definitions}"
export AMTSWEG_DATA_DIR="${AMTSWEG_DATA_DIR:-./data}"

./scripts/build-site.sh

with_test_login=false
if [ "${1:-}" = "--with-test-login" ]; then
    with_test_login=true
    shift
fi
if [ $# -eq 0 ]; then
    set -- serve
fi
if [ "$with_test_login" = false ]; then
    echo "run: cargo run --release -p amtsweg-server --bin amtsweg -- $*"
    exec cargo run --release -p amtsweg-server --bin amtsweg -- "$@"
fi

# Login through the test provider (never in production).
command -v node >/dev/null || { echo "run: --with-test-login needs Node.js (node)" >&2; exit 1; }
if [ ! -d end2end/node_modules/oidc-provider ]; then
    echo "run: npm ci in end2end/ (the test provider's packages)"
    (cd end2end && npm ci --no-audit --no-fund)
fi
login_port="${AMTSWEG_TEST_LOGIN_PORT:-3100}"
export AMTSWEG_PUBLIC_URL="${AMTSWEG_PUBLIC_URL:-http://${AMTSWEG_LISTEN:-127.0.0.1:3000}}"
export AMTSWEG_OIDC_ISSUER="http://127.0.0.1:$login_port"
export AMTSWEG_OIDC_CLIENT_ID="${AMTSWEG_OIDC_CLIENT_ID:-amtsweg-dev}"
export AMTSWEG_OIDC_CLIENT_SECRET="${AMTSWEG_OIDC_CLIENT_SECRET:-amtsweg-dev-secret}"
OIDC_PORT="$login_port" node end2end/oidc/provider.mjs &
login_pid=$!
trap 'kill "$login_pid" 2>/dev/null || true' EXIT
echo "run: test login at $AMTSWEG_OIDC_ISSUER (user names: citizen-substanziell, business-hoch, … see end2end/oidc/accounts.json)"
echo "run: cargo run --release -p amtsweg-server --bin amtsweg -- $*"
cargo run --release -p amtsweg-server --bin amtsweg -- "$@"
