#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, run and test
# Facteur. Idempotent: skips what is already there. Needs root (or sudo) for
# the system packages.
set -euo pipefail

need_pkgs=()
# poppler-utils and qpdf: tests build encrypted cases with qpdf; the benchmark
# compares against poppler's tools. dbus, gnome-keyring and libsecret-tools:
# the account tests start a real Secret Service in a private D-Bus session.
for p in poppler-utils qpdf python3-venv build-essential pkg-config dbus gnome-keyring libsecret-tools; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  echo "setup: installing ${need_pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing: install Rust from your distribution or rustup first" >&2
  exit 1
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
