//! Tokenwatch desktop app: a thin Tauri shell over `tokenwatch-engine`. Commands translate
//! between the UI and the engine; the engine knows nothing of Tauri.

mod commands;
mod dialogs;
mod error;
pub mod ipc;
pub mod keychain;
mod notifier;
mod reload;
pub mod render;
mod runner;
mod state;
mod tray;

pub use error::AppError;

use ipc::command_handler;
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
        .invoke_handler(ipc::with_commands!(command_handler))
        .setup(|app| {
            let paths = runner::Paths::resolve(app.handle())?;
            let logging = tokenwatch_engine::logging::init(Some(&paths.log_dir), "info");
            let log_problem = logging.problem.clone();
            tracing::info!(data = %paths.data_dir.display(), config = %paths.config.display(), "starting");
            let (apply, configs) = tokio::sync::mpsc::unbounded_channel();
            let watch = tokenwatch_engine::reload::ConfigWatch::new(
                paths.config.clone(),
                std::sync::Arc::new(keychain::OsKeychain),
            );
            app.manage(state::AppState::new(paths.clone(), apply, watch));
            app.manage(LogGuard(logging));
            if let Err(e) = tray::install(app.handle()) {
                // Some desktops have no tray; the window still works (and closing it quits).
                tracing::warn!(error = %e, "no tray icon");
            }
            let handle = app.handle().clone();
            let (stop, stopping) = tokio::sync::watch::channel(false);
            let engine = tauri::async_runtime::spawn(runner::run(
                handle,
                paths.config,
                paths.db,
                configs,
                stopping,
                log_problem,
            ));
            app.manage(Quitting {
                stop,
                engine: std::sync::Mutex::new(Some(engine)),
            });
            tauri::async_runtime::spawn(quit_on_signal(app.handle().clone()));
            Ok(())
        })
        .build(context);
    match result {
        Ok(app) => app.run(on_run_event),
        Err(e) => {
            eprintln!("Tokenwatch could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// How the app quits: the engine is told to stop, and the app exits once it has (or after
/// QUIT_GRACE), so writes and deliveries in flight are finished and recorded.
struct Quitting {
    stop: tokio::sync::watch::Sender<bool>,
    engine: std::sync::Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

const QUIT_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

fn on_run_event(app: &tauri::AppHandle, event: tauri::RunEvent) {
    let tauri::RunEvent::ExitRequested { api, code, .. } = event else {
        return;
    };
    let state = app.state::<Quitting>();
    let engine = state
        .engine
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    // The second request (ours, below) goes through.
    let Some(engine) = engine else { return };
    api.prevent_exit();
    let _ = state.stop.send(true);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if tokio::time::timeout(QUIT_GRACE, engine).await.is_err() {
            tracing::warn!("the engine did not stop within {QUIT_GRACE:?}; quitting anyway");
        }
        app.exit(code.unwrap_or(0));
    });
}

/// SIGTERM (logout, `kill`) and SIGINT (Ctrl-C in a terminal) quit like the tray's Quit.
async fn quit_on_signal(app: tauri::AppHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM/SIGINT; they end the app at once");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: quitting"),
        _ = int.recv() => tracing::info!("SIGINT: quitting"),
    }
    app.exit(0);
}

/// Keeps the log file writer alive for the life of the app.
struct LogGuard(#[allow(dead_code)] tokenwatch_engine::logging::Logging);
