//! What Tokenwatch does with files: exports never replace special files and follow links,
//! what it creates is private, a config holding secrets that others can read is named,
//! and a log folder it cannot write is a warning, not a crash.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly
#![cfg(unix)]

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use common::*;
use tokenwatch_testkit::Anvil;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

/// A database holding the token's mint and three transfers; returns (dir, db).
async fn stored(anvil: &Anvil) -> (tempfile::TempDir, PathBuf) {
    let token = token_with_transfers(anvil, 3).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let text = network(anvil, 0)
        + &listener(
            "t",
            &[token.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0",
        );
    let config = write(dir.path(), "c.toml", &text);
    let db = dir.path().join("e.db");
    let out = run_until_head_cli(&config, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, db)
}

fn export_to(db: &Path, out: &Path) -> std::process::Output {
    tokenwatch(&[
        "export",
        "--db",
        db.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ])
}

fn csv_rows(text: &str) -> usize {
    csv::Reader::from_reader(text.as_bytes()).records().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_follows_links_writes_into_pipes_and_devices_and_replaces_no_special_file() {
    let anvil = Anvil::start().await.expect("anvil");
    let (dir, db) = stored(&anvil).await;

    // A symlink: the file it names is replaced, the link stays a link.
    let real = dir.path().join("real.csv");
    std::fs::write(&real, "old").expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = export_to(&db, &link);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    let text = std::fs::read_to_string(&real).expect("read");
    assert_eq!(csv_rows(&text), 4, "{text}");
    assert_eq!(mode(&real), 0o640, "the replaced file keeps its mode");

    // A new file is private.
    let fresh = dir.path().join("fresh.csv");
    assert!(export_to(&db, &fresh).status.success());
    assert_eq!(mode(&fresh), 0o600);

    // A FIFO is written into and stays a FIFO.
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    let out = export_to(&db, &fifo);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let piped = reader.join().expect("reader");
    assert_eq!(csv_rows(&piped), 4, "{piped}");
    assert!(std::fs::metadata(&fifo)
        .expect("fifo")
        .file_type()
        .is_fifo());

    // Devices: /dev/null takes it; /dev/full fails to write (exit 1); both stay devices.
    let null = Path::new("/dev/null");
    assert!(export_to(&db, null).status.success());
    let full = Path::new("/dev/full");
    if full.exists() {
        let out = export_to(&db, full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("No space left"), "{stderr}");
    }
    for dev in [null, full].into_iter().filter(|d| d.exists()) {
        let t = std::fs::metadata(dev).expect("device").file_type();
        assert!(t.is_char_device(), "{} is still a device", dev.display());
    }
    assert!(!Path::new("/dev/full.part").exists() && !Path::new("/dev/null.part").exists());

    // A folder is refused with exit 2.
    let out = export_to(&db, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a folder"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_run_creates_is_private_and_an_unwritable_log_folder_is_a_warning() {
    let anvil = Anvil::start().await.expect("anvil");
    let (dir, db) = stored(&anvil).await;
    assert_eq!(mode(&db), 0o600, "the database");
    let mut lock = db.clone().into_os_string();
    lock.push(".lock");
    assert_eq!(mode(Path::new(&lock)), 0o600, "its lock file");
    assert_eq!(mode(&dir.path().join("logs")), 0o700, "the log folder");

    // /proc/sys takes no files: logs go to stderr, the run completes.
    let config = dir.path().join("c.toml");
    let out = run_command(&config, &dir.path().join("second.db"))
        .args(["--until-head", "--log-dir", "/proc/sys"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("cannot write logs to /proc/sys"),
        "{stderr}"
    );
    assert!(stderr.contains("logging to stderr only"), "{stderr}");
}

#[test]
fn check_names_secrets_other_users_can_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[[networks]]\nname = \"main\"\nchain_id = 1\nrpc = [\"https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef\"]\n\n[[webhooks]]\nname = \"ops\"\nurl = \"http://127.0.0.1:9/hook\"\nsecret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\n";
    let config = write(dir.path(), "c.toml", text);
    let check = || tokenwatch(&["check", "--config", config.to_str().expect("utf-8")]);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = check();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("other users can read this file (mode 644)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("networks[\"main\"].rpc") && stderr.contains("webhooks[\"ops\"].secret"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("MfKQ9r8G") && !stderr.contains("0123456789abcdef"),
        "{stderr}"
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = check();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("other users"));
}
