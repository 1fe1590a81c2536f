//! OS-native pop-ups for the engine's desktop target (notify-rust on the session's
//! notification service) and the local clock for quiet hours. A click on a pop-up opens
//! its event in the window.

use std::time::Instant;

use tauri::{AppHandle, Emitter};
use tokenwatch_engine::deliver::desktop::{Clock, Notifier, Popup};

pub struct OsNotifier {
    app: AppHandle,
}

impl OsNotifier {
    pub fn new(app: AppHandle) -> Self {
        Self { app }
    }
}

impl Notifier for OsNotifier {
    fn show(&self, popup: &Popup) -> Result<(), String> {
        let handle = notify_rust::Notification::new()
            .appname("Tokenwatch")
            .summary(&popup.title)
            .body(&popup.body)
            .action("default", "Open")
            .show()
            .map_err(|e| explain(&e.to_string()))?;
        let app = self.app.clone();
        let event_id = popup.event_id;
        // Waits for a click or for the pop-up to close, whichever comes first.
        std::thread::spawn(move || {
            handle.wait_for_action(|action| {
                if action == "default" {
                    open_event(&app, event_id);
                }
            })
        });
        Ok(())
    }
}

/// Why a pop-up could not be shown, in words; the technical detail follows.
fn explain(detail: &str) -> String {
    let what =
        if detail.contains("ServiceUnknown") || detail.contains("org.freedesktop.Notifications") {
            "No notification service is running on this desktop, so pop-ups cannot be shown"
        } else if detail.contains("DBUS_SESSION_BUS_ADDRESS") || detail.contains("connect") {
            "This session has no D-Bus connection, so pop-ups cannot be shown"
        } else {
            "The desktop refused the pop-up"
        };
    format!("{what}; events are still stored and sent to the other targets ({detail})")
}

/// Brings the window forward and shows the event (or the feed, for a summary).
pub fn open_event(app: &AppHandle, event_id: Option<i64>) {
    crate::tray::show_main(app);
    let _ = app.emit("open-event", event_id);
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
