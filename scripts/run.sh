#!/usr/bin/env bash
# Starts the Amtsweg portal on http://127.0.0.1:3000 with the example forms
# and the embedded defaults (SQLite and files under ./data, mail as .eml
# files, E-Akte drop folders under ./data/eakte).
#
#   scripts/run.sh                     installs what is missing, builds, serves
#   scripts/run.sh check-definition F  any other `amtsweg` command and its arguments
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

if [ $# -eq 0 ]; then
    set -- serve
fi
echo "run: cargo run --release -p amtsweg-server --bin amtsweg -- $*"
exec cargo run --release -p amtsweg-server --bin amtsweg -- "$@"
