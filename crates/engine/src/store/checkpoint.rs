//! Checkpoints off the writer's path. A thread with a connection of its own copies the
//! write-ahead log into the database while the writer goes on (a `PASSIVE` checkpoint
//! waits for nobody), after every few megabytes of commits. The writer then seldom stops
//! for its own automatic checkpoint, and closing the database has little left to copy.

use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::StoreError;

/// Rows committed between two checkpoints (a few megabytes of log).
const ROWS_PER_CHECKPOINT: u64 = 20_000;

/// The checkpointing thread of a writer; stopped when dropped.
pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Rows committed since the last nudge.
    pending: u64,
}

impl Checkpointer {
    pub(super) fn start(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let (nudge, nudged) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("tokenwatch-checkpoint".into())
            .spawn(move || {
                while nudged.recv().is_ok() {
                    let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                        Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                    });
                    match done {
                        Ok((log, copied)) => tracing::trace!(log, copied, "checkpoint"),
                        // The next nudge tries again; the writer's own checkpoint is the
                        // backstop.
                        Err(e) => tracing::debug!(error = %e, "checkpoint skipped"),
                    }
                }
            })
            .map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            nudge: Some(nudge),
            thread: Some(thread),
            pending: 0,
        })
    }

    /// Counts committed rows; past a few megabytes of them, asks for a checkpoint.
    pub(super) fn committed(&mut self, rows: u64) {
        self.pending += rows;
        if self.pending >= ROWS_PER_CHECKPOINT {
            self.nudge();
        }
    }

    /// Asks for a checkpoint of everything committed so far.
    pub(super) fn nudge(&mut self) {
        self.pending = 0;
        if let Some(n) = &self.nudge {
            // A checkpoint already asked for covers these rows too.
            let _ = n.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
