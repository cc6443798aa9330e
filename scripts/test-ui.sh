#!/usr/bin/env bash
# Runs the interface tests in headless Chromium with the IPC mocked.
# Screenshots land in ui/tests/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-ui.sh
cd ui && npm test
