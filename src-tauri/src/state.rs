//! What the app keeps between commands: where its data lives and the engine's latest status.

use std::path::PathBuf;
use std::sync::Mutex;

use tokenwatch_engine::EngineStatus;

/// Shared by the commands and the engine's forwarding task.
pub struct AppState {
    pub db: PathBuf,
    pub status: Mutex<EngineStatus>,
}

impl AppState {
    pub fn new(db: PathBuf) -> Self {
        let status = EngineStatus {
            database: db.display().to_string(),
            ..EngineStatus::default()
        };
        Self {
            db,
            status: Mutex::new(status),
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
