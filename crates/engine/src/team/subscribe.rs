//! A subscription: reads a team stream from the offset it stored, writes each batch with
//! the next offset in one transaction (so a kill at any moment resumes exactly), acks, and
//! tells the app what arrived. It says which messages the stream no longer held.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection};

use tokio::sync::watch;

use super::amqp::{self, Retention};
use super::message::Reader;
use super::TeamError;
use crate::deliver::Waker;
use crate::hub::{Hub, Notice};
use crate::model::SubscriptionSpec;
use crate::status::SubscriptionStatus;
use crate::store::{Db, MirrorBatch, MirrorItem};

/// Messages (up to 500 entries each) the broker sends ahead of acks; a batch written at
/// once takes at most half, so the next half arrives while it is written.
const PREFETCH: u16 = 40;
/// How long a batch waits for more messages once one arrived.
const GATHER: Duration = Duration::from_millis(20);
/// No message for this long, past the stream's last chunk when the session began: the
/// stream has been read to its end.
const IDLE: Duration = Duration::from_millis(300);
/// How long the look at the stream's last chunk waits (an empty stream sends nothing).
const PROBE: Duration = Duration::from_secs(5);

/// Mirrors until told to stop, reconnecting with backoff.
pub async fn run(
    spec: SubscriptionSpec,
    db: Db,
    hub: Arc<Hub>,
    waker: Option<Waker>,
    mut stop: watch::Receiver<bool>,
) {
    let sub = Subscriber {
        spec,
        db,
        hub,
        waker,
    };
    sub.report(|s| s.error = None).await;
    let mut failures = 0u32;
    loop {
        match sub.session(&mut stop).await {
            Ok(()) => return,
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(subscription = %sub.spec.name, error = %e, "the team stream subscription stopped; trying again");
                let error = e.to_string();
                sub.report(move |s| {
                    s.connected = false;
                    s.error = Some(error);
                })
                .await;
            }
        }
        let wait = Duration::from_millis(250u64 << failures.min(6));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

struct Subscriber {
    spec: SubscriptionSpec,
    db: Db,
    hub: Arc<Hub>,
    waker: Option<Waker>,
}

/// A batch read and parsed, ready to store.
struct Prepared {
    batch: Option<MirrorBatch>,
    last_tag: Option<u64>,
}

/// A batch being stored, and the messages to ack after it.
struct Writing {
    task: Option<tokio::task::JoinHandle<Result<crate::store::Mirrored, crate::store::StoreError>>>,
    last_tag: Option<u64>,
    announce: bool,
}

/// What one connection has read so far.
struct Session {
    expected: u64,
    announce: bool,
    caught_up: bool,
    reader: Reader,
    /// The gap already reported in this session.
    lacking: Option<String>,
    /// Where the stream's last chunk began when the session started.
    tail: Option<u64>,
    /// The stream held messages when the session started.
    nonempty: bool,
    /// A message arrived in this session.
    received: bool,
}

impl Subscriber {
    /// Reads until stopped (`Ok`) or the connection fails.
    async fn session(&self, stop: &mut watch::Receiver<bool>) -> Result<(), TeamError> {
        let name = self.spec.name.clone();
        let state = self
            .db
            .readers
            .run(move |s| s.subscription_state(&name))
            .await?;
        let (conn, channel) = amqp::connect(&self.spec.url, Duration::from_secs(10)).await?;
        let result = self.consume(&conn, &channel, state, stop).await;
        close(conn).await;
        result
    }

    async fn consume(
        &self,
        conn: &Connection,
        channel: &Channel,
        state: crate::store::SubscriptionState,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), TeamError> {
        let stream = self.spec.stream.as_str();
        let count = amqp::declare_stream(channel, stream, Retention::default(), true)
            .await
            .map_err(|_| TeamError::NoStream(stream.to_string()))?;
        // Nonzero for a stream holding messages (RabbitMQ counts stream entries).
        tracing::debug!(subscription = %self.spec.name, count, "the stream's message count");
        let broker = |e: lapin::Error| TeamError::Broker(e.to_string());
        // An empty stream has no last chunk to wait for.
        let tail = match count {
            0 => None,
            _ => amqp::last_chunk(conn, stream, PROBE).await?,
        };
        channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await
            .map_err(broker)?;
        let mut args = FieldTable::default();
        let offset = i64::try_from(state.next_offset).unwrap_or(i64::MAX);
        args.insert("x-stream-offset".into(), AMQPValue::LongLongInt(offset));
        let mut consumer = channel
            .basic_consume(
                stream.into(),
                // The broker names the consumer.
                "".into(),
                BasicConsumeOptions::default(),
                args,
            )
            .await
            .map_err(broker)?;
        let mut session = Session {
            expected: state.next_offset,
            announce: state.caught_up,
            caught_up: false,
            reader: Reader::default(),
            lacking: None,
            tail,
            nonempty: count > 0,
            received: false,
        };
        self.report(|s| {
            s.connected = true;
            s.error = None;
        })
        .await;
        // The batch being written while the next one is read and parsed.
        let mut writing: Option<Writing> = None;
        loop {
            let first = tokio::select! {
                d = consumer.next() => d,
                _ = tokio::time::sleep(IDLE) => {
                    self.finish(channel, writing.take()).await?;
                    self.idle(&mut session).await?;
                    continue;
                }
                _ = stop.changed() => return self.finish(channel, writing.take()).await,
            };
            let Some(first) = first else {
                return Err(TeamError::Broker(
                    "the broker ended the subscription".into(),
                ));
            };
            let mut batch = vec![first.map_err(broker)?];
            let until = tokio::time::Instant::now() + GATHER;
            while batch.len() < PREFETCH as usize / 2 {
                match tokio::time::timeout_at(until, consumer.next()).await {
                    Ok(Some(d)) => batch.push(d.map_err(broker)?),
                    Ok(None) => break,
                    Err(_) => break,
                }
            }
            let next = self.prepare(&mut session, batch)?;
            self.finish(channel, writing.take()).await?;
            writing = Some(self.start(next, session.announce));
            if *stop.borrow() {
                return self.finish(channel, writing.take()).await;
            }
        }
    }

    /// Reads a batch of deliveries into what to store with the next offset.
    fn prepare(
        &self,
        session: &mut Session,
        batch: Vec<lapin::message::Delivery>,
    ) -> Result<Prepared, TeamError> {
        let last_tag = batch.last().map(|d| d.delivery_tag);
        session.received = true;
        let mut items = Vec::with_capacity(batch.len());
        let mut lacking = None;
        for d in &batch {
            let offset = amqp::stream_offset(&d.properties).ok_or(TeamError::NoOffset)?;
            if offset < session.expected {
                // A stream is read from the start of the chunk holding the offset asked for.
                continue;
            }
            if offset > session.expected && session.lacking.is_none() {
                let text = format!(
                    "messages {} to {} of stream \"{}\" were gone (dropped by its retention) before this database read them; what came after was imported",
                    session.expected,
                    offset - 1,
                    self.spec.stream
                );
                tracing::warn!(subscription = %self.spec.name, "{text}");
                session.lacking = Some(text.clone());
                lacking = Some(text);
            }
            session.expected = offset + 1;
            for entry in session.reader.read_all(&d.data) {
                items.push(entry.unwrap_or_else(|e| {
                    tracing::warn!(subscription = %self.spec.name, offset, error = %e, "an entry of a stream message was skipped");
                    MirrorItem::Skipped
                }));
            }
        }
        if let Some(text) = &mut lacking {
            // Say where the chain picks up again, in blocks.
            if let Some(MirrorItem::Event(e)) =
                items.iter().find(|i| matches!(i, MirrorItem::Event(_)))
            {
                text.push_str(&format!(
                    " (from block {} of network \"{}\" on)",
                    e.event.block_number, e.network
                ));
                session.lacking = Some(text.clone());
            }
        }
        let batch = (!items.is_empty() || lacking.is_some()).then(|| MirrorBatch {
            subscription: self.spec.name.clone(),
            stream: self.spec.stream.clone(),
            items,
            next_offset: session.expected,
            lacking,
            announce: session.announce,
            notify: self.spec.notify,
        });
        Ok(Prepared { batch, last_tag })
    }

    /// Starts writing a prepared batch on the database's writer.
    fn start(&self, p: Prepared, announce: bool) -> Writing {
        let db = self.db.clone();
        let task = p
            .batch
            .map(|b| tokio::spawn(async move { db.writer.run(move |s| s.mirror(&b)).await }));
        Writing {
            task,
            last_tag: p.last_tag,
            announce,
        }
    }

    /// Waits for a batch's write, tells the app, then acks its messages.
    async fn finish(&self, channel: &Channel, w: Option<Writing>) -> Result<(), TeamError> {
        let Some(w) = w else { return Ok(()) };
        if let Some(task) = w.task {
            let done = task
                .await
                .map_err(|e| crate::store::StoreError::WriterStopped(e.to_string()))??;
            if let (true, Some(waker)) = (w.announce && self.spec.notify, &self.waker) {
                waker.wake();
            }
            self.tell(done).await?;
        }
        if let Some(tag) = w.last_tag {
            channel
                .basic_ack(tag, BasicAckOptions { multiple: true })
                .await
                .map_err(|e| TeamError::Broker(e.to_string()))?;
        }
        self.report(|_| {}).await;
        Ok(())
    }

    /// Nothing arrived for a while: the stream is read to its end.
    async fn idle(&self, session: &mut Session) -> Result<(), TeamError> {
        let short_of_tail = session.tail.is_some_and(|t| session.expected <= t);
        // The look at the tail may time out on a busy machine: a stream that held
        // messages is not read to its end before one arrived.
        let nothing_yet = session.tail.is_none() && session.nonempty && !session.received;
        if session.caught_up || short_of_tail || nothing_yet {
            return Ok(());
        }
        session.caught_up = true;
        session.announce = true;
        let (name, stream) = (self.spec.name.clone(), self.spec.stream.clone());
        self.db
            .writer
            .run(move |s| s.set_caught_up(&name, &stream))
            .await?;
        tracing::info!(subscription = %self.spec.name, offset = session.expected, "the team stream is read to its end");
        self.report(|s| s.caught_up = true).await;
        Ok(())
    }

    /// Puts what a batch stored and changed on the feed.
    async fn tell(&self, done: crate::store::Mirrored) -> Result<(), TeamError> {
        if done.inserted > 0 {
            self.hub.update(|b| b.events_stored += done.inserted);
        }
        if !self.hub.has_subscribers() {
            return Ok(());
        }
        let mut ids = done.fresh;
        ids.extend(done.changed.iter().map(|(id, _)| *id));
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let events = self.db.readers.run(move |s| s.events_by_ids(&ids)).await?;
        for e in events {
            self.hub.send(Notice::Event(e));
        }
        Ok(())
    }

    /// Refreshes the subscription's line on the status board from the store.
    async fn report(&self, f: impl FnOnce(&mut SubscriptionStatus) + Send + 'static) {
        let name = self.spec.name.clone();
        let read = self
            .db
            .readers
            .run(move |s| {
                let state = s.subscription_state(&name)?;
                let networks: Vec<String> = (s.subscribed_networks()?.into_iter())
                    .filter(|(_, sub)| sub == &name)
                    .map(|(n, _)| n)
                    .collect();
                Ok((state, networks))
            })
            .await;
        let (name, stream) = (&self.spec.name, &self.spec.stream);
        self.hub.update(|b| {
            if !b.subscriptions.iter().any(|s| &s.name == name) {
                b.subscriptions.push(SubscriptionStatus {
                    name: name.clone(),
                    stream: stream.clone(),
                    ..SubscriptionStatus::default()
                });
            }
            if let Some(s) = b.subscriptions.iter_mut().find(|s| &s.name == name) {
                if let Ok((state, networks)) = read {
                    s.messages = state.messages;
                    s.skipped = state.skipped;
                    s.next_offset = state.next_offset;
                    s.lacking = state.lacking;
                    s.networks = networks;
                }
                f(s);
            }
        });
    }
}

async fn close(conn: Connection) {
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.close(200, "stopping".into())).await;
}
