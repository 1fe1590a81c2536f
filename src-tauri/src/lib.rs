//! Tokenwatch desktop app: a thin Tauri shell over `tokenwatch-engine`. Commands translate
//! between the UI and the engine; the engine knows nothing of Tauri.

mod commands;
mod dialogs;
mod error;
pub mod keychain;
mod notifier;
pub mod render;
mod runner;
mod state;
mod tray;

pub use error::AppError;

use tauri::Manager;

/// Builds and runs the app. `TOKENWATCH_APP_ID` replaces the app identifier (tests use a
/// unique one so they never touch a user's data).
pub fn run() {
    let mut context = tauri::generate_context!("tauri.conf.json");
    if let Ok(id) = std::env::var("TOKENWATCH_APP_ID") {
        context.config_mut().identifier = id;
    }
    let result = tauri::Builder::default()
        // First: a second launch hands over to the running instance and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: showing the running instance");
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .on_window_event(tray::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::events::engine_status,
            commands::events::recent_events,
            commands::events::event_detail,
            commands::events::event_full,
            commands::events::history_page,
            commands::events::history_index,
            commands::events::dashboard,
            commands::events::delivery_attempts,
            commands::events::redeliver,
            commands::config::config_view,
            commands::config::save_network,
            commands::config::remove_network,
            commands::config::save_listener,
            commands::config::remove_listener,
            commands::config::set_paused,
            commands::config::check_listener,
            commands::config::test_connection,
            commands::config::event_presets,
            commands::config::abi_events,
            commands::config::signature_events,
            commands::export::export_csv,
            commands::settings::settings,
            commands::settings::set_autostart,
            commands::settings::save_notifications,
            commands::settings::keychain_status,
            commands::settings::store_secret
        ])
        .setup(|app| {
            let paths = runner::Paths::resolve(app.handle())?;
            let guard = tokenwatch_engine::logging::init(Some(&paths.log_dir), "info");
            tracing::info!(data = %paths.data_dir.display(), config = %paths.config.display(), "starting");
            let (apply, configs) = tokio::sync::mpsc::unbounded_channel();
            app.manage(state::AppState::new(paths.clone(), apply));
            app.manage(LogGuard(guard));
            if let Err(e) = tray::install(app.handle()) {
                // Some desktops have no tray; the window still works.
                tracing::warn!(error = %e, "no tray icon");
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(runner::run(handle, paths.config, paths.db, configs));
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("Tokenwatch could not start: {e}");
        std::process::exit(1);
    }
}

/// Keeps the log file writer alive for the life of the app.
struct LogGuard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);
