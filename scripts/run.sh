#!/usr/bin/env bash
# Installs what is missing, builds the app and serves dist/ on http://127.0.0.1:${PORT:-8080}/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
scripts/build.sh
PORT="${PORT:-8080}"
echo "Kehu is at http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
