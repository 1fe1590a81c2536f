//! CSV export of the current History filter: a native save dialog, then the rows streamed
//! to a temporary file beside the target (renamed when complete) with progress events.

use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use tokenwatch_engine::export::{export_csv_with, ExportError};
use tokenwatch_engine::store::{EventFilter, Store};
use ts_rs::TS;

use crate::error::AppError;
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
/// `tokenwatch export`). `null` when the user cancelled the dialog.
#[tauri::command]
pub async fn export_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: EventFilter,
) -> Result<Option<ExportDone>, AppError> {
    let Some(path) = crate::dialogs::pick_export_path(&app, "tokenwatch-history.csv").await? else {
        return Ok(None);
    };
    let db = state.paths.db.clone();
    super::events::blocking(move || {
        let store = Store::open_reader(&db)?;
        let total = store.history_count(&filter)? as u32;
        let _ = app.emit("export-progress", ExportProgress { written: 0, total });
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".part");
        let tmp = std::path::PathBuf::from(tmp);
        let file_err =
            |e: std::io::Error| AppError::File(format!("cannot write {}: {e}", path.display()));
        let file = std::fs::File::create(&tmp).map_err(file_err)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut progress = |written: u64| {
            let _ = app.emit(
                "export-progress",
                ExportProgress {
                    written: written as u32,
                    total,
                },
            );
        };
        // Rows, then flushed to disk, then in place; the partial file goes on any failure.
        let written = export_csv_with(&store, &filter, &mut out, &mut progress)
            .map_err(|e| match e {
                ExportError::Store(s) => AppError::from(s),
                other => AppError::File(other.to_string()),
            })
            .and_then(|rows| {
                let file = out.into_inner().map_err(|e| file_err(e.into_error()))?;
                file.sync_all().map_err(file_err)?;
                drop(file);
                std::fs::rename(&tmp, &path).map_err(file_err)?;
                Ok(rows)
            });
        let rows = match written {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        let _ = app.emit(
            "export-progress",
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
    })
    .await
}
