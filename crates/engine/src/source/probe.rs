//! "Test connection": asks each endpoint (HTTP or WebSocket) for its chain id and head,
//! so a user sees before saving whether a network is reachable and which chain it serves.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use ts_rs::TS;

use super::error::RpcError;
use super::{mask_url, Source};

/// What one endpoint answered.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EndpointProbe {
    /// The URL with any key masked.
    pub endpoint: String,
    #[ts(type = "number | null")]
    pub chain_id: Option<u64>,
    #[ts(type = "number | null")]
    pub head: Option<u64>,
    #[ts(type = "number")]
    pub latency_ms: u64,
    /// What went wrong, in words; `null` when the endpoint answered both questions.
    pub error: Option<String>,
}

/// Probes every endpoint in parallel.
pub async fn probe_endpoints(urls: &[String], timeout: Duration) -> Vec<EndpointProbe> {
    let probes = urls.iter().map(|u| probe(u.trim().to_string(), timeout));
    futures_util::future::join_all(probes).await
}

async fn probe(url: String, timeout: Duration) -> EndpointProbe {
    let started = Instant::now();
    let answer = if url.starts_with("ws://") || url.starts_with("wss://") {
        tokio::time::timeout(timeout, ws_probe(&url))
            .await
            .unwrap_or(Err(ProbeError::Timeout(timeout)))
    } else if url.starts_with("http://") || url.starts_with("https://") {
        http_probe(&url, timeout).await
    } else {
        Err(ProbeError::Scheme)
    };
    let latency_ms = started.elapsed().as_millis() as u64;
    let endpoint = mask_url(&url);
    match answer {
        Ok((chain_id, head)) => EndpointProbe {
            endpoint,
            chain_id: Some(chain_id),
            head: Some(head),
            latency_ms,
            error: None,
        },
        Err(error) => EndpointProbe {
            endpoint,
            chain_id: None,
            head: None,
            latency_ms,
            error: Some(error.to_string()),
        },
    }
}

/// Why an endpoint did not answer both questions; shown beside it in words.
#[derive(Debug, thiserror::Error)]
enum ProbeError {
    #[error("no answer within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("the URL must start with http://, https://, ws:// or wss://")]
    Scheme,
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error("cannot connect: {0}")]
    Connect(Box<WsError>),
    #[error("cannot send: {0}")]
    Send(Box<WsError>),
    #[error("connection lost: {0}")]
    Lost(Box<WsError>),
    #[error("the endpoint closed the connection")]
    Closed,
    #[error("{method}: the answer is not JSON")]
    NotJson { method: &'static str },
    #[error("{method}: the node answered with an error: {error}")]
    Refused { method: &'static str, error: Value },
    #[error("{method}: the answer has no hex number in \"result\"")]
    NoNumber { method: &'static str },
}

async fn http_probe(url: &str, timeout: Duration) -> Result<(u64, u64), ProbeError> {
    let limits = super::Limits::new(timeout, super::Limits::DEFAULT_MAX_RESPONSE_MB);
    let source = Source::new(&[url.to_string()], limits)?;
    let chain_id = source.chain_id().await?;
    let head = source.block_number().await?;
    Ok((chain_id, head))
}

async fn ws_probe(url: &str) -> Result<(u64, u64), ProbeError> {
    let mut ws = super::ws::connect(url)
        .await
        .map_err(|e| ProbeError::Connect(e.into()))?;
    let mut ask = async |method: &'static str| -> Result<u64, ProbeError> {
        let req = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": []});
        ws.send(Message::text(req.to_string()))
            .await
            .map_err(|e| ProbeError::Send(e.into()))?;
        while let Some(msg) = ws.next().await {
            let text = match msg.map_err(|e| ProbeError::Lost(e.into()))? {
                Message::Text(t) => t.to_string(),
                Message::Close(_) => break,
                _ => continue,
            };
            return quantity(&text, method);
        }
        Err(ProbeError::Closed)
    };
    let chain_id = ask("eth_chainId").await?;
    let head = ask("eth_blockNumber").await?;
    Ok((chain_id, head))
}

/// Reads `result` of a JSON-RPC answer as a hex quantity.
fn quantity(text: &str, method: &'static str) -> Result<u64, ProbeError> {
    let v: Value = serde_json::from_str(text).map_err(|_| ProbeError::NotJson { method })?;
    if let Some(error) = v.get("error") {
        return Err(ProbeError::Refused {
            method,
            error: error.clone(),
        });
    }
    v.get("result")
        .and_then(Value::as_str)
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .ok_or(ProbeError::NoNumber { method })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_or_named() {
        let answer = quantity(
            r#"{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"#,
            "eth_chainId",
        );
        assert_eq!(answer.ok(), Some(31337));
        let e = quantity(r#"{"error":{"code":-32601}}"#, "eth_chainId").expect_err("error");
        assert!(matches!(e, ProbeError::Refused { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            r#"eth_chainId: the node answered with an error: {"code":-32601}"#
        );
        let e = quantity("<html>", "eth_blockNumber").expect_err("garbage");
        assert_eq!(e.to_string(), "eth_blockNumber: the answer is not JSON");
        let e = quantity(r#"{"result":"soon"}"#, "eth_blockNumber").expect_err("no number");
        assert_eq!(
            e.to_string(),
            r#"eth_blockNumber: the answer has no hex number in "result""#
        );
    }

    #[tokio::test]
    async fn a_bad_scheme_is_named() {
        let p = probe_endpoints(&["ftp://x".into()], Duration::from_secs(1)).await;
        assert!(p[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("http://"));
    }
}
