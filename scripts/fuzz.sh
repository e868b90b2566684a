#!/usr/bin/env bash
# Fuzzes the form engine's parsers with cargo-fuzz (libFuzzer).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 600)
# Needs the nightly toolchain and cargo-fuzz; installs both if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo +nightly install cargo-fuzz
cd forms/fuzz
# Seed the answer corpus with the benchmark's complete answers.
mkdir -p corpus/evaluate corpus/definition
if [ -f ../benches/large-form-answers.json ]; then
  { printf '\0'; cat ../benches/large-form-answers.json; } > corpus/evaluate/seed-large
fi
for f in ../definitions/*.json; do cp "$f" "corpus/definition/$(basename "$f")"; done
for target in definition evaluate; do
  echo "== fuzzing $target for ${seconds}s"
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 2>&1 \
    | grep -E '^(#[0-9]+ +DONE|Done|==|SUMMARY|.*panicked)' || true
  if ls artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "crash found: forms/fuzz/artifacts/$target"; exit 1
  fi
done
echo "no crashes"
