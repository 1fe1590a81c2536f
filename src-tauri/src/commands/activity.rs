//! What a listener on every contract of a network would cost: the matching logs in the
//! network's latest blocks, measured before it is saved.

use std::time::Duration;

use serde::Serialize;
use tauri::State;
use tokenwatch_engine::abi::resolve_event_spec;
use tokenwatch_engine::config::chain_check::endpoints;
use tokenwatch_engine::config::{ConfigDoc, ListenerEntry};
use tokenwatch_engine::source::{measure_activity, NetworkActivity};
use ts_rs::TS;

use super::{reply, Reply};
use crate::keychain::OsKeychain;
use crate::state::AppState;

/// How many of the latest blocks are looked at.
const BLOCKS: u64 = 20;
/// How long each request may take.
const WAIT: Duration = Duration::from_secs(8);

/// The measurement, or why there is none (in words: shown in place of the numbers).
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ActivityReading {
    pub activity: Option<NetworkActivity>,
    pub error: Option<String>,
}

/// Counts the logs of `listener`'s events from every contract in its network's latest blocks.
#[tauri::command]
pub async fn listener_activity(
    state: State<'_, AppState>,
    listener: ListenerEntry,
) -> Reply<ActivityReading> {
    let path = state.paths.config.clone();
    let network = listener.network.clone();
    // Off the async runtime: keychain lookups are blocking D-Bus calls.
    let urls = super::events::blocking(move || {
        let view = ConfigDoc::load(&path)?.view();
        Ok(view
            .networks
            .iter()
            .find(|n| n.name == network)
            .map(|n| endpoints(n, &OsKeychain)))
    })
    .await;
    let reading = match urls {
        Ok(urls) => Ok(measure(urls, &listener).await),
        Err(e) => Err(e),
    };
    reply("listener_activity", reading)
}

async fn measure(urls: Option<Vec<String>>, listener: &ListenerEntry) -> ActivityReading {
    let failed = |error: String| ActivityReading {
        activity: None,
        error: Some(error),
    };
    let Some(urls) = urls else {
        return failed(format!("there is no network named {}", listener.network));
    };
    let mut topics = Vec::new();
    for spec in &listener.events {
        match resolve_event_spec(spec) {
            Ok(defs) => topics.extend(defs.iter().map(|d| d.topic0)),
            Err(e) => return failed(e.to_string()),
        }
    }
    if topics.is_empty() {
        return failed("no events are chosen yet".into());
    }
    match measure_activity(&urls, topics, BLOCKS, WAIT).await {
        Ok(a) => ActivityReading {
            activity: Some(a),
            error: None,
        },
        Err(e) => failed(e.to_string()),
    }
}
