//! One JSON-RPC endpoint over HTTP(S): a request in, a typed answer or a classified error out.
//!
//! Endpoints go through reqwest: TLS, proxies named in the environment, redirects,
//! credentials in the URL. A plain `http://` URL without credentials and with no proxy in
//! the environment (a local node, most private chains) goes straight through hyper
//! instead, so it never sets up TLS, which reads the system's certificate store: a tenth of
//! a second at every start. Should such an endpoint answer with a redirect, the request is
//! sent again through reqwest.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::CONTENT_TYPE;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::body::Body;
use super::error::{classify, RpcError};

type Direct = Client<HttpConnector, Full<Bytes>>;

/// An HTTP JSON-RPC endpoint.
#[derive(Clone, Debug)]
pub struct HttpEndpoint {
    url: String,
    /// Set when requests may skip reqwest (see the module docs).
    direct: Option<hyper::Uri>,
    /// The URL as it may be shown and logged (credentials and keys masked).
    shown: String,
    limits: Limits,
}

/// What one request may take: its time, and the size of its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Duration,
    /// Answers larger than this are refused while they arrive, never held whole.
    pub max_response_bytes: usize,
}

impl Limits {
    /// The default answer cap: a block of 10,000 logs of about 3 KB each.
    pub const DEFAULT_MAX_RESPONSE_MB: u64 = 32;

    pub fn new(timeout: Duration, max_response_mb: u64) -> Self {
        let bytes = max_response_mb.saturating_mul(1 << 20);
        Self {
            timeout,
            max_response_bytes: usize::try_from(bytes).unwrap_or(usize::MAX),
        }
    }
}

#[derive(Deserialize)]
struct Response {
    /// `None` when the answer has no `result` at all, `Some(None)` when it is `null`.
    #[serde(default, deserialize_with = "present")]
    result: Option<Option<Box<serde_json::value::RawValue>>>,
    error: Option<ErrorObject>,
}

/// A field that is there, `null` or not (an absent one takes the default, `None`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// A response whose result has the expected shape.
#[derive(Deserialize)]
pub(super) struct Typed<T> {
    pub(super) result: Option<T>,
    pub(super) error: Option<ErrorObject>,
}

#[derive(Deserialize)]
pub(super) struct ErrorObject {
    code: i64,
    message: String,
}

/// The process's client for direct plain-HTTP requests.
fn direct_client() -> Direct {
    static DIRECT: OnceLock<Direct> = OnceLock::new();
    DIRECT
        .get_or_init(|| {
            let mut http = HttpConnector::new();
            http.set_nodelay(true);
            Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(8)
                .build(http)
        })
        .clone()
}

/// The process's reqwest client, built on first use; the error of a first build that
/// failed (no TLS backend) is kept and given to every caller.
fn reqwest_client() -> Result<reqwest::Client, &'static reqwest::Error> {
    static CLIENT: OnceLock<Result<reqwest::Client, reqwest::Error>> = OnceLock::new();
    CLIENT
        .get_or_init(|| reqwest::Client::builder().pool_max_idle_per_host(8).build())
        .as_ref()
        .cloned()
}

/// Whether the environment names a proxy for plain HTTP (reqwest then applies it, and
/// `NO_PROXY`).
fn proxied() -> bool {
    ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
}

/// The URL, when requests to it may go straight through hyper.
fn direct_uri(url: &str) -> Option<hyper::Uri> {
    let rest = url.strip_prefix("http://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if authority.contains('@') || proxied() {
        return None;
    }
    url.parse().ok()
}

impl HttpEndpoint {
    pub fn new(url: &str, shown: String, limits: Limits) -> Result<Self, RpcError> {
        Ok(Self {
            url: url.to_string(),
            direct: direct_uri(url),
            shown,
            limits,
        })
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Sends one request. HTTP 200 with a JSON-RPC error, a non-JSON body or a missing
    /// result are errors, never an empty answer.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, RpcError> {
        self.call_with(method, params, |_| None).await
    }

