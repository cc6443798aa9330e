#!/usr/bin/env bash
# Renders icons/*.png from ui/app/icon.svg with headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
for spec in 32:32x32 128:128x128 256:128x128@2x 512:icon; do
  size=${spec%%:*}; name=${spec#*:}
  printf '<html><body style="margin:0"><img src="file://%s/ui/app/icon.svg" width="%d" height="%d"></body></html>' \
    "$PWD" "$size" "$size" > "$tmp/icon.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --default-background-color=00000000 --window-size="$size,$size" \
    --screenshot="$PWD/icons/$name.png" "file://$tmp/icon.html" >/dev/null 2>&1
done
rm -rf "$tmp"
# Windows (.ico) and macOS (.icns) icons from the 512 px one, when the Tauri
# CLI is installed (cargo install tauri-cli --locked).
if cargo tauri --version >/dev/null 2>&1; then
  out=$(mktemp -d)
  cargo tauri icon icons/icon.png -o "$out" >/dev/null
  cp "$out/icon.ico" "$out/icon.icns" icons/
  rm -rf "$out"
fi
