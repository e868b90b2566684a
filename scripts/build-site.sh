#!/usr/bin/env bash
# Builds the browser part of Amtsweg (the hydration bundle) and the site's
# static files into the Leptos site root:
#
#   <site>/pkg/amtsweg.js     wasm-bindgen's loader
#   <site>/pkg/amtsweg.wasm   the app compiled with the `hydrate` feature
#   <site>/pkg/amtsweg.css    style/main.css
#   <site>/pkg/amtsweg.{wasm,js}.gz   gzip copies, served to browsers that take them
#
# <site> is $LEPTOS_SITE_ROOT, by default <target dir>/site, where the target
# dir is $CARGO_TARGET_DIR or ./target. Needs the wasm32-unknown-unknown target
# and the matching wasm-bindgen-cli: scripts/setup.sh --run installs them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
case ":$PATH:" in
    *":$HOME/.cargo/bin:"*) ;;
    *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;;
esac
# Leptos's hydration scripts ask for /pkg/<LEPTOS_OUTPUT_NAME>.wasm; the same
# value must be set for every cargo command so nothing is rebuilt for it.
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-amtsweg}"

say() { printf 'build-site: %s\n' "$*"; }
die() {
    printf 'build-site: ERROR: %s\n' "$*" >&2
    exit 1
}

target_dir="${CARGO_TARGET_DIR:-target}"
site_root="${LEPTOS_SITE_ROOT:-$target_dir/site}"
pkg_dir="$site_root/pkg"
name="$LEPTOS_OUTPUT_NAME"

command -v wasm-bindgen >/dev/null 2>&1 ||
    die "wasm-bindgen not found; run scripts/setup.sh --run first"

say "cargo build -p amtsweg-app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release"
cargo build -p amtsweg-app --lib --target wasm32-unknown-unknown \
    --no-default-features --features hydrate --profile wasm-release

wasm="$target_dir/wasm32-unknown-unknown/wasm-release/amtsweg_app.wasm"
[ -f "$wasm" ] || die "$wasm was not built"

say "wasm-bindgen --target web --remove-name-section --out-dir $pkg_dir --out-name $name"
mkdir -p "$pkg_dir"
# Without the function names (about 2 MB that only a debugger reads).
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$pkg_dir" --out-name "$name" "$wasm"
# Leptos, built with LEPTOS_OUTPUT_NAME set, loads <name>.wasm, not <name>_bg.wasm.
mv -f "$pkg_dir/${name}_bg.wasm" "$pkg_dir/$name.wasm"

if command -v wasm-opt >/dev/null 2>&1; then
    say "wasm-opt -Oz $pkg_dir/$name.wasm"
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        -o "$pkg_dir/$name.wasm" "$pkg_dir/$name.wasm"
else
    say "wasm-opt not found: skipping size optimisation (optional)"
fi

# Compressed copies, served to browsers that accept gzip (ServeDir's
# precompressed_gzip): the wasm shrinks to about a third.
say "gzip -9 $pkg_dir/$name.wasm $pkg_dir/$name.js"
gzip -9 -k -f -n "$pkg_dir/$name.wasm" "$pkg_dir/$name.js"

# The app links the stylesheet as /pkg/<name>.css.
say "copy style/main.css -> $pkg_dir/$name.css"
cp style/main.css "$pkg_dir/$name.css"

say "done: $pkg_dir ($(du -sh "$pkg_dir" | cut -f1))"
