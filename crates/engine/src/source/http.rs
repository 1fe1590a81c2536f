//! One JSON-RPC endpoint over HTTP(S): a request in, a typed answer or a classified error out.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::error::{classify, RpcError};

/// An HTTP JSON-RPC endpoint.
#[derive(Clone, Debug)]
pub struct HttpEndpoint {
    url: String,
    /// The URL as it may be shown and logged (credentials and keys masked).
    shown: String,
    client: reqwest::Client,
    timeout: Duration,
}

#[derive(Deserialize)]
struct Response {
    result: Option<Box<serde_json::value::RawValue>>,
    error: Option<ErrorObject>,
}

/// A response whose result has the expected shape.
#[derive(Deserialize)]
struct Typed<T> {
    result: Option<T>,
    error: Option<ErrorObject>,
}

#[derive(Deserialize)]
struct ErrorObject {
    code: i64,
    message: String,
}

impl HttpEndpoint {
    pub fn new(url: &str, shown: String, timeout: Duration) -> Result<Self, RpcError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(8)
            .build()
            .map_err(|e| RpcError::Transport {
                endpoint: shown.clone(),
                message: e.to_string(),
            })?;
        Ok(Self {
            url: url.to_string(),
            shown,
            client,
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
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let resp = self
            .client
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        if status.as_u16() == 429 {
            return Err(RpcError::RateLimited {
                endpoint: self.shown.clone(),
                message: "HTTP 429 Too Many Requests".into(),
            });
        }
        // The usual answer parses in one pass; anything else is read again to classify it.
        if status.is_success() {
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

    fn transport(&self, e: reqwest::Error) -> RpcError {
        if e.is_timeout() {
            RpcError::Timeout {
                endpoint: self.shown.clone(),
                timeout: self.timeout,
            }
        } else {
            RpcError::Transport {
                endpoint: self.shown.clone(),
                message: root_cause(&e),
            }
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
