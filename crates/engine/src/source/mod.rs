//! Where logs come from: a network's RPC endpoints, with failover between them and the
//! few calls the engine makes (chain id, heads, headers, logs). With several endpoints,
//! every head poll asks all of them: one that lags behind the others is not preferred, and
//! never asked for blocks it does not have yet (its "no logs" there would be a lie).

mod activity;
mod body;
pub mod error;
mod http;
mod logs;
mod mask;
mod plausible;
mod probe;
pub mod types;
pub mod ws;

use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub use activity::{measure_activity, NetworkActivity};
pub use error::{RangeHint, RpcError};
pub use mask::mask_url;
pub use probe::{probe_endpoints, EndpointProbe};
pub use types::{BlockTag, LogFilter, RpcHeader, RpcLog};

use crate::status::{EndpointHealth, EndpointStatus};
pub(crate) use http::root_cause;
use http::HttpEndpoint;
pub use http::Limits;

/// A network's endpoints. Requests go to the preferred endpoint and fail over to the
/// next one when it is down, rate limiting or answering garbage.
pub struct Source {
    endpoints: Vec<HttpEndpoint>,
    state: Mutex<State>,
}

struct State {
    preferred: usize,
    health: Vec<(EndpointHealth, Option<String>)>,
    /// Each endpoint's head at the last poll (None: unknown or failed).
    heads: Vec<Option<u64>>,
    /// The highest head seen; the last one when it was below, and whether that was told.
    highest: Option<u64>,
    went_back: Option<(u64, bool)>,
}

/// An endpoint this many blocks behind the best one counts as lagging.
pub const LAG_BLOCKS: u64 = 3;

impl Source {
    /// Builds a source from HTTP(S) URLs. WebSocket URLs are used by the live follower.
    pub fn new(urls: &[String], limits: Limits) -> Result<Self, RpcError> {
        let endpoints = urls
            .iter()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map(|u| HttpEndpoint::new(u, mask_url(u), limits))
            .collect::<Result<Vec<_>, _>>()?;
        let health = vec![(EndpointHealth::Unknown, None); endpoints.len()];
        let heads = vec![None; endpoints.len()];
        Ok(Self {
            endpoints,
            state: Mutex::new(State {
                preferred: 0,
                health,
                heads,
                highest: None,
                went_back: None,
            }),
        })
    }

