#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, run and test
# Facteur. Idempotent: skips what is already there. Needs root (or sudo) for
# the system packages.
set -euo pipefail

need_pkgs=()
# poppler-utils and qpdf: tests build encrypted cases with qpdf; the benchmark
# compares against poppler's tools. dbus, gnome-keyring and libsecret-tools:
# the account tests start a real Secret Service in a private D-Bus session.
# dovecot-imapd: the mail channel's tests run a real IMAP server on loopback
# (started by the test itself; the system service is not used).
# libwebkit2gtk-4.1-dev, libgtk-3-dev, librsvg2-dev: the desktop window
# (Tauri 2 on WebKitGTK). xvfb, xauth, webkit2gtk-driver: its end-to-end
# tests run the real window headless (with tauri-driver, below); xdotool,
# python3-gi and gir1.2-gtk-3.0: they drop files on it by real drag-and-drop.
# libayatana-appindicator3-dev (and its runtime libayatana-appindicator3-1):
# the tray icon that keeps the watched folders reachable with the window
# closed (loaded at run time by Tauri's tray-icon feature).
for p in poppler-utils qpdf fonts-dejavu-core python3-venv build-essential pkg-config dbus gnome-keyring libsecret-tools dovecot-imapd \
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libayatana-appindicator3-1 \
  xvfb xauth webkit2gtk-driver \
  xdotool python3-gi gir1.2-gtk-3.0; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  echo "setup: installing ${need_pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi

# aiosmtpd: the mail channel's tests run a real SMTP server on loopback. It
# lives in its own virtualenv, found by tests/mail.rs at the same path
# (FACTEUR_PY overrides it), so no system Python is modified.
py_env="${FACTEUR_PY:-$HOME/.cache/facteur/py}"
# factur-x and pypdf: the made Factur-X files are read back by two readers
# independent of Facteur (tests/make.rs).
if ! "$py_env/bin/python" -c 'import aiosmtpd, facturx, pypdf' >/dev/null 2>&1; then
  echo "setup: installing aiosmtpd, factur-x and pypdf into $py_env"
  mkdir -p "$(dirname "$py_env")"
  # The system interpreter, where python3-venv was installed above.
  py=/usr/bin/python3
  [ -x "$py" ] || py=python3
  "$py" -m venv "$py_env"
  "$py_env/bin/pip" install --quiet --disable-pip-version-check aiosmtpd factur-x pypdf
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing: install Rust from your distribution or rustup first" >&2
  exit 1
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
# tauri-driver: the WebDriver front the end-to-end test talks to; it starts
# WebKitWebDriver (webkit2gtk-driver) and the app (src-tauri/tests/e2e.rs).
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked
fi
