//! Where logs come from: a network's RPC endpoints, with failover between them and the
//! few calls the engine makes (chain id, heads, headers, logs).

pub mod error;
mod http;
mod mask;
pub mod types;
pub mod ws;

use std::sync::Mutex;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub use error::{RangeHint, RpcError};
pub use mask::mask_url;
pub use types::{BlockTag, LogFilter, RpcHeader, RpcLog};

use crate::status::{EndpointHealth, EndpointStatus};
use http::HttpEndpoint;

/// A network's endpoints. Requests go to the preferred endpoint and fail over to the
/// next one when it is down, rate limiting or answering garbage.
pub struct Source {
    endpoints: Vec<HttpEndpoint>,
    state: Mutex<State>,
}

struct State {
    preferred: usize,
    health: Vec<(EndpointHealth, Option<String>)>,
}

impl Source {
    /// Builds a source from HTTP(S) URLs. WebSocket URLs are used by the live follower.
    pub fn new(urls: &[String], timeout: Duration) -> Result<Self, RpcError> {
        let endpoints = urls
            .iter()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map(|u| HttpEndpoint::new(u, mask_url(u), timeout))
            .collect::<Result<Vec<_>, _>>()?;
        let health = vec![(EndpointHealth::Unknown, None); endpoints.len()];
        Ok(Self {
            endpoints,
            state: Mutex::new(State {
                preferred: 0,
                health,
            }),
        })
    }

    /// Sends a request, failing over across endpoints on endpoint problems.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, RpcError> {
        let start = self.lock().preferred;
        let n = self.endpoints.len();
        let mut last = None;
        for i in 0..n {
            let idx = (start + i) % n;
            match self.endpoints[idx].call(method, params.clone()).await {
                Ok(v) => {
                    self.mark(idx, EndpointHealth::Ok, None);
                    return Ok(v);
                }
                Err(e) if e.is_endpoint_problem() => {
                    let health = match e {
                        RpcError::RateLimited { .. } => EndpointHealth::RateLimited,
                        _ => EndpointHealth::Down,
                    };
                    self.mark(idx, health, Some(e.to_string()));
                    self.lock().preferred = (idx + 1) % n;
                    last = Some(e);
                }
                Err(e) => {
                    self.mark(idx, EndpointHealth::Ok, None);
                    return Err(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| RpcError::Transport {
            endpoint: "(none)".into(),
            message: "this network has no HTTP endpoint".into(),
        }))
    }

    pub async fn chain_id(&self) -> Result<u64, RpcError> {
        let id: alloy_primitives::U64 = self.call("eth_chainId", json!([])).await?;
        Ok(id.to())
    }

    pub async fn block_number(&self) -> Result<u64, RpcError> {
        let n: alloy_primitives::U64 = self.call("eth_blockNumber", json!([])).await?;
        Ok(n.to())
    }

    /// The header at `tag`, or None when the node does not have that block (yet).
    pub async fn header(&self, tag: BlockTag) -> Result<Option<RpcHeader>, RpcError> {
        self.call("eth_getBlockByNumber", json!([tag.to_param(), false]))
            .await
    }

    pub async fn logs(&self, filter: &LogFilter) -> Result<Vec<RpcLog>, RpcError> {
        self.call("eth_getLogs", json!([filter])).await
    }

    /// Health of each endpoint for the status display.
    pub fn endpoint_status(&self) -> Vec<EndpointStatus> {
        let st = self.lock();
        self.endpoints
            .iter()
            .zip(st.health.iter())
            .map(|(e, (h, err))| EndpointStatus {
                url: e.shown().to_string(),
                health: h.clone(),
                last_error: err.clone(),
            })
            .collect()
    }

    fn mark(&self, idx: usize, health: EndpointHealth, err: Option<String>) {
        if let Some(slot) = self.lock().health.get_mut(idx) {
            *slot = (health, err);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
