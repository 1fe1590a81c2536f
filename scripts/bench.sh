#!/usr/bin/env bash
# The engine benchmark, in one command (see docs/benchmarks.md):
#   (a) the node's ceiling for eth_getLogs, (b) `tokenwatch run --until-head` events/s,
#   (c) live latency from a mined block to its committed event, (d) peak memory.
# Builds the release binaries, runs `tokenwatch-bench` on a private anvil and writes
# bench/results/<UTC time>.json. Extra arguments go to tokenwatch-bench (`--help`, `--quick`).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

# anvil and the contract compiler come from npm; set up only when they are missing or stale.
stamp="node_modules/.tokenwatch-lock"
if [ ! -x "$TOKENWATCH_ANVIL" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum package-lock.json | cut -c1-16)" ]; then
  bash scripts/setup.sh
fi

log "build (release)"
cargo build --release --locked -p tokenwatch-engine -p tokenwatch-testkit

bin="$CARGO_TARGET_DIR/release"
out="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ).json"
log "benchmark (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
"$bin/tokenwatch-bench" --tokenwatch "$bin/tokenwatch" --out "$out" "$@"
