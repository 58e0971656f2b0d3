#!/usr/bin/env bash
# Builds the app into dist/ (release, wasm-opt -Oz). Trunk's post_build hook (Trunk.toml) runs
# scripts/postbuild.mjs: the service worker's file list, the CSP-clean start-up script and the
# one-file edition dist/kehu.html.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release
