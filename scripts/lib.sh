# Shared set-up for Tokenwatch's scripts: repo root, caches outside the clone, tool paths.
# Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
CACHE="${TOKENWATCH_CACHE:-$HOME/.cache/tokenwatch}"
mkdir -p "$CACHE"

# The cargo target directory lives outside the clone, keyed by toolchain and lock file so
# a build from another toolchain or another dependency set is never reused.
toolchain_key="$(rustc -vV | sha256sum | cut -c1-12)"
lock_key="$(sha256sum "$ROOT/Cargo.lock" | cut -c1-12)"
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="$CACHE/target-$toolchain_key-$lock_key"
fi
TOOLS="$CACHE/tools-$toolchain_key"
export PATH="$TOOLS/bin:$ROOT/node_modules/.bin:$PATH"
export TOKENWATCH_ANVIL="$ROOT/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

log() { printf '\n== %s\n' "$*"; }

# Keeps only the newest two keyed target directories, so disk use stays bounded.
prune_old_targets() {
  local dirs
  mapfile -t dirs < <(ls -1dt "$CACHE"/target-* 2>/dev/null | tail -n +3)
  for d in "${dirs[@]}"; do
    [ "$d" != "$CARGO_TARGET_DIR" ] && rm -rf "$d"
  done
  return 0
}
