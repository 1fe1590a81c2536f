//! Running in the background: a tray icon with the engine's status and a menu (open,
//! pause/resume all, quit); closing the window hides it while the engine keeps watching; a second launch
//! brings the first instance's window back instead of starting another engine.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};

const TRAY: &str = "main";

/// Adds the tray icon and its menu.
pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Tokenwatch", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause all listeners", true, None::<&str>)?;
    let resume = MenuItem::with_id(app, "resume", "Resume all listeners", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Tokenwatch", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &pause, &resume, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .tooltip("Tokenwatch: starting")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main(app),
            "pause" => pause_all(app, true),
            "resume" => pause_all(app, false),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon().cloned() {
        tray = tray.icon(icon);
    }
    tray.build(app)?;
    HAS_TRAY.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Whether the tray icon was installed: without it, closing the window quits.
static HAS_TRAY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The tray's tooltip follows the engine: `Tokenwatch: Running · 1,234 events`.
pub fn set_status<R: Runtime>(app: &AppHandle<R>, text: &str) {
    if let Some(tray) = app.tray_by_id(TRAY) {
        let _ = tray.set_tooltip(Some(format!("Tokenwatch: {text}")));
    }
}

/// Pauses or resumes every listener through the same path as the Listeners screen.
fn pause_all<R: Runtime>(app: &AppHandle<R>, paused: bool) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<crate::state::AppState>();
        let result =
            crate::commands::config::edit(&state, move |doc| Ok(doc.set_paused(None, paused)?))
                .await;
        match result {
            Ok(_) => tracing::info!(paused, "all listeners paused/resumed from the tray"),
            Err(e) => {
                tracing::error!(error = %e, "cannot pause/resume from the tray");
                let what = if paused { "paused" } else { "resumed" };
                let message = format!("The listeners could not be {what} from the tray: {e}");
                let _ = crate::ipc::emit(&app, crate::ipc::AppEvent::EngineAlert, message);
            }
        }
    });
}

/// Shows, unminimises and focuses the main window.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// Closing the window hides it; the engine keeps running (quit from the tray menu). With no
/// tray to bring it back, closing the window quits.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if !HAS_TRAY.load(std::sync::atomic::Ordering::Relaxed) {
            tracing::info!("window closed and no tray icon: quitting");
            return;
        }
        api.prevent_close();
        let _ = window.hide();
        tracing::info!("window closed; the engine keeps running in the background");
    }
}
