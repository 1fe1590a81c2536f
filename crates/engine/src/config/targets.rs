//! `[[webhooks]]` and `[[rabbitmq]]` delivery targets in the configuration, and the
//! listeners' references to them. Secrets may come from environment variables.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::secrets::decode_secret;
use super::secrets::{resolve, Keychain, Source};
use super::{problem, ConfigFile, ConfigProblem, ListenerEntry};
use crate::model::{parse_quiet_hours, DesktopPolicy};
use crate::model::{
    OnPark, RabbitSpec, RetryPolicy, TargetKey, TargetKind, TargetSpec, WebhookFormat, WebhookSpec,
};

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEntry {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    /// Environment variable holding the URL (chat webhook URLs carry a token).
    #[serde(default)]
    pub url_env: Option<String>,
    /// Name of the keychain secret holding the URL (the app).
    #[serde(default)]
    pub url_keychain: Option<String>,
    /// `whsec_<base64>`: signs as Standard Webhooks says.
    #[serde(default)]
    pub secret: Option<String>,
    /// Environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Name of the keychain secret holding the secret (the app).
    #[serde(default)]
    pub secret_keychain: Option<String>,
    /// `standard` (default), `slack`, `discord` or `telegram`.
    #[serde(default)]
    pub format: Option<String>,
    /// Telegram chat to post to (format `telegram`).
    #[serde(default)]
    pub chat_id: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub retry_initial_ms: Option<u64>,
    #[serde(default)]
    pub retry_max_ms: Option<u64>,
    /// `hold` (default): after a park, later messages wait for the redelivery; `skip`:
    /// they go on (order is given up).
    #[serde(default)]
    pub on_park: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RabbitEntry {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_env: Option<String>,
    #[serde(default)]
    pub url_keychain: Option<String>,
    /// The exchange messages for other programs go to (not with `stream`).
    #[serde(default)]
    pub exchange: String,
    /// Team mode: publish every stored event and status change to this RabbitMQ stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// Team mode: the listeners the stream carries (all when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listeners: Option<Vec<String>>,
    /// Team mode: the stream's retention by age (`7D`, `12h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// Team mode: the stream's retention by size, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// Team mode: the size of the stream's segment files, in bytes (retention drops whole
    /// segments; RabbitMQ's default is 500 MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_bytes: Option<u64>,
    /// Type of the exchange to declare if missing (`topic` by default); `false`: it must exist.
    #[serde(default)]
    pub declare: Option<toml::Value>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub retry_initial_ms: Option<u64>,
    #[serde(default)]
    pub retry_max_ms: Option<u64>,
    /// `hold` (default): after a park, later messages wait for the redelivery; `skip`:
    /// they go on (order is given up).
    #[serde(default)]
    pub on_park: Option<String>,
}

/// `[notifications]`: desktop pop-ups (shown by the app).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NotificationsEntry {
    /// `22:00-07:00`: no pop-ups then; what happened is summarised when they end.
    #[serde(default)]
    pub quiet_hours: Option<String>,
    /// Pop-ups per window before one summary stands for the rest (default 3).
    #[serde(default)]
    pub burst: Option<u32>,
    /// The window in seconds (default 60).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub burst_window_s: Option<u64>,
}

pub(super) fn notifications(file: &ConfigFile, problems: &mut Vec<ConfigProblem>) -> DesktopPolicy {
    let mut policy = DesktopPolicy::default();
    let Some(n) = &file.notifications else {
        return policy;
    };
    if let Some(q) = &n.quiet_hours {
        match parse_quiet_hours(q) {
            Ok(range) => policy.quiet_hours = Some(range),
            Err(e) => problems.push(problem("notifications.quiet_hours", &e.to_string())),
        }
    }
    match n.burst {
        Some(0) => problems.push(problem("notifications.burst", "must be at least 1")),
        Some(b) => policy.burst = b,
        None => {}
    }
    if let Some(s) = n.burst_window_s {
        policy.window = Duration::from_secs(s.max(1));
    }
    policy
}

