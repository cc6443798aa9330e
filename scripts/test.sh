#!/usr/bin/env bash
# Sets up what is missing, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The end-to-end test of the real window saves the main screens here
# (scripts/screenshots.sh refreshes the ones README shows).
export FACTEUR_SCREENSHOTS="${FACTEUR_SCREENSHOTS:-$PWD/target/screenshots}"
cargo nextest run --workspace --all-targets --no-fail-fast
cargo test --workspace --doc
# The interface in headless Chromium, IPC mocked (installs Chromium and
# playwright-core first when missing).
bash scripts/test-ui.sh
