#!/usr/bin/env bash
# Installs what is missing, starts the built-in demo chain (a local anvil node with demo
# tokens and ongoing transfers) on a free port and opens the Tokenwatch desktop app on it.
# Without a display it runs on a free Xvfb display of its own, with a notification service
# for the pop-ups, and saves a screenshot to the cache ($TOKENWATCH_CACHE/demo/demo.png).
#
#   scripts/demo.sh                  # as above
#   scripts/demo.sh --update-docs    # headless: the screenshot replaces docs/screenshots/demo.png
#                                    # (the README's picture; only when asked)
#   scripts/demo.sh --no-setup       # skip scripts/setup.sh (tools and packages already there)
#
# TOKENWATCH_DEMO_PORT picks the port; TOKENWATCH_DEMO_SHOT_AFTER the seconds before the
# screenshot (20); TOKENWATCH_DEMO_EXIT=1 stops after it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

update_docs=false
setup=true
for arg in "$@"; do
  case "$arg" in
    --update-docs) update_docs=true ;;
    --no-setup) setup=false ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

if $setup; then bash scripts/setup.sh; fi

log "build"
cargo build --locked --bin tokenwatch-app --bin tokenwatch-demo

DEMO_DIR="$CACHE/demo"
mkdir -p "$DEMO_DIR"
# A port nothing listens on now (another demo, a node of the user's).
PORT="${TOKENWATCH_DEMO_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log "demo chain on port $PORT"
rm -f "$DEMO_DIR/config.toml"
"$CARGO_TARGET_DIR/debug/tokenwatch-demo" --port "$PORT" --config-out "$DEMO_DIR/config.toml" > "$DEMO_DIR/demo.log" 2>&1 &
demo_pid=$!
pids+=("$demo_pid")
for _ in $(seq 1 120); do
  grep -q "demo chain ready" "$DEMO_DIR/demo.log" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$DEMO_DIR/demo.log"; exit 1; }
  sleep 0.5
done
grep "demo chain ready" "$DEMO_DIR/demo.log"

export TOKENWATCH_CONFIG="$DEMO_DIR/config.toml"
# An identity of its own: a Tokenwatch the user already runs keeps its window and data.
export TOKENWATCH_APP_ID="${TOKENWATCH_APP_ID:-dev.tokenwatch.demo}"
export TOKENWATCH_DATA_DIR="${TOKENWATCH_DATA_DIR:-$DEMO_DIR/data}"
# A fresh demo chain each time: start from an empty demo database.
rm -rf "$TOKENWATCH_DATA_DIR"

if [ -n "${DISPLAY:-}" ]; then
  log "opening Tokenwatch (quit it from its tray menu, or Ctrl-C here, to stop the demo)"
  "$CARGO_TARGET_DIR/debug/tokenwatch-app"
  exit 0
fi

log "no display: running under Xvfb"
# -displayfd: Xvfb takes a free display and writes its number (then a line break).
rm -f "$DEMO_DIR/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$DEMO_DIR/display" >"$DEMO_DIR/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  [ "$(wc -l < "$DEMO_DIR/display" 2>/dev/null || echo 0)" -ge 1 ] && break
  sleep 0.1
done
display_number="$(tr -dc 0-9 < "$DEMO_DIR/display")"
[ -n "$display_number" ] || { cat "$DEMO_DIR/xvfb.log"; echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$display_number"
echo "display $DISPLAY"
# A session bus of its own (the user's session bus has no display of ours).
eval "$(dbus-launch --sh-syntax)"
pids+=("$DBUS_SESSION_BUS_PID")

# A notification service, as the end-to-end tests run, so the pop-ups show.
DAEMON=/usr/lib/notification-daemon/notification-daemon
if [ -x "$DAEMON" ]; then
  "$DAEMON" >"$DEMO_DIR/notification-daemon.log" 2>&1 &
  pids+=($!)
  ready=false
  for _ in $(seq 1 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"; then
      ready=true
      break
    fi
    sleep 0.1
  done
  if $ready; then
    echo "notification service: ready"
  else
    echo "the notification service did not start (see $DEMO_DIR/notification-daemon.log); pop-ups will fail" >&2
  fi
else
  echo "no notification service ($DAEMON is missing: scripts/install-system-deps.sh installs it); pop-ups will fail" >&2
fi

"$CARGO_TARGET_DIR/debug/tokenwatch-app" &
app_pid=$!
pids+=("$app_pid")
sleep "${TOKENWATCH_DEMO_SHOT_AFTER:-20}"
shot="$DEMO_DIR/demo.png"
$update_docs && shot=docs/screenshots/demo.png
python3 scripts/x11_screenshot.py "$DISPLAY" "$shot" && echo "screenshot: $shot"
if [ -n "${TOKENWATCH_DEMO_EXIT:-}" ]; then exit 0; fi
echo "Tokenwatch runs on display $DISPLAY; Ctrl-C stops the app and the demo chain."
wait "$app_pid"