pub(super) fn validate(
    file: &ConfigFile,
    keychain: &dyn Keychain,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<TargetSpec> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, w) in file.webhooks.iter().enumerate() {
        let at = format!("webhooks[{i}] (\"{}\")", w.name);
        if !names.insert(TargetKey::Webhook(w.name.clone())) {
            problems.push(problem(&at, "a webhook with this name is already defined"));
        }
        let before = problems.len();
        let url = resolve(
            &at,
            "url",
            source(&w.url, &w.url_env, &w.url_keychain),
            keychain,
            problems,
        );
        if let Some(u) = &url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                problems.push(problem(
                    &format!("{at}.url"),
                    &format!(
                        "\"{}\" is not an http:// or https:// URL",
                        crate::source::mask_url(u)
                    ),
                ));
            } else if let Err(why) = webhook_url(u) {
                problems.push(problem(&format!("{at}.url"), &why));
            }
        } else if w.url.is_none() && w.url_env.is_none() && w.url_keychain.is_none() {
            problems.push(problem(
                &format!("{at}.url"),
                "give the receiver's URL (url, url_env or url_keychain)",
            ));
        }
        let secret = resolve(
            &at,
            "secret",
            source(&w.secret, &w.secret_env, &w.secret_keychain),
            keychain,
            problems,
        );
        let key = secret.and_then(|s| {
            decode_secret(&s)
                .map_err(|e| problems.push(problem(&format!("{at}.secret"), &e.to_string())))
                .ok()
        });
        let format = match w.format.as_deref().unwrap_or("standard") {
            "standard" => Some(WebhookFormat::Standard),
            "slack" => Some(WebhookFormat::Slack),
            "discord" => Some(WebhookFormat::Discord),
            "telegram" => match &w.chat_id {
                Some(c) => Some(WebhookFormat::Telegram { chat_id: c.clone() }),
                None => {
                    problems.push(problem(
                        &format!("{at}.chat_id"),
                        "format \"telegram\" needs the chat_id to post to",
                    ));
                    None
                }
            },
            other => {
                problems.push(problem(
                    &format!("{at}.format"),
                    &format!(
                        "unknown format \"{other}\"; use standard, slack, discord or telegram"
                    ),
                ));
                None
            }
        };
        for (name, value) in &w.headers {
            if let Err(m) = check_header(name, value) {
                problems.push(problem(&format!("{at}.headers.\"{name}\""), &m));
            }
        }
        let retry = retry_policy(
            &at,
            (
                w.max_attempts,
                w.retry_initial_ms,
                w.retry_max_ms,
                &w.on_park,
            ),
            problems,
        );
        if problems.len() == before {
            if let (Some(url), Some(format)) = (url, format) {
                out.push(TargetSpec {
                    key: TargetKey::Webhook(w.name.clone()),
                    kind: TargetKind::Webhook(WebhookSpec {
                        url,
                        key,
                        headers: w.headers.clone().into_iter().collect(),
                        timeout: Duration::from_millis(w.timeout_ms.unwrap_or(10_000).max(100)),
                        format,
                    }),
                    retry,
                });
            }
        }
    }
    for (i, r) in file.rabbitmq.iter().enumerate() {
        let at = format!("rabbitmq[{i}] (\"{}\")", r.name);
        if r.stream.is_some() {
            // A team stream (config::team); its name is still taken.
            if !names.insert(TargetKey::RabbitMq(r.name.clone())) {
                problems.push(problem(
                    &at,
                    "a rabbitmq target with this name is already defined",
                ));
            }
            continue;
        }
        if !names.insert(TargetKey::RabbitMq(r.name.clone())) {
            problems.push(problem(
                &at,
                "a rabbitmq target with this name is already defined",
            ));
        }
        let before = problems.len();
        let url = resolve(
            &at,
            "url",
            source(&r.url, &r.url_env, &r.url_keychain),
            keychain,
            problems,
        );
        match &url {
            Some(u) if !(u.starts_with("amqp://") || u.starts_with("amqps://")) => {
                problems.push(problem(
                    &format!("{at}.url"),
                    &format!(
                        "\"{}\" is not an amqp:// or amqps:// URL",
                        crate::source::mask_url(u)
                    ),
                ));
            }
            Some(u) => {
                if let Err(why) = broker_url(u) {
                    problems.push(problem(&format!("{at}.url"), &why));
                }
            }
            None if r.url.is_none() && r.url_env.is_none() && r.url_keychain.is_none() => {
                problems.push(problem(
                    &format!("{at}.url"),
                    "give the broker's URL, e.g. amqp://guest:guest@127.0.0.1:5672/%2f",
                ));
            }
            _ => {}
        }
        if r.exchange.is_empty() {
            problems.push(problem(&format!("{at}.exchange"), "name the exchange to publish to (the default exchange cannot route by `network.listener.event`)"));
        } else if r.exchange.len() > 255 {
            problems.push(problem(
                &format!("{at}.exchange"),
                "an exchange name is at most 255 bytes (AMQP)",
            ));
        }
        let declare = match &r.declare {
            None | Some(toml::Value::Boolean(true)) => Some("topic".to_string()),
            Some(toml::Value::Boolean(false)) => None,
            Some(toml::Value::String(k))
                if ["topic", "direct", "fanout", "headers"].contains(&k.as_str()) =>
            {
                Some(k.clone())
            }
            Some(other) => {
                problems.push(problem(
                    &format!("{at}.declare"),
                    &format!(
                        "{other} is not an exchange type (topic, direct, fanout, headers) or false"
                    ),
                ));
                None
            }
        };
        let retry = retry_policy(
            &at,
            (
                r.max_attempts,
                r.retry_initial_ms,
                r.retry_max_ms,
                &r.on_park,
            ),
            problems,
        );
        if let (true, Some(url)) = (problems.len() == before, url) {
            out.push(TargetSpec {
                key: TargetKey::RabbitMq(r.name.clone()),
                kind: TargetKind::RabbitMq(RabbitSpec {
                    url,
                    exchange: r.exchange.clone(),
                    declare,
                    timeout: Duration::from_millis(r.timeout_ms.unwrap_or(10_000).max(100)),
                }),
                retry,
            });
        }
    }
    out
}

