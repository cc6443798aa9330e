#!/usr/bin/env bash
# Builds the Debian/Ubuntu package of the desktop app:
# target/release/bundle/deb/Facteur_<version>_<arch>.deb
# (installs the Tauri CLI first when missing: about 12 minutes, once).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! cargo tauri --version >/dev/null 2>&1; then
  echo "deb: installing the Tauri CLI"
  cargo install tauri-cli --version "^2" --locked
fi
(cd src-tauri && cargo tauri build --bundles deb)
ls -l target/release/bundle/deb/*.deb
