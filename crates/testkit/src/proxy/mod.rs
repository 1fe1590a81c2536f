//! A JSON-RPC proxy in front of a node that behaves like a difficult provider: it refuses
//! large `eth_getLogs` ranges with real providers' error texts and injects faults (429,
//! JSON-RPC errors in HTTP 200, garbage, hangs, dropped connections) on demand.

mod hostile;

pub use hostile::{LogsAnswer, Tamper};

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the proxy words a refused `eth_getLogs` range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Alchemy: names a range that works.
    Alchemy,
    /// Infura: "query returned more than 10000 results" (no hint: halve).
    Infura,
    /// QuickNode: "eth_getLogs is limited to a N range".
    QuickNode,
    /// Base: "block range too large" (the client is expected to know 2000).
    Base,
}

/// One injected failure, used by the next request.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Forward this request normally (to interleave faults with answers).
    Pass,
    /// HTTP 429 Too Many Requests.
    RateLimited,
    /// HTTP 200 with a JSON-RPC error object.
    RpcError(i64, String),
    /// HTTP 200 with a body that is not JSON.
    Garbage,
    /// No answer for this long.
    Hang(Duration),
    /// Close the connection without answering.
    Drop,
    /// HTTP 500.
    ServerError,
}

#[derive(Default)]
struct Rules {
    max_log_range: Option<(u64, Refusal)>,
    /// Play a node stuck at this block.
    frozen_at: Option<u64>,
    faults: VecDeque<Fault>,
    /// Sent upstream once, right after the first `eth_getLogs` answer covering the block
    /// arrives and before it is passed on.
    after_logs: Option<(u64, Value)>,
    /// Answer `eth_getLogs` without `blockTimestamp`, as most nodes do.
    no_log_times: bool,
    /// Play a backend this many blocks behind for this many more `eth_getLogs` requests.
    lagging_logs: Option<(u64, u32)>,
    /// Answer `eth_getLogs` like this whatever the node says.
    logs_answer: Option<LogsAnswer>,
    tamper: Option<Tamper>,
    requests: u64,
    refused: u64,
    faulted: u64,
    lagged: u64,
    times_dropped: u64,
}

/// A running proxy; stops when dropped.
pub struct RpcProxy {
    port: u16,
    rules: Arc<Mutex<Rules>>,
    task: tokio::task::JoinHandle<()>,
}

/// Counters of what the proxy did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyStats {
    pub requests: u64,
    pub refused: u64,
    pub faulted: u64,
    /// `eth_getLogs` requests answered as a lagging backend that lacked blocks.
    pub lagged: u64,
    /// Logs whose `blockTimestamp` was left out.
    pub times_dropped: u64,
}