/// Every target a listener names must be defined.
pub(super) fn check_listener_targets(
    file: &ConfigFile,
    l: &ListenerEntry,
    at: &str,
    problems: &mut Vec<ConfigProblem>,
) {
    for (i, w) in l.webhooks.iter().enumerate() {
        if !file.webhooks.iter().any(|d| &d.name == w) {
            let known: Vec<_> = file.webhooks.iter().map(|d| d.name.as_str()).collect();
            problems.push(problem(
                &format!("{at}.webhooks[{i}]"),
                &format!("unknown webhook \"{w}\"; defined: {}", list(&known)),
            ));
        }
    }
    for (i, r) in l.rabbitmq.iter().enumerate() {
        if file
            .rabbitmq
            .iter()
            .any(|d| &d.name == r && d.stream.is_some())
        {
            problems.push(problem(
                &format!("{at}.rabbitmq[{i}]"),
                &format!("\"{r}\" is a team stream: it carries the listeners its `listeners` names (all when left out), so a listener does not name it"),
            ));
        } else if !file.rabbitmq.iter().any(|d| &d.name == r) {
            let known: Vec<_> = file.rabbitmq.iter().map(|d| d.name.as_str()).collect();
            problems.push(problem(
                &format!("{at}.rabbitmq[{i}]"),
                &format!("unknown rabbitmq target \"{r}\"; defined: {}", list(&known)),
            ));
        }
    }
}

/// A header the user may add: valid, and not one the signature or body depends on.
fn check_header(name: &str, value: &str) -> Result<(), String> {
    const RESERVED: [&str; 5] = [
        "content-type",
        "content-length",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    ];
    if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
        return Err("is set by Tokenwatch itself".into());
    }
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| "is not a valid header name".to_string())?;
    reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| "has a value that cannot be sent in a header".to_string())?;
    Ok(())
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn source<'a>(
    literal: &'a Option<String>,
    env: &'a Option<String>,
    keychain: &'a Option<String>,
) -> Source<'a> {
    Source {
        literal: literal.as_deref(),
        env: env.as_deref(),
        keychain: keychain.as_deref(),
    }
}

/// `(max_attempts, retry_initial_ms, retry_max_ms, on_park)` as written.
type RetryKeys<'a> = (Option<u32>, Option<u64>, Option<u64>, &'a Option<String>);

fn retry_policy(
    at: &str,
    (max_attempts, initial, max, on_park): RetryKeys<'_>,
    problems: &mut Vec<ConfigProblem>,
) -> RetryPolicy {
    let d = RetryPolicy::default();
    if max_attempts == Some(0) {
        problems.push(problem(&format!("{at}.max_attempts"), "must be at least 1"));
    }
    let on_park = match on_park.as_deref() {
        None => d.on_park,
        Some(v) => OnPark::parse(v).unwrap_or_else(|| {
            problems.push(problem(
                &format!("{at}.on_park"),
                &format!("unknown value \"{v}\"; use \"hold\" (later messages wait behind a parked one) or \"skip\" (they go on, out of order)"),
            ));
            d.on_park
        }),
    };
    RetryPolicy {
        max_attempts: max_attempts.unwrap_or(d.max_attempts).max(1),
        initial: initial.map_or(d.initial, |ms| Duration::from_millis(ms.max(1))),
        max: max.map_or(d.max, |ms| Duration::from_millis(ms.max(1))),
        on_park,
    }
}

/// Checks that a webhook URL parses and names a host; the message shows it masked.
fn webhook_url(u: &str) -> Result<(), String> {
    let masked = crate::source::mask_url(u);
    match reqwest::Url::parse(u) {
        Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err(format!("\"{masked}\" names no host")),
        Err(e) => Err(format!("\"{masked}\" is not a valid URL: {e}")),
    }
}

/// Checks that a broker URL parses as AMQP does (host, port, vhost, options).
pub(super) fn broker_url(u: &str) -> Result<(), String> {
    let masked = crate::source::mask_url(u);
    u.parse::<lapin::uri::AMQPUri>().map(|_| ()).map_err(|e| {
        format!(
            "\"{masked}\" is not a valid broker URL: {}",
            e.replace(u, &masked)
        )
    })
}
