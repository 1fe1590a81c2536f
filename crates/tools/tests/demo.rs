//! Runs the `tokenwatch-demo` binary: it comes up, writes its config, produces activity and
//! shuts anvil down on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly
#![cfg(unix)]

use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::json;
use tokenwatch_testkit::Rpc;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn demo_runs_and_stops_on_sigterm() -> Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let dir = std::env::temp_dir().join(format!("tokenwatch-demo-test-{}", std::process::id()));
    let config = dir.join("demo.toml");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tokenwatch-demo"))
        .args(["--port", &port.to_string(), "--config-out"])
        .arg(&config)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let ready = format!("demo chain ready: http://127.0.0.1:{port}");
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if line == ready {
                return Ok(());
            }
        }
        bail!("demo exited before it was ready")
    })
    .await
    .context("demo not ready within 60 s")??;

    let text = std::fs::read_to_string(&config)?;
    assert!(
        text.contains(&format!("rpc = [\"http://127.0.0.1:{port}\"]")),
        "{text}"
    );
    assert_eq!(text.matches("[[listeners]]").count(), 4);

    let rpc = Rpc::new(format!("http://127.0.0.1:{port}"))?;
    let start = rpc.block_number().await?;
    // A transfer every ~2 s.
    tokio::time::timeout(Duration::from_secs(20), async {
        while rpc.block_number().await? <= start {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        anyhow::Ok(())
    })
    .await
    .context("no activity within 20 s")??;
    let logs = rpc
        .logs(json!({ "fromBlock": format!("{start:#x}"), "toBlock": "latest" }))
        .await?;
    assert!(!logs.is_empty());

    let pid = child.id().context("pid")?;
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await??;
    assert!(status.success(), "{status}");
    assert!(rpc.block_number().await.is_err(), "anvil is gone");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
