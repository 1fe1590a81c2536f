//! A team stream's publisher: reads the store's journal after the stream's cursor, sends
//! a batch with publisher confirms (all published, then all confirmations awaited), and
//! moves the cursor only once the broker confirmed the whole batch: at least once, in
//! commit order. A failure drops the connection and sends the batch again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection};
use tokio::sync::watch;

use super::amqp::{self, Retention};
use super::message::{self, Writer};
use super::state;
use super::TeamError;
use crate::hub::Hub;
use crate::model::StreamSpec;
use crate::status::StreamStatus;
use crate::store::{now_ms, Db, JournalCursor, ListenerState, TokenBirth};

/// Events (and as many status changes) read per batch.
const BATCH: u32 = 2000;

/// Publishes until told to stop; woken when the engine commits.
pub async fn run(
    spec: StreamSpec,
    db: Db,
    hub: Arc<Hub>,
    instance: String,
    mut wake: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let mut p = Publisher {
        spec,
        db,
        hub,
        instance,
        conn: None,
        writer: Writer::default(),
        cursor: None,
        sent_states: HashMap::new(),
        sent_births: HashSet::new(),
    };
    p.report(|s| s.last_error = None);
    let mut failures = 0u32;
    loop {
        if *stop.borrow() {
            break;
        }
        let wait = match p.round().await {
            Ok(true) => {
                failures = 0;
                continue;
            }
            Ok(false) => Duration::from_millis(500),
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(stream = %p.spec.name, error = %e, "publishing to the team stream failed; trying again");
                p.conn = None;
                let error = e.to_string();
                p.report(|s| s.last_error = Some(error));
                Duration::from_millis(250u64 << failures.min(7))
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.changed() => {}
            _ = stop.changed() => {}
        }
    }
    if let Some((conn, _)) = p.conn.take() {
        let _ = conn.close(200, "stopping".into()).await;
    }
}

struct Publisher {
    spec: StreamSpec,
    db: Db,
    hub: Arc<Hub>,
    instance: String,
    conn: Option<(Connection, Channel)>,
    writer: Writer,
    cursor: Option<JournalCursor>,
    /// Listener states and token births the broker confirmed in this run.
    sent_states: HashMap<String, ListenerState>,
    sent_births: HashSet<TokenBirth>,
}

/// State entries to publish, and what they say (recorded once confirmed).
#[derive(Default)]
struct StateNews {
    entries: Vec<Vec<u8>>,
    states: Vec<ListenerState>,
    births: Vec<TokenBirth>,
}

impl Publisher {
    /// Publishes one batch; `false` when there was nothing to publish.
    async fn round(&mut self) -> Result<bool, TeamError> {
        let cursor = match self.cursor {
            Some(c) => c,
            None => {
                let name = self.spec.name.clone();
                let c = self.db.readers.run(move |s| s.stream_cursor(&name)).await?;
                self.cursor = Some(c);
                c
            }
        };
        // Coverage is read before the journal: what it claims is stored is then in the
        // journal read after it, so it goes out after those events.
        let (states, births) = self
            .db
            .readers
            .run(|s| Ok((s.listener_states()?, s.token_births()?)))
            .await?;
        let (events, changes) = self
            .db
            .readers
            .run(move |s| s.journal(cursor, BATCH))
            .await?;
        let drained = events.len() < BATCH as usize && changes.len() < BATCH as usize;
        let news = if drained {
            self.state_news(states, births)
        } else {
            StateNews::default()
        };
        if events.is_empty() && changes.is_empty() && news.entries.is_empty() {
            self.report_behind(cursor).await?;
            return Ok(false);
        }
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let carries = |l: &str| self.spec.carries(l);
        for e in &events {
            match self.writer.event(e, carries)? {
                Some(b) => entries.push(b),
                None if e.abi.is_none() => {
                    tracing::warn!(stream = %self.spec.name, event = e.id, "an event stored before definitions were kept cannot be published")
                }
                None => {}
            }
        }
        for c in &changes {
            if let Some(b) = self.writer.change(c, carries)? {
                entries.push(b);
            }
        }
        entries.extend(news.entries.iter().cloned());
        let sent = entries.len() as u64;
        let first = (events.first().map(|e| format!("e{}", e.id)))
            .or_else(|| changes.first().map(|c| format!("c{}", c.id)))
            .unwrap_or_else(|| format!("s{}", now_ms()));
        let bodies: Vec<(String, Vec<u8>)> = (message::pack(entries).into_iter().enumerate())
            .map(|(i, b)| (format!("{}.{first}.{i}", self.instance), b))
            .collect();
        self.send(&bodies).await?;
        let next = JournalCursor {
            event_id: events.last().map_or(cursor.event_id, |e| e.id),
            change_id: changes.last().map_or(cursor.change_id, |c| c.id),
        };
        let name = self.spec.name.clone();
        self.db
            .writer
            .run(move |s| s.set_stream_cursor(&name, next))
            .await?;
        self.cursor = Some(next);
        for st in news.states {
            self.sent_states.insert(st.name.clone(), st);
        }
        self.sent_births.extend(news.births);
        self.report(|s| {
            s.published += sent;
            s.last_error = None;
            s.last_ok_ms = Some(now_ms());
        });
        Ok(true)
    }

