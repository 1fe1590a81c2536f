//! One JSON-RPC endpoint over HTTP(S): a request in, a typed answer or a classified error out.
//!
//! Requests go through hyper's pooled client. Plain `http://` endpoints (a local node,
//! most private chains) never touch TLS: setting it up reads the system's certificate
//! store, a tenth of a second at every start. `https://` endpoints share one TLS client,
//! built the first time one is used.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use hyper_tls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::error::{classify, RpcError};

type Plain = Client<HttpConnector, Full<Bytes>>;
type Secure = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The client an endpoint sends through.
#[derive(Clone, Debug)]
enum Transport {
    Plain(Plain),
    Secure(Secure),
}

/// An HTTP JSON-RPC endpoint.
#[derive(Clone, Debug)]
pub struct HttpEndpoint {
    /// The URL without credentials.
    uri: hyper::Uri,
    /// `Basic` credentials given in the URL.
    auth: Option<HeaderValue>,
    /// The URL as it may be shown and logged (credentials and keys masked).
    shown: String,
    transport: Transport,
    timeout: Duration,
}

#[derive(Deserialize)]
struct Response {
    result: Option<Box<serde_json::value::RawValue>>,
    error: Option<ErrorObject>,
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

fn connector() -> HttpConnector {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    http.enforce_http(false);
    http
}

/// The process's client for plain HTTP.
fn plain() -> Plain {
    static PLAIN: OnceLock<Plain> = OnceLock::new();
    PLAIN
        .get_or_init(|| {
            Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(8)
                .build(connector())
        })
        .clone()
}

/// The process's client for HTTPS, built on first use.
fn secure() -> Result<Secure, String> {
    static SECURE: OnceLock<Result<Secure, String>> = OnceLock::new();
    SECURE
        .get_or_init(|| {
            let tls = hyper_tls::native_tls::TlsConnector::new().map_err(|e| e.to_string())?;
            let https = HttpsConnector::from((connector(), tls.into()));
            Ok(Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(8)
                .build(https))
        })
        .clone()
}

impl HttpEndpoint {
    pub fn new(url: &str, shown: String, timeout: Duration) -> Result<Self, RpcError> {
        let bad = |message: String| RpcError::Transport {
            endpoint: shown.clone(),
            message,
        };
        let (bare, auth) = split_credentials(url);
        let uri: hyper::Uri = bare
            .parse()
            .map_err(|e| bad(format!("not a valid URL: {e}")))?;
        let transport = match uri.scheme_str() {
            Some("http") => Transport::Plain(plain()),
            Some("https") => Transport::Secure(secure().map_err(bad)?),
            _ => return Err(bad("the URL must start with http:// or https://".into())),
        };
        let auth = auth
            .map(|a| HeaderValue::from_str(&a))
            .transpose()
            .map_err(|_| bad("the credentials in the URL are not valid in a header".into()))?;
        Ok(Self {
            uri,
            auth,
            shown,
            transport,
            timeout,
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
        let (status, bytes) = tokio::time::timeout(self.timeout, self.post(body.to_string()))
            .await
            .map_err(|_| RpcError::Timeout {
                endpoint: self.shown.clone(),
                timeout: self.timeout,
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
            Ok(Response { error: Some(e), .. }) => Err(classify(&self.shown, e.code, &e.message)),
            Ok(Response {
                result: Some(raw), ..
            }) if status.is_success() => {
                serde_json::from_str(raw.get()).map_err(|e| self.garbage(format!("{method}: {e}")))
            }
            Ok(Response { result: None, .. }) if status.is_success() => {
                serde_json::from_value(Value::Null)
                    .map_err(|_| self.garbage(format!("{method}: no result")))
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
    async fn post(&self, body: String) -> Result<(hyper::StatusCode, Bytes), RpcError> {
        let mut request = hyper::Request::post(self.uri.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| self.transport(&e))?;
        if let Some(auth) = &self.auth {
            request.headers_mut().insert(AUTHORIZATION, auth.clone());
        }
        let response = match &self.transport {
            Transport::Plain(c) => c.request(request).await,
            Transport::Secure(c) => c.request(request).await,
        }
        .map_err(|e| self.transport(&e))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| self.transport(&e))?
            .to_bytes();
        Ok((status, bytes))
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

fn root_cause(e: &dyn std::error::Error) -> String {
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

/// The URL without `user:password@`, and those credentials as a `Basic` header value.
fn split_credentials(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let plain = format!("{}:{}", percent_decode(user), percent_decode(password));
    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(plain)
    );
    (format!("{scheme}://{host}{tail}"), Some(header))
}

/// `%XX` escapes decoded (others kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_become_a_basic_header() {
        let (url, auth) = split_credentials("https://me:p%40ss@rpc.example.com:8443/v1/key?x=1");
        assert_eq!(url, "https://rpc.example.com:8443/v1/key?x=1");
        let expected = base64::engine::general_purpose::STANDARD.encode("me:p@ss");
        assert_eq!(auth, Some(format!("Basic {expected}")));
        let (url, auth) = split_credentials("http://127.0.0.1:8545");
        assert_eq!((url.as_str(), auth), ("http://127.0.0.1:8545", None));
    }
}
