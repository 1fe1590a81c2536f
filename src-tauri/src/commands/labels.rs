//! The address book: labels listed, set from any address, imported and exported as CSV
//! (`address,label,network`). Writes go through the running engine's writer when there is one.

use tauri::{AppHandle, State};
use tokenwatch_engine::export::labels::write_labels;
use tokenwatch_engine::export::{out, ExportError};
use tokenwatch_engine::store::{AddressLabel, Store, StoreError};

use super::export::ExportDone;
use super::{reply, Reply};
use crate::error::{AppError, Code};
use crate::state::AppState;

/// Every label (the zero address's "mint / burn" among them until changed).
#[tauri::command]
pub async fn labels(state: State<'_, AppState>) -> Reply<Vec<AddressLabel>> {
    reply("labels", super::events::read(&state, |s| s.labels()).await)
}

/// Labels `address` on `network` (all networks when null); an empty label removes it.
/// Answers with the whole address book.
#[tauri::command]
pub async fn set_label(
    state: State<'_, AppState>,
    network: Option<String>,
    address: String,
    label: String,
) -> Reply<Vec<AddressLabel>> {
    let answer = async {
        let address = tokenwatch_engine::config::parse_address(address.trim())
            .map_err(|e| AppError::new(Code::LabelInvalid, format!("Address: {e}")))?;
        write(&state, move |s| {
            s.set_label(network.as_deref(), address, &label)?;
            s.labels()
        })
        .await
    };
    reply("set_label", answer.await)
}

/// Imports a CSV the user picks: every row, or none when one is bad (the error names its
/// line). `null` when cancelled; else how many rows.
#[tauri::command]
pub async fn import_labels(app: AppHandle, state: State<'_, AppState>) -> Reply<Option<u32>> {
    let answer = async {
        let Some(text) = crate::dialogs::pick_labels_file(&app).await? else {
            return Ok(None);
        };
        write(&state, move |s| s.import_labels(&text))
            .await
            .map(|n| Some(n as u32))
    };
    reply("import_labels", answer.await)
}

/// Asks where, then writes the address book as CSV. `null` when cancelled.
#[tauri::command]
pub async fn export_labels(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Reply<Option<ExportDone>> {
    let answer = async {
        let title = "Export the address book to CSV";
        let Some(path) =
            crate::dialogs::pick_save_path(&app, title, "tokenwatch-labels.csv").await?
        else {
            return Ok(None);
        };
        let db = state.paths.db.clone();
        let written = state.readers.run(move |s| {
            let labels = s.labels()?;
            Ok(out::to_path(&path, &db, |w| write_labels(&labels, w))
                .map(|rows| ExportDone {
                    path: path.display().to_string(),
                    rows: rows as u32,
                })
                .map_err(|e| match e {
                    ExportError::Store(s) => AppError::from(s),
                    ExportError::Target(m) => AppError::new(Code::FileRefused, m),
                    other => AppError::new(
                        Code::FileUnwritable,
                        format!("{other} ({})", path.display()),
                    ),
                }))
        });
        written.await?.map(Some)
    };
    reply("export_labels", answer.await)
}

/// Runs a write with the running engine's writer, or a read connection while it is stopped.
async fn write<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    let running = state
        .engine_db
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(match running {
        Some(db) => db.writer.run(move |s| f(s)).await?,
        None => state.readers.run(f).await?,
    })
}
