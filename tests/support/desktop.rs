//! A private desktop for one test: its own X display (Xvfb), its own D-Bus session, its
//! own app-data directory and app identifier, and tauri-driver in front of the real app.
//! Every process started here is killed (with its process group) when the value drops.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::webdriver::Session;

/// A running desktop session with the app's driver.
pub struct Desktop {
    pub dir: PathBuf,
    pub display: String,
    pub dbus_address: String,
    pub driver_url: String,
    children: Vec<(String, Child)>,
}

impl Desktop {
    /// Starts Xvfb, a D-Bus session bus and tauri-driver. `config` is the Tokenwatch
    /// configuration the app will load.
    pub fn start(config: &Path) -> Result<Desktop> {
        Self::start_with(config, &[])
    }

    /// As [`Desktop::start`], with extra environment variables for the app.
    pub fn start_with(config: &Path, env: &[(&str, &Path)]) -> Result<Desktop> {
        let dir = tempdir()?;
        let mut children = Vec::new();
        let (display, xvfb) = start_xvfb(&dir)?;
        children.push(("Xvfb".to_string(), xvfb));
        let (dbus_address, dbus) = start_dbus(&dir)?;
        children.push(("dbus-daemon".to_string(), dbus));
        let port = free_port()?;
        let native_port = free_port()?;
        let data = dir.join("data");
        std::fs::create_dir_all(&data)?;
        let mut driver = Command::new(tauri_driver()?);
        driver.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ]);
        app_env(&mut driver, &dir, &display, &dbus_address, config);
        driver.envs(env.iter().copied());
        let driver = driver
            .stdout(log_file(&dir, "tauri-driver.log")?)
            .stderr(log_file(&dir, "tauri-driver.err")?)
            .process_group(0)
            .spawn()
            .context("starting tauri-driver")?;
        children.push(("tauri-driver".to_string(), driver));
        let desktop = Desktop {
            dir,
            display,
            dbus_address,
            driver_url: format!("http://127.0.0.1:{port}"),
            children,
        };
        wait_for_port(port, Duration::from_secs(20))
            .context("tauri-driver did not start listening")?;
        Ok(desktop)
    }

    /// Opens the app (a new WebDriver session).
    pub async fn open_app(&self) -> Result<Session> {
        Session::new(&self.driver_url, env!("CARGO_BIN_EXE_tokenwatch-app")).await
    }

    /// Starts a helper process on this desktop's display and bus; it is killed on drop.
    /// Its output goes to `<name>.log` in the test directory.
    pub fn spawn(&mut self, name: &str, program: &str, args: &[&str]) -> Result<()> {
        let child = Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.dbus_address)
            .stdout(log_file(&self.dir, &format!("{name}.log"))?)
            .stderr(log_file(&self.dir, &format!("{name}.err"))?)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {program}"))?;
        self.children.push((name.to_string(), child));
        Ok(())
    }

    /// The app binary with this desktop's environment, as the driver starts it (a second
    /// launch of the same app).
    pub fn app_command(&self, config: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenwatch-app"));
        app_env(
            &mut cmd,
            &self.dir,
            &self.display,
            &self.dbus_address,
            config,
        );
        cmd
    }

    /// The app's data directory for this test.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The last lines of the driver's log, to explain a failure.
    pub fn driver_log(&self) -> String {
        let read = |n: &str| std::fs::read_to_string(self.dir.join(n)).unwrap_or_default();
        let all = format!("{}{}", read("tauri-driver.log"), read("tauri-driver.err"));
        all.lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        for (_, child) in self.children.iter_mut().rev() {
            // The negative pid addresses the whole process group (driver, WebKitWebDriver, app).
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
        remove_test_dir(&self.dir);
    }
}

/// Removes a test's directory, unless `TOKENWATCH_KEEP_TEST_DIRS` asks to keep them.
pub fn remove_test_dir(dir: &Path) {
    if std::env::var_os("TOKENWATCH_KEEP_TEST_DIRS").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The environment the app runs in: this desktop, its own home, data directory and app id
/// (so nothing it writes, such as an autostart entry, lands in the real home).
fn app_env(cmd: &mut Command, dir: &Path, display: &str, dbus: &str, config: &Path) {
    let _ = std::fs::create_dir_all(dir.join("home"));
    cmd.env("DISPLAY", display)
        .env("HOME", dir.join("home"))
        .env("DBUS_SESSION_BUS_ADDRESS", dbus)
        .env("TOKENWATCH_DATA_DIR", dir.join("data"))
        .env("TOKENWATCH_CONFIG", config)
        .env(
            "TOKENWATCH_APP_ID",
            format!("dev.tokenwatch.test{}", std::process::id()),
        )
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("XDG_CACHE_HOME", dir.join("xdg-cache"));
}

fn start_xvfb(dir: &Path) -> Result<(String, Child)> {
    // -displayfd makes Xvfb pick a free display and print its number.
    let out = dir.join("display");
    let file = std::fs::File::create(&out)?;
    let child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(file)
        .stderr(log_file(dir, "xvfb.log")?)
        .process_group(0)
        .spawn()
        .context("starting Xvfb (apt package xvfb; run scripts/setup.sh)")?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.ends_with('\n') {
            return Ok((format!(":{}", text.trim()), child));
        }
        if Instant::now() > deadline {
            bail!("Xvfb did not report a display");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A private D-Bus session bus with its socket in `dir`; returns its address.
pub fn start_dbus(dir: &Path) -> Result<(String, Child)> {
    spawn_dbus(dir, "--session")
}

/// A private session bus that starts no services on demand (no service directories):
/// only what the test starts answers on it.
pub fn start_bare_dbus(dir: &Path) -> Result<(String, Child)> {
    let config = dir.join("bus.conf");
    std::fs::write(
        &config,
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
    )?;
    spawn_dbus(dir, &format!("--config-file={}", config.display()))
}

fn spawn_dbus(dir: &Path, config: &str) -> Result<(String, Child)> {
    let address = format!("unix:path={}", dir.join("bus").display());
    let child = Command::new("dbus-daemon")
        .args([
            config,
            "--nofork",
            "--nopidfile",
            &format!("--address={address}"),
        ])
        .stdout(log_file(dir, "dbus.log")?)
        .stderr(log_file(dir, "dbus.err")?)
        .process_group(0)
        .spawn()
        .context("starting dbus-daemon (apt package dbus)")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.join("bus").exists() {
        if Instant::now() > deadline {
            bail!("dbus-daemon did not create its socket");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((address, child))
}

fn tauri_driver() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("tauri-driver");
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "tauri-driver not found on PATH: run the tests through scripts/test.sh, which installs it"
    )
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on port {port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn log_file(dir: &Path, name: &str) -> Result<Stdio> {
    Ok(Stdio::from(std::fs::File::create(dir.join(name))?))
}

pub fn tempdir() -> Result<PathBuf> {
    let base = std::env::temp_dir().join(format!(
        "tokenwatch-e2e-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos()
    ));
    std::fs::create_dir_all(&base)?;
    Ok(base)
}
