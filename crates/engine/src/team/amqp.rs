//! The broker side of team mode over AMQP 0-9-1 (lapin): connecting with a timeout,
//! declaring a stream, and reading a delivery's stream offset.

use std::time::Duration;

use lapin::options::QueueDeclareOptions;
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, ConnectionProperties};

use super::TeamError;

/// Connects and opens a channel, within `timeout`.
pub(super) async fn connect(
    url: &str,
    timeout: Duration,
) -> Result<(Connection, Channel), TeamError> {
    let open = async {
        let conn = Connection::connect(url, ConnectionProperties::default()).await?;
        let channel = conn.create_channel().await?;
        Ok::<_, lapin::Error>((conn, channel))
    };
    match tokio::time::timeout(timeout, open).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(TeamError::Broker(e.to_string())),
        Err(_) => Err(TeamError::Broker(
            "no answer from the broker before the timeout".into(),
        )),
    }
}

/// Retention of a stream when it is declared.
#[derive(Clone, Debug, Default)]
pub(super) struct Retention<'a> {
    pub max_age: Option<&'a str>,
    pub max_bytes: Option<u64>,
    pub segment_bytes: Option<u64>,
}

/// Declares the stream (durable, `x-queue-type: stream`), or with `passive` checks that it
/// exists. Answers the message count the broker gives.
pub(super) async fn declare_stream(
    channel: &Channel,
    stream: &str,
    retention: Retention<'_>,
    passive: bool,
) -> Result<u32, TeamError> {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("stream".into()),
    );
    if let Some(age) = retention.max_age {
        args.insert("x-max-age".into(), AMQPValue::LongString(age.into()));
    }
    let size = |n: u64| AMQPValue::LongLongInt(i64::try_from(n).unwrap_or(i64::MAX));
    if let Some(bytes) = retention.max_bytes {
        args.insert("x-max-length-bytes".into(), size(bytes));
    }
    if let Some(bytes) = retention.segment_bytes {
        args.insert("x-stream-max-segment-size-bytes".into(), size(bytes));
    }
    let options = QueueDeclareOptions {
        durable: true,
        passive,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(
            stream.into(),
            options,
            if passive { FieldTable::default() } else { args },
        )
        .await
        .map(|q| q.message_count())
        .map_err(|e| TeamError::Stream {
            stream: stream.to_string(),
            message: e.to_string(),
        })
}

/// The offset of the stream's last chunk (a read from `last` starts there), or `None`
/// when nothing arrives within `wait` (an empty stream).
pub(super) async fn last_chunk(
    conn: &Connection,
    stream: &str,
    wait: Duration,
) -> Result<Option<u64>, TeamError> {
    use futures_util::StreamExt;
    let broker = |e: lapin::Error| TeamError::Broker(e.to_string());
    let channel = conn.create_channel().await.map_err(broker)?;
    channel
        .basic_qos(1, lapin::options::BasicQosOptions::default())
        .await
        .map_err(broker)?;
    let mut args = FieldTable::default();
    args.insert(
        "x-stream-offset".into(),
        AMQPValue::LongString("last".into()),
    );
    let mut consumer = channel
        .basic_consume(
            stream.into(),
            "".into(),
            lapin::options::BasicConsumeOptions::default(),
            args,
        )
        .await
        .map_err(broker)?;
    let first = tokio::time::timeout(wait, consumer.next()).await;
    let _ = tokio::time::timeout(wait, channel.close(200, "probed".into())).await;
    Ok(match first {
        Ok(Some(Ok(d))) => stream_offset(&d.properties),
        _ => None,
    })
}

/// The `x-stream-offset` header RabbitMQ puts on every message read from a stream.
pub(super) fn stream_offset(props: &lapin::BasicProperties) -> Option<u64> {
    let value = props.headers().as_ref()?.inner().get("x-stream-offset")?;
    let n: i128 = match value {
        AMQPValue::LongLongInt(v) => (*v).into(),
        AMQPValue::LongInt(v) => (*v).into(),
        AMQPValue::LongUInt(v) => (*v).into(),
        AMQPValue::Timestamp(v) => (*v).into(),
        _ => return None,
    };
    u64::try_from(n).ok()
}
