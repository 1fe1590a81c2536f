//! Edits of the configuration file made outside the window (an editor, a script) are
//! applied while the app runs, through the engine's own watch and `Engine::apply` as in
//! `tokenwatch run`, and the window is told what changed or why the file was not applied.

use serde::Serialize;
use tauri::{AppHandle, Manager};
use tokenwatch_engine::config::ConfigProblem;
use tokenwatch_engine::reload::ConfigChanges;
use tokenwatch_engine::Config;
use ts_rs::TS;

use crate::ipc::{self, AppEvent};
use crate::state::AppState;

/// What the window is told after the file changed.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ConfigReload {
    /// What was applied; null when the file has problems and the previous configuration runs on.
    pub changes: Option<ConfigChanges>,
    /// In words, for the notice.
    pub message: String,
}

/// The file's new configuration (or its problems) when it changed since last looked at.
/// Not while the window saves an edit: that one is applied through the edit channel.
pub async fn look(app: &AppHandle) -> Option<Result<Config, Vec<ConfigProblem>>> {
    let state = app.state::<AppState>();
    let _editing = state.config_lock.try_lock().ok()?;
    let handle = app.clone();
    // Off the async runtime: the file read and keychain lookups block.
    tauri::async_runtime::spawn_blocking(move || {
        let state = handle.state::<AppState>();
        let mut watch = state.watch.lock().unwrap_or_else(|p| p.into_inner());
        watch.changed()
    })
    .await
    .ok()
    .flatten()
}

/// Tells the window that the file was applied, with what changed.
pub fn applied(app: &AppHandle, changes: ConfigChanges) {
    let what = if changes.is_empty() {
        "no network, listener or delivery target changed".to_string()
    } else {
        changes.to_string()
    };
    let message = format!("Configuration file reloaded: {what}.");
    tracing::info!("{message}");
    let reload = ConfigReload {
        changes: Some(changes),
        message,
    };
    let _ = ipc::emit(app, AppEvent::ConfigReloaded, reload);
}

/// Tells the window that the file has problems and was not applied.
pub fn refused(app: &AppHandle, problems: &[ConfigProblem]) {
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let message = format!(
        "The configuration file was changed but has problems, so the previous configuration keeps running: {}",
        listed.join("; ")
    );
    let reload = ConfigReload {
        changes: None,
        message,
    };
    let _ = ipc::emit(app, AppEvent::ConfigReloaded, reload);
}
