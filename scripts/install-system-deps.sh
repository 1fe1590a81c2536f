#!/usr/bin/env bash
# Installs the Debian packages Tokenwatch needs to build, run and test.
# Idempotent: only missing packages are installed.
set -euo pipefail

PACKAGES=(
  # Tauri 2 build dependencies on Debian 12
  build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev
  # desktop session for the app and its end-to-end tests
  xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver notification-daemon x11-apps gnome-keyring
  fonts-dejavu-core
  # delivery tests
  rabbitmq-server
  # UI tests in a browser
  chromium chromium-driver
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# rabbitmq-server must not be started by its maintainer scripts where no init system runs
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
