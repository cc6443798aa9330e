#!/usr/bin/env bash
# Sets up what is missing, builds Facteur and checks the given invoices
# (by default the sample corpus beside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --bin facteur
if [ "$#" -eq 0 ]; then
  set -- ../shared/corpus/pdfs
fi
exec ./target/release/facteur check "$@"
