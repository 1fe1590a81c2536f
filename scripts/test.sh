#!/usr/bin/env bash
# Installs what is missing, then runs every check and test of Tokenwatch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/setup.sh

log "format"
cargo fmt --all -- --check

log "UI: type check, lint, unit tests"
npm run --silent typecheck
npm run --silent lint
npm run --silent test:ui

log "UI in headless Chromium (built window, mock backend)"
npm run --silent test:ui-browser

log "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "tests (engine, harness, desktop app end to end)"
cargo nextest run --workspace --locked --no-fail-fast

log "generated TypeScript types are current"
if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --porcelain -- ui/src/bindings
  echo "ui/src/bindings differs from the Rust types: run 'cargo test export_bindings' and commit" >&2
  exit 1
fi
echo "bindings current"
