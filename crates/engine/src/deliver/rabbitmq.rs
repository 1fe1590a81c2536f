//! RabbitMQ target: persistent messages with publisher confirms to a configured exchange,
//! routing key `network.listener.event`. One message is confirmed before the next is
//! published, so a broker restart can repeat a message but never reorder them.

use std::time::Instant;

use futures_util::future::BoxFuture;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::Mutex;

use super::message::{idempotency_key, payload};
use super::{Outcome, RabbitSpec, Sink};
use crate::store::Queued;
use crate::utc::rfc3339;

/// An AMQP short string (at most 255 bytes), or why not: a message with a longer routing
/// key is parked with that reason rather than stopping the target's worker.
fn short(s: &str) -> Result<lapin::types::ShortString, RabbitError> {
    lapin::types::ShortString::try_new(s).map_err(|_| RabbitError::TooLong {
        start: s.chars().take(40).collect(),
    })
}

/// `network.listener.event`, each part with dots and spaces replaced by `_`.
pub fn routing_key(network: &str, listener: &str, event: &str) -> String {
    let part = |s: &str| s.replace(['.', ' ', '*', '#'], "_");
    format!("{}.{}.{}", part(network), part(listener), part(event))
}

pub struct RabbitSink {
    spec: RabbitSpec,
    instance: String,
    conn: Mutex<Option<(Connection, Channel)>>,
}

impl RabbitSink {
    pub fn new(spec: RabbitSpec, instance: String) -> Self {
        Self {
            spec,
            instance,
            conn: Mutex::new(None),
        }
    }

    async fn connect(&self) -> Result<(Connection, Channel), RabbitError> {
        let connect = async {
            let conn = Connection::connect(&self.spec.url, ConnectionProperties::default()).await?;
            let channel = conn.create_channel().await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            if let Some(kind) = &self.spec.declare {
                let kind = match kind.as_str() {
                    "direct" => ExchangeKind::Direct,
                    "fanout" => ExchangeKind::Fanout,
                    "headers" => ExchangeKind::Headers,
                    _ => ExchangeKind::Topic,
                };
                channel
                    .exchange_declare(
                        self.spec.exchange.as_str().into(),
                        kind,
                        ExchangeDeclareOptions {
                            durable: true,
                            ..ExchangeDeclareOptions::default()
                        },
                        FieldTable::default(),
                    )
                    .await?;
            }
            Ok::<_, lapin::Error>((conn, channel))
        };
        match tokio::time::timeout(self.spec.timeout, connect).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(RabbitError::Connect(e)),
            Err(_) => Err(RabbitError::ConnectTimeout),
        }
    }

    async fn publish(&self, channel: &Channel, q: &Queued) -> Result<(), RabbitError> {
        let e = &q.event;
        let body = payload(q, &rfc3339(crate::store::now_ms() / 1000)).to_string();
        let key = routing_key(&e.network, &e.listener, &e.event);
        let (exchange, routing) = (short(&self.spec.exchange)?, short(&key)?);
        let mut headers = FieldTable::default();
        headers.insert(
            "idempotency-key".into(),
            lapin::types::AMQPValue::LongString(idempotency_key(e).into()),
        );
        let props = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(super::message_id(&self.instance, q.id).into())
            .with_type(super::message::message_type(q.status).into())
            .with_headers(headers);
        let confirm = async {
            channel
                .basic_publish(
                    exchange,
                    routing,
                    BasicPublishOptions {
                        mandatory: true,
                        ..BasicPublishOptions::default()
                    },
                    body.as_bytes(),
                    props,
                )
                .await?
                .await
        };
        let confirmation = match tokio::time::timeout(self.spec.timeout, confirm).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(RabbitError::NotTaken(e)),
            Err(_) => return Err(RabbitError::ConfirmTimeout),
        };
        if confirmation.is_nack() {
            return Err(RabbitError::Nack);
        }
        if !confirmation.is_ack() {
            // Without confirms nothing says the broker has the message: not delivered.
            return Err(RabbitError::Unconfirmed);
        }
        if let Some(returned) = confirmation.take_message() {
            return Err(RabbitError::Unroutable {
                exchange: self.spec.exchange.clone(),
                key,
                code: returned.reply_code,
                text: returned.reply_text.to_string(),
            });
        }
        Ok(())
    }
}

impl Sink for RabbitSink {
    fn send<'a>(&'a self, batch: &'a [Queued]) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(async move {
            let mut guard = self.conn.lock().await;
            let started = Instant::now();
            if guard.as_ref().is_none_or(|(c, _)| !c.status().connected()) {
                match self.connect().await {
                    Ok(c) => *guard = Some(c),
                    Err(error) => {
                        *guard = None;
                        return vec![Outcome {
                            ok: false,
                            code: None,
                            latency: started.elapsed(),
                            error: Some(error.to_string()),
                            defer: None,
                        }];
                    }
                }
            }
            let mut out = Vec::with_capacity(batch.len());
            let Some((_, channel)) = guard.as_ref() else {
                return out;
            };
            let channel = channel.clone();
            for q in batch {
                let started = Instant::now();
                let result = self.publish(&channel, q).await;
                let failed = result.is_err();
                out.push(Outcome {
                    ok: !failed,
                    code: None,
                    latency: started.elapsed(),
                    error: result.err().map(|e| e.to_string()),
                    defer: None,
                });
                if failed {
                    // Start from a fresh connection next time.
                    *guard = None;
                    break;
                }
            }
            out
        })
    }

    fn takes_history(&self) -> bool {
        true
    }
}

/// Why a message did not reach the broker; kept with the attempt in words.
#[derive(Debug, thiserror::Error)]
pub enum RabbitError {
    #[error("\"{start}…\" is longer than the 255 bytes an AMQP name or routing key may have")]
    TooLong { start: String },
    #[error("cannot connect to the broker: {0}")]
    Connect(lapin::Error),
    #[error("cannot connect to the broker: no answer before the timeout")]
    ConnectTimeout,
    #[error("the broker did not take the message: {0}")]
    NotTaken(lapin::Error),
    #[error("the broker did not confirm before the timeout")]
    ConfirmTimeout,
    #[error("the broker refused the message (nack)")]
    Nack,
    #[error("the broker channel is not in confirm mode, so the message is unconfirmed")]
    Unconfirmed,
    #[error(
        "no queue is bound to exchange \"{exchange}\" for routing key \"{key}\" ({code} {text})"
    )]
    Unroutable {
        exchange: String,
        key: String,
        code: u16,
        text: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_routing_key_too_long_for_amqp_is_an_error_not_a_panic() {
        let long = routing_key("local", &"l".repeat(300), "Transfer");
        let err = short(&long).expect_err("over 255 bytes");
        assert!(matches!(err, RabbitError::TooLong { .. }), "{err:?}");
        assert!(err.to_string().contains("255 bytes"), "{err}");
        assert!(short("local.transfers.Transfer").is_ok());
    }

    #[test]
    fn routing_keys_keep_three_parts() {
        assert_eq!(
            routing_key("local", "transfers", "Transfer"),
            "local.transfers.Transfer"
        );
        assert_eq!(
            routing_key("base.main", "my wallets", "Transfer"),
            "base_main.my_wallets.Transfer"
        );
    }
}