    /// As [`HttpEndpoint::call`], reading a successful answer with `fast` first; when it
    /// returns `None`, serde reads the answer.
    pub async fn call_with<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
        fast: fn(&[u8]) -> Option<T>,
    ) -> Result<T, RpcError> {
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let timeout = self.limits.timeout;
        let (status, bytes) =
            tokio::time::timeout(timeout, self.post(Bytes::from(body.to_string())))
                .await
                .map_err(|_| RpcError::Timeout {
                    endpoint: self.shown.clone(),
                    timeout,
                })??;
        if status.as_u16() == 429 {
            return Err(RpcError::RateLimited {
                endpoint: self.shown.clone(),
                message: "HTTP 429 Too Many Requests".into(),
            });
        }
        // The usual answer parses in one pass; anything else is read again to classify it.
        if status.is_success() {
            if let Some(value) = fast(&bytes) {
                return Ok(value);
            }
            if let Ok(Typed {
                result: Some(value),
                error: None,
            }) = serde_json::from_slice::<Typed<T>>(&bytes)
            {
                return Ok(value);
            }
        }
        let parsed: Result<Response, _> = serde_json::from_slice(&bytes);
        match parsed {
            Ok(Response { error: Some(e), .. }) => {
                match classify(&self.shown, e.code, &e.message) {
                    // A gateway's 502 or 503 with an error object is the endpoint's problem,
                    // not an answer to the request (a 4xx with one is the node's answer).
                    RpcError::Rpc { .. } if status.is_server_error() => Err(RpcError::Http {
                        endpoint: self.shown.clone(),
                        status: status.as_u16(),
                        body: snippet(&bytes),
                    }),
                    classified => Err(classified),
                }
            }
            Ok(Response {
                result: Some(Some(raw)),
                ..
            }) if status.is_success() => {
                serde_json::from_str(raw.get()).map_err(|e| self.garbage(format!("{method}: {e}")))
            }
            Ok(Response {
                result: Some(None), ..
            }) if status.is_success() => serde_json::from_value(Value::Null)
                .map_err(|_| self.garbage(format!("{method}: a null result"))),
            // Neither a result nor an error: never read as a `null` result ("no such block").
            Ok(Response { result: None, .. }) if status.is_success() => {
                Err(self.garbage(format!("{method}: no result and no error")))
            }
            _ if !status.is_success() => Err(RpcError::Http {
                endpoint: self.shown.clone(),
                status: status.as_u16(),
                body: snippet(&bytes),
            }),
            _ => Err(self.garbage(snippet(&bytes))),
        }
    }

    /// Posts a JSON body; returns the status and the whole answer.
    async fn post(&self, body: Bytes) -> Result<(hyper::StatusCode, Body), RpcError> {
        if let Some(uri) = &self.direct {
            let request = hyper::Request::post(uri.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(Full::new(body.clone()))
                .map_err(|e| self.transport(&e))?;
            let response = direct_client()
                .request(request)
                .await
                .map_err(|e| self.transport(&e))?;
            let status = response.status();
            if !status.is_redirection() {
                let mut incoming = response.into_body();
                let expected = hyper::body::Body::size_hint(&incoming).exact().unwrap_or(0);
                let mut answer = self.body(expected)?;
                while let Some(frame) = incoming.frame().await {
                    let frame = frame.map_err(|e| self.transport(&e))?;
                    if let Some(data) = frame.data_ref() {
                        self.add(&mut answer, data)?;
                    }
                }
                return Ok((status, answer));
            }
        }
        let client = reqwest_client().map_err(|e| RpcError::Transport {
            endpoint: self.shown.clone(),
            message: root_cause(e),
        })?;
        let mut response = client
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport(&e))?;
        let status = response.status();
        let mut answer = self.body(response.content_length().unwrap_or(0))?;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e))? {
            self.add(&mut answer, &chunk)?;
        }
        Ok((status, answer))
    }

    /// A buffer for an answer announced as `expected` bytes; refused when that is over the cap.
    fn body(&self, expected: u64) -> Result<Body, RpcError> {
        if expected > self.limits.max_response_bytes as u64 {
            return Err(self.too_large());
        }
        Ok(Body::with_capacity(expected as usize))
    }

    /// Adds a piece of the answer; an answer growing over the cap is dropped at once.
    fn add(&self, answer: &mut Body, data: &[u8]) -> Result<(), RpcError> {
        if answer.len().saturating_add(data.len()) > self.limits.max_response_bytes {
            return Err(self.too_large());
        }
        answer.extend(data);
        Ok(())
    }

    fn too_large(&self) -> RpcError {
        RpcError::TooLarge {
            endpoint: self.shown.clone(),
            limit_mb: (self.limits.max_response_bytes >> 20) as u64,
        }
    }

    fn transport(&self, e: &dyn std::error::Error) -> RpcError {
        RpcError::Transport {
            endpoint: self.shown.clone(),
            message: root_cause(e),
        }
    }

    fn garbage(&self, message: String) -> RpcError {
        RpcError::Garbage {
            endpoint: self.shown.clone(),
            message,
        }
    }
}

