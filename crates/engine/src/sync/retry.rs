//! A step that failed: shown in plain words, retried with backoff, reported as stuck
//! after a few tries in a row; a full disk is waited out, a broken database stops.

use std::time::Duration;

use super::{ChainStore, NetworkSync, SyncError, MOVED_QUIETLY, STUCK_AFTER};
use crate::source::RpcError;
use crate::status::ListenerPhase;

impl<S: ChainStore> NetworkSync<S> {
    /// Shows a failed step; returns the wait before the next try, or the error when
    /// retrying cannot help.
    pub(super) async fn failed(
        &self,
        e: SyncError,
        retries: &mut Retries,
    ) -> Result<Duration, SyncError> {
        let name = &self.spec.name;
        let (message, wait) = match &e {
            SyncError::Store(s) if s.is_disk_full() => {
                tracing::warn!(network = %name, error = %s, retry_in = ?retries.delay, "the disk is full; nothing was lost, waiting for space");
                let message = format!("Disk full: waiting for free space to store more ({s})");
                (message, retries.back_off())
            }
            SyncError::Store(_) | SyncError::BlockTooLarge { .. } | SyncError::Condition(_) => {
                tracing::error!(network = %name, error = %e, "this network stops advancing");
                self.hub
                    .network(name, |n| n.error = Some(format!("Stopped: {e}")));
                self.hub.set_phase_all(name, ListenerPhase::Failed);
                return Err(e);
            }
            SyncError::Moved(b) if retries.failed < MOVED_QUIETLY => {
                retries.failed += 1;
                tracing::info!(network = %name, block = b, "chain moved during a read; retrying");
                return Ok(Duration::from_millis(100));
            }
            SyncError::Moved(b) => {
                // An endpoint that never has the block, or a chain that never settles.
                let message = format!("block {b} keeps changing between reads, or the endpoint does not have it; retrying");
                tracing::warn!(network = %name, block = b, retry_in = ?retries.delay, "{message}");
                (message, retries.back_off())
            }
            SyncError::Rpc(rpc) => {
                tracing::warn!(network = %name, error = %rpc, retry_in = ?retries.delay, "RPC problem");
                (plain_words(rpc), retries.back_off())
            }
        };
        retries.failed += 1;
        let message = match self.stuck_at(retries.failed, &e).await {
            Some(block) => {
                let stuck = format!(
                    "Stuck at block {block} after {} tries: {message}",
                    retries.failed
                );
                if retries.failed == STUCK_AFTER {
                    tracing::warn!(network = %name, "{stuck}");
                }
                stuck
            }
            None => message,
        };
        let endpoints = self.source.endpoint_status();
        self.hub.network(name, |n| {
            n.error = Some(message);
            n.endpoints = endpoints;
        });
        Ok(wait)
    }

    /// After [`STUCK_AFTER`] failed steps in a row, the block the network cannot pass.
    async fn stuck_at(&self, failed: u32, e: &SyncError) -> Option<u64> {
        if failed < STUCK_AFTER {
            return None;
        }
        if let SyncError::Moved(b) = e {
            return Some(*b);
        }
        self.next_blocks().await.ok()?.iter().map(|(_, n)| *n).min()
    }
}

/// Failed steps in a row.
pub(super) struct Retries {
    /// The next backoff.
    delay: Duration,
    failed: u32,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            delay: Duration::from_millis(250),
            failed: 0,
        }
    }
}

impl Retries {
    /// The wait before the next retry (the current delay, jittered); the delay doubles,
    /// up to 30 s.
    pub(super) fn back_off(&mut self) -> Duration {
        let wait = jitter(self.delay);
        self.delay = (self.delay * 2).min(Duration::from_secs(30));
        wait
    }
}

fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    d + d.mul_f64(f64::from(nanos % 250) / 1000.0)
}

/// An RPC problem in words a non-engineer understands; the detail follows.
fn plain_words(e: &RpcError) -> String {
    let what = match e {
        RpcError::Transport { .. } | RpcError::Timeout { .. } => {
            "The node cannot be reached; retrying"
        }
        RpcError::RateLimited { .. } => "The node is limiting requests; slowing down",
        RpcError::Http { .. } | RpcError::Garbage { .. } | RpcError::Implausible { .. } => {
            "The node gave an unusable answer; retrying"
        }
        RpcError::RangeTooLarge { .. } => "The node refused a request size; adjusting",
        RpcError::TooLarge { .. } => "The node sent an answer over the size limit",
        RpcError::Rpc { .. } => "The node reported an error; retrying",
    };
    format!("{what} ({e})")
}
