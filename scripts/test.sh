#!/usr/bin/env bash
# Sets up what is missing, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo nextest run --workspace --all-targets --no-fail-fast
cargo test --workspace --doc
