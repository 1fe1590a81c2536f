//! A database on a disk that fills up: `run` waits, says so, resumes when space returns,
//! and loses nothing. The disk is a real 16 MB tmpfs in a private mount namespace
//! (`unshare`), filled by a ballast file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use tokenwatch_testkit::Anvil;

/// Runs inside the namespace: mounts the disk, runs the engine on it, fills and frees the
/// disk when the test says (files in `$OUT`), and copies the database out at the end.
const SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size=16m tokenwatch-disk "$MNT" || exit 90
"$BIN" run --config "$OUT/c.toml" --db "$MNT/e.db" --log-dir "$OUT/logs" 2>"$OUT/run.log" &
RUN=$!
echo $RUN > "$OUT/run.pid"
# What is stored, as a reader inside the namespace sees it (one outside does not see the
# log of a database whose writer is in here).
while [ ! -e "$OUT/stop" ]; do
  "$BIN" export --db "$MNT/e.db" > "$OUT/rows.tmp" 2>/dev/null && mv "$OUT/rows.tmp" "$OUT/rows.csv"
  sleep 0.2
done &
wait_for() { while [ ! -e "$OUT/$1" ]; do sleep 0.05; done; }
wait_for fill
cat /dev/zero > "$MNT/ballast" 2>/dev/null
touch "$OUT/filled"
wait_for free
rm -f "$MNT/ballast"
wait_for stop
kill -TERM $RUN
wait $RUN
echo $? > "$OUT/run.exit"
cp "$MNT"/e.db* "$OUT/"
wait
"#;

fn exists(dir: &Path, name: &str) -> bool {
    dir.join(name).exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_waited_out_and_nothing_is_lost() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = token_with_transfers(&anvil, 3).await;
    let out = tempfile::tempdir().expect("tempdir");
    let mnt = tempfile::tempdir().expect("mount point");
    let text = network(&anvil, 0)
        + &listener(
            "t",
            &[token.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0",
        );
    write(out.path(), "c.toml", &text);
    let mut ns = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT])
        .env("OUT", out.path())
        .env("MNT", mnt.path())
        .env("BIN", env!("CARGO_BIN_EXE_tokenwatch"))
        .env("TOKENWATCH_LOG", "info")
        .spawn()
        .expect("unshare (util-linux) runs");
    let log = out.path().join("run.log");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let rows = out.path().join("rows.csv");
    let stored = || {
        let text = std::fs::read_to_string(&rows).unwrap_or_default();
        csv::Reader::from_reader(text.as_bytes()).records().count()
    };
    eventually(
        "the run to start on the small disk",
        Duration::from_secs(20),
        || exists(out.path(), "run.pid"),
        read_log,
    )
    .await;
    let pid = std::fs::read_to_string(out.path().join("run.pid")).expect("pid");
    let pid = pid.trim().to_string();
    eventually(
        "the backfill stored",
        Duration::from_secs(20),
        || stored() == 4,
        read_log,
    )
    .await;

    std::fs::write(out.path().join("fill"), "").expect("signal");
    eventually(
        "the disk full",
        Duration::from_secs(20),
        || exists(out.path(), "filled"),
        read_log,
    )
    .await;
    transfers(&token, &accounts, 5).await;
    eventually(
        "the run to say the disk is full",
        Duration::from_secs(30),
        || read_log().contains("the disk is full; nothing was lost, waiting for space"),
        read_log,
    )
    .await;
    // It waits: still running, nothing new stored, a few retries later.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !exists(out.path(), "run.exit"),
        "the run must not end on its own: {}",
        read_log()
    );
    assert!(
        Path::new(&format!("/proc/{pid}")).exists(),
        "{}",
        read_log()
    );
    assert_eq!(stored(), 4);

    std::fs::write(out.path().join("free"), "").expect("signal");
    eventually(
        "the waiting events stored",
        Duration::from_secs(60),
        || stored() == 9,
        read_log,
    )
    .await;
    std::fs::write(out.path().join("stop"), "").expect("signal");
    let status = ns.wait().expect("namespace");
    assert!(status.success(), "{status:?}: {}", read_log());
    let exit = std::fs::read_to_string(out.path().join("run.exit")).expect("exit code");
    assert_eq!(exit.trim(), "0", "{}", read_log());
    let chain = chain_logs(&anvil, &token.address().to_string()).await;
    assert_eq!(
        keys(&export(&out.path().join("e.db"), &[])),
        chain,
        "nothing lost, nothing twice"
    );
}
