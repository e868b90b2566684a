#!/usr/bin/env bash
# Fuzzes the form engine's parsers (definitions, answers, the FIM import)
# and the xdomea import confirmation parser with cargo-fuzz (libFuzzer).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 600)
# Needs the nightly toolchain and cargo-fuzz; installs both if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)
seconds="${1:-600}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo +nightly install cargo-fuzz

# fuzz DIR TARGET: runs one target of the cargo-fuzz crate in DIR.
fuzz() {
  local dir="$1" target="$2"
  echo "== fuzzing $target for ${seconds}s"
  (cd "$root_dir/$dir" &&
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 2>&1 \
      | grep -E '^(#[0-9]+ +DONE|Done|==|SUMMARY|.*panicked)' || true)
  if ls "$root_dir/$dir"/artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "crash found: $dir/artifacts/$target"; exit 1
  fi
}

# Seed the answer corpus with the benchmark's complete answers.
mkdir -p forms/fuzz/corpus/evaluate forms/fuzz/corpus/definition
if [ -f forms/benches/large-form-answers.json ]; then
  { printf '\0'; cat forms/benches/large-form-answers.json; } > forms/fuzz/corpus/evaluate/seed-large
fi
for f in forms/definitions/*.json; do cp "$f" "forms/fuzz/corpus/definition/$(basename "$f")"; done
# Seed the FIM corpus with the XDatenfelder samples in ../shared/fim.
mkdir -p forms/fuzz/corpus/fim_import
for f in ../shared/fim/v2/*.xml ../shared/fim/v3/*.xml; do
  [ -f "$f" ] && cp "$f" "forms/fuzz/corpus/fim_import/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Seed the confirmation corpus with the hand-written 0630 fixtures.
mkdir -p server/fuzz/corpus/import_confirmation
for f in server/src/xdomea/fixtures/*.xml; do
  cp "$f" "server/fuzz/corpus/import_confirmation/$(basename "$f")"
done

for target in definition evaluate fim_import; do fuzz forms/fuzz "$target"; done
fuzz server/fuzz import_confirmation
echo "no crashes"
