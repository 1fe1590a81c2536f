//! Tokenwatch desktop app: a thin Tauri shell over `tokenwatch-engine`. Commands translate
//! between the UI and the engine; the engine knows nothing of Tauri.

mod commands;
mod error;
pub mod keychain;
mod notifier;
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
        .on_window_event(tray::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::engine_status,
            commands::recent_events,
            commands::event_detail,
            commands::delivery_attempts,
            commands::redeliver,
            commands::keychain_status,
            commands::store_secret
        ])
        .setup(|app| {
            let paths = runner::Paths::resolve(app.handle())?;
            let guard = tokenwatch_engine::logging::init(Some(&paths.log_dir), "info");
            tracing::info!(data = %paths.data_dir.display(), config = %paths.config.display(), "starting");
            app.manage(state::AppState::new(paths.db.clone()));
            app.manage(LogGuard(guard));
            if let Err(e) = tray::install(app.handle()) {
                // Some desktops have no tray; the window still works.
                tracing::warn!(error = %e, "no tray icon");
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(runner::run(handle, paths.config, paths.db));
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
