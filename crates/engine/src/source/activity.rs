//! What watching a whole network costs: how many logs of some events every contract on it
//! emitted in its latest blocks, per block and per hour, measured with one `eth_getLogs`.

use std::time::Duration;

use alloy_primitives::{B256, U64};
use serde::Serialize;
use ts_rs::TS;

use super::error::RpcError;
use super::types::{BlockTag, LogFilter};
use super::{Limits, Source};

/// Matching logs in the latest blocks of a network, from any contract.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NetworkActivity {
    /// Blocks looked at (the latest ones, up to the head).
    #[ts(type = "number")]
    pub blocks: u64,
    /// Logs of the events in them, from every contract.
    #[ts(type = "number")]
    pub events: u64,
    /// Seconds between the first and the last block looked at (0: unknown or one block).
    #[ts(type = "number")]
    pub seconds: u64,
}

/// Counts the logs with any of `topic0s` in the last `blocks` blocks of the first endpoint
/// of `urls` that answers (HTTP ones; each request within `timeout`).
pub async fn measure_activity(
    urls: &[String],
    topic0s: Vec<B256>,
    blocks: u64,
    timeout: Duration,
) -> Result<NetworkActivity, RpcError> {
    let source = Source::new(urls, Limits::new(timeout, Limits::DEFAULT_MAX_RESPONSE_MB))?;
    let head = source.block_number().await?;
    let from = head.saturating_sub(blocks.max(1) - 1);
    let filter = LogFilter {
        from_block: U64::from(from),
        to_block: U64::from(head),
        address: Vec::new(),
        topics: vec![Some(topic0s)],
    };
    let events = source.logs(&filter).await?.len() as u64;
    let time = async |n: u64| -> Result<Option<u64>, RpcError> {
        Ok(source
            .header(BlockTag::Number(n))
            .await?
            .map(|h| h.timestamp.to::<u64>()))
    };
    let seconds = match (time(from).await?, time(head).await?) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => 0,
    };
    Ok(NetworkActivity {
        blocks: head - from + 1,
        events,
        seconds,
    })
}
