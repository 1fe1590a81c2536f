//! Team mode in the configuration: `[[rabbitmq]]` entries with `stream` (publish to a
//! RabbitMQ stream) and `[[subscriptions]]` (mirror one).

use std::collections::HashSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::secrets::{resolve, Keychain, Source};
use super::targets::RabbitEntry;
use super::{problem, ConfigFile, ConfigProblem};
use crate::model::{StreamSpec, SubscriptionSpec};

/// `[[subscriptions]]`: a team's stream mirrored into this database.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionEntry {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_env: Option<String>,
    #[serde(default)]
    pub url_keychain: Option<String>,
    pub stream: String,
    /// Desktop pop-ups for what it brings (default true).
    #[serde(default)]
    pub notify: Option<bool>,
}

/// The `[[rabbitmq]]` entries that publish to a stream.
pub(super) fn streams(
    file: &ConfigFile,
    keychain: &dyn Keychain,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<StreamSpec> {
    let mut out = Vec::new();
    for (i, r) in file.rabbitmq.iter().enumerate() {
        let Some(stream) = &r.stream else { continue };
        let at = format!("rabbitmq[{i}] (\"{}\")", r.name);
        let before = problems.len();
        if !r.exchange.is_empty() {
            problems.push(problem(
                &format!("{at}.exchange"),
                "give either `exchange` (messages for other programs) or `stream` (team mode), not both",
            ));
        }
        check_stream_name(&format!("{at}.stream"), stream, problems);
        if let Some(age) = &r.max_age {
            if !valid_age(age) {
                problems.push(problem(
                    &format!("{at}.max_age"),
                    &format!("\"{age}\" is not an age RabbitMQ takes: a number and a unit, Y, M, D, h, m or s (e.g. \"7D\")"),
                ));
            }
        }
        if r.max_bytes == Some(0) {
            problems.push(problem(&format!("{at}.max_bytes"), "must be more than 0"));
        }
        if r.segment_bytes == Some(0) {
            problems.push(problem(
                &format!("{at}.segment_bytes"),
                "must be more than 0",
            ));
        }
        if let Some(names) = &r.listeners {
            for (j, n) in names.iter().enumerate() {
                if !file.listeners.iter().any(|l| &l.name == n) {
                    problems.push(problem(
                        &format!("{at}.listeners[{j}]"),
                        &format!("unknown listener \"{n}\""),
                    ));
                }
            }
        }
        let url = broker(&at, r, keychain, problems);
        if let (true, Some(url)) = (problems.len() == before, url) {
            out.push(StreamSpec {
                name: r.name.clone(),
                url,
                stream: stream.clone(),
                listeners: r.listeners.clone(),
                max_age: r.max_age.clone(),
                max_bytes: r.max_bytes,
                segment_bytes: r.segment_bytes,
                timeout: Duration::from_millis(r.timeout_ms.unwrap_or(10_000).max(100)),
            });
        }
    }
    out
}

/// The `[[subscriptions]]` entries.
pub(super) fn subscriptions(
    file: &ConfigFile,
    keychain: &dyn Keychain,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<SubscriptionSpec> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, s) in file.subscriptions.iter().enumerate() {
        let at = format!("subscriptions[{i}] (\"{}\")", s.name);
        let before = problems.len();
        if s.name.trim().is_empty() || s.name.chars().any(char::is_control) {
            problems.push(problem(
                &format!("{at}.name"),
                "give a name without line breaks or other control characters",
            ));
        }
        if !names.insert(s.name.clone()) {
            problems.push(problem(
                &at,
                "a subscription with this name is already defined",
            ));
        }
        if file.networks.iter().any(|n| n.name == s.name) {
            problems.push(problem(
                &format!("{at}.name"),
                "a network of this name is configured: give the subscription another name",
            ));
        }
        check_stream_name(&format!("{at}.stream"), &s.stream, problems);
        let src = Source {
            literal: s.url.as_deref(),
            env: s.url_env.as_deref(),
            keychain: s.url_keychain.as_deref(),
        };
        let url = resolve(&at, "url", src, keychain, problems);
        check_url(
            &at,
            url.as_deref(),
            s.url.is_some() || s.url_env.is_some() || s.url_keychain.is_some(),
            problems,
        );
        if let (true, Some(url)) = (problems.len() == before, url) {
            out.push(SubscriptionSpec {
                name: s.name.clone(),
                url,
                stream: s.stream.clone(),
                notify: s.notify.unwrap_or(true),
            });
        }
    }
    out
}

fn broker(
    at: &str,
    r: &RabbitEntry,
    keychain: &dyn Keychain,
    problems: &mut Vec<ConfigProblem>,
) -> Option<String> {
    let src = Source {
        literal: r.url.as_deref(),
        env: r.url_env.as_deref(),
        keychain: r.url_keychain.as_deref(),
    };
    let url = resolve(at, "url", src, keychain, problems);
    let given = r.url.is_some() || r.url_env.is_some() || r.url_keychain.is_some();
    check_url(at, url.as_deref(), given, problems);
    url
}

fn check_url(at: &str, url: Option<&str>, given: bool, problems: &mut Vec<ConfigProblem>) {
    match url {
        Some(u) => {
            if let Err(why) = super::targets::broker_url(u) {
                problems.push(problem(&format!("{at}.url"), &why));
            }
        }
        None if !given => problems.push(problem(
            &format!("{at}.url"),
            "give the broker's URL, e.g. amqp://guest:guest@127.0.0.1:5672/%2f",
        )),
        None => {}
    }
}

fn check_stream_name(at: &str, name: &str, problems: &mut Vec<ConfigProblem>) {
    if name.is_empty() || name.len() > 255 {
        problems.push(problem(at, "name the stream: 1 to 255 bytes"));
    } else if name.starts_with("amq.") {
        problems.push(problem(
            at,
            "names starting with \"amq.\" are reserved by RabbitMQ",
        ));
    } else if name.chars().any(char::is_control) {
        problems.push(problem(at, "a stream name cannot hold control characters"));
    }
}

/// `7D`, `12h`: what `x-max-age` takes.
fn valid_age(age: &str) -> bool {
    let (n, unit) = age.split_at(age.len().saturating_sub(1));
    !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && n.parse::<u32>().is_ok_and(|v| v > 0)
        && ["Y", "M", "D", "h", "m", "s"].contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::valid_age;

    #[test]
    fn ages_are_a_number_and_a_unit() {
        assert!(valid_age("7D") && valid_age("12h") && valid_age("1Y"));
        assert!(!valid_age("7") && !valid_age("D") && !valid_age("0D") && !valid_age("7d"));
        assert!(!valid_age("") && !valid_age("-1D"));
    }
}
