#!/usr/bin/env bash
# Installs what building, running and testing Amtsweg needs, idempotently:
# every step checks first and does nothing when the tool is already there.
#
#   scripts/setup.sh          everything the tests need (default)
#   scripts/setup.sh --run    only what running the portal needs
#   scripts/setup.sh --fuzz   additionally a nightly toolchain and cargo-fuzz
#
# It installs Debian packages with apt-get (as root, or through sudo),
# Rust targets with rustup, wasm-bindgen-cli with cargo and the end-to-end
# test packages with npm. It does not install cargo/rustup or node/npm
# themselves: it stops with a clear message when they are missing.
set -euo pipefail

mode=test
fuzz=false
for arg in "$@"; do
    case "$arg" in
        --run) mode=run ;;
        --test) mode=test ;;
        --fuzz) fuzz=true ;;
        -h | --help)
            sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup: unknown argument '$arg' (expected --run, --test or --fuzz)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root_dir=$(pwd)

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: ERROR: %s\n' "$*" >&2
    exit 1
}

# rustup installs cargo into ~/.cargo/bin; a login shell may not have it yet.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
fi
case ":$PATH:" in
    *":$HOME/.cargo/bin:"*) ;;
    *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

# --- tools this script cannot install -------------------------------------
command -v cargo >/dev/null 2>&1 ||
    die "cargo not found. Install the Rust toolchain with rustup (https://rustup.rs), then run this again."
command -v rustup >/dev/null 2>&1 ||
    die "rustup not found. Amtsweg needs rustup to add the wasm32-unknown-unknown target (https://rustup.rs)."
say "cargo: $(cargo --version)"
if [ "$mode" = test ]; then
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
        die "node and npm not found; the end-to-end tests need Node.js >= 20 with npm (Debian: apt-get install -y nodejs npm)."
    node_major=$(node -p 'process.versions.node.split(".")[0]')
    [ "$node_major" -ge 20 ] ||
        die "Node.js $(node --version) is too old; @playwright/test needs Node.js >= 20."
    say "node: $(node --version), npm $(npm --version 2>/dev/null)"
fi

# --- Debian packages -------------------------------------------------------
apt_packages=()
if [ "$mode" = test ]; then
    # chromium: the browser of the end-to-end tests (never Playwright's own
    # download); libxml2-utils: xmllint for xdomea schema checks; curl: the
    # test script waits for the server's /health with it; poppler-utils
    # (pdfinfo, pdffonts, pdftotext) and qpdf: the receipt PDF's checks.
    apt_packages+=(chromium libxml2-utils curl poppler-utils qpdf)
fi
# C toolchain for crates that compile C (e.g. SQLite's bundled sources).
command -v cc >/dev/null 2>&1 || apt_packages+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || apt_packages+=(pkg-config)

missing=()
for pkg in "${apt_packages[@]}"; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        :
    else
        missing+=("$pkg")
    fi
done
if [ ${#apt_packages[@]} -eq 0 ]; then
    say "Debian packages: none needed"
elif [ ${#missing[@]} -eq 0 ]; then
    say "Debian packages: ${apt_packages[*]} already installed"
else
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        die "missing Debian packages: ${missing[*]}; run as root or install them: apt-get install -y ${missing[*]}"
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "missing packages ${missing[*]} and no apt-get to install them (Amtsweg's scripts expect Debian or Ubuntu)"
    say "Debian packages: apt-get update"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    say "Debian packages: apt-get install -y ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$mode" = test ]; then
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing although the chromium package is installed"
fi

# --- Rust: components and the wasm target ----------------------------------
# rust-toolchain.toml names the toolchain; rustup installs it on first use.
if [ "$mode" = test ]; then
    if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
        say "rustfmt and clippy: already installed"
    else
        say "rustfmt and clippy: rustup component add rustfmt clippy"
        rustup component add rustfmt clippy
    fi
fi
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown target: already installed"
else
    say "wasm32-unknown-unknown target: rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# --- wasm-bindgen-cli, exactly the version in Cargo.lock -------------------
wb_version=$(awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock 2>/dev/null || true)
[ -n "$wb_version" ] ||
    die "no wasm-bindgen package in Cargo.lock; is amtsweg-app a member of the workspace?"
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" = "$wb_version" ]; then
    say "wasm-bindgen-cli $wb_version: already installed"
else
    say "wasm-bindgen-cli $wb_version: cargo install wasm-bindgen-cli --version $wb_version (found: ${have_wb:-none}; takes ~6 minutes once)"
    # Without --locked: its lockfile wants crate versions the registry
    # mirror here does not carry.
    cargo install wasm-bindgen-cli --version "$wb_version" --force --quiet
    have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
    [ "$have_wb" = "$wb_version" ] ||
        die "wasm-bindgen $wb_version installed, but 'wasm-bindgen --version' says '${have_wb:-nothing}': is ~/.cargo/bin first on PATH?"
fi

# --- npm packages of the end-to-end tests ----------------------------------
if [ "$mode" = test ]; then
    e2e="$root_dir/end2end"
    # npm ci writes node_modules/.package-lock.json; older than the lockfile
    # means the dependencies changed since the last install.
    if [ -f "$e2e/node_modules/.package-lock.json" ] &&
        [ ! "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ] &&
        [ ! "$e2e/package.json" -nt "$e2e/node_modules/.package-lock.json" ]; then
        say "end2end npm packages: up to date"
    else
        say "end2end npm packages: npm ci"
        (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi

# --- Python tools of the tests: aiosmtpd, a real SMTP server --------------
# In .tools/python (a venv, git-ignored); the mail tests find it there or
# through AMTSWEG_TEST_PYTHON.
if [ "$mode" = test ]; then
    venv="$root_dir/.tools/python"
    requirements="$root_dir/scripts/test-requirements.txt"
    if [ -x "$venv/bin/python3" ] && [ -f "$venv/.installed" ] &&
        [ ! "$requirements" -nt "$venv/.installed" ]; then
        say "Python test tools (aiosmtpd): up to date"
    else
        command -v python3 >/dev/null 2>&1 ||
            die "python3 not found; the mail tests run aiosmtpd (Debian: apt-get install -y python3 python3-venv)"
        say "Python test tools: python3 -m venv .tools/python; pip install -r scripts/test-requirements.txt"
        python3 -m venv "$venv" ||
            die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
        "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$requirements"
        touch "$venv/.installed"
    fi
fi

# --- fuzzing (only for scripts/fuzz.sh) ------------------------------------
if [ "$fuzz" = true ]; then
    if rustup toolchain list | grep -q '^nightly'; then
        say "nightly toolchain: already installed"
    else
        say "nightly toolchain: rustup toolchain install nightly --profile minimal"
        rustup toolchain install nightly --profile minimal
    fi
    if cargo fuzz --version >/dev/null 2>&1; then
        say "cargo-fuzz: already installed"
    else
        say "cargo-fuzz: cargo install cargo-fuzz"
        cargo install cargo-fuzz --quiet
    fi
fi

say "done ($mode)"
