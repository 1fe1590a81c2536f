//! Saving a network from the app: its endpoints are asked for their chain id first, so a
//! network naming another chain than its endpoints serve is refused instead of written.
//! When no endpoint answers, the network is saved and the check waits for the connection
//! (the engine refuses a mismatch when it connects).

use std::time::Duration;

use super::{Keychain, NetworkEntry};
use crate::source::probe_endpoints;

/// What the endpoints said about the chain id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// An endpoint serves the chain id given (none serves another).
    Confirmed,
    /// No endpoint answered; why, per endpoint.
    Unchecked(String),
}

impl ChainCheck {
    /// For the user when the network was saved without the check.
    pub fn warning(&self) -> Option<String> {
        match self {
            ChainCheck::Confirmed => None,
            ChainCheck::Unchecked(why) => Some(format!(
                "Saved without checking the chain id: no endpoint answered ({why}). It is checked when the network connects."
            )),
        }
    }
}

/// An endpoint serves another chain than the network names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the endpoint {endpoint} answers chain id {actual}, not {configured}: check the endpoint URL or the chain id")]
pub struct ChainIdMismatch {
    /// The URL with any key masked.
    pub endpoint: String,
    pub configured: u64,
    pub actual: u64,
}

/// The endpoint URLs of a network: written ones and those kept in the keychain (blocking:
/// keychain lookups). A secret that cannot be read is left out; saving reports it.
pub fn endpoints(entry: &NetworkEntry, keychain: &dyn Keychain) -> Vec<String> {
    let mut urls = entry.rpc.clone();
    for name in &entry.rpc_keychain {
        if let Ok(Some(url)) = keychain.secret(name) {
            urls.push(url);
        }
    }
    urls
}

/// Asks every endpoint (in parallel, each within `timeout`) which chain it serves.
pub async fn check_chain_id(
    chain_id: u64,
    urls: &[String],
    timeout: Duration,
) -> Result<ChainCheck, ChainIdMismatch> {
    let probes = probe_endpoints(urls, timeout).await;
    let other = probes
        .iter()
        .find_map(|p| Some((p, p.chain_id.filter(|c| *c != chain_id)?)));
    if let Some((p, actual)) = other {
        return Err(ChainIdMismatch {
            endpoint: p.endpoint.clone(),
            configured: chain_id,
            actual,
        });
    }
    if probes.iter().any(|p| p.chain_id == Some(chain_id)) {
        return Ok(ChainCheck::Confirmed);
    }
    let why: Vec<String> = probes
        .iter()
        .map(|p| {
            let error = p.error.as_deref().unwrap_or("no answer");
            format!("{}: {error}", p.endpoint)
        })
        .collect();
    Ok(ChainCheck::Unchecked(why.join("; ")))
}
