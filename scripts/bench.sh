#!/usr/bin/env bash
# The engine benchmark, in one command (see docs/benchmarks.md):
#   (a) the node's ceiling for eth_getLogs, (b) `tokenwatch run --until-head` events/s,
#   (c) live latency from a mined block to its committed event, (d) peak memory.
# Builds the release binaries, runs `tokenwatch-bench` on a private anvil and writes
# bench/results/<UTC time>.json. Extra arguments go to tokenwatch-bench (`--help`, `--quick`).
# `scripts/bench.sh delivery [args]` runs the delivery benchmark (`tokenwatch-bench-delivery`:
# webhook and RabbitMQ deliveries/s, block mined -> webhook received latency) instead.
# `scripts/bench.sh history [args]` runs the History benchmark: backend queries and CSV export
# on a million stored events (`bench_history` example), then the real app under Xvfb
# (`tests/bench_app.rs`): start to first screen, action to rows drawn, resident memory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

# anvil and the contract compiler come from npm; set up only when they are missing or stale.
stamp="node_modules/.tokenwatch-lock"
if [ ! -x "$TOKENWATCH_ANVIL" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum package-lock.json | cut -c1-16)" ]; then
  bash scripts/setup.sh
fi

stamp_utc="$(date -u +%Y%m%dT%H%M%SZ)"
if [ "${1:-}" = "history" ]; then
  shift
  db="$CACHE/bench-history.db"
  log "History benchmark: backend (release)"
  cargo build --release --locked -p tokenwatch-engine --example bench_history
  "$CARGO_TARGET_DIR/release/examples/bench_history" --db "$db" --out "$ROOT/bench/results/history-$stamp_utc.json" "$@"
  log "History benchmark: the app under Xvfb (release)"
  npm run --silent build
  TOKENWATCH_BENCH_DB="$db" cargo test --release --locked --test bench_app -- --ignored --nocapture
  exit 0
fi

log "build (release)"
cargo build --release --locked -p tokenwatch-engine -p tokenwatch-testkit

bin="$CARGO_TARGET_DIR/release"
log "benchmark (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "${1:-}" = "delivery" ]; then
  shift
  "$bin/tokenwatch-bench-delivery" --tokenwatch "$bin/tokenwatch" --out "$ROOT/bench/results/delivery-$stamp_utc.json" "$@"
else
  "$bin/tokenwatch-bench" --tokenwatch "$bin/tokenwatch" --out "$ROOT/bench/results/$stamp_utc.json" "$@"
fi
