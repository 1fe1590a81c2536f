//! Starts the engine inside the app and forwards its notices to the window as events.

use std::path::{Path, PathBuf};

use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, Manager};
use tokenwatch_engine::config::ConfigProblem;
use tokenwatch_engine::deliver::desktop::{DesktopSink, Popup};
use tokenwatch_engine::deliver::{RetryPolicy, Target, TargetKey};
use tokenwatch_engine::reload::{ConfigChanges, POLL};
use tokenwatch_engine::{Config, Engine, Notice, RunOptions};

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;

use crate::ipc::{self, AppEvent};
use crate::notifier::{OsNotifier, SystemClock};

use crate::state::AppState;

/// Where the app keeps its files.
#[derive(Clone, Debug)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub config: PathBuf,
    pub db: PathBuf,
}

impl Paths {
    /// `TOKENWATCH_DATA_DIR` and `TOKENWATCH_CONFIG` override the platform directories
    /// (tests and the demo use them).
    pub fn resolve(app: &AppHandle) -> Result<Self, PathsError> {
        let data_dir = match std::env::var_os("TOKENWATCH_DATA_DIR") {
            Some(d) => PathBuf::from(d),
            None => app.path().app_data_dir().map_err(PathsError::NoDataDir)?,
        };
        let log_dir = app
            .path()
            .app_log_dir()
            .unwrap_or_else(|_| data_dir.join("logs"));
        let config = std::env::var_os("TOKENWATCH_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("config.toml"));
        let db = data_dir.join("tokenwatch.db");
        tokenwatch_engine::files::create_private_dir(&data_dir).map_err(|source| {
            PathsError::Create {
                dir: data_dir.clone(),
                source,
            }
        })?;
        Ok(Self {
            data_dir,
            log_dir,
            config,
            db,
        })
    }
}

/// Why the app has nowhere to keep its files (it does not start).
#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error("the system names no data folder for the app: {0}")]
    NoDataDir(tauri::Error),
    #[error("cannot create {}: {source}", .dir.display())]
    Create {
        dir: PathBuf,
        source: std::io::Error,
    },
}

/// Runs the engine until `stop` turns true (the app is quitting), then shuts it down: its
/// writes and deliveries in flight finish and are recorded. A start-up failure is shown in
/// the status. Edited configurations arrive on `configs`: a running engine applies them in
/// place, a stopped one (bad configuration at start) starts with them.
pub async fn run(
    app: AppHandle,
    config_path: PathBuf,
    db: PathBuf,
    mut configs: UnboundedReceiver<Config>,
    mut stop: watch::Receiver<bool>,
    log_problem: Option<String>,
) {
    let mut config = load_config(&config_path);
    let data_dir = app.state::<AppState>().paths.data_dir.clone();
    // One pop-up sink for the app's life: edited preferences are applied to it in place.
    let desktop = Arc::new(DesktopSink::new(
        Arc::new(OsNotifier::new(app.clone(), &data_dir)),
        Arc::new(SystemClock),
        config
            .as_ref()
            .map(|c| c.notifications.clone())
            .unwrap_or_default(),
    ));
    let mut retry = FIRST_RETRY;
    loop {
        let engine = match config {
            Ok(c) => start(&app, c, &db, (&desktop, &log_problem)).await,
            Err(e) => {
                fail(&app, e.to_string());
                None
            }
        };
        match engine {
            Some(engine) => {
                follow(&app, engine, &mut configs, &desktop, &mut stop).await;
                return;
            }
            // Not started: again with an edited configuration, or after a while (the
            // database may be free by then, the keychain unlocked, the file fixed by hand).
            None => tokio::select! {
                next = configs.recv() => match next {
                    Some(next) => {
                        config = Ok(next);
                        retry = FIRST_RETRY;
                    }
                    None => return,
                },
                _ = tokio::time::sleep(retry) => {
                    tracing::info!("starting the engine again");
                    retry = (retry * 2).min(LAST_RETRY);
                    config = load_config(&config_path);
                }
                // The file fixed by hand starts the engine at once.
                next = fixed_file(&app) => {
                    config = Ok(next);
                    retry = FIRST_RETRY;
                }
                // Only `true` is ever sent: the app is quitting.
                _ = stop.changed() => return,
            },
        }
    }
}

/// The configuration file once it is changed to one that validates (problems of the
/// changes before it are shown).
async fn fixed_file(app: &AppHandle) -> Config {
    loop {
        tokio::time::sleep(POLL).await;
        match crate::reload::look(app).await {
            Some(Ok(config)) => return config,
            Some(Err(problems)) => crate::reload::refused(app, &problems),
            None => {}
        }
    }
}

/// Waits before starting an engine that could not start again: doubling, up to the last.
const FIRST_RETRY: Duration = Duration::from_secs(5);
const LAST_RETRY: Duration = Duration::from_secs(60);

async fn start(
    app: &AppHandle,
    config: Config,
    db: &Path,
    (sink, log_problem): (&Arc<DesktopSink>, &Option<String>),
) -> Option<Engine> {
    sink.set_policy(config.notifications.clone());
    let desktop = Target {
        key: TargetKey::Desktop,
        sink: sink.clone(),
        retry: RetryPolicy::default(),
    };
    let opts = RunOptions {
        host_targets: vec![desktop],
        warnings: log_problem.iter().cloned().collect(),
        ..RunOptions::default()
    };
    match Engine::start(config, db, opts).await {
        Ok(e) => Some(e),
        Err(e) => {
            fail(app, format!("The engine could not start: {e}"));
            None
        }
    }
}

