//! A network's start-up: connect (waiting while the node is down), check the chain id,
//! register the listeners with their start blocks and routes, then hand over to the
//! follower.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{ChainStore, NetworkSync, NewListener};
use crate::deliver::Waker;
use crate::hub::Hub;
use crate::model::{ListenerSpec, NetworkSpec, StartBlock, TargetKey};
use crate::source::{BlockTag, Limits, RpcError, Source};
use crate::store::{Db, StoreError};

/// What every network's start-up shares.
pub struct Start<S: ChainStore = Db> {
    pub store: S,
    pub hub: Arc<Hub>,
    /// Stop once every listener reached the head less the confirmation depth.
    pub until_head: bool,
    /// Target key -> whether it takes a listener's first backfill by default.
    pub routes: Arc<Vec<(TargetKey, bool)>>,
    /// Tells the delivery workers that messages were queued.
    pub waker: Waker,
    /// Changes when every network is to check its tokens against the chain now.
    pub check_tokens: tokio::sync::watch::Receiver<u64>,
}

/// Why a network could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("network \"{network}\" is configured with chain id {configured} but its RPC endpoint serves chain id {actual}")]
    ChainMismatch {
        network: String,
        configured: u64,
        actual: u64,
    },
}

/// Connects to a network, checks its chain id and registers its listeners. RPC problems
/// are retried with backoff until they pass; a wrong chain id is final.
impl<S: ChainStore> Start<S> {
    pub async fn prepare(
        &self,
        net: &NetworkSpec,
        listeners: &[ListenerSpec],
    ) -> Result<NetworkSync<S>, StartError> {
        let Start {
            store,
            hub,
            until_head,
            routes,
            waker,
            check_tokens,
        } = self;
        let limits = Limits::new(net.request_timeout, net.max_response_mb);
        let source = Source::new(&net.rpc, limits)?;
        let actual = retry(hub, net, || source.chain_id()).await;
        if actual != net.chain_id {
            let e = StartError::ChainMismatch {
                network: net.name.clone(),
                configured: net.chain_id,
                actual,
            };
            hub.network(&net.name, |n| n.error = Some(e.to_string()));
            return Err(e);
        }
        let head = retry(hub, net, || source.block_number()).await;
        let network_id = store.upsert_network(net.name.clone(), net.chain_id).await?;
        let mut records = Vec::new();
        let mut routed = Vec::new();
        let mut matched = std::collections::HashMap::new();
        for l in listeners {
            let from = retry(hub, net, || resolve_start(&source, store, l, head)).await;
            let new = NewListener {
                name: l.name.clone(),
                spec_hash: l.spec_hash.clone(),
                from_block: from,
                head,
                whole_transfers: l.whole_transfers().map(<[_]>::to_vec),
            };
            let rec = store.upsert_listener(network_id, new).await?;
            hub.listener(&l.name, |s| s.from_block = from);
            let wanted: Vec<(String, bool)> = routes
                .iter()
                .filter(|(key, _)| l.targets.contains(key))
                .map(|(key, history)| (key.to_string(), *history || l.announce_history))
                .collect();
            for t in l
                .targets
                .iter()
                .filter(|t| !routes.iter().any(|(k, _)| &k == t))
            {
                tracing::info!(listener = %l.name, target = %t, "target not available here; not routed");
            }
            let routes_set = !wanted.is_empty();
            store.set_routes(rec.id, wanted).await?;
            if routes_set {
                routed.push(rec.id);
            }
            let (events, _) = store.listener_counts(rec.id).await?;
            matched.insert(rec.id, events);
            records.push((rec, l.clone()));
        }
        let endpoints = source.endpoint_status();
        hub.network(&net.name, |n| {
            n.head = Some(head);
            n.endpoints = endpoints;
            n.error = None;
        });
        Ok(NetworkSync {
            spec: net.clone(),
            network_id,
            source: Arc::new(source),
            listeners: records,
            store: store.clone(),
            hub: hub.clone(),
            until_head: *until_head,
            routed,
            waker: waker.clone(),
            matched: Mutex::new(matched),
            check_tokens: check_tokens.clone(),
        })
    }
}

/// The listener's first block. `latest` keeps the block chosen when it was first stored.
async fn resolve_start<S: ChainStore>(
    source: &Source,
    store: &S,
    l: &ListenerSpec,
    head: u64,
) -> Result<u64, RpcError> {
    match l.start {
        StartBlock::Number(n) => Ok(n),
        StartBlock::Latest => {
            let known = store
                .stored_from_block(l.name.clone(), l.spec_hash.clone())
                .await
                .ok()
                .flatten();
            // The head block was mined before the listener existed: start after it.
            Ok(known.unwrap_or(head + 1))
        }
        StartBlock::Time(t) => block_at_time(source, t, head).await,
    }
}

/// The first block whose timestamp is at or after `t` (binary search over headers).
async fn block_at_time(source: &Source, t: i64, head: u64) -> Result<u64, RpcError> {
    let (mut lo, mut hi) = (0u64, head);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let time = source
            .header(BlockTag::Number(mid))
            .await?
            .map_or(i64::MAX, |h| h.timestamp.to::<u64>() as i64);
        if time < t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

/// Start-up calls retry with backoff until they succeed (a node that is down, booting or
/// answering garbage is waited for), showing the problem on the status board.
async fn retry<T, F, Fut>(hub: &Hub, net: &NetworkSpec, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RpcError>>,
{
    let mut delay = Duration::from_millis(200);
    loop {
        match f().await {
            Ok(v) => return v,
            Err(e) => {
                tracing::warn!(network = %net.name, error = %e, retry_in = ?delay, "cannot connect yet");
                hub.network(&net.name, |n| n.error = Some(format!("Connecting: {e}")));
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}