    /// The carried listeners' states and the token births not yet sent in this run.
    fn state_news(&self, states: Vec<ListenerState>, births: Vec<TokenBirth>) -> StateNews {
        let mut news = StateNews::default();
        // Token births go only where the stream carries a listener.
        let networks: std::collections::HashSet<String> = (states.iter())
            .filter(|st| self.spec.carries(&st.name))
            .map(|st| st.network.clone())
            .collect();
        for st in states {
            if self.spec.carries(&st.name) && self.sent_states.get(&st.name) != Some(&st) {
                match state::listener_entry(&st) {
                    Ok(e) => news.entries.push(e),
                    Err(e) => tracing::warn!(error = %e, "a listener's coverage cannot be written"),
                }
                news.states.push(st);
            }
        }
        for b in births {
            if networks.contains(&b.network) && !self.sent_births.contains(&b) {
                match state::token_entry(&b) {
                    Ok(e) => news.entries.push(e),
                    Err(e) => {
                        tracing::warn!(error = %e, "a token's creation block cannot be written")
                    }
                }
                news.births.push(b);
            }
        }
        news
    }

    /// Publishes every body, then waits for all their confirmations.
    async fn send(&mut self, bodies: &[(String, Vec<u8>)]) -> Result<(), TeamError> {
        if bodies.is_empty() {
            return Ok(());
        }
        let channel = self.channel().await?;
        let stream = self.spec.stream.as_str();
        let publish = async {
            let mut confirms = Vec::with_capacity(bodies.len());
            for (id, body) in bodies {
                let props = BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_content_type("application/json".into())
                    .with_message_id(id.as_str().into());
                let confirm = channel
                    .basic_publish(
                        "".into(),
                        stream.into(),
                        BasicPublishOptions::default(),
                        body,
                        props,
                    )
                    .await?;
                confirms.push(confirm);
            }
            Ok::<_, lapin::Error>(join_all(confirms).await)
        };
        let limit = self.spec.timeout + Duration::from_millis(10 * bodies.len() as u64);
        let answers = match tokio::time::timeout(limit, publish).await {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => return Err(TeamError::Broker(e.to_string())),
            Err(_) => {
                return Err(TeamError::Broker(
                    "the broker did not confirm the batch before the timeout".into(),
                ))
            }
        };
        for a in answers {
            let confirmation = a.map_err(|e| TeamError::Broker(e.to_string()))?;
            if !confirmation.is_ack() {
                return Err(TeamError::Broker(
                    "the broker refused a message (nack)".into(),
                ));
            }
        }
        Ok(())
    }

    async fn channel(&mut self) -> Result<Channel, TeamError> {
        if let Some((conn, channel)) = &self.conn {
            if conn.status().connected() {
                return Ok(channel.clone());
            }
        }
        let (conn, channel) = amqp::connect(&self.spec.url, self.spec.timeout).await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| TeamError::Broker(e.to_string()))?;
        let retention = Retention {
            max_age: self.spec.max_age.as_deref(),
            max_bytes: self.spec.max_bytes,
            segment_bytes: self.spec.segment_bytes,
        };
        amqp::declare_stream(&channel, &self.spec.stream, retention, false).await?;
        self.conn = Some((conn, channel.clone()));
        Ok(channel)
    }

    /// How many stored events wait, on the status board.
    async fn report_behind(&self, cursor: JournalCursor) -> Result<(), TeamError> {
        let end = self.db.readers.run(|s| s.journal_end()).await?;
        let behind = (end.event_id - cursor.event_id).max(0) as u64;
        self.report(|s| s.behind = behind);
        Ok(())
    }

    fn report(&self, f: impl FnOnce(&mut StreamStatus)) {
        let (name, stream) = (&self.spec.name, &self.spec.stream);
        self.hub.update(|b| {
            if !b.streams.iter().any(|s| &s.name == name) {
                b.streams.push(StreamStatus {
                    name: name.clone(),
                    stream: stream.clone(),
                    ..StreamStatus::default()
                });
            }
            if let Some(s) = b.streams.iter_mut().find(|s| &s.name == name) {
                f(s);
            }
        });
    }
}