/// Forwards notices to the window and applies edited configurations until the app quits,
/// then shuts the engine down.
async fn follow(
    app: &AppHandle,
    mut engine: Engine,
    configs: &mut UnboundedReceiver<Config>,
    desktop: &DesktopSink,
    stop: &mut watch::Receiver<bool>,
) {
    let mut notices = engine.subscribe();
    // An interval, not a sleep per turn: notices arrive more often than it ticks.
    let mut file_tick = tokio::time::interval(POLL);
    file_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    set_engine_db(app, Some(engine.db()));
    set_token_check(app, Some(engine.token_check()));
    publish_status(app, engine.status());
    loop {
        tokio::select! {
            notice = notices.recv() => match notice {
                Ok(Notice::Status(s)) => publish_status(app, s),
                Ok(Notice::Event(e)) => {
                    let _ = ipc::emit(app, AppEvent::EngineEvent, e);
                }
                Ok(Notice::Alert(msg)) => alert(app, desktop, msg),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    // The window missed some notices; the stored events are intact: it reloads.
                    tracing::warn!(skipped = n, "UI notices lagged");
                    publish_status(app, engine.status());
                    let _ = ipc::emit(app, AppEvent::EngineResync, n);
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            next = configs.recv() => match next {
                Some(config) => {
                    tracing::info!(networks = config.networks.len(), listeners = config.listeners.len(), "applying the edited configuration");
                    apply(app, &mut engine, desktop, config).await;
                }
                None => break,
            },
            // The file edited outside the window: applied the same way, and announced.
            _ = file_tick.tick() => match crate::reload::look(app).await {
                Some(Ok(config)) => {
                    let changes = apply(app, &mut engine, desktop, config).await;
                    crate::reload::applied(app, changes);
                }
                Some(Err(problems)) => crate::reload::refused(app, &problems),
                None => {}
            },
            // Only `true` is ever sent: the app is quitting.
            _ = stop.changed() => break,
        }
    }
    tracing::info!("stopping the engine");
    set_engine_db(app, None);
    set_token_check(app, None);
    // The app's own read connections close first: the writer, closing last, folds the
    // log into the database.
    app.state::<AppState>().readers.close();
    if let Err(e) = engine.shutdown().await {
        tracing::error!(error = %e, "the engine stopped with an error");
    }
    tracing::info!("engine stopped");
}

/// Applies a configuration to the running engine and the pop-up policy.
async fn apply(
    app: &AppHandle,
    engine: &mut Engine,
    desktop: &DesktopSink,
    config: Config,
) -> ConfigChanges {
    desktop.set_policy(config.notifications.clone());
    let changes = engine.apply(config).await;
    publish_status(app, engine.status());
    changes
}

/// Something the user must know (a reorg deeper than the confirmation policy): logged,
/// shown in the window, and popped up on the desktop.
fn alert(app: &AppHandle, desktop: &DesktopSink, message: String) {
    tracing::error!("{message}");
    let _ = ipc::emit(app, AppEvent::EngineAlert, &message);
    // An alert can name a token by the symbol its contract chose: inert for the pop-up.
    use tokenwatch_engine::deliver::text::{inert, POPUP_BODY};
    let popup = Popup {
        title: "Tokenwatch: attention needed".to_string(),
        body: inert(POPUP_BODY, &message, 1_000),
        event_id: None,
    };
    desktop.alert(popup);
}

/// Why the engine cannot start with the configuration file (shown in the status).
#[derive(Debug, thiserror::Error)]
#[error("The configuration {} has problems: {}", .path.display(), .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
struct ConfigLoadError {
    path: PathBuf,
    problems: Vec<ConfigProblem>,
}

/// The configuration file; none yet is an empty configuration.
fn load_config(path: &Path) -> Result<Config, ConfigLoadError> {
    let loaded = if path.exists() {
        Config::load_with(path, &crate::keychain::OsKeychain)
    } else {
        Config::parse("", Path::new("."))
    };
    loaded.map_err(|problems| ConfigLoadError {
        path: path.to_path_buf(),
        problems,
    })
}

fn publish_status(app: &AppHandle, status: tokenwatch_engine::EngineStatus) {
    crate::tray::set_status(app, &tray_text(&status));
    app.state::<AppState>().set_status(status.clone());
    let _ = ipc::emit(app, AppEvent::EngineStatus, status);
}

/// `Running · 1234 events`, or what is wrong, for the tray tooltip.
fn tray_text(s: &tokenwatch_engine::EngineStatus) -> String {
    if let Some(e) = &s.error {
        return format!("Problem: {e}");
    }
    let state = if !s.running {
        "Stopped"
    } else if s.networks.iter().any(|n| n.error.is_some()) {
        "Problem"
    } else {
        "Running"
    };
    format!("{state} · {} events", s.events_stored)
}

fn fail(app: &AppHandle, message: String) {
    tracing::error!("{message}");
    let mut status = app.state::<AppState>().status();
    status.running = false;
    status.error = Some(message);
    publish_status(app, status);
}

/// Lets commands write through the running engine's database owner.
fn set_engine_db(app: &AppHandle, db: Option<tokenwatch_engine::store::Db>) {
    let state = app.state::<AppState>();
    *state.engine_db.lock().unwrap_or_else(|p| p.into_inner()) = db;
}

fn set_token_check(app: &AppHandle, check: Option<tokenwatch_engine::engine::TokenCheckHandle>) {
    let state = app.state::<AppState>();
    *state.token_check.lock().unwrap_or_else(|p| p.into_inner()) = check;
}
