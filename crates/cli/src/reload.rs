//! `tokenwatch run` follows edits of its configuration file: listeners and networks are
//! added, changed, paused and removed without a restart. A file that does not validate is
//! reported and the running configuration stays.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use tokenwatch_engine::Config;

/// How often the file is looked at.
pub const POLL: Duration = Duration::from_secs(1);

pub struct ConfigWatch {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
}

impl ConfigWatch {
    pub fn new(path: PathBuf) -> Self {
        let seen = stamp(&path);
        Self { path, seen }
    }

    /// The new configuration when the file changed and validates.
    pub fn changed(&mut self) -> Option<Config> {
        let now = stamp(&self.path);
        if now.is_none() || now == self.seen {
            return None;
        }
        self.seen = now;
        match Config::load(&self.path) {
            Ok(config) => {
                for w in &config.warnings {
                    tracing::warn!("{w}");
                }
                tracing::info!(config = %self.path.display(), "configuration changed; applying it");
                Some(config)
            }
            Err(problems) => {
                for p in &problems {
                    tracing::error!("{p}");
                }
                tracing::error!(config = %self.path.display(), "the changed configuration has problems; still running the previous one");
                None
            }
        }
    }
}

/// Modification time and size: a change of either counts.
fn stamp(path: &std::path::Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}
