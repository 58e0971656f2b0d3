#!/usr/bin/env bash
# Browser benchmarks of the built app (release) in Debian's Chromium: bundle size, the large demo
# (generate + store), start to first list render, search keystroke latency, 10,000-customer start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh >/dev/null
source scripts/env.sh
scripts/build.sh >/dev/null 2>&1
wasm=$(ls dist/*.wasm)
js=$(ls dist/kehu-app-*.js)
echo "bundle: wasm $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) gzipped; js glue $(stat -c %s "$js") raw, $(gzip -9 -c "$js" | wc -c) gzipped"
cd end2end && ../node_modules/.bin/playwright test --config bench.config.ts 2>&1 | grep -E "BENCH|passed|failed|Error" 
