#!/usr/bin/env bash
# Sets up what is missing, builds the Facteur desktop window and starts it.
# A fresh install sends to the built-in demonstration portal (a simulation
# on this computer). Without a display, it runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release -p facteur-app -p facteur
app=./target/release/facteur-app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found: starting the window on a virtual screen (Xvfb)" >&2
  exec env NO_AT_BRIDGE=1 xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$app" "$@"
fi
exec "$app" "$@"
