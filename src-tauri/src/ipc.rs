//! The names of the IPC surface: the commands the window may invoke (registered from the one
//! list below) and the events the app pushes. `cargo test export_bindings` writes them to
//! `ui/src/bindings/ipc-names.ts`, so the TypeScript side never spells them by hand.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

/// Calls `$then!` with every command as `module::function` (modules of `crate::commands`):
/// the invoke handler and [`COMMANDS`] are both made from this one list.
macro_rules! with_commands {
    ($then:ident) => {
        $then!(
            events::engine_status,
            events::recent_events,
            events::event_detail,
            events::event_full,
            events::history_page,
            events::history_index,
            events::dashboard,
            events::delivery_attempts,
            events::redeliver,
            config::config_view,
            config::save_network,
            config::remove_network,
            config::save_listener,
            config::remove_listener,
            config::set_paused,
            config::check_listener,
            activity::listener_activity,
            config::test_connection,
            config::event_presets,
            config::abi_events,
            config::signature_events,
            targets::target_list,
            targets::save_target,
            targets::remove_target,
            targets::test_target,
            export::export_csv,
            tokens::token_states,
            tokens::check_tokens,
            tokens::top_holders,
            tokens::supply_series,
            tokens::holder_series,
            tokens::address_history,
            tokens::token_registers,
            tokens::holder_register,
            tokens::export_register,
            labels::labels,
            labels::set_label,
            labels::import_labels,
            labels::export_labels,
            links::open_explorer,
            settings::settings,
            settings::set_autostart,
            settings::save_notifications,
            settings::keychain_status,
            settings::store_secret,
        )
    };
}

/// The invoke handler of the commands given (`with_commands!(command_handler)`).
macro_rules! command_handler {
    ($($module:ident :: $name:ident),* $(,)?) => {
        tauri::generate_handler![$(crate::commands::$module::$name),*]
    };
}

/// The names the window invokes the commands given by (a command is invoked by its function's name).
macro_rules! command_names {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

pub(crate) use {command_handler, with_commands};

/// Every command the window may invoke.
pub const COMMANDS: &[&str] = with_commands!(command_names);

/// Declares [`AppEvent`] and [`EVENTS`] from one list of variants and names.
macro_rules! app_events {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// An event the app pushes to the window.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum AppEvent {
            $($(#[$doc])* $variant,)*
        }

        impl AppEvent {
            /// The name the window listens to.
            pub const fn name(self) -> &'static str {
                match self {
                    $(AppEvent::$variant => $name,)*
                }
            }
        }

        /// Every event the app pushes, by name.
        pub const EVENTS: &[&str] = &[$($name,)*];
    };
}

app_events! {
    /// The whole engine status, on every change.
    EngineStatus = "engine-status",
    /// A newly committed event, or a status change of one (same id).
    EngineEvent = "engine-event",
    /// The window missed pushed events (a burst): it reloads what it shows.
    EngineResync = "engine-resync",
    /// Something the user must know (a reorg deeper than the confirmations).
    EngineAlert = "engine-alert",
    /// A notification was clicked: the event to show (none: a summary, the feed).
    OpenEvent = "open-event",
    /// Rows written so far during a CSV export.
    ExportProgress = "export-progress",
    /// The configuration file was edited outside the window: what was applied, or its problems.
    ConfigReloaded = "config-reloaded",
}

/// Pushes `payload` to the window as `event`: the only way the app emits events.
pub fn emit<R: Runtime, S: Serialize + Clone>(
    app: &AppHandle<R>,
    event: AppEvent,
    payload: S,
) -> tauri::Result<()> {
    app.emit(event.name(), payload)
}

#[cfg(test)]
mod tests;
