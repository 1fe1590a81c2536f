//! Settings: where the data lives, starting with the system, notification preferences,
//! and the OS keychain for secrets.

use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;
use tokenwatch_engine::config::{ConfigView, NotificationsEntry};
use ts_rs::TS;

use super::{reply, Reply};
use crate::error::{AppError, Code};
use crate::keychain::OsKeychain;
use crate::state::AppState;

/// What the Settings screen shows.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    pub data_dir: String,
    pub config_path: String,
    pub database: String,
    pub log_dir: String,
    /// Whether Tokenwatch starts with the system (off unless the user turns it on).
    pub autostart: bool,
}

#[tauri::command]
pub fn settings(app: AppHandle, state: State<'_, AppState>) -> Reply<Settings> {
    let p = &state.paths;
    let settings = Settings {
        data_dir: p.data_dir.display().to_string(),
        config_path: p.config.display().to_string(),
        database: p.db.display().to_string(),
        log_dir: p.log_dir.display().to_string(),
        autostart: app.autolaunch().is_enabled().unwrap_or(false),
    };
    reply("settings", Ok(settings))
}

/// Turns starting with the system on or off; returns the new state.
#[tauri::command]
pub fn set_autostart(app: AppHandle, enabled: bool) -> Reply<bool> {
    let launcher = app.autolaunch();
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    let now = result
        .map(|()| launcher.is_enabled().unwrap_or(enabled))
        .map_err(|e| {
            AppError::new(
                Code::AutostartFailed,
                format!("cannot change starting with the system: {e}"),
            )
        });
    reply("set_autostart", now)
}

/// Saves the notification preferences (quiet hours, burst) into the configuration.
#[tauri::command]
pub async fn save_notifications(
    state: State<'_, AppState>,
    notifications: NotificationsEntry,
) -> Reply<ConfigView> {
    let view = super::config::edit(&state, move |doc| {
        doc.set_notifications(notifications);
        Ok(())
    })
    .await;
    reply("save_notifications", view)
}

/// Whether secrets can go to the OS keychain; `keychain.unavailable` or `keychain.locked`
/// says why not. (Off the main thread: the keychain may wait at an unlock prompt.)
#[tauri::command]
pub async fn keychain_status() -> Reply<()> {
    let checked = super::events::blocking(|| Ok(OsKeychain.check()?)).await;
    reply("keychain_status", checked)
}

/// Keeps a secret (webhook secret, URL with an API key) in the OS keychain under `name`,
/// for the configuration to name with `*_keychain = "name"`.
#[tauri::command]
pub async fn store_secret(name: String, value: String) -> Reply<()> {
    let stored = super::events::blocking(move || Ok(OsKeychain.store(&name, &value)?)).await;
    reply("store_secret", stored)
}
