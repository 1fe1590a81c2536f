//! CSV export of the current History filter: a native save dialog, then the rows streamed
//! to a temporary file beside the target (the engine's `export_to_file`) with progress events.

use serde::Serialize;
use tauri::{AppHandle, State};
use tokenwatch_engine::export::{export_to_file, ExportError};
use tokenwatch_engine::store::{EventFilter, HistorySort, Store};
use ts_rs::TS;

use super::{reply, Reply};
use crate::error::{AppError, Code};
use crate::ipc::{self, AppEvent};
use crate::state::AppState;

/// `export-progress`: rows written so far out of the total.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportProgress {
    pub written: u32,
    pub total: u32,
}

/// A finished export.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportDone {
    pub path: String,
    pub rows: u32,
}

/// Asks where to save, then writes the filtered history as CSV (the columns of
/// `tokenwatch export`) in History's `sort` order (stored order when absent). `null` when
/// the user cancelled the dialog.
#[tauri::command]
pub async fn export_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: EventFilter,
    sort: Option<HistorySort>,
) -> Reply<Option<ExportDone>> {
    let sort = sort.unwrap_or(HistorySort::Oldest);
    reply("export_csv", export(app, &state, filter, sort).await)
}

/// Asks where, then exports there.
async fn export(
    app: AppHandle,
    state: &AppState,
    filter: EventFilter,
    sort: HistorySort,
) -> Result<Option<ExportDone>, AppError> {
    let Some(path) = crate::dialogs::pick_export_path(&app, "tokenwatch-history.csv").await? else {
        return Ok(None);
    };
    let db = state.paths.db.clone();
    let written = state
        .readers
        .run(move |store: &Store| Ok(write_export(store, &app, (&filter, sort), (&path, &db))));
    written.await?
}

/// Writes the export with one of the app's read connections, reporting progress.
fn write_export(
    store: &Store,
    app: &AppHandle,
    (filter, sort): (&EventFilter, HistorySort),
    (path, db): (&std::path::Path, &std::path::Path),
) -> Result<Option<ExportDone>, AppError> {
    let total = store.history_count(filter)? as u32;
    let _ = ipc::emit(
        app,
        AppEvent::ExportProgress,
        ExportProgress { written: 0, total },
    );
    let mut progress = |written: u64| {
        let _ = ipc::emit(
            app,
            AppEvent::ExportProgress,
            ExportProgress {
                written: written as u32,
                total,
            },
        );
    };
    // Rows, then flushed to disk, then in place; the partial file goes on any failure.
    let rows =
        export_to_file(store, filter, sort, path, db, &mut progress).map_err(|e| match e {
            ExportError::Store(s) => AppError::from(s),
            ExportError::Target(m) => AppError::new(Code::FileRefused, m),
            other => AppError::new(
                Code::FileUnwritable,
                format!("{other} ({})", path.display()),
            ),
        })?;
    let _ = ipc::emit(
        app,
        AppEvent::ExportProgress,
        ExportProgress {
            written: rows as u32,
            total: rows as u32,
        },
    );
    tracing::info!(rows, path = %path.display(), "history exported");
    Ok(Some(ExportDone {
        path: path.display().to_string(),
        rows: rows as u32,
    }))
}
