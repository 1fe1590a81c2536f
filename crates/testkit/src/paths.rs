//! Locates the repository root, the anvil binary and the contract sources/artifacts.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// Where npm installs anvil, relative to a directory holding `node_modules`.
const ANVIL_IN_NODE_MODULES: &str = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

/// The repository root: the nearest ancestor of this crate's manifest directory holding
/// `scripts/compile-contracts.mjs`.
pub fn repo_root() -> Result<PathBuf> {
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in start.ancestors() {
        if dir.join("scripts/compile-contracts.mjs").is_file() {
            return Ok(dir.to_path_buf());
        }
    }
    bail!(
        "repository root not found above {} (no scripts/compile-contracts.mjs)",
        start.display()
    )
}

/// The anvil binary: `$TOKENWATCH_ANVIL` if set, else the npm-installed one found by walking up
/// from this crate's manifest directory.
pub fn anvil_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TOKENWATCH_ANVIL").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("TOKENWATCH_ANVIL={} is not a file", path.display());
        }
        return Ok(path);
    }
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in start.ancestors() {
        let candidate = dir.join(ANVIL_IN_NODE_MODULES);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!("anvil not found: run scripts/setup.sh (npm ci)")
}

/// `<repo>/contracts`.
pub fn contracts_dir() -> Result<PathBuf> {
    Ok(repo_root()?.join("contracts"))
}

/// `<repo>/build/contracts`.
pub fn artifacts_dir() -> Result<PathBuf> {
    Ok(repo_root()?.join("build").join("contracts"))
}
