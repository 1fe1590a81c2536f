//! Reading what the engine stored: status, feed, history, dashboard, event detail and
//! deliveries.

use tauri::State;
use tokenwatch_engine::config::ConfigDoc;
use tokenwatch_engine::store::{
    AppReader, AttemptRow, Dashboard, EventDetail, EventFilter, HistoryIndex, HistorySort, Store,
    StoreError,
};
use tokenwatch_engine::{EngineStatus, StoredEvent};

use super::{reply, Reply};
use crate::error::{AppError, Code};
use crate::state::AppState;

#[tauri::command]
pub fn engine_status(state: State<'_, AppState>) -> Reply<EngineStatus> {
    reply("engine_status", Ok(state.status()))
}

#[tauri::command]
pub async fn recent_events(state: State<'_, AppState>, limit: u32) -> Reply<Vec<StoredEvent>> {
    let events = read(&state, move |store| store.recent_events(limit.min(5_000))).await;
    reply("recent_events", events)
}

/// Rows `offset..offset + limit` of the filtered history; with `anchor` (the key of row
/// `offset` from `history_index`) the page starts there without counting rows to it.
#[tauri::command]
pub async fn history_page(
    state: State<'_, AppState>,
    filter: EventFilter,
    sort: HistorySort,
    offset: u32,
    limit: u32,
    anchor: Option<i64>,
) -> Reply<Vec<StoredEvent>> {
    let limit = limit.min(1_000);
    let page = read(&state, move |store| match anchor {
        Some(a) => store.history_page_from(&filter, sort, a, limit),
        None => store.history_page(&filter, sort, offset.into(), limit),
    })
    .await;
    reply("history_page", page)
}

/// How many rows the filtered history has, and the key of every `every`-th row.
#[tauri::command]
pub async fn history_index(
    state: State<'_, AppState>,
    filter: EventFilter,
    sort: HistorySort,
    every: u32,
) -> Reply<HistoryIndex> {
    let index = read(&state, move |store| {
        store.history_index(&filter, sort, every)
    })
    .await;
    reply("history_index", index)
}

/// Events over time per listener and the busiest tokens and addresses.
#[tauri::command]
pub async fn dashboard(
    state: State<'_, AppState>,
    window_secs: u32,
    bucket_secs: u32,
) -> Reply<Dashboard> {
    let dashboard = read(&state, move |store| {
        store.dashboard(window_secs.into(), bucket_secs.into())
    })
    .await;
    reply("dashboard", dashboard)
}

/// Runs a read (only what [`AppReader`] lists) on a reader connection off the UI thread;
/// before the engine has created the database, the answer is empty.
pub(super) async fn read<T: Default + Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn AppReader) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    if !state.paths.db.exists() {
        return Ok(T::default());
    }
    Ok(state.readers.run(move |store| f(store)).await?)
}

/// Runs blocking work (database reads, file writes) off the UI thread.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(Code::TaskFailed, format!("a background task failed: {e}")))?
}

/// One stored event (the first listener that matched it), or `null` if unknown.
#[tauri::command]
pub async fn event_detail(state: State<'_, AppState>, id: i64) -> Reply<Option<StoredEvent>> {
    let event = read(&state, move |store| {
        Ok(store.events_by_ids(&[id])?.into_iter().next())
    })
    .await;
    reply("event_detail", event)
}

/// One event in full (raw log, types, listeners, announcements, explorer), or `null`.
#[tauri::command]
pub async fn event_full(state: State<'_, AppState>, id: i64) -> Reply<Option<EventDetail>> {
    let config = state.paths.config.clone();
    let detail = read(&state, move |store| {
        let Some(mut detail) = store.event_detail(id)? else {
            return Ok(None);
        };
        // The explorer is a nicety: a configuration that cannot be read leaves it out.
        detail.explorer = ConfigDoc::load(&config).ok().and_then(|doc| {
            doc.view()
                .networks
                .into_iter()
                .find(|n| n.name == detail.event.network)
                .and_then(|n| n.explorer)
        });
        Ok(Some(detail))
    })
    .await;
    reply("event_full", detail)
}

/// The latest delivery attempts, newest first.
#[tauri::command]
pub async fn delivery_attempts(state: State<'_, AppState>, limit: u32) -> Reply<Vec<AttemptRow>> {
    let attempts = read(&state, move |store| store.recent_attempts(limit.min(1_000))).await;
    reply("delivery_attempts", attempts)
}

/// Queues the parked deliveries of a target (all targets when `null`) again; the running
/// engine sends them. Returns how many.
#[tauri::command]
pub async fn redeliver(state: State<'_, AppState>, target: Option<String>) -> Reply<u32> {
    let running = state
        .engine_db
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let requeue = move |s: &Store| s.requeue_parked(target.as_deref());
    let n = match running {
        Some(db) => db.writer.run(move |s| requeue(s)).await,
        // No engine: the next one sends them.
        None => state.readers.run(requeue).await,
    };
    reply("redeliver", n.map(|n| n as u32).map_err(AppError::from))
}
