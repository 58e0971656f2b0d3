# Sourced by the scripts: tools from cargo and npm first on PATH, and Trunk kept offline.
export PATH="$(pwd)/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
