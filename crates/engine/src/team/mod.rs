//! Team mode: engines publish what they store to a RabbitMQ stream (`publish`), and
//! desktops mirror a stream into their own database (`subscribe`), without RPC access.
//! Messages (`message`) carry each stored event with its raw log and definition, and every
//! later status change, in commit order. Uses `store` and `model`; `engine` runs it.

mod amqp;
pub mod message;
pub mod publish;
pub mod state;
pub mod subscribe;

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::deliver::Waker;
use crate::hub::Hub;
use crate::model::{StreamSpec, SubscriptionSpec};
use crate::store::{Db, StoreError};

/// Why a stream could not be published to or read, in words.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("broker: {0}")]
    Broker(String),
    #[error("stream \"{stream}\": {message}")]
    Stream { stream: String, message: String },
    #[error("stream \"{0}\" does not exist yet: no publisher has declared it; waiting")]
    NoStream(String),
    #[error("the broker did not give a message's stream offset (is the queue a stream?)")]
    NoOffset,
    #[error("team stream \"{stream}\" took nothing for a while ({error}); what is stored stays and goes out on the next run")]
    Unpublished { stream: String, error: String },
    #[error("a message cannot be written: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The running publishers and subscriptions of one engine.
pub struct Team {
    streams: Vec<StreamSpec>,
    subscriptions: Vec<SubscriptionSpec>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the team tasks need from the engine.
pub struct TeamParts {
    pub db: Db,
    pub hub: Arc<Hub>,
    pub instance: String,
    /// Woken on every commit (the outbox's signal).
    pub commits: watch::Receiver<u64>,
    pub waker: Waker,
    /// The host shows desktop pop-ups (the app): subscriptions may route to them.
    pub desktop: bool,
}

impl Team {
    pub fn start(
        streams: &[StreamSpec],
        subscriptions: &[SubscriptionSpec],
        p: &TeamParts,
    ) -> Team {
        let (stop, _) = watch::channel(false);
        let mut tasks = Vec::new();
        for s in streams {
            tasks.push(tokio::spawn(publish::run(
                s.clone(),
                p.db.clone(),
                p.hub.clone(),
                p.instance.clone(),
                p.commits.clone(),
                stop.subscribe(),
            )));
        }
        for s in subscriptions {
            let mut s = s.clone();
            s.notify &= p.desktop;
            tasks.push(tokio::spawn(subscribe::run(
                s,
                p.db.clone(),
                p.hub.clone(),
                Some(p.waker.clone()),
                stop.subscribe(),
            )));
        }
        p.hub.update(|b| {
            b.streams
                .retain(|x| streams.iter().any(|s| s.name == x.name));
            b.subscriptions
                .retain(|x| subscriptions.iter().any(|s| s.name == x.name));
            // Listed at once, so a wait for their catch-up never sees an empty list.
            for s in subscriptions {
                if !b.subscriptions.iter().any(|x| x.name == s.name) {
                    b.subscriptions.push(crate::status::SubscriptionStatus {
                        name: s.name.clone(),
                        stream: s.stream.clone(),
                        ..Default::default()
                    });
                }
            }
        });
        Team {
            streams: streams.to_vec(),
            subscriptions: subscriptions.to_vec(),
            stop,
            tasks,
        }
    }

    /// Whether it runs exactly these.
    pub fn runs(&self, streams: &[StreamSpec], subscriptions: &[SubscriptionSpec]) -> bool {
        self.streams == streams && self.subscriptions == subscriptions
    }

    /// Stops every task after its current batch (a batch cut off goes again: at least once).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for mut t in self.tasks {
            if tokio::time::timeout(std::time::Duration::from_secs(5), &mut t)
                .await
                .is_err()
            {
                t.abort();
            }
        }
    }

    /// Waits until every stream has published all it carries that is stored now. A stream
    /// whose broker keeps failing for [`give_up`] ends the wait with the broker's words.
    pub async fn drain(&self, db: &Db, hub: &Hub) -> Result<(), TeamError> {
        for s in &self.streams {
            let mut failing_since: Option<std::time::Instant> = None;
            loop {
                let name = s.name.clone();
                let (events, changes) = db
                    .readers
                    .run(move |st| {
                        let at = st.stream_cursor(&name)?;
                        st.journal(at, 1)
                    })
                    .await?;
                if events.is_empty() && changes.is_empty() {
                    break;
                }
                let error = (hub.status().streams.iter())
                    .find(|x| x.name == s.name)
                    .and_then(|x| x.last_error.clone());
                match (error, failing_since) {
                    (None, _) => failing_since = None,
                    (Some(_), None) => failing_since = Some(std::time::Instant::now()),
                    (Some(e), Some(t)) if t.elapsed() > give_up(s) => {
                        return Err(TeamError::Unpublished {
                            stream: s.stream.clone(),
                            error: e,
                        })
                    }
                    (Some(_), Some(_)) => {}
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        Ok(())
    }
}

/// How long `run --until-head` waits on a stream whose every attempt fails.
fn give_up(s: &StreamSpec) -> std::time::Duration {
    (s.timeout * 3).max(std::time::Duration::from_secs(10))
}
