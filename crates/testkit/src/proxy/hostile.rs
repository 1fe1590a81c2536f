//! Answers no honest node sends: bodies that never end or arrive a byte at a time, and
//! values no chain can hold, for the proxy to play a hostile provider.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// How the proxy answers `eth_getLogs`, whatever the node says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogsAnswer {
    /// A chunked `result` array that never ends.
    Endless,
    /// A valid answer sent one byte every this long.
    Trickle(Duration),
}

/// A value the proxy changes in the node's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Every log's `logIndex` becomes 0xffffffffffffffff.
    LogIndexMax,
    /// Every log's `blockHash` becomes one no header has.
    LogBlockHash,
    /// Every header's `timestamp` becomes 0xffffffffffffffff.
    HeaderTimeMax,
}

/// Writes an HTTP 200 whose chunked JSON body never ends (until the peer goes away).
pub(super) async fn endless(conn: &mut TcpStream) -> Result<()> {
    conn.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .await?;
    chunk(conn, br#"{"jsonrpc":"2.0","id":1,"result":["#).await?;
    let filler = format!("\"0x{}\",", "ab".repeat(32_000));
    loop {
        chunk(conn, filler.as_bytes()).await?;
    }
}

async fn chunk(conn: &mut TcpStream, data: &[u8]) -> Result<()> {
    conn.write_all(format!("{:x}\r\n", data.len()).as_bytes())
        .await?;
    conn.write_all(data).await?;
    conn.write_all(b"\r\n").await?;
    Ok(())
}

/// Sends a complete answer one byte every `every`.
pub(super) async fn trickle(
    conn: &mut TcpStream,
    status: u16,
    answer: &str,
    every: Duration,
) -> Result<()> {
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        answer.len()
    );
    conn.write_all(head.as_bytes()).await?;
    for b in answer.as_bytes() {
        conn.write_all(std::slice::from_ref(b)).await?;
        conn.flush().await?;
        tokio::time::sleep(every).await;
    }
    Ok(())
}

/// The answer to `method` with `tamper` applied where it fits.
pub(super) fn tampered(method: &str, text: &str, tamper: Tamper) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    let result = &mut v["result"];
    match (method, tamper) {
        ("eth_getLogs", Tamper::LogIndexMax | Tamper::LogBlockHash) => {
            for log in result.as_array_mut().into_iter().flatten() {
                match tamper {
                    Tamper::LogIndexMax => log["logIndex"] = "0xffffffffffffffff".into(),
                    _ => log["blockHash"] = format!("0x{}", "ee".repeat(32)).into(),
                }
            }
        }
        ("eth_getBlockByNumber" | "eth_getBlockByHash", Tamper::HeaderTimeMax)
            if result.is_object() =>
        {
            result["timestamp"] = "0xffffffffffffffff".into();
        }
        _ => return text.to_string(),
    }
    v.to_string()
}
