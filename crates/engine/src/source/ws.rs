//! Live wake-ups over WebSocket: a `newHeads` subscription that nudges the sync loop the
//! moment a block arrives. A dropped subscription reconnects with backoff; the gap is
//! filled by the sync loop's range queries from its checkpoint, never from the stream.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{watch, Notify};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use super::mask_url;

const SUBSCRIBE: &str =
    r#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#;

/// Keeps a `newHeads` subscription to `url` open until shutdown, calling `wake` on every
/// new head and after every reconnect.
pub async fn follow_heads(url: String, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    let shown = mask_url(&url);
    let mut delay = Duration::from_millis(250);
    loop {
        let started = Instant::now();
        let outcome = tokio::select! {
            r = subscribe(&url, &wake) => r,
            _ = shutdown.changed() => return,
        };
        if let Err(e) = outcome {
            tracing::warn!(endpoint = %shown, error = %e, "newHeads subscription dropped; reconnecting");
        }
        // Whatever arrived while we were away is fetched by range from the checkpoint.
        wake.notify_one();
        if started.elapsed() > Duration::from_secs(30) {
            delay = Duration::from_millis(250);
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => return,
        }
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}

/// A frame or message larger than this ends the connection: a head notice or a probe's
/// answer is a few KB.
const MAX_MESSAGE: usize = 1 << 20;

/// Connects with bounded frames and messages (tungstenite's defaults allow 64 MiB).
pub(super) async fn connect(
    url: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    Ok(ws)
}

/// Why a `newHeads` subscription ended (it is opened again).
#[derive(Debug, thiserror::Error)]
enum StreamError {
    #[error(transparent)]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the node refused the subscription: {0}")]
    Refused(String),
    #[error("the server closed the connection")]
    Closed,
    #[error("the connection ended")]
    Ended,
}

async fn subscribe(url: &str, wake: &Notify) -> Result<(), StreamError> {
    let mut ws = connect(url).await?;
    ws.send(Message::Text(SUBSCRIBE.into())).await?;
    while let Some(msg) = ws.next().await {
        match msg? {
            Message::Text(t) if t.contains("eth_subscription") => wake.notify_one(),
            // Subscribed again: blocks mined while the stream was away are fetched now, not
            // at the next head or poll.
            Message::Text(t) if t.contains("\"result\"") => wake.notify_one(),
            Message::Text(t) if t.contains("\"error\"") => {
                return Err(StreamError::Refused(t.to_string()))
            }
            Message::Ping(p) => ws.send(Message::Pong(p)).await?,
            Message::Close(_) => return Err(StreamError::Closed),
            _ => {}
        }
    }
    Err(StreamError::Ended)
}
