//! Editing networks and listeners: each change is validated, written to the config file
//! atomically and handed to the running engine, which applies it without a restart.

use std::time::Duration;

use serde::Serialize;
use tauri::State;
use tokenwatch_engine::abi::{self, EventInfo, PackInfo};
use tokenwatch_engine::config::chain_check::{check_chain_id, endpoints};
use tokenwatch_engine::config::{
    ConfigDoc, ConfigProblem, ConfigView, ListenerEntry, NetworkEntry,
};
use tokenwatch_engine::source::{probe_endpoints, EndpointProbe};
use ts_rs::TS;

use super::{reply, Reply};
use crate::error::AppError;
use crate::keychain::OsKeychain;
use crate::state::AppState;

/// The networks, listeners and target names of the configuration file.
#[tauri::command]
pub async fn config_view(state: State<'_, AppState>) -> Reply<ConfigView> {
    let doc = ConfigDoc::load(&state.paths.config);
    reply("config_view", doc.map(|d| d.view()).map_err(AppError::from))
}

/// Loads the file, applies `edit`, saves and hands the result to the engine; one edit at
/// a time (the window, Settings and the tray all come through here).
pub(crate) async fn edit(
    state: &AppState,
    edit: impl FnOnce(&mut ConfigDoc) -> Result<(), AppError> + Send + 'static,
) -> Result<ConfigView, AppError> {
    let _guard = state.config_lock.lock().await;
    let path = state.paths.config.clone();
    // Off the async runtime: file writes with fsync, and blocking keychain lookups.
    let (config, view) = super::events::blocking(move || {
        let mut doc = ConfigDoc::load(&path)?;
        edit(&mut doc)?;
        let config = doc.save(&OsKeychain)?;
        Ok((config, doc.view()))
    })
    .await?;
    // Applied through the channel below: the file watch is not to apply it again.
    state
        .watch
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .mark_seen();
    if state.apply.send(config).is_err() {
        tracing::warn!("configuration saved; the engine is not running to apply it");
    }
    Ok(view)
}

/// What saving a network answers: the configuration as written, and what the user should
/// know about it (its chain id could not be checked).
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct SavedNetwork {
    pub config: ConfigView,
    pub warning: Option<String>,
}

/// How long saving waits for the endpoints' chain id.
const CHAIN_CHECK: Duration = Duration::from_secs(5);

/// Adds a network, or replaces the one named `original` (listeners follow a rename). Refused
/// when an endpoint serves another chain id; saved with a warning when none answers.
#[tauri::command]
pub async fn save_network(
    state: State<'_, AppState>,
    original: Option<String>,
    network: NetworkEntry,
) -> Reply<SavedNetwork> {
    let saved = async {
        let entry = network.clone();
        let urls = super::events::blocking(move || Ok(endpoints(&entry, &OsKeychain))).await?;
        let check = check_chain_id(network.chain_id, &urls, CHAIN_CHECK).await?;
        let config = edit(&state, move |d| {
            Ok(d.put_network(original.as_deref(), network)?)
        })
        .await?;
        Ok(SavedNetwork {
            config,
            warning: check.warning(),
        })
    };
    reply("save_network", saved.await)
}

#[tauri::command]
pub async fn remove_network(state: State<'_, AppState>, name: String) -> Reply<ConfigView> {
    let view = edit(&state, move |d| Ok(d.remove_network(&name)?)).await;
    reply("remove_network", view)
}

/// Adds a listener, or replaces the one named `original`.
#[tauri::command]
pub async fn save_listener(
    state: State<'_, AppState>,
    original: Option<String>,
    listener: ListenerEntry,
) -> Reply<ConfigView> {
    let view = edit(&state, move |d| {
        Ok(d.put_listener(original.as_deref(), listener)?)
    })
    .await;
    reply("save_listener", view)
}

/// Removes a listener; its stored events stay in History.
#[tauri::command]
pub async fn remove_listener(state: State<'_, AppState>, name: String) -> Reply<ConfigView> {
    let view = edit(&state, move |d| Ok(d.remove_listener(&name)?)).await;
    reply("remove_listener", view)
}

/// Pauses or resumes one listener, or every listener when `name` is null.
#[tauri::command]
pub async fn set_paused(
    state: State<'_, AppState>,
    name: Option<String>,
    paused: bool,
) -> Reply<ConfigView> {
    let view = edit(&state, move |d| Ok(d.set_paused(name.as_deref(), paused)?)).await;
    reply("set_paused", view)
}

/// Problems the listener would have if saved (empty: it is fine). For validation as the
/// user types; nothing is written.
#[tauri::command]
pub async fn check_listener(
    state: State<'_, AppState>,
    original: Option<String>,
    listener: ListenerEntry,
) -> Reply<Vec<ConfigProblem>> {
    let path = state.paths.config.clone();
    // Off the async runtime: the keychain lookups of validation are blocking D-Bus calls.
    let problems = super::events::blocking(move || {
        let mut doc = ConfigDoc::load(&path)?;
        let name = listener.name.trim().to_string();
        if let Err(e) = doc.put_listener(original.as_deref(), listener) {
            return Ok(vec![ConfigProblem {
                at: "name".into(),
                message: e.to_string(),
            }]);
        }
        Ok(doc.listener_problems(&name, &OsKeychain))
    })
    .await;
    reply("check_listener", problems)
}

/// Asks each endpoint for its chain id and head.
#[tauri::command]
pub async fn test_connection(rpc: Vec<String>) -> Reply<Vec<EndpointProbe>> {
    let probes = probe_endpoints(&rpc, Duration::from_secs(8)).await;
    reply("test_connection", Ok(probes))
}

/// The preset packs and their events, for the event picker.
#[tauri::command]
pub fn event_presets() -> Reply<Vec<PackInfo>> {
    reply(
        "event_presets",
        abi::preset_catalog().map_err(AppError::from),
    )
}

/// The events of a pasted JSON ABI, or of an ABI file chosen in a native dialog when
/// `text` is null (null result: the user cancelled).
#[tauri::command]
pub async fn abi_events(
    app: tauri::AppHandle,
    text: Option<String>,
) -> Reply<Option<Vec<EventInfo>>> {
    let text = match text {
        Some(t) => Ok(Some(t)),
        None => crate::dialogs::pick_abi_file(&app).await,
    };
    let events = text.and_then(|t| match t {
        Some(t) => Ok(Some(abi::abi_events(&t)?)),
        None => Ok(None),
    });
    reply("abi_events", events)
}

/// The events a typed signature or `pack:Event` entry stands for.
#[tauri::command]
pub fn signature_events(spec: String) -> Reply<Vec<EventInfo>> {
    reply(
        "signature_events",
        abi::spec_events(&spec).map_err(AppError::from),
    )
}
