//! Desktop notifications on the test's private session: the real `notification-daemon`
//! shows them on the Xvfb display, `dbus-monitor` records every `Notify` call and its
//! answer (the notification id), and a click is the daemon's `ActionInvoked` signal.

use std::process::Command;

use anyhow::{bail, Context, Result};

use super::desktop::Desktop;

const DAEMON: &str = "/usr/lib/notification-daemon/notification-daemon";

/// One notification as sent over D-Bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub id: Option<u32>,
    pub app: String,
    /// `app_icon`: an icon name or a file path.
    pub icon: String,
    pub summary: String,
    pub body: String,
}

/// Starts the notification service and the bus recorder.
pub fn start(desktop: &mut Desktop) -> Result<()> {
    if !std::path::Path::new(DAEMON).exists() {
        bail!(
            "{DAEMON} is missing: run scripts/install-system-deps.sh (package notification-daemon)"
        );
    }
    monitor(desktop)?;
    desktop.spawn("notification-daemon", DAEMON, &[])
}

/// Records the bus without any notification service (to see what the app does then).
pub fn monitor(desktop: &mut Desktop) -> Result<()> {
    desktop.spawn(
        "dbus-monitor",
        "dbus-monitor",
        &[
            "--session",
            "interface='org.freedesktop.Notifications'",
            "type='method_return'",
            "type='error'",
        ],
    )
}

/// Every `Notify` call recorded so far, with the id the service answered.
pub fn sent(desktop: &Desktop) -> Vec<Sent> {
    let log = std::fs::read_to_string(desktop.dir.join("dbus-monitor.log")).unwrap_or_default();
    parse(&log)
}

fn parse(log: &str) -> Vec<Sent> {
    // Blocks start at a line without indentation; arguments are indented.
    let mut blocks: Vec<(String, Vec<String>)> = Vec::new();
    for line in log.lines() {
        if line.starts_with(char::is_whitespace) {
            if let Some(b) = blocks.last_mut() {
                b.1.push(line.trim().to_string());
            }
        } else {
            blocks.push((line.to_string(), Vec::new()));
        }
    }
    let field = |head: &str, key: &str| -> Option<String> {
        head.split([' ', ';'])
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .map(str::to_string)
    };
    let mut out = Vec::new();
    for (head, args) in &blocks {
        if !(head.starts_with("method call") && head.contains("member=Notify")) {
            continue;
        }
        let strings: Vec<String> = args
            .iter()
            .filter_map(|a| {
                a.strip_prefix("string \"")
                    .and_then(|s| s.strip_suffix('"'))
            })
            .map(str::to_string)
            .collect();
        if strings.len() < 4 {
            continue;
        }
        let serial = field(head, "serial");
        let id = blocks.iter().find_map(|(h, a)| {
            (h.starts_with("method return") && field(h, "reply_serial") == serial)
                .then(|| a.first()?.strip_prefix("uint32 ")?.parse().ok())
                .flatten()
        });
        out.push(Sent {
            id,
            app: strings[0].clone(),
            icon: strings[1].clone(),
            summary: strings[2].clone(),
            body: strings[3].clone(),
        });
    }
    out
}

/// Clicks a notification: the `default` action, as the daemon reports a click.
pub fn click(desktop: &Desktop, id: u32) -> Result<()> {
    let status = Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", &desktop.dbus_address)
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.ActionInvoked",
            &format!("uint32:{id}"),
            "string:default",
        ])
        .status()
        .context("running dbus-send")?;
    if !status.success() {
        bail!("dbus-send failed: {status}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn notify_calls_pair_with_their_ids() {
        let log = r#"signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.9 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.9"
method call time=2.0 sender=:1.4 -> destination=org.freedesktop.Notifications serial=7 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Tokenwatch"
   uint32 0
   string "/data/icons/tokenwatch.png"
   string "New Transfer on local"
   string "from 0xf39F…2266, value 5"
   array [
      string "default"
      string "Open"
   ]
   int32 -1
method return time=2.1 sender=:1.5 -> destination=:1.4 serial=12 reply_serial=7
   uint32 3
"#;
        let sent = super::parse(log);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].id, Some(3));
        assert_eq!(sent[0].icon, "/data/icons/tokenwatch.png");
        assert_eq!(sent[0].summary, "New Transfer on local");
        assert_eq!(sent[0].body, "from 0xf39F…2266, value 5");
    }
}
