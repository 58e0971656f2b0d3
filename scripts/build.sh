#!/usr/bin/env bash
# Builds the app into dist/ (release, wasm-opt -Oz), then the service worker's file list, the
# CSP-clean start-up script and the one-file edition dist/kehu.html (scripts/postbuild.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release
node scripts/postbuild.mjs dist
