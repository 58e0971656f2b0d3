#!/usr/bin/env bash
# Builds the app into dist/ (release, wasm-opt -Oz).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release
