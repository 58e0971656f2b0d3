#!/usr/bin/env bash
# Installs what is missing and runs every check: format, lints, native tests (core, CLI, app
# logic), storage tests in headless Chromium, and Playwright end-to-end tests of the built app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
source scripts/env.sh

step() { printf '\n=== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native: core, cli; wasm32: app)"
cargo clippy -p kehu-core -p kehu-cli --all-targets -- -D warnings
cargo clippy -p kehu --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests: core, cli"
cargo test -p kehu-core -p kehu-cli

step "native tests: app logic"
cargo test -p kehu --lib

step "wasm tests in headless Chromium"
scripts/test-wasm.sh

step "build the app"
scripts/build.sh

step "end-to-end tests (Playwright, Debian Chromium)"
set +e
(cd end2end && ../node_modules/.bin/playwright test)
e2e_status=$?
set -e
node -e '
  const r = require("./end2end/.results.json");
  let passed = 0, failed = 0, skipped = 0;
  const walk = (s) => { for (const spec of s.specs || []) for (const t of spec.tests) {
      const st = t.results.at(-1)?.status;
      if (t.status === "skipped") skipped++; else if (st === "passed") passed++; else failed++; }
    (s.suites || []).forEach(walk); };
  r.suites.forEach(walk);
  console.log(`e2e: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit $e2e_status
