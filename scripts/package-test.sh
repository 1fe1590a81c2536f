#!/usr/bin/env bash
# Builds Tokenwatch's .deb, installs it with dpkg, starts the installed app under Xvfb with a
# private D-Bus session and HOME, checks that its window appears and that it keeps its files
# where README says (~/.local/share/dev.tokenwatch.app), then uninstalls it.
#
#   scripts/package-test.sh             # debug build: reuses the test build's crates
#   scripts/package-test.sh --release   # the release build users get
#   scripts/package-test.sh --no-setup  # skip scripts/setup.sh (tools and packages there)
#
# Time on the 2-core test machine once `scripts/test.sh` has built the crates: about 20 s
# (UI build and bundling 10 s, install 2 s, start until the window is drawn 5 s); the first
# run after a code change adds the app's compile (about 1 min). `--release` compiles every
# crate again with optimisation (not timed here). Not part of scripts/test.sh.
#
# It runs as root or through sudo (dpkg), and can run again: it removes the package only when
# it was not installed before (one installed before stays, replaced by this build). The
# clone's tracked files are left unchanged (checked at the end).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

profile=debug
setup=true
for arg in "$@"; do
  case "$arg" in
    --release) profile=release ;;
    --no-setup) setup=false ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PACKAGE=tokenwatch
BINARY=/usr/bin/tokenwatch-app
APP_ID=dev.tokenwatch.app
before="$(git status --porcelain --untracked-files=no)"
started=$(date +%s)

if $setup; then bash scripts/setup.sh; fi

log "bundle the .deb ($profile)"
rm -rf "$CARGO_TARGET_DIR/$profile/bundle/deb"
build_args=(--bundles deb)
[ "$profile" = debug ] && build_args+=(--debug)
tauri build "${build_args[@]}" -- --locked
deb="$(ls -1 "$CARGO_TARGET_DIR/$profile/bundle/deb/"*.deb)"
echo "$deb"
dpkg-deb --field "$deb" Package Version Depends

was_installed=false
dpkg-query -W -f '${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed" && was_installed=true

work="$(mktemp -d "${TMPDIR:-/tmp}/tokenwatch-package.XXXXXX")"
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ! $was_installed && dpkg-query -W "$PACKAGE" >/dev/null 2>&1; then
    log "uninstall"
    $SUDO dpkg --purge "$PACKAGE" >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

log "install with dpkg"
$SUDO dpkg -i "$deb"
[ -x "$BINARY" ] || { echo "the package did not install $BINARY" >&2; exit 1; }
desktop_file="$(dpkg -L "$PACKAGE" | grep '\.desktop$' | head -1)"
grep -q "^Exec=tokenwatch-app" "$desktop_file" || { echo "$desktop_file does not start tokenwatch-app" >&2; exit 1; }

log "start the installed app under Xvfb"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  [ "$(wc -l < "$work/display")" -ge 1 ] && break
  sleep 0.1
done
display=":$(tr -dc 0-9 < "$work/display")"
[ "$display" != ":" ] || { cat "$work/xvfb.log"; echo "Xvfb did not start" >&2; exit 1; }
bus="unix:path=$work/bus"
dbus-daemon --session --nofork --nopidfile --address="$bus" >"$work/dbus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$work/bus" ] && break; sleep 0.1; done
mkdir -p "$work/home"
# A clean environment: the user's home, session and XDG folders are not the app's.
env -i PATH=/usr/bin:/bin HOME="$work/home" DISPLAY="$display" DBUS_SESSION_BUS_ADDRESS="$bus" \
  "$BINARY" >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")

window=false
for _ in $(seq 1 120); do
  if xwininfo -display "$display" -name Tokenwatch 2>/dev/null | grep -q "Map State: IsViewable"; then
    window=true
    break
  fi
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 0.5
done
if ! $window; then
  echo "no Tokenwatch window appeared; the app's output:" >&2
  tail -40 "$work/app.log" >&2
  exit 1
fi
xwininfo -display "$display" -name Tokenwatch | grep -E "Window id|Width|Height"

# The window draws its screens (more than a blank page's few colours), then a picture of it.
drawn=false
for _ in $(seq 1 60); do
  colours="$(python3 -c '
import subprocess, sys
sys.path.insert(0, "scripts")
from x11_screenshot import xwd_to_rgb
dump = subprocess.run(["xwd", "-root", "-silent", "-display", sys.argv[1]], check=True, capture_output=True).stdout
_, _, raw = xwd_to_rgb(dump)
print(len({raw[i:i + 3] for i in range(1, len(raw) - 3, 97)}))
' "$display")"
  [ "$colours" -gt 20 ] && { drawn=true; break; }
  sleep 0.5
done
shot="$CACHE/package-test.png"
python3 scripts/x11_screenshot.py "$display" "$shot" && echo "screenshot: $shot"
$drawn || { echo "the window stays blank ($colours colours); see $shot" >&2; exit 1; }

# Where README says the files are on Linux.
data="$work/home/.local/share/$APP_ID"
for _ in $(seq 1 40); do [ -f "$data/tokenwatch.db" ] && break; sleep 0.25; done
[ -f "$data/tokenwatch.db" ] || { echo "no database at $data/tokenwatch.db" >&2; ls -R "$work/home" >&2; exit 1; }
ls "$data/logs/" | grep -q '^tokenwatch\.log' || { echo "no log file in $data/logs" >&2; exit 1; }
echo "data: $data (database, logs/)"

after="$(git status --porcelain --untracked-files=no)"
[ "$before" = "$after" ] || { echo "tracked files changed:" >&2; echo "$after" >&2; exit 1; }
log "package test passed in $(($(date +%s) - started)) s"
