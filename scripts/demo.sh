#!/usr/bin/env bash
# Installs what is missing, starts the built-in demo chain (a local anvil node with demo
# tokens and ongoing transfers) and opens the Tokenwatch desktop app on it.
# Without a display it runs under Xvfb and saves a screenshot to docs/screenshots/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/setup.sh

log "build"
cargo build --locked --bin tokenwatch-app --bin tokenwatch-demo

DEMO_DIR="$CACHE/demo"
mkdir -p "$DEMO_DIR"
PORT="${TOKENWATCH_DEMO_PORT:-18545}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log "demo chain on port $PORT"
rm -f "$DEMO_DIR/config.toml"
"$CARGO_TARGET_DIR/debug/tokenwatch-demo" --port "$PORT" --config-out "$DEMO_DIR/config.toml" > "$DEMO_DIR/demo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  grep -q "demo chain ready" "$DEMO_DIR/demo.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$DEMO_DIR/demo.log"; exit 1; }
  sleep 0.5
done
grep "demo chain ready" "$DEMO_DIR/demo.log"

export TOKENWATCH_CONFIG="$DEMO_DIR/config.toml"
# An identity of its own: a Tokenwatch the user already runs keeps its window and data.
export TOKENWATCH_APP_ID="${TOKENWATCH_APP_ID:-dev.tokenwatch.demo}"
export TOKENWATCH_DATA_DIR="${TOKENWATCH_DATA_DIR:-$DEMO_DIR/data}"
# A fresh demo chain each time: start from an empty demo database.
rm -rf "$TOKENWATCH_DATA_DIR"

if [ -z "${DISPLAY:-}" ]; then
  log "no display: running under Xvfb"
  Xvfb :87 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  export DISPLAY=:87
  if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    eval "$(dbus-launch --sh-syntax)"
    pids+=("$DBUS_SESSION_BUS_PID")
  fi
  "$CARGO_TARGET_DIR/debug/tokenwatch-app" &
  pids+=($!)
  sleep "${TOKENWATCH_DEMO_SHOT_AFTER:-20}"
  mkdir -p docs/screenshots
  python3 scripts/x11_screenshot.py "$DISPLAY" docs/screenshots/demo.png && echo "screenshot: docs/screenshots/demo.png"
  if [ -n "${TOKENWATCH_DEMO_EXIT:-}" ]; then exit 0; fi
  echo "Tokenwatch runs on display $DISPLAY; Ctrl-C stops the app and the demo chain."
  wait "${pids[-1]}"
else
  log "opening Tokenwatch (quit it from its tray menu, or Ctrl-C here, to stop the demo)"
  "$CARGO_TARGET_DIR/debug/tokenwatch-app"
fi
