#!/usr/bin/env bash
# The benchmarks, in one command each (method and today's figures: docs/benchmarks.md):
#   `scripts/bench.sh [args]`: the engine benchmark (`tokenwatch-bench`): (a) the node's
#   ceiling for eth_getLogs, (b) `tokenwatch run --until-head` events/s, (c) live latency
#   from a mined block to its committed event, (d) peak memory;
#   `scripts/bench.sh delivery [args]`: the delivery benchmark (`tokenwatch-bench-delivery`:
#   webhook and RabbitMQ deliveries/s, block mined -> webhook received latency);
#   `scripts/bench.sh team [args]`: team mode (`tokenwatch-bench-team`: publish plus
#   subscriber ingest events/s through a private RabbitMQ stream, commit-to-commit latency);
#   `scripts/bench.sh history [args]`: backend queries and CSV export on a million stored
#   events (`bench_history` example), then the real app under Xvfb (`tests/bench_app.rs`).
# Extra arguments go to the benchmark binary (`--help`, `--quick`). Each run writes its
# results to bench/out/ (ignored by git), named by kind and UTC start time; the committed
# baselines to compare them with are in bench/baselines/. Nothing here compares for you.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

# anvil and the contract compiler come from npm; set up only when they are missing or stale.
stamp="node_modules/.tokenwatch-lock"
if [ ! -x "$TOKENWATCH_ANVIL" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum package-lock.json | cut -c1-16)" ]; then
  bash scripts/setup.sh
fi

out="$ROOT/bench/out"
mkdir -p "$out"
stamp_utc="$(date -u +%Y%m%dT%H%M%SZ)"

# Says where this run's results are and which baseline they compare with (`--help` and
# `--serve` write none).
done_with() {
  if [ -e "$1" ]; then log "results: ${1#"$ROOT/"} (baseline: bench/baselines/$2)"; fi
}

if [ "${1:-}" = "history" ]; then
  shift
  db="$CACHE/bench-history.db"
  log "History benchmark: backend (release)"
  cargo build --release --locked -p tokenwatch-engine --example bench_history
  "$CARGO_TARGET_DIR/release/examples/bench_history" --db "$db" --out "$out/history-$stamp_utc.json" "$@"
  log "History benchmark: the app under Xvfb (release)"
  npm run --silent build
  TOKENWATCH_BENCH_DB="$db" cargo test --release --locked --test bench_app -- --ignored --nocapture \
    | tee "$out/history-app-$stamp_utc.txt"
  done_with "$out/history-$stamp_utc.json" history.json
  done_with "$out/history-app-$stamp_utc.txt" history-app.txt
  exit 0
fi

log "build (release)"
cargo build --release --locked -p tokenwatch-cli -p tokenwatch-tools

bin="$CARGO_TARGET_DIR/release"
log "benchmark (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "${1:-}" = "team" ]; then
  shift
  "$bin/tokenwatch-bench-team" --tokenwatch "$bin/tokenwatch" --out "$out/team-$stamp_utc.json" "$@"
  done_with "$out/team-$stamp_utc.json" team.json
elif [ "${1:-}" = "delivery" ]; then
  shift
  "$bin/tokenwatch-bench-delivery" --tokenwatch "$bin/tokenwatch" --out "$out/delivery-$stamp_utc.json" "$@"
  done_with "$out/delivery-$stamp_utc.json" delivery.json
else
  "$bin/tokenwatch-bench" --tokenwatch "$bin/tokenwatch" --out "$out/engine-$stamp_utc.json" "$@"
  done_with "$out/engine-$stamp_utc.json" engine.json
fi
