//! Delivery targets as configured: what a target is, how it is named in the outbox, how
//! it retries and what a park does to the messages behind it. Plain data; `deliver`
//! sends with it, `config` builds it, the store keeps the key's text.

use std::fmt;
use std::time::Duration;

/// Which target: the outbox stores its text (`webhook:ops`, `rabbitmq:bus`, `desktop`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetKey {
    Webhook(String),
    RabbitMq(String),
    /// The app's desktop notifications.
    Desktop,
}

impl TargetKey {
    /// The key of a stored text; `None` for one no target has.
    pub fn parse(text: &str) -> Option<TargetKey> {
        match text.split_once(':') {
            Some(("webhook", name)) if !name.is_empty() => Some(Self::Webhook(name.into())),
            Some(("rabbitmq", name)) if !name.is_empty() => Some(Self::RabbitMq(name.into())),
            None if text == "desktop" => Some(Self::Desktop),
            _ => None,
        }
    }
}

impl fmt::Display for TargetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Webhook(n) => write!(f, "webhook:{n}"),
            Self::RabbitMq(n) => write!(f, "rabbitmq:{n}"),
            Self::Desktop => f.write_str("desktop"),
        }
    }
}

impl PartialEq<str> for TargetKey {
    fn eq(&self, other: &str) -> bool {
        TargetKey::parse(other).as_ref() == Some(self)
    }
}

impl PartialEq<String> for TargetKey {
    fn eq(&self, other: &String) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<TargetKey> for String {
    fn eq(&self, other: &TargetKey) -> bool {
        other == self
    }
}

/// What a park does to the messages behind it in its lane (`on_park` of a target).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnPark {
    /// They wait, held, until a redelivery sends the parked ones and then them.
    #[default]
    Hold,
    /// Those queued at that moment are parked with it; later ones go on (order is given up).
    Skip,
}

impl OnPark {
    /// `hold` or `skip`, as written in the configuration.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hold" => Some(OnPark::Hold),
            "skip" => Some(OnPark::Skip),
            _ => None,
        }
    }
}

/// When to try again, when to give up, and what a give-up does to the messages behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a delivery is parked.
    pub max_attempts: u32,
    pub initial: Duration,
    pub max: Duration,
    pub on_park: OnPark,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 12,
            initial: Duration::from_secs(1),
            max: Duration::from_secs(300),
            on_park: OnPark::Hold,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempt`-th failure (1-based): doubling, capped, ±20 % jitter.
    pub fn backoff(&self, attempt: u32, seed: u64) -> Duration {
        let base = self
            .initial
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max);
        let spread = (seed % 401) as f64 / 1000.0 - 0.2;
        base.mul_f64(1.0 + spread)
    }
}

/// How a webhook's body is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookFormat {
    /// The documented JSON payload, signed.
    Standard,
    Slack,
    Discord,
    Telegram {
        chat_id: String,
    },
}

/// A configured webhook.
#[derive(Clone, PartialEq)]
pub struct WebhookSpec {
    pub url: String,
    /// The decoded key of a `whsec_<base64>` secret.
    pub key: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub format: WebhookFormat,
}

impl fmt::Debug for WebhookSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSpec")
            .field("host", &host(&self.url))
            .field("signed", &self.key.is_some())
            .field("format", &self.format)
            .finish()
    }
}

impl WebhookSpec {
    /// Standard webhooks feed data integrations; the chat formats are read by people.
    pub fn takes_history(&self) -> bool {
        self.format == WebhookFormat::Standard
    }
}

/// A configured broker target.
#[derive(Clone, PartialEq)]
pub struct RabbitSpec {
    /// `amqp://user:pass@host:port/vhost`.
    pub url: String,
    pub exchange: String,
    /// Declared durable when missing; `None`: the exchange must exist.
    pub declare: Option<String>,
    pub timeout: Duration,
}

impl fmt::Debug for RabbitSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitSpec")
            .field("host", &host(&self.url))
            .field("exchange", &self.exchange)
            .finish()
    }
}

/// Only the host of a URL: the rest may carry credentials or a token.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or("")
}

/// How a configured target sends.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetKind {
    Webhook(WebhookSpec),
    RabbitMq(RabbitSpec),
}

impl TargetKind {
    /// Whether, by default, it takes a listener's first backfill (data integrations do;
    /// things people read do not).
    pub fn takes_history(&self) -> bool {
        match self {
            TargetKind::Webhook(w) => w.takes_history(),
            TargetKind::RabbitMq(_) => true,
        }
    }
}

/// A delivery target from the configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetSpec {
    pub key: TargetKey,
    pub kind: TargetKind,
    pub retry: RetryPolicy,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_from_their_text_and_hide_nothing_else() {
        for key in [
            TargetKey::Webhook("ops".into()),
            TargetKey::RabbitMq("bus".into()),
            TargetKey::Desktop,
        ] {
            assert_eq!(TargetKey::parse(&key.to_string()), Some(key.clone()));
            assert!(key == *key.to_string().as_str());
        }
        assert_eq!(TargetKey::parse("webhook:"), None);
        assert_eq!(TargetKey::parse("mqtt:x"), None);
        let spec = WebhookSpec {
            url: "https://user:pw@hooks.example/T000/B000/secret".into(),
            key: None,
            headers: vec![],
            timeout: Duration::from_secs(1),
            format: WebhookFormat::Slack,
        };
        let shown = format!("{spec:?}");
        assert!(
            shown.contains("hooks.example") && !shown.contains("secret") && !shown.contains("pw"),
            "{shown}"
        );
    }
}

/// When and how much to pop up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesktopPolicy {
    /// At most this many pop-ups per `window`; beyond, one summary says how many more.
    pub burst: u32,
    pub window: Duration,
    /// `(start, end)` minutes of the local day with no pop-ups (may wrap midnight).
    /// Events keep waiting in the outbox and are summarised when the quiet hours end.
    pub quiet_hours: Option<(u32, u32)>,
    /// How often to look again while pop-ups are held back (quiet hours, a full window).
    pub recheck: Duration,
}

impl Default for DesktopPolicy {
    fn default() -> Self {
        Self {
            burst: 3,
            window: Duration::from_secs(60),
            quiet_hours: None,
            recheck: Duration::from_secs(10),
        }
    }
}

impl DesktopPolicy {
    /// Whether `minute` of the local day falls in the quiet hours.
    pub fn is_quiet(&self, minute: u32) -> bool {
        match self.quiet_hours {
            None => false,
            Some((start, end)) if start <= end => (start..end).contains(&minute),
            Some((start, end)) => minute >= start || minute < end,
        }
    }
}

/// Parses `22:00-07:00` into minutes of the day.
pub fn parse_quiet_hours(s: &str) -> Result<(u32, u32), QuietHoursError> {
    let minute = |t: &str| -> Option<u32> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| QuietHoursError::NotARange(s.to_string()))?;
    match (minute(a), minute(b)) {
        (Some(a), Some(b)) if a != b => Ok((a, b)),
        (Some(_), Some(_)) => Err(QuietHoursError::Empty(s.to_string())),
        _ => Err(QuietHoursError::BadTime(s.to_string())),
    }
}

/// Why `notifications.quiet_hours` is not a time range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuietHoursError {
    #[error("\"{0}\" is not a time range like 22:00-07:00")]
    NotARange(String),
    #[error("\"{0}\" is not a time range like 22:00-07:00 (24-hour clock)")]
    BadTime(String),
    #[error("\"{0}\" starts and ends at the same time")]
    Empty(String),
}
