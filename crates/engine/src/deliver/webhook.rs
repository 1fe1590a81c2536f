//! Webhook target: one HTTP POST per message, signed as the Standard Webhooks
//! specification says, or formatted for Slack, Discord or Telegram incoming webhooks.

use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::message::payload;
use super::{answer, chat, Outcome, Sink, WebhookFormat, WebhookSpec};
use crate::store::Queued;
use crate::utc::rfc3339;

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
pub fn sign(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

pub struct WebhookSink {
    spec: WebhookSpec,
    client: reqwest::Client,
    /// Makes message ids unique across databases.
    instance: String,
}

impl WebhookSink {
    pub fn new(spec: WebhookSpec, instance: String) -> Result<Self, SetupError> {
        let client = reqwest::Client::builder()
            .timeout(spec.timeout)
            // A redirect would turn the POST into a bodiless GET: count a 3xx as a failure.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            spec,
            client,
            instance,
        })
    }

    fn body(&self, q: &Queued, now: i64) -> Vec<u8> {
        let value = match &self.spec.format {
            WebhookFormat::Standard => payload(q, &rfc3339(now)),
            WebhookFormat::Slack => chat::slack(q),
            WebhookFormat::Discord => chat::discord(q),
            WebhookFormat::Telegram { chat_id } => chat::telegram(q, chat_id),
        };
        value.to_string().into_bytes()
    }

    /// The POST of one message at `now`, and the headers Tokenwatch set on it (id,
    /// timestamp, signature) for a test send to show.
    pub(super) fn request(
        &self,
        q: &Queued,
        now: i64,
    ) -> (reqwest::RequestBuilder, Vec<(String, String)>) {
        let body = self.body(q, now);
        let msg_id = super::message_id(&self.instance, q.id);
        let mut set = vec![
            ("webhook-id".to_string(), msg_id.clone()),
            ("webhook-timestamp".to_string(), now.to_string()),
        ];
        if let Some(key) = &self.spec.key {
            set.push(("webhook-signature".into(), sign(key, &msg_id, now, &body)));
        }
        let mut req = self
            .client
            .post(&self.spec.url)
            .header("content-type", "application/json");
        for (k, v) in set.iter().chain(&self.spec.headers) {
            req = req.header(k, v);
        }
        (req.body(body), set)
    }

    async fn post(&self, q: &Queued) -> Outcome {
        let (req, _) = self.request(q, crate::store::now_ms() / 1000);
        let started = Instant::now();
        let result = req.send().await;
        let latency = started.elapsed();
        match result {
            Ok(resp) if resp.status().is_success() => Outcome {
                ok: true,
                code: Some(resp.status().as_u16()),
                latency,
                error: None,
                defer: None,
            },
            Ok(resp) => {
                let code = resp.status();
                let text = answer::read_summary(resp, 200).await;
                Outcome {
                    ok: false,
                    code: Some(code.as_u16()),
                    latency,
                    error: Some(format!("the receiver answered HTTP {code}: {text}")),
                    defer: None,
                }
            }
            Err(e) => Outcome {
                ok: false,
                code: None,
                latency,
                error: Some(describe_error(&e)),
                defer: None,
            },
        }
    }
}

/// A transport error in words, without the URL (it may carry a token).
pub(super) fn describe_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "no answer before the timeout"
    } else if e.is_connect() {
        "cannot connect to the receiver"
    } else {
        "the request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what} ({detail})")
    }
}

/// The HTTP client of a webhook could not be set up (no TLS backend).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up HTTP: {0}")]
pub struct SetupError(#[from] reqwest::Error);

impl Sink for WebhookSink {
    fn send<'a>(&'a self, batch: &'a [Queued]) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(batch.len());
            for q in batch {
                let o = self.post(q).await;
                let ok = o.ok;
                out.push(o);
                if !ok {
                    break;
                }
            }
            out
        })
    }

    fn takes_history(&self) -> bool {
        self.spec.takes_history()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn signature_matches_the_standard_webhooks_test_vector() {
        // The example of the Standard Webhooks reference libraries.
        let key = crate::config::decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn chat_formats_carry_one_readable_line() {
        use crate::deliver::fixtures::{queued, stored};
        use crate::event::{EventStatus, StoredEvent};
        let event = StoredEvent {
            args: serde_json::json!({"account": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}),
            arg_names: vec!["account".into()],
            ..stored("Paused", "Paused(address)")
        };
        let q = queued(1, EventStatus::Pending, event);
        let sink = |format| {
            let spec = WebhookSpec {
                url: "https://example.com/x".into(),
                key: None,
                headers: Vec::new(),
                timeout: Duration::from_secs(1),
                format,
            };
            WebhookSink::new(spec, "db".into()).unwrap()
        };
        let line = "Paused on mainnet (ops): account 0x7099…79C8 — block 7, tx 0x02";
        let body = |f| serde_json::from_slice::<serde_json::Value>(&sink(f).body(&q, 0)).unwrap();
        assert_eq!(body(WebhookFormat::Slack)["text"], line);
        assert_eq!(body(WebhookFormat::Discord)["content"], line);
        let telegram = body(WebhookFormat::Telegram {
            chat_id: "-100".into(),
        });
        assert_eq!(telegram["chat_id"], "-100");
        assert_eq!(telegram["text"], line);
        assert!(telegram.get("parse_mode").is_none(), "plain text");
        assert_eq!(body(WebhookFormat::Standard)["type"], "event.pending");
    }
}
