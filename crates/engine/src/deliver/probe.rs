//! "Send a test message": one message about a made-up event "Test" from "Tokenwatch",
//! sent through the target's own sink code with a bounded wait, never stored. The answer
//! says what the receiver or broker answered.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::text::{inert, Medium};
use super::{answer, rabbitmq, webhook, Sink, TargetKind, TargetSpec};
use crate::event::{EventStatus, StoredEvent};
use crate::store::Queued;

/// The longest a test send waits for an answer.
pub const TEST_WAIT: Duration = Duration::from_secs(10);

/// How much of an answer body is shown.
pub const BODY_SHOWN: usize = 300;

/// A header Tokenwatch set on the test message.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SentHeader {
    pub name: String,
    pub value: String,
}

/// What came back from a test send.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TestReply {
    /// The receiver took it (HTTP 2xx, or the broker confirmed it).
    pub ok: bool,
    /// In words: what happened.
    pub message: String,
    /// The HTTP status (webhooks).
    pub status: Option<u16>,
    /// The start of the answer body, control characters and bidi overrides made inert.
    pub body: Option<String>,
    /// The headers Tokenwatch set: message id, timestamp and (signed) signature.
    pub headers: Vec<SentHeader>,
    #[ts(type = "number")]
    pub latency_ms: u64,
}

/// The test message: event "Test" from "Tokenwatch", listener "test", block 0.
pub fn test_message() -> Queued {
    let now = crate::store::now_ms();
    Queued {
        id: now,
        status: EventStatus::Pending,
        attempts: 0,
        event: StoredEvent {
            id: 0,
            network: "Tokenwatch".into(),
            chain_id: 0,
            block_number: 0,
            block_hash: format!("0x{}", "0".repeat(64)),
            block_time: Some(now / 1000),
            tx_hash: format!("0x{}", "0".repeat(64)),
            log_index: 0,
            contract: format!("0x{}", "0".repeat(40)),
            event: "Test".into(),
            signature: "Test(string)".into(),
            listener: "test".into(),
            listeners: vec!["test".into()],
            status: EventStatus::Pending,
            args: json!({ "message": "This is a test message from Tokenwatch." }),
            arg_names: vec!["message".into()],
            decimals: None,
            symbol: None,
        },
    }
}

/// Sends the test message to `spec`, waiting at most [`TEST_WAIT`].
pub async fn send_test(spec: &TargetSpec) -> TestReply {
    let started = Instant::now();
    let mut reply = match &spec.kind {
        TargetKind::Webhook(w) => {
            let mut w = w.clone();
            w.timeout = w.timeout.min(TEST_WAIT);
            test_webhook(w).await
        }
        TargetKind::RabbitMq(r) => {
            let mut r = r.clone();
            r.timeout = r.timeout.min(TEST_WAIT);
            test_broker(r).await
        }
    };
    reply.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    reply
}

fn failed(message: String) -> TestReply {
    TestReply {
        ok: false,
        message,
        status: None,
        body: None,
        headers: Vec::new(),
        latency_ms: 0,
    }
}

async fn test_webhook(spec: super::WebhookSpec) -> TestReply {
    let sink = match webhook::WebhookSink::new(spec, "test".into()) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let (req, set) = sink.request(&test_message(), crate::store::now_ms() / 1000);
    let headers = set
        .into_iter()
        .map(|(name, value)| SentHeader { name, value })
        .collect();
    let resp = match tokio::time::timeout(TEST_WAIT, req.send()).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => {
            return TestReply {
                headers,
                ..failed(webhook::describe_error(&e))
            }
        }
        Err(_) => {
            return TestReply {
                headers,
                ..failed("no answer before the timeout".into())
            }
        }
    };
    let status = resp.status();
    let bytes = tokio::time::timeout(TEST_WAIT, answer::read_bounded(resp, answer::MAX_ANSWER))
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let message = if status.is_success() {
        format!("The receiver took the test message: HTTP {status}.")
    } else {
        format!("The receiver refused the test message: HTTP {status}.")
    };
    TestReply {
        ok: status.is_success(),
        message,
        status: Some(status.as_u16()),
        body: Some(inert(Medium::Plain, text.trim(), BODY_SHOWN)),
        headers,
        latency_ms: 0,
    }
}

async fn test_broker(spec: super::RabbitSpec) -> TestReply {
    let exchange = spec.exchange.clone();
    let q = test_message();
    let key = rabbitmq::routing_key(&q.event.network, &q.event.listener, &q.event.event);
    let sink = rabbitmq::RabbitSink::new(spec, "test".into());
    // Connecting and confirming each wait at most the (capped) timeout.
    let outcome = tokio::time::timeout(TEST_WAIT * 2, sink.send(std::slice::from_ref(&q))).await;
    match outcome.ok().and_then(|o| o.into_iter().next()) {
        Some(o) if o.ok => TestReply {
            ok: true,
            message: format!("The broker confirmed the test message (exchange \"{exchange}\", routing key \"{key}\")."),
            ..failed(String::new())
        },
        Some(o) => failed(
            o.error
                .map(|e| inert(Medium::Plain, &e, BODY_SHOWN))
                .unwrap_or_else(|| "the broker did not take the message".into()),
        ),
        None => failed("the broker did not answer before the timeout".into()),
    }
}
