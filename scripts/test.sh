#!/usr/bin/env bash
# Runs every test of Amtsweg, as CI does (.ci/run calls this script):
#
#   1. setup          scripts/setup.sh: wasm target, wasm-bindgen-cli, chromium,
#                     npm packages of end2end/ (installs only what is missing)
#   2. fmt            cargo fmt --all --check
#   3. clippy         cargo clippy --workspace --all-targets -- -D warnings
#   4. cargo test     unit, property, router, storage (SQLite and PostgreSQL) and doc tests
#   5. site           scripts/build-site.sh: the hydration bundle (wasm)
#   6. server         the `amtsweg` binary, debug profile like the tests (no second build)
#   7. end2end        scripts/e2e.sh: Playwright on Debian's Chromium, JavaScript
#                     on and off, against the server on a free loopback port with
#                     a fresh data dir
#
# PostgreSQL is expected at postgres://postgres@127.0.0.1:5432/postgres
# (override with AMTSWEG_TEST_POSTGRES_URL); the script starts the local cluster
# when it is not running. With CI=true every step must run: nothing is skipped.
# Exits non-zero on the first failure and ends with a summary line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root_dir=$(pwd)
ci="${CI:-false}"
[ "$ci" = "1" ] && ci=true

# Same values for every cargo command here and in the other scripts, so that
# no step rebuilds what another built.
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-amtsweg}"
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root_dir/$target_dir" ;; esac
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$target_dir/site}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-$([ "$ci" = true ] && echo never || echo auto)}"

started=$SECONDS
step_name=""
step_started=0
summary=()
notes=()

say() { printf '\ntest: === %s\n' "$*"; }
step() {
    step_name="$1"
    step_started=$SECONDS
    say "$1"
}
step_done() {
    summary+=("$step_name $((SECONDS - step_started))s")
    step_name=""
}
elapsed() {
    local s=$((SECONDS - started))
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

finish() {
    local rc=$?
    echo
    if [ ${#summary[@]} -gt 0 ]; then
        local joined
        joined=$(printf '%s, ' "${summary[@]}")
        echo "test: steps: ${joined%, }"
    fi
    for note in "${notes[@]}"; do echo "test: NOTE: $note"; done
    # One plain closing line over every runner: cargo's "test result" lines
    # and Playwright's "N passed" / "N failed".
    if [ -n "${counts_dir:-}" ] && [ -d "$counts_dir" ]; then
        local passed failed
        passed=$(cat "$counts_dir"/*.log 2>/dev/null | sed -nE \
            -e 's/^test result: [a-zA-Z]+\. ([0-9]+) passed.*/\1/p' \
            -e 's/^ +([0-9]+) passed \(.*/\1/p' | awk '{s+=$1} END {print s+0}')
        failed=$(cat "$counts_dir"/*.log 2>/dev/null | sed -nE \
            -e 's/^test result: [a-zA-Z]+\. [0-9]+ passed; ([0-9]+) failed.*/\1/p' \
            -e 's/^ +([0-9]+) failed$/\1/p' | awk '{s+=$1} END {print s+0}')
        rm -rf "$counts_dir"
    fi
    if [ $rc -eq 0 ]; then
        echo "test: PASSED: all tests passed in $(elapsed)"
    else
        echo "test: FAILED in step '${step_name:-?}' (exit code $rc) after $(elapsed)"
    fi
    [ -n "${passed:-}" ] && [ "$rc" -eq 0 ] && echo "tests: ${passed} passed, ${failed:-0} failed"
    [ -n "${passed:-}" ] && [ "$rc" -ne 0 ] && echo "tests: ${passed} passed, $(( ${failed:-0} > 0 ? ${failed:-0} : 1 )) failed"
    exit $rc
}
trap finish EXIT
counts_dir=$(mktemp -d "${TMPDIR:-/tmp}/amtsweg-counts.XXXXXX")
trap 'exit 130' INT TERM

# --- 1. setup --------------------------------------------------------------
step setup
./scripts/setup.sh
case ":$PATH:" in
    *":$HOME/.cargo/bin:"*) ;;
    *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

# PostgreSQL for the storage tests that run against both backends.
pg_url="${AMTSWEG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -d "$pg_url"; }
if ! pg_ready && [ -z "${AMTSWEG_TEST_POSTGRES_URL:-}" ] && [ -d /etc/postgresql ] &&
    command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql); do
        echo "test: PostgreSQL not answering; pg_ctlcluster $version main start"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 20); do pg_ready && break; sleep 0.5; done
fi
if pg_ready; then
    export AMTSWEG_TEST_POSTGRES_URL="$pg_url"
    echo "test: PostgreSQL ready: AMTSWEG_TEST_POSTGRES_URL=$pg_url"
elif [ "$ci" = true ]; then
    echo "test: ERROR: PostgreSQL does not answer at $pg_url; CI runs the storage tests against it" >&2
    exit 1
else
    notes+=("PostgreSQL did not answer at $pg_url: the PostgreSQL storage tests did not run")
    echo "test: WARNING: PostgreSQL does not answer at $pg_url; its storage tests will not run" >&2
fi
step_done

# --- 2. formatting ---------------------------------------------------------
step "fmt"
cargo fmt --all --check
step_done

# --- 3. clippy -------------------------------------------------------------
step "clippy"
cargo clippy --workspace --all-targets -- -D warnings
step_done

# --- 4. cargo test ---------------------------------------------------------
step "cargo test"
# Build first and note the artifacts: when the server has integration tests,
# this build also links the `amtsweg` binary, which the end-to-end tests then
# use as it is (a separate `cargo build` would resolve features without the
# dev-dependencies and compile the app and server crates a second time).
artifacts=$(mktemp "${TMPDIR:-/tmp}/amtsweg-artifacts.XXXXXX")
cargo test --workspace --no-run --message-format=json-render-diagnostics >"$artifacts"
test_bin=$(node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
    let exe = "";
    for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const m = JSON.parse(line);
        if (m.reason === "compiler-artifact" && m.target.name === "amtsweg" &&
            m.target.kind.includes("bin") && !m.profile.test && m.executable) exe = m.executable;
    }
    console.log(exe);
' "$artifacts")
rm -f "$artifacts"
# A hung test fails the run after AMTSWEG_TEST_TIMEOUT seconds (default 30
# minutes; the tests themselves take a few) instead of CI's whole budget.
test_timeout="${AMTSWEG_TEST_TIMEOUT:-1800}"
timeout --kill-after=30 "$test_timeout" cargo test --workspace 2>&1 | tee "$counts_dir/cargo.log" || {
    rc=$?
    [ "$rc" -eq 124 ] && echo "test: ERROR: cargo test did not finish within ${test_timeout}s (a hung test?)" >&2
    exit "$rc"
}
step_done

# --- 5. hydration bundle ---------------------------------------------------
step "site"
./scripts/build-site.sh
step_done

# --- 6. server binary ------------------------------------------------------
# Debug profile, like the tests: no second build of the dependencies.
step "server"
if [ -n "$test_bin" ] && [ -x "$test_bin" ]; then
    server_bin="$test_bin"
    echo "test: using the amtsweg binary of the test build: $server_bin"
else
    cargo build -p amtsweg-server --bin amtsweg
    server_bin="$target_dir/debug/amtsweg"
fi
[ -x "$server_bin" ] || {
    echo "test: ERROR: $server_bin was not built" >&2
    exit 1
}
step_done

# --- 7. end-to-end ---------------------------------------------------------
step "end2end"
AMTSWEG_BIN="$server_bin" ./scripts/e2e.sh 2>&1 | tee "$counts_dir/e2e.log"
step_done
