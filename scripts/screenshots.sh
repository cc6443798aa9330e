#!/usr/bin/env bash
# Refreshes docs/screenshots/ (shown in README) from the end-to-end test of
# the real window: list, detail and settings, in French and English.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
FACTEUR_SCREENSHOTS="$PWD/docs/screenshots" \
  cargo nextest run -p facteur-app --test e2e --no-fail-fast
ls -l docs/screenshots