impl RpcProxy {
    /// Starts a proxy on a free loopback port in front of `upstream` (an HTTP JSON-RPC URL).
    pub async fn start(upstream: &str) -> Result<RpcProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let rules = Arc::new(Mutex::new(Rules::default()));
        let client = reqwest::Client::new();
        let upstream = upstream.to_string();
        let shared = rules.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let (rules, client, upstream) = (shared.clone(), client.clone(), upstream.clone());
                tokio::spawn(async move {
                    let _ = serve(conn, rules, client, upstream).await;
                });
            }
        });
        Ok(RpcProxy { port, rules, task })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Refuses `eth_getLogs` over more than `blocks` blocks, worded like `style`.
    pub fn limit_log_range(&self, blocks: u64, style: Refusal) {
        self.lock().max_log_range = Some((blocks, style));
    }

    /// Plays a node that stopped syncing at `block`: `eth_blockNumber` says `block`, blocks
    /// above it do not exist, and logs above it are not returned (as such a node answers).
    pub fn freeze_at(&self, block: u64) {
        self.lock().frozen_at = Some(block);
    }

    /// Once the first `eth_getLogs` answer covering `block` has come from the node, sends
    /// the JSON-RPC `request` (e.g. an `anvil_reorg`) to the node before passing the answer
    /// on: the chain moves between a client's log query and whatever it asks next.
    pub fn after_logs_covering(&self, block: u64, request: Value) {
        self.lock().after_logs = Some((block, request));
    }

    /// Leaves `blockTimestamp` out of the logs in `eth_getLogs` answers, as most nodes do
    /// (anvil sends it).
    pub fn drop_log_times(&self) {
        self.lock().no_log_times = true;
    }

    /// Answers the next `times` `eth_getLogs` requests that reach the newest `behind` blocks
    /// like a load-balanced backend that is `behind` blocks behind the node that answered
    /// `eth_blockNumber`: a range over blocks it lacks comes back without their logs, and a
    /// query by the hash of such a block is refused as unknown.
    pub fn lag_logs(&self, behind: u64, times: u32) {
        self.lock().lagging_logs = Some((behind, times));
    }

    /// Answers every `eth_getLogs` request like this from now on (None: normally again).
    pub fn answer_logs(&self, how: Option<LogsAnswer>) {
        self.lock().logs_answer = how;
    }

    /// Changes values in the node's answers from now on (None: passes them unchanged).
    pub fn tamper(&self, how: Option<Tamper>) {
        self.lock().tamper = how;
    }

    /// Queues faults for the next requests, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().faults.extend(faults);
    }

    pub fn stats(&self) -> ProxyStats {
        let r = self.lock();
        ProxyStats {
            requests: r.requests,
            refused: r.refused,
            faulted: r.faulted,
            lagged: r.lagged,
            times_dropped: r.times_dropped,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rules> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for RpcProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves HTTP/1.1 requests on one connection (keep-alive) until it closes.
async fn serve(
    mut conn: TcpStream,
    rules: Arc<Mutex<Rules>>,
    client: reqwest::Client,
    upstream: String,
) -> Result<()> {
    let mut buf = Vec::new();
    loop {
        let Some(body) = read_request(&mut conn, &mut buf).await? else {
            return Ok(());
        };
        let (fault, refusal, frozen_at) = {
            let mut r = rules.lock().unwrap_or_else(|p| p.into_inner());
            let frozen_at = r.frozen_at;
            r.requests += 1;
            let fault = r.faults.pop_front().filter(|f| *f != Fault::Pass);
            if fault.is_some() {
                r.faulted += 1;
            }
            let refusal = if fault.is_none() {
                refusal_for(&body, r.max_log_range)
            } else {
                None
            };
            if refusal.is_some() {
                r.refused += 1;
            }
            (fault, refusal, frozen_at)
        };
        let (logs_answer, tamper) = {
            let r = rules.lock().unwrap_or_else(|p| p.into_inner());
            (r.logs_answer.filter(|_| is_logs(&body)), r.tamper)
        };
        let method = method_of(&body);
        if logs_answer == Some(LogsAnswer::Endless) {
            // Ends when the client gives up on the answer.
            let _ = hostile::endless(&mut conn).await;
            return Ok(());
        }
        let lag = lagging(&rules, &body);
        let (status, answer) = match (fault, refusal, lag) {
            (Some(Fault::Drop), _, _) => return Ok(()),
            (Some(Fault::Hang(d)), _, _) => {
                tokio::time::sleep(d).await;
                return Ok(());
            }
            (Some(Fault::RateLimited), _, _) => {
                (429, r#"{"error":"too many requests"}"#.to_string())
            }
            (Some(Fault::ServerError), _, _) => (500, "internal server error".to_string()),
            (Some(Fault::Garbage), _, _) => (200, "<html>502 Bad Gateway</html>".to_string()),
            (Some(Fault::RpcError(code, msg)), _, _) => (200, error_body(&body, code, &msg)),
            (None | Some(Fault::Pass), Some((code, msg)), _) => {
                (200, error_body(&body, code, &msg))
            }
            (None | Some(Fault::Pass), None, Some(behind)) => {
                let (status, answer, lagged) =
                    lagging_answer(&client, &upstream, &body, behind).await?;
                if lagged {
                    let mut r = rules.lock().unwrap_or_else(|p| p.into_inner());
                    r.lagged += 1;
                    if let Some((_, times)) = &mut r.lagging_logs {
                        *times = times.saturating_sub(1);
                    }
                }
                (status, answer)
            }
            (None | Some(Fault::Pass), None, None) => {
                let frozen = frozen_at.and_then(|b| frozen_answer(&body, b));
                let (trigger, no_log_times) = {
                    let r = rules.lock().unwrap_or_else(|p| p.into_inner());
                    let logs = is_logs(&body);
                    let trigger = r.after_logs.as_ref().map(|(block, _)| *block);
                    (trigger.filter(|_| logs), r.no_log_times && logs)
                };
                let covered = match trigger {
                    Some(block) => logs_blocks(&client, &upstream, &body)
                        .await
                        .is_some_and(|(from, to)| (from..=to).contains(&block)),
                    None => false,
                };
                let then = if covered {
                    let mut r = rules.lock().unwrap_or_else(|p| p.into_inner());
                    r.after_logs.take()
                } else {
                    None
                };
                let resp = client
                    .post(&upstream)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .context("upstream")?;
                let (status, mut text) = (resp.status().as_u16(), resp.text().await?);
                if no_log_times {
                    let dropped;
                    (text, dropped) = without_log_times(&text);
                    rules
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .times_dropped += dropped;
                }
                if let Some((_, request)) = then {
                    client
                        .post(&upstream)
                        .json(&request)
                        .send()
                        .await
                        .context("upstream")?
                        .error_for_status()?;
                }
                match (frozen, frozen_at) {
                    (Some(Frozen::Answer(a)), _) => (200, a),
                    (Some(Frozen::Trim), Some(b)) => (status, trim_logs(&text, b)),
                    _ => (status, text),
                }
            }
        };
        let answer = match tamper {
            Some(t) => hostile::tampered(&method, &answer, t),
            None => answer,
        };
        if let Some(LogsAnswer::Trickle(every)) = logs_answer {
            hostile::trickle(&mut conn, status, &answer, every).await?;
            continue;
        }
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            answer.len()
        );
        conn.write_all(head.as_bytes()).await?;
        conn.write_all(answer.as_bytes()).await?;
    }
}

/// Reads one request's body; None when the peer closed the connection.
async fn read_request(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>> {
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                let body = buf[end + 4..end + 4 + len].to_vec();
                buf.drain(..end + 4 + len);
                return Ok(Some(body));
            }
        }
        let mut chunk = [0u8; 8192];
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn refusal_for(body: &[u8], limit: Option<(u64, Refusal)>) -> Option<(i64, String)> {
    let (max, style) = limit?;
    let req: Value = serde_json::from_slice(body).ok()?;
    if req["method"] != "eth_getLogs" {
        return None;
    }
    let from = quantity(&req["params"][0]["fromBlock"])?;
    let to = quantity(&req["params"][0]["toBlock"])?;
    if to < from || to - from < max {
        return None;
    }
    Some(match style {
        Refusal::Alchemy => (-32602, format!(
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [{:#x}, {:#x}]",
            from, from + max - 1
        )),
        Refusal::Infura => (-32005, "query returned more than 10000 results".to_string()),
        Refusal::QuickNode => (-32614, format!("eth_getLogs is limited to a {max} range")),
        Refusal::Base => (-32000, "block range too large".to_string()),
    })
}

/// The JSON-RPC method a request calls.
fn method_of(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["method"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Whether `body` is an `eth_getLogs` request.
fn is_logs(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|req| req["method"] == "eth_getLogs")
}

/// One JSON-RPC call to the node; its `result`.
async fn ask(
    client: &reqwest::Client,
    upstream: &str,
    method: &str,
    params: Value,
) -> Result<Value> {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let v: Value = client
        .post(upstream)
        .json(&request)
        .send()
        .await?
        .json()
        .await?;
    Ok(v["result"].clone())
}

/// The blocks an `eth_getLogs` request asks for: its range, or the one block of its
/// `blockHash` (asked of the node).
async fn logs_blocks(client: &reqwest::Client, upstream: &str, body: &[u8]) -> Option<(u64, u64)> {
    let req: Value = serde_json::from_slice(body).ok()?;
    let filter = &req["params"][0];
    let Some(hash) = filter["blockHash"].as_str() else {
        return Some((
            quantity(&filter["fromBlock"])?,
            quantity(&filter["toBlock"])?,
        ));
    };
    let block = ask(client, upstream, "eth_getBlockByHash", json!([hash, false]))
        .await
        .ok()?;
    let n = quantity(&block["number"])?;
    Some((n, n))
}

/// How far behind to answer `body`, when it is an `eth_getLogs` request to answer as a
/// lagging backend.
fn lagging(rules: &Mutex<Rules>, body: &[u8]) -> Option<u64> {
    let r = rules.lock().unwrap_or_else(|p| p.into_inner());
    let (behind, times) = r.lagging_logs?;
    (times > 0 && is_logs(body)).then_some(behind)
}

/// A backend `behind` blocks behind the node's head answers an `eth_getLogs` request;
/// also says whether the lag showed (the request reached blocks the backend lacks).
async fn lagging_answer(
    client: &reqwest::Client,
    upstream: &str,
    body: &[u8],
    behind: u64,
) -> Result<(u16, String, bool)> {
    let head =
        quantity(&ask(client, upstream, "eth_blockNumber", json!([])).await?).context("head")?;
    let has = head.saturating_sub(behind);
    let (_, to) = logs_blocks(client, upstream, body)
        .await
        .context("the blocks of a log query")?;
    let by_hash = serde_json::from_slice::<Value>(body)?["params"][0]["blockHash"].is_string();
    if by_hash && to > has {
        return Ok((200, error_body(body, -32000, "unknown block"), true));
    }
    let text = client
        .post(upstream)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .context("upstream")?
        .text()
        .await?;
    if to > has {
        return Ok((200, trim_logs(&text, has), true));
    }
    Ok((200, text, false))
}

/// An `eth_getLogs` answer with `blockTimestamp` taken out of every log, and how many
/// logs had one.
fn without_log_times(text: &str) -> (String, u64) {
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return (text.to_string(), 0);
    };
    let mut dropped = 0;
    if let Some(logs) = v.get_mut("result").and_then(|r| r.as_array_mut()) {
        for log in logs.iter_mut().filter_map(Value::as_object_mut) {
            dropped += u64::from(log.remove("blockTimestamp").is_some());
        }
    }
    (v.to_string(), dropped)
}

fn quantity(v: &Value) -> Option<u64> {
    let s = v.as_str()?;
    u64::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

fn error_body(request: &[u8], code: i64, message: &str) -> String {
    let id = serde_json::from_slice::<Value>(request)
        .map(|v| v["id"].clone())
        .unwrap_or(Value::Null);
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string()
}

/// How a node stuck at a block answers differently.
enum Frozen {
    /// A complete answer of its own.
    Answer(String),
    /// The upstream answer without the logs above the block.
    Trim,
}

fn frozen_answer(body: &[u8], block: u64) -> Option<Frozen> {
    let req: serde_json::Value = serde_json::from_slice(body).ok()?;
    let id = req.get("id").cloned().unwrap_or(serde_json::Value::Null);
    let answer = |result: serde_json::Value| {
        Frozen::Answer(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string(),
        )
    };
    match req.get("method")?.as_str()? {
        "eth_blockNumber" => Some(answer(format!("{block:#x}").into())),
        "eth_getBlockByNumber" => {
            let tag = req["params"][0].as_str()?;
            let n = u64::from_str_radix(tag.trim_start_matches("0x"), 16).ok()?;
            (n > block).then(|| answer(serde_json::Value::Null))
        }
        "eth_getLogs" => Some(Frozen::Trim),
        _ => None,
    }
}

fn trim_logs(text: &str, block: u64) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.to_string();
    };
    if let Some(logs) = v.get_mut("result").and_then(|r| r.as_array_mut()) {
        logs.retain(|l| {
            l["blockNumber"]
                .as_str()
                .and_then(|b| u64::from_str_radix(b.trim_start_matches("0x"), 16).ok())
                .is_some_and(|b| b <= block)
        });
    }
    v.to_string()
}
