//! OS-native pop-ups for the engine's desktop target (notify-rust on the session's
//! notification service) and the local clock for quiet hours. A click on a pop-up opens
//! its event in the window.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use notify_rust::NotificationResponse;

use tauri::AppHandle;
use tokenwatch_engine::deliver::desktop::{Clock, Notifier, NotifyError, Popup};

#[path = "notifier/icon.rs"]
mod icon;

pub struct OsNotifier {
    app: AppHandle,
    /// The app icon as a file, for notification servers that take a path (Linux); `None`:
    /// the system shows the app bundle's icon (macOS, Windows) or none.
    icon: Option<String>,
}

impl OsNotifier {
    /// Pop-ups carrying the app icon, written into `data_dir` where the system needs a file.
    pub fn new(app: AppHandle, data_dir: &Path) -> Self {
        Self {
            app,
            icon: icon::popup_icon(data_dir),
        }
    }
}

impl Notifier for OsNotifier {
    fn show(&self, popup: &Popup) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Tokenwatch")
            .summary(&popup.title)
            .body(&popup.body)
            .action("default", "Open");
        if let Some(icon) = &self.icon {
            notification.icon(icon);
        }
        let handle = notification.show().map_err(|e| explain(e.to_string()))?;
        let app = self.app.clone();
        let event_id = popup.event_id;
        // Waits for a click or for the pop-up to close, whichever comes first, for a while:
        // desktops keep expired pop-ups in their list without closing them, and each wait
        // holds a session-bus connection. Too many waiting: this one is shown, not followed.
        if WAITING.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
            WAITING.fetch_sub(1, Ordering::Relaxed);
            tracing::debug!("{MAX_WAITING} pop-ups await a click; this one opens nothing");
            return Ok(());
        }
        tauri::async_runtime::spawn(async move {
            let clicked = handle.wait_for_action_async(|response| {
                if matches!(response, NotificationResponse::Default)
                    || matches!(response, NotificationResponse::Action(a) if a == "default")
                {
                    open_event(&app, event_id);
                }
            });
            let _ = tokio::time::timeout(CLICK_WAIT, clicked).await;
            WAITING.fetch_sub(1, Ordering::Relaxed);
        });
        Ok(())
    }
}

/// How long a pop-up's click still opens its event.
const CLICK_WAIT: Duration = Duration::from_secs(15 * 60);
/// Pop-ups waiting for a click at once (each holds a bus connection).
const MAX_WAITING: usize = 64;
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// Why a pop-up could not be shown, from what the session bus said (notify-rust gives
/// only its text).
fn explain(detail: String) -> NotifyError {
    tracing::debug!(%detail, "the notification service did not show a pop-up");
    if detail.contains("ServiceUnknown") || detail.contains("org.freedesktop.Notifications") {
        NotifyError::NoService(detail)
    } else if detail.contains("DBUS_SESSION_BUS_ADDRESS") || detail.contains("connect") {
        NotifyError::NoSessionBus(detail)
    } else {
        NotifyError::Refused(detail)
    }
}

/// Brings the window forward and shows the event (or the feed, for a summary).
pub fn open_event(app: &AppHandle, event_id: Option<i64>) {
    crate::tray::show_main(app);
    let _ = crate::ipc::emit(app, crate::ipc::AppEvent::OpenEvent, event_id);
}

/// The system clock; minutes of the local day from the C library's time zone rules.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn local_minute_of_day(&self) -> u32 {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as libc::time_t);
        // SAFETY: localtime_r writes only into `tm`, which outlives the call.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let ok = unsafe { !libc::localtime_r(&secs, &mut tm).is_null() };
        if ok {
            (tm.tm_hour * 60 + tm.tm_min) as u32
        } else {
            ((secs / 60) % 1440) as u32
        }
    }
}
