#!/usr/bin/env bash
# Times the analytics in headless Chromium (tests/analytics_bench.rs): the full segmentation
# recompute (`analyze`, median of 5) and the BG/NBD + Gamma-Gamma fit (`clv_report`, median of 3)
# on the Large (100,000 customers, ~1 M orders) and Classroom demo workspaces.
#
#   scripts/bench-wasm-analytics.sh
#
# The build is `--release`, i.e. the workspace release profile the app ships with (opt-level "z",
# LTO). The figures are printed as one line `ANALYTICS_BENCH {json}`.
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-test-runner (= Cargo.lock's
# wasm-bindgen) on PATH, /usr/bin/chromium and /usr/bin/chromedriver; webdriver.json at the repo
# root holds the Chromium binary and flags.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"

cargo test --release --target wasm32-unknown-unknown --test analytics_bench -- --nocapture "$@"
