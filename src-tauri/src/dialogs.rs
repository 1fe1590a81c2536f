//! Native file dialogs (GTK on Linux) for the commands that need a file from the user.
//! `TOKENWATCH_EXPORT_PATH`, `TOKENWATCH_ABI_PATH` and `TOKENWATCH_LABELS_PATH` answer them without a dialog, for
//! automated end-to-end runs, where no one can click in a GTK dialog.

use std::path::PathBuf;

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

use crate::error::{AppError, Code};

/// Where to save a CSV export; `None` when the user cancelled.
pub async fn pick_export_path(
    app: &AppHandle,
    suggested: &str,
) -> Result<Option<PathBuf>, AppError> {
    pick_save_path(app, "Export history to CSV", suggested).await
}

/// Where to save a CSV, asked with `title`; `None` when the user cancelled.
pub async fn pick_save_path(
    app: &AppHandle,
    title: &str,
    suggested: &str,
) -> Result<Option<PathBuf>, AppError> {
    if let Some(p) = std::env::var_os("TOKENWATCH_EXPORT_PATH") {
        return Ok(Some(PathBuf::from(p)));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .add_filter("CSV", &["csv"])
        .set_file_name(suggested)
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let picked = rx.await.ok().flatten();
    picked
        .map(|p| {
            p.into_path()
                .map_err(|e| AppError::new(Code::FileRefused, format!("unusable path: {e}")))
        })
        .transpose()
}

/// The text of an ABI file the user picks; `None` when cancelled.
pub async fn pick_abi_file(app: &AppHandle) -> Result<Option<String>, AppError> {
    let path = match std::env::var_os("TOKENWATCH_ABI_PATH") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .set_title("Import an ABI")
                .add_filter("JSON ABI", &["json", "abi"])
                .pick_file(move |path| {
                    let _ = tx.send(path);
                });
            match rx.await.ok().flatten() {
                Some(p) => Some(p.into_path().map_err(|e| {
                    AppError::new(Code::FileRefused, format!("unusable path: {e}"))
                })?),
                None => None,
            }
        }
    };
    let Some(path) = path else { return Ok(None) };
    let unreadable = |e: std::io::Error| {
        AppError::new(
            Code::FileUnreadable,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let meta = std::fs::metadata(&path).map_err(unreadable)?;
    if meta.len() > 16 * 1024 * 1024 {
        return Err(AppError::new(
            Code::FileTooLarge,
            format!(
                "{} is {} MB; an ABI file is at most 16 MB",
                path.display(),
                meta.len() / 1_048_576
            ),
        ));
    }
    std::fs::read_to_string(&path).map(Some).map_err(unreadable)
}

/// The text of an address book CSV the user picks; `None` when cancelled.
pub async fn pick_labels_file(app: &AppHandle) -> Result<Option<String>, AppError> {
    let path = match std::env::var_os("TOKENWATCH_LABELS_PATH") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .set_title("Import an address book")
                .add_filter("CSV", &["csv"])
                .pick_file(move |path| {
                    let _ = tx.send(path);
                });
            match rx.await.ok().flatten() {
                Some(p) => Some(p.into_path().map_err(|e| {
                    AppError::new(Code::FileRefused, format!("unusable path: {e}"))
                })?),
                None => None,
            }
        }
    };
    let Some(path) = path else { return Ok(None) };
    read_small_text(&path, "an address book").map(Some)
}

/// A text file of at most 16 MB.
fn read_small_text(path: &std::path::Path, what: &str) -> Result<String, AppError> {
    let unreadable = |e: std::io::Error| {
        AppError::new(
            Code::FileUnreadable,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.len() > 16 * 1024 * 1024 {
        return Err(AppError::new(
            Code::FileTooLarge,
            format!(
                "{} is {} MB; {what} file is at most 16 MB",
                path.display(),
                meta.len() / 1_048_576
            ),
        ));
    }
    std::fs::read_to_string(path).map_err(unreadable)
}
