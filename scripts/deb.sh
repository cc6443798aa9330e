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
# The package ships the binary without debug line tables (31 MB instead of
# 170 MB); the WebKitGTK and GTK dependencies are added by the bundler.
(cd src-tauri && CARGO_PROFILE_RELEASE_STRIP=debuginfo cargo tauri build --bundles deb)
ls -l target/release/bundle/deb/*.deb
