#!/usr/bin/env bash
# Runs the storage tests (wasm-bindgen-test) in headless Chromium.
#
#   scripts/test-wasm.sh            the storage tests (tests/storage.rs)
#   scripts/test-wasm.sh --bench    also the storage benchmark (tests/storage_bench.rs, ~1 M orders;
#                                   prints timings; takes minutes)
#
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli (= Cargo.lock's wasm-bindgen) on
# PATH, /usr/bin/chromium and /usr/bin/chromedriver. webdriver.json at the repo root holds the
# Chromium binary and flags; wasm-bindgen-test-runner reads it from the current directory.
# Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"
# The whole suite must finish within this many seconds (the runner's default is 20).
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"

for tool in wasm-bindgen-test-runner "$CHROMEDRIVER"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test-wasm: $tool not found" >&2
    exit 2
  fi
done

cargo test --target wasm32-unknown-unknown --test storage --test storage_append --test demo_wasm --test durable

if [[ "${1:-}" == "--bench" ]]; then
  WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT_BENCH:-1200}" \
    cargo test --release --target wasm32-unknown-unknown --test storage_bench -- --include-ignored
fi