/// The innermost cause of an error, which says what the system or peer said.
pub(crate) fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut s: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn limits(secs: u64) -> Limits {
        Limits::new(Duration::from_secs(secs), 1)
    }

    #[test]
    fn only_plain_urls_without_credentials_go_direct() {
        if proxied() {
            return;
        }
        assert!(direct_uri("http://127.0.0.1:8545").is_some());
        assert!(direct_uri("http://node.local/rpc?key=1").is_some());
        assert!(direct_uri("https://rpc.example.com/v3/key").is_none());
        assert!(direct_uri("http://me:secret@127.0.0.1:8545").is_none());
    }

    /// Answers every request on a fresh port with `reply`; returns the port.
    async fn answer(reply: String) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(reply_to(socket, reply.clone()));
            }
        });
        port
    }

    async fn reply_to(mut socket: tokio::net::TcpStream, reply: String) {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // The request's headers and its small JSON body.
        while !seen.ends_with(b"}") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        let _ = socket.write_all(reply.as_bytes()).await;
    }

    /// An endpoint on a fresh port that answers every request with `status` and `json`.
    async fn answering(status: &str, json: &str) -> HttpEndpoint {
        let port = answer(format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
            json.len()
        ))
        .await;
        let url = format!("http://127.0.0.1:{port}");
        HttpEndpoint::new(&url, url.clone(), limits(5)).expect("endpoint")
    }

    #[tokio::test]
    async fn an_answer_without_result_or_error_is_garbage_not_null() {
        let missing = answering("200 OK", r#"{"jsonrpc":"2.0","id":1}"#).await;
        let got: Result<Option<alloy_primitives::U64>, _> = missing
            .call("eth_getBlockByNumber", serde_json::json!([]))
            .await;
        assert!(matches!(got, Err(RpcError::Garbage { .. })), "{got:?}");
        let null = answering("200 OK", r#"{"jsonrpc":"2.0","id":1,"result":null}"#).await;
        let got: Option<alloy_primitives::U64> = null
            .call("eth_getBlockByNumber", serde_json::json!([]))
            .await
            .expect("a null result is an answer");
        assert_eq!(got, None);
    }

    #[tokio::test]
    async fn a_gateway_error_with_an_error_object_is_the_endpoints_problem() {
        let json =
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"upstream unavailable"}}"#;
        let gateway = answering("503 Service Unavailable", json).await;
        let got: Result<alloy_primitives::U64, _> =
            gateway.call("eth_blockNumber", serde_json::json!([])).await;
        match got {
            Err(e @ RpcError::Http { status: 503, .. }) => assert!(e.is_endpoint_problem()),
            other => panic!("expected an HTTP error, got {other:?}"),
        }
        // The same error object with a 200 or a 400 is the node's answer to the request.
        for status in ["200 OK", "400 Bad Request"] {
            let node = answering(status, json).await;
            let got: Result<alloy_primitives::U64, _> =
                node.call("eth_blockNumber", serde_json::json!([])).await;
            assert!(
                matches!(got, Err(RpcError::Rpc { code: -32000, .. })),
                "{status}: {got:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_redirected_plain_endpoint_is_followed() {
        let json = r#"{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"#;
        let target = answer(format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
            json.len()
        ))
        .await;
        let first = answer(format!(
            "HTTP/1.1 308 Permanent Redirect\r\nlocation: http://127.0.0.1:{target}/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        ))
        .await;
        let url = format!("http://127.0.0.1:{first}");
        let endpoint = HttpEndpoint::new(&url, url.clone(), limits(5)).expect("endpoint");
        let id: alloy_primitives::U64 = endpoint
            .call("eth_chainId", serde_json::json!([]))
            .await
            .expect("answered after the redirect");
        assert_eq!(id.to::<u64>(), 31337);
    }
}