    /// Sends a request, failing over across endpoints on endpoint problems.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, RpcError> {
        self.call_having(method, params, None, |_| None, |_| Ok(()))
            .await
    }

    /// As [`Source::call`], skipping endpoints known to be below block `needs`, and reading
    /// answers with `fast` first (see [`HttpEndpoint::call_with`]).
    /// An answer `check` finds impossible counts as the endpoint's problem.
    async fn call_having<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
        needs: Option<u64>,
        fast: fn(&[u8]) -> Option<T>,
        check: fn(&T) -> Result<(), plausible::Implausible>,
    ) -> Result<T, RpcError> {
        let (start, heads) = {
            let st = self.lock();
            (st.preferred, st.heads.clone())
        };
        let n = self.endpoints.len();
        let mut last = None;
        for i in 0..n {
            let idx = (start + i) % n;
            let behind = matches!((needs, heads[idx]), (Some(b), Some(h)) if h < b);
            if behind && n > 1 {
                last.get_or_insert(RpcError::Transport {
                    endpoint: self.endpoints[idx].shown().to_string(),
                    message: format!(
                        "this endpoint has not reached block {} yet",
                        needs.unwrap_or(0)
                    ),
                });
                continue;
            }
            let answer = self.endpoints[idx]
                .call_with(method, params.clone(), fast)
                .await
                .and_then(|v| match check(&v) {
                    Ok(()) => Ok(v),
                    Err((field, message)) => Err(RpcError::Implausible {
                        endpoint: self.endpoints[idx].shown().to_string(),
                        field,
                        message: format!("{method}: {message}"),
                    }),
                });
            match answer {
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

    /// The chain head: the best of all endpoints' heads. Endpoints more than
    /// [`LAG_BLOCKS`] behind it are marked lagging and not preferred.
    pub async fn block_number(&self) -> Result<u64, RpcError> {
        if self.endpoints.len() == 1 {
            let n = self.call("eth_blockNumber", json!([])).await?;
            let n = checked_head(&self.endpoints[0], n)?;
            let mut st = self.lock();
            st.heads[0] = Some(n);
            st.saw_head(n);
            return Ok(n);
        }
        let answers: Vec<Result<u64, RpcError>> = futures_util::future::join_all(
            self.endpoints
                .iter()
                .map(|e| e.call::<alloy_primitives::U64>("eth_blockNumber", json!([]))),
        )
        .await
        .into_iter()
        .zip(&self.endpoints)
        .map(|(answer, e)| answer.and_then(|n| checked_head(e, n)))
        .collect();
        let heads: Vec<Option<u64>> = answers.iter().map(|a| a.as_ref().ok().copied()).collect();
        let Some(best) = heads.iter().flatten().copied().max() else {
            let mut errors = answers.into_iter().filter_map(Result::err);
            let first = errors.next();
            for (idx, _) in self.endpoints.iter().enumerate() {
                self.mark(
                    idx,
                    EndpointHealth::Down,
                    first.as_ref().map(|e| e.to_string()),
                );
            }
            return Err(first.unwrap_or_else(|| RpcError::Transport {
                endpoint: "(none)".into(),
                message: "no endpoint answered".into(),
            }));
        };
        let mut st = self.lock();
        for (idx, answer) in answers.iter().enumerate() {
            st.health[idx] = match (answer, heads[idx]) {
                (Err(RpcError::RateLimited { .. }), _) => (
                    EndpointHealth::RateLimited,
                    answer.as_ref().err().map(|e| e.to_string()),
                ),
                (Err(e), _) => (EndpointHealth::Down, Some(e.to_string())),
                (Ok(_), Some(h)) if h + LAG_BLOCKS < best => (
                    EndpointHealth::Lagging,
                    Some(format!("{} blocks behind the other endpoints", best - h)),
                ),
                (Ok(_), _) => (EndpointHealth::Ok, None),
            };
        }
        st.heads = heads;
        st.saw_head(best);
        if st.health[st.preferred].0 != EndpointHealth::Ok {
            if let Some(idx) = st.health.iter().position(|(h, _)| *h == EndpointHealth::Ok) {
                tracing::info!(endpoint = %self.endpoints[idx].shown(), "switching to the endpoint that is up to date");
                st.preferred = idx;
            }
        }
        Ok(best)
    }

    /// The header at `tag`, or None when the node does not have that block (yet).
    pub async fn header(&self, tag: BlockTag) -> Result<Option<RpcHeader>, RpcError> {
        let needs = match tag {
            BlockTag::Number(n) => Some(n),
            _ => None,
        };
        self.call_having(
            "eth_getBlockByNumber",
            json!([tag.to_param(), false]),
            needs,
            |_| None,
            plausible::header,
        )
        .await
    }

    pub async fn logs(&self, filter: &LogFilter) -> Result<Vec<RpcLog>, RpcError> {
        self.get_logs(json!(filter), filter.to_block.to()).await
    }

    /// The logs of one block from `address` (any when empty) with `topics`, asked by the
    /// block's hash: an endpoint that does not have the block yet refuses, where a range
    /// query over it answers with no logs.
    pub async fn logs_of_block(
        &self,
        (address, topics): (
            &[alloy_primitives::Address],
            &[Option<Vec<alloy_primitives::B256>>],
        ),
        number: u64,
        hash: alloy_primitives::B256,
    ) -> Result<Vec<RpcLog>, RpcError> {
        let mut query = json!({"blockHash": hash, "topics": topics});
        if !address.is_empty() {
            query["address"] = json!(address);
        }
        self.get_logs(query, number).await
    }

    /// `eth_getLogs` with `query`, from an endpoint that has block `last`.
    async fn get_logs(&self, query: Value, last: u64) -> Result<Vec<RpcLog>, RpcError> {
        self.call_having(
            "eth_getLogs",
            json!([query]),
            Some(last),
            logs::parse_logs_answer,
            |l: &Vec<RpcLog>| plausible::logs(l),
        )
        .await
    }

    /// While the head is below the highest one seen: that, in words, and whether this is
    /// the first time it is asked since the head went back.
    pub fn head_went_back(&self) -> Option<(String, bool)> {
        let mut st = self.lock();
        let highest = st.highest?;
        let (now, told) = st.went_back.as_mut()?;
        let first = !std::mem::replace(told, true);
        Some((
            format!("The node's head went back from block {highest} to {now} (a node resyncing, or a reorg to a shorter chain); waiting for it to catch up"),
            first,
        ))
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

impl State {
    /// Keeps the highest head, and the last one when it is below.
    fn saw_head(&mut self, head: u64) {
        match self.highest {
            Some(highest) if head < highest => {
                let told = self.went_back.is_some_and(|(_, told)| told);
                self.went_back = Some((head, told));
            }
            _ => {
                self.highest = Some(head);
                self.went_back = None;
            }
        }
    }
}

/// A head the engine can store: blocks are kept as SQLite integers, and a node answering
/// more than `i64::MAX` is sending garbage, not a chain position.
fn checked_head(endpoint: &HttpEndpoint, n: alloy_primitives::U64) -> Result<u64, RpcError> {
    let n: u64 = n.to();
    if n > i64::MAX as u64 {
        return Err(RpcError::Garbage {
            endpoint: endpoint.shown().to_string(),
            message: format!("eth_blockNumber answered {n:#x}, which is not a block height"),
        });
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_head_beyond_what_the_store_keeps_is_garbage() {
        let url = "http://127.0.0.1:1";
        let limits = Limits::new(Duration::from_secs(1), 1);
        let e = HttpEndpoint::new(url, url.into(), limits).expect("endpoint");
        let head = |n: u64| checked_head(&e, alloy_primitives::U64::from(n));
        assert_eq!(head(7).ok(), Some(7));
        assert_eq!(head(i64::MAX as u64).ok(), Some(i64::MAX as u64));
        let err = head(u64::MAX).expect_err("u64::MAX is no block height");
        assert!(matches!(err, RpcError::Garbage { .. }), "{err}");
        assert!(err.to_string().contains("0xffffffffffffffff"), "{err}");
    }
}
