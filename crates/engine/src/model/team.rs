//! Team mode as configured: streams an engine publishes its stored events to, and
//! subscriptions that mirror a stream into this database. Plain data.

use std::fmt;
use std::time::Duration;

/// A `[[rabbitmq]]` entry with `stream`: every stored event and status change of the
/// listeners it carries goes to a RabbitMQ stream, in commit order.
#[derive(Clone, PartialEq)]
pub struct StreamSpec {
    pub name: String,
    /// `amqp://user:pass@host:port/vhost`.
    pub url: String,
    /// The stream (a queue of type `stream`), declared when missing.
    pub stream: String,
    /// The listeners it carries by name; `None`: all.
    pub listeners: Option<Vec<String>>,
    /// Retention by age (`7D`, `12h`), as RabbitMQ's `x-max-age` takes it.
    pub max_age: Option<String>,
    /// Retention by size in bytes (`x-max-length-bytes`).
    pub max_bytes: Option<u64>,
    /// Segment file size in bytes (`x-stream-max-segment-size-bytes`).
    pub segment_bytes: Option<u64>,
    pub timeout: Duration,
}

impl StreamSpec {
    pub fn carries(&self, listener: &str) -> bool {
        self.listeners
            .as_ref()
            .is_none_or(|l| l.iter().any(|n| n == listener))
    }
}

/// A `[[subscriptions]]` entry: mirror a team's stream into this database.
#[derive(Clone, PartialEq)]
pub struct SubscriptionSpec {
    pub name: String,
    pub url: String,
    pub stream: String,
    /// Desktop pop-ups for what it brings after its first catch-up (the app).
    pub notify: bool,
}

impl fmt::Debug for StreamSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamSpec")
            .field("name", &self.name)
            .field("stream", &self.stream)
            .field("listeners", &self.listeners)
            .finish()
    }
}

impl fmt::Debug for SubscriptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriptionSpec")
            .field("name", &self.name)
            .field("stream", &self.stream)
            .finish()
    }
}
