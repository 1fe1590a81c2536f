//! Tauri commands: translate between the UI and the engine, nothing more.

use tauri::State;
use tokenwatch_engine::store::Store;
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
