//! End to end: `scripts/demo.sh` without a display. It runs the demo chain and the app on a
//! display and a port of its own (the ones it once took, :87 and 18545, are busy here), with a
//! notification service for the pop-ups, writes its screenshot to the cache, and leaves the
//! checkout as it was (docs/screenshots/demo.png included).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn git_status() -> Result<String> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(ROOT)
        .output()?;
    Ok(String::from_utf8(out.stdout)?)
}

/// Marks X display `:n` as taken (its lock file, naming this live process) unless it is.
struct DisplayLock(Option<std::path::PathBuf>);

impl DisplayLock {
    fn take(n: u32) -> Self {
        let path = std::path::PathBuf::from(format!("/tmp/.X{n}-lock"));
        let ours = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| {
                use std::io::Write;
                writeln!(f, "{:>10}", std::process::id())
            })
            .is_ok();
        Self(ours.then_some(path))
    }
}

impl Drop for DisplayLock {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[test]
fn the_demo_script_uses_free_resources_and_leaves_the_checkout_unchanged() -> Result<()> {
    let docs_picture = Path::new(ROOT).join("docs/screenshots/demo.png");
    let before = (git_status()?, std::fs::read(&docs_picture)?);
    // What the script once took for itself is in use.
    let _port = std::net::TcpListener::bind("127.0.0.1:18545");
    let _display = DisplayLock::take(87);

    let dir = support::desktop::tempdir()?;
    let log = dir.join("demo.out");
    let out = std::fs::File::create(&log)?;
    let mut child = Command::new("bash")
        .args(["scripts/demo.sh", "--no-setup"])
        .current_dir(ROOT)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("TOKENWATCH_DEMO_PORT")
        .env("TOKENWATCH_CACHE", dir.join("cache"))
        .env("HOME", dir.join("home"))
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env(
            "TOKENWATCH_APP_ID",
            format!("dev.tokenwatch.demotest{}", std::process::id()),
        )
        .env("TOKENWATCH_DEMO_EXIT", "1")
        .env("TOKENWATCH_DEMO_SHOT_AFTER", "8")
        .stdout(Stdio::from(out.try_clone()?))
        .stderr(Stdio::from(out))
        .spawn()
        .context("running scripts/demo.sh")?;
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!(
                "demo.sh still running after 5 minutes:\n{}",
                std::fs::read_to_string(&log)?
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&log)?;
    assert!(status.success(), "demo.sh failed ({status}):\n{output}");

    // Its own display and port, a notification service, and the picture in the cache.
    assert!(!output.contains("on port 18545"), "{output}");
    assert!(!output.contains("display :87"), "{output}");
    assert!(output.contains("notification service: ready"), "{output}");
    let shot = dir.join("cache/demo/demo.png");
    let png = std::fs::read(&shot)
        .with_context(|| format!("no screenshot at {}\n{output}", shot.display()))?;
    assert!(png.starts_with(b"\x89PNG"), "{output}");
    assert!(
        output.contains(&format!("screenshot: {}", shot.display())),
        "{output}"
    );

    // The checkout is as it was: the committed picture untouched.
    let after = (git_status()?, std::fs::read(&docs_picture)?);
    assert!(
        before.1 == after.1,
        "docs/screenshots/demo.png was rewritten"
    );
    assert_eq!(before.0, after.0, "demo.sh changed the checkout");
    support::desktop::remove_test_dir(&dir);
    Ok(())
}
