#!/usr/bin/env bash
# The engine benchmark, in one command (see docs/benchmarks.md):
#   (a) the node's ceiling for eth_getLogs, (b) `tokenwatch run --until-head` events/s,
#   (c) live latency from a mined block to its committed event, (d) peak memory.
# Builds the release binaries, runs `tokenwatch-bench` on a private anvil and writes
# bench/results/<UTC time>.json. Extra arguments go to tokenwatch-bench (`--help`, `--quick`).
# `scripts/bench.sh delivery [args]` runs the delivery benchmark (`tokenwatch-bench-delivery`:
# webhook and RabbitMQ deliveries/s, block mined -> webhook received latency) instead.
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
stamp_utc="$(date -u +%Y%m%dT%H%M%SZ)"
log "benchmark (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "${1:-}" = "delivery" ]; then
  shift
  "$bin/tokenwatch-bench-delivery" --tokenwatch "$bin/tokenwatch" --out "$ROOT/bench/results/delivery-$stamp_utc.json" "$@"
else
  "$bin/tokenwatch-bench" --tokenwatch "$bin/tokenwatch" --out "$ROOT/bench/results/$stamp_utc.json" "$@"
fi
