//! What the app keeps between commands: where its files live, the engine's latest status,
//! the channel that hands edited configurations to the running engine, and the watch on
//! the configuration file (edits made outside the window).

use std::sync::Mutex;

use tokenwatch_engine::reload::ConfigWatch;
use tokenwatch_engine::store::{Db, Readers};
use tokenwatch_engine::{Config, EngineStatus};
use tokio::sync::mpsc::UnboundedSender;

use crate::runner::Paths;

/// Shared by the commands and the engine's forwarding task.
pub struct AppState {
    pub paths: Paths,
    pub status: Mutex<EngineStatus>,
    /// Serialises edits of the configuration file (the window's, and looks at the file).
    pub config_lock: tokio::sync::Mutex<()>,
    /// The configuration file as last seen; the window's own saves count as seen.
    pub watch: Mutex<ConfigWatch>,
    /// Validated configurations for the engine to apply.
    pub apply: UnboundedSender<Config>,
    /// Read connections to the database, opened once.
    pub readers: Readers,
    /// The running engine's database owner (writes go through it); `None` while stopped.
    pub engine_db: Mutex<Option<Db>>,
    /// Asks the running engine to check its tokens against the chain; `None` while stopped.
    pub token_check: Mutex<Option<tokenwatch_engine::engine::TokenCheckHandle>>,
}

impl AppState {
    pub fn new(paths: Paths, apply: UnboundedSender<Config>, watch: ConfigWatch) -> Self {
        let status = EngineStatus {
            database: paths.db.display().to_string(),
            ..EngineStatus::default()
        };
        Self {
            readers: Readers::new(&paths.db),
            paths,
            status: Mutex::new(status),
            config_lock: tokio::sync::Mutex::new(()),
            watch: Mutex::new(watch),
            apply,
            engine_db: Mutex::new(None),
            token_check: Mutex::new(None),
        }
    }

    pub fn status(&self) -> EngineStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_status(&self, s: EngineStatus) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = s;
    }
}
