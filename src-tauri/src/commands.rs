//! Tauri commands: translate between the UI and the engine, nothing more.

use tauri::State;
use tokenwatch_engine::store::{AttemptRow, Store};
use tokenwatch_engine::{EngineStatus, StoredEvent};

use crate::error::AppError;
use crate::state::AppState;

#[tauri::command]
pub fn engine_status(state: State<'_, AppState>) -> EngineStatus {
    state.status()
}

#[tauri::command]
pub fn recent_events(state: State<'_, AppState>, limit: u32) -> Result<Vec<StoredEvent>, AppError> {
    if !state.db.exists() {
        return Ok(Vec::new());
    }
    Ok(Store::open_reader(&state.db)?.recent_events(limit.min(5_000))?)
}

/// One stored event (the first listener that matched it), or `null` if unknown.
#[tauri::command]
pub fn event_detail(state: State<'_, AppState>, id: i64) -> Result<Option<StoredEvent>, AppError> {
    Ok(Store::open_reader(&state.db)?
        .events_by_ids(&[id])?
        .into_iter()
        .next())
}

/// The latest delivery attempts, newest first.
#[tauri::command]
pub fn delivery_attempts(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<AttemptRow>, AppError> {
    if !state.db.exists() {
        return Ok(Vec::new());
    }
    Ok(Store::open_reader(&state.db)?.recent_attempts(limit.min(1_000))?)
}

/// Queues the parked deliveries of a target (all targets when `null`) again; the running
/// engine sends them. Returns how many.
#[tauri::command]
pub fn redeliver(state: State<'_, AppState>, target: Option<String>) -> Result<u32, AppError> {
    Ok(Store::open_reader(&state.db)?.requeue_parked(target.as_deref())? as u32)
}

/// Whether secrets can go to the OS keychain; `noKeychain` says why not.
#[tauri::command]
pub fn keychain_status() -> Result<(), AppError> {
    crate::keychain::OsKeychain
        .check()
        .map_err(AppError::NoKeychain)
}

/// Keeps a secret (webhook secret, URL with an API key) in the OS keychain under `name`,
/// for the configuration to name with `*_keychain = "name"`.
#[tauri::command]
pub fn store_secret(name: String, value: String) -> Result<(), AppError> {
    crate::keychain::OsKeychain
        .store(&name, &value)
        .map_err(AppError::NoKeychain)
}
