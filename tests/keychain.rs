//! The app's OS keychain against a real Secret Service: `gnome-keyring-daemon` on a private
//! D-Bus session. Secrets stored there are what `*_keychain` configuration keys resolve
//! to; without a Secret Service the problem is named instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use support::desktop::{start_bare_dbus, tempdir};
use tokenwatch_app::keychain::OsKeychain;
use tokenwatch_engine::config::Keychain;
use tokenwatch_engine::deliver::TargetKind;
use tokenwatch_engine::Config;

/// A session bus (and optionally an unlocked gnome-keyring on it), killed on drop.
struct Session {
    dir: std::path::PathBuf,
    children: Vec<Child>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", c.id())])
                .status();
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn session(with_keyring: bool) -> Result<Session> {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let dir = tempdir()?;
    let (address, bus) = start_bare_dbus(&dir)?;
    let mut s = Session {
        dir: dir.clone(),
        children: vec![bus],
    };
    // This test binary's process talks to the private bus only.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    if with_keyring {
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets", "--unlock"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_RUNTIME_DIR", &dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("starting gnome-keyring-daemon (apt package gnome-keyring)")?;
        // The password of the new login keyring, then end of input.
        if let Some(mut stdin) = keyring.stdin.take() {
            stdin.write_all(b"test-password")?;
        }
        s.children.push(keyring);
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Err(e) = OsKeychain.check() {
            if Instant::now() > deadline {
                bail!("the keyring did not come up: {e}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    Ok(s)
}

const CONFIG: &str = r#"
[[networks]]
name = "mainnet"
chain_id = 1
rpc = ["http://127.0.0.1:8545"]
rpc_keychain = ["mainnet-rpc"]

[[webhooks]]
name = "ops"
url_keychain = "ops-url"
secret_keychain = "ops-secret"

[[listeners]]
name = "transfers"
network = "mainnet"
events = ["erc20:Transfer"]
webhooks = ["ops"]
"#;

#[test]
fn keychain_secrets_fill_the_configuration() -> Result<()> {
    let _session = session(true)?;
    let k = OsKeychain;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    k.store("ops-secret", secret).map_err(anyhow::Error::msg)?;
    k.store("ops-url", "https://hooks.example.com/T000/B000/XXXX")
        .map_err(anyhow::Error::msg)?;
    k.store(
        "mainnet-rpc",
        "https://eth-mainnet.example.com/v2/apikey123",
    )
    .map_err(anyhow::Error::msg)?;
    // Replacing keeps one item per name.
    k.store("ops-secret", secret).map_err(anyhow::Error::msg)?;
    assert_eq!(
        k.secret("ops-secret")
            .map_err(anyhow::Error::msg)?
            .as_deref(),
        Some(secret)
    );
    assert_eq!(k.secret("nothing-here").map_err(anyhow::Error::msg)?, None);

    let config = Config::parse_with(CONFIG, std::path::Path::new("."), &k)
        .map_err(|p| anyhow::anyhow!("{p:?}"))?;
    assert_eq!(
        config.networks[0].rpc,
        vec![
            "http://127.0.0.1:8545".to_string(),
            "https://eth-mainnet.example.com/v2/apikey123".to_string()
        ]
    );
    let TargetKind::Webhook(w) = &config.targets[0].kind else {
        bail!("not a webhook: {:?}", config.targets[0]);
    };
    assert_eq!(w.url, "https://hooks.example.com/T000/B000/XXXX");
    assert_eq!(
        w.key.as_ref().map(Vec::len),
        Some(24),
        "the whsec_ secret was decoded"
    );
    // Its Debug form (what logs would show) carries neither the secret nor the URL's token.
    let shown = format!("{w:?}");
    assert!(
        !shown.contains("XXXX") && !shown.contains("MfKQ9r8"),
        "{shown}"
    );

    // A name the keychain does not hold is named as such.
    let missing = CONFIG.replace("ops-secret", "ops-secret-2");
    let problems = Config::parse_with(&missing, std::path::Path::new("."), &k).unwrap_err();
    assert!(
        problems.iter().any(|p| {
            p.to_string()
            == "webhooks[0] (\"ops\").secret_keychain: the keychain has no secret \"ops-secret-2\""
        }),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn without_a_secret_service_the_problem_is_named() -> Result<()> {
    let _session = session(false)?;
    let err = OsKeychain.check().unwrap_err().to_string();
    assert!(
        err.starts_with("No keychain is available on this desktop: "),
        "{err}"
    );
    assert!(
        !err.contains("SS error") && !err.contains("SS API"),
        "{err}"
    );
    let problems = Config::parse_with(CONFIG, std::path::Path::new("."), &OsKeychain).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        text.iter()
            .any(|p| p.starts_with("webhooks[0] (\"ops\").secret_keychain: No keychain")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|p| p.starts_with("networks[0] (\"mainnet\").rpc_keychain[0]: No keychain")),
        "{text:?}"
    );
    Ok(())
}

#[test]
fn a_target_secret_typed_in_the_app_goes_to_the_keychain_not_the_file() -> Result<()> {
    use tokenwatch_engine::config::target_form::{TargetForm, TargetType};
    use tokenwatch_engine::config::ConfigDoc;
    let _session = session(true)?;
    let dir = tempdir()?;
    let path = dir.join("config.toml");
    let mut doc = ConfigDoc::load(&path).map_err(anyhow::Error::msg)?;
    let bot = "https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage";
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let form = |name: &str, url: &str, format: &str| TargetForm {
        kind: TargetType::Webhook,
        name: name.into(),
        url: Some(url.into()),
        format: format.into(),
        chat_id: (format == "telegram").then(|| "-1001".to_string()),
        secret: (format == "standard").then(|| secret.to_string()),
        remove_secret: false,
        exchange: String::new(),
    };
    doc.put_target(
        None,
        form("ops", "http://127.0.0.1:9/hook", "standard"),
        &OsKeychain,
    )
    .map_err(anyhow::Error::msg)?;
    doc.put_target(None, form("tg", bot, "telegram"), &OsKeychain)
        .map_err(anyhow::Error::msg)?;
    doc.save(&OsKeychain).map_err(anyhow::Error::msg)?;
    let text = std::fs::read_to_string(&path)?;
    assert!(
        !text.contains("MfKQ9r8") && !text.contains("AAHdqTcv"),
        "{text}"
    );
    assert_eq!(
        OsKeychain
            .find("webhook-ops-secret")
            .map_err(anyhow::Error::msg)?
            .as_deref(),
        Some(secret)
    );
    assert_eq!(
        OsKeychain
            .find("webhook-tg-url")
            .map_err(anyhow::Error::msg)?
            .as_deref(),
        Some(bot)
    );
    // The engine reads them back from the keychain.
    let config = Config::load_with(&path, &OsKeychain).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let urls: Vec<String> = config
        .targets
        .iter()
        .filter_map(|t| match &t.kind {
            TargetKind::Webhook(w) => Some(w.url.clone()),
            TargetKind::RabbitMq(_) => None,
        })
        .collect();
    assert_eq!(
        urls,
        vec!["http://127.0.0.1:9/hook".to_string(), bot.to_string()]
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
