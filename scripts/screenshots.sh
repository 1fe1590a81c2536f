#!/usr/bin/env bash
# Takes README's pictures of the Tokens screen, the Address book and Deliveries on the demo chain, in the
# real window under Xvfb (tests/e2e_demo_shots.rs), into the cache
# ($TOKENWATCH_CACHE/screenshots, ~/.cache/tokenwatch/screenshots).
#
#   scripts/screenshots.sh                # pictures into the cache; the checkout is unchanged
#   scripts/screenshots.sh --update-docs  # into docs/screenshots (README's), only when asked
#   scripts/screenshots.sh --no-setup     # skip scripts/setup.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

out="$CACHE/screenshots"
setup=true
for arg in "$@"; do
  case "$arg" in
    --update-docs) out="$ROOT/docs/screenshots" ;;
    --no-setup) setup=false ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
if $setup; then bash scripts/setup.sh; fi

log "build"
npm run --silent build
cargo build --locked --bin tokenwatch-demo

log "pictures into $out"
TOKENWATCH_SCREENSHOT_DIR="$out" cargo nextest run --locked --test e2e_demo_shots --run-ignored only --no-capture
