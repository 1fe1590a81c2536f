//! Compiled contract artifacts (`build/contracts/<Name>.json`, written by
//! `scripts/compile-contracts.mjs`): loading them, and compiling first when they are missing or
//! older than the Solidity sources. Concurrent test processes are serialized with a lock file.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use alloy_json_abi::JsonAbi;
use alloy_primitives::Bytes;
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::paths::{artifacts_dir, contracts_dir, repo_root};

/// A lock older than this is considered left over by a crashed process.
const STALE_LOCK: Duration = Duration::from_secs(180);

/// A compiled contract.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    pub abi: JsonAbi,
    /// Creation bytecode (without constructor arguments).
    pub bytecode: Bytes,
}

#[derive(Deserialize)]
struct ArtifactFile {
    abi: JsonAbi,
    bytecode: Bytes,
}

/// Loads the artifact of contract `name`, compiling the contracts first if needed.
pub async fn load_artifact(name: &str) -> Result<Artifact> {
    ensure_compiled().await?;
    let path = artifacts_dir()?.join(format!("{name}.json"));
    let text = fs::read_to_string(&path).with_context(|| {
        format!(
            "no artifact for contract {name:?} at {} (is it in contracts/*.sol?)",
            path.display()
        )
    })?;
    let file: ArtifactFile =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    if file.bytecode.is_empty() {
        bail!("contract {name:?} has no bytecode (abstract contract or interface?)");
    }
    Ok(Artifact {
        name: name.to_string(),
        abi: file.abi,
        bytecode: file.bytecode,
    })
}

/// Runs `node scripts/compile-contracts.mjs` if the artifacts are missing or older than a
/// source; at most once per process.
pub async fn ensure_compiled() -> Result<()> {
    static CHECKED: OnceCell<()> = OnceCell::const_new();
    CHECKED.get_or_try_init(compile_if_stale).await.map(|_| ())
}

async fn compile_if_stale() -> Result<()> {
    if !is_stale()? {
        return Ok(());
    }
    let out_dir = artifacts_dir()?;
    fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let _lock = LockFile::acquire(out_dir.join(".lock")).await?;
    // Another process may have compiled while we waited for the lock.
    if !is_stale()? {
        return Ok(());
    }
    let root = repo_root()?;
    let output = tokio::process::Command::new("node")
        .arg("scripts/compile-contracts.mjs")
        .current_dir(&root)
        .output()
        .await
        .context("running `node scripts/compile-contracts.mjs` (is node installed?)")?;
    if !output.status.success() {
        bail!(
            "compiling contracts failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// True if `build/contracts/.stamp` is missing or older than a `contracts/*.sol` file or the
/// compile script.
fn is_stale() -> Result<bool> {
    let Some(stamp) = mtime(&artifacts_dir()?.join(".stamp")) else {
        return Ok(true);
    };
    let mut inputs = vec![repo_root()?.join("scripts/compile-contracts.mjs")];
    let dir = contracts_dir()?;
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sol") {
            inputs.push(path);
        }
    }
    Ok(inputs.iter().any(|p| mtime(p).is_none_or(|t| t > stamp)))
}

fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// An exclusive lock held by creating a file; removed on drop.
struct LockFile(PathBuf);

impl LockFile {
    async fn acquire(path: PathBuf) -> Result<Self> {
        let deadline = std::time::Instant::now() + STALE_LOCK + Duration::from_secs(30);
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Self(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = mtime(&path).and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > STALE_LOCK) {
                        // Left over by a crashed process; whoever removes it first retries.
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if std::time::Instant::now() > deadline {
                        return Err(anyhow!("timed out waiting for lock {}", path.display()));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("creating lock {}", path.display()))
                }
            }
        }
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
