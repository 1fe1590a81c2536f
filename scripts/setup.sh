#!/usr/bin/env bash
# Installs everything Tokenwatch needs to build, run and test; idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

log "system packages"
bash scripts/install-system-deps.sh

log "npm packages (package-lock.json)"
stamp="node_modules/.tokenwatch-lock"
want="$(sha256sum package-lock.json | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
else
  echo "node_modules up to date"
fi
"$TOKENWATCH_ANVIL" --version | head -n 1

log "tauri-driver"
TAURI_DRIVER_VERSION=2.1.0
if ! tauri-driver --help >/dev/null 2>&1 || [ "$(cat "$TOOLS/.tauri-driver" 2>/dev/null)" != "$TAURI_DRIVER_VERSION" ]; then
  cargo install --locked --quiet tauri-driver --version "$TAURI_DRIVER_VERSION" --root "$TOOLS"
  echo "$TAURI_DRIVER_VERSION" > "$TOOLS/.tauri-driver"
fi
echo "tauri-driver $TAURI_DRIVER_VERSION"

log "test contracts"
node scripts/compile-contracts.mjs

log "front end"
npm run --silent build
prune_old_targets
