//! The TOML configuration of networks and listeners, and its validation into the
//! engine's model. Every problem is reported with the key it concerns.

pub mod chain_check;
mod edit;
mod listener;
mod secrets;
pub mod target_edit;
pub mod target_form;
mod targets;
mod team;
mod where_clause;

pub use edit::{ConfigDoc, ConfigView, EditError};

pub use listener::{parse_address, parse_date};
pub use secrets::{decode_secret, Keychain, KeychainUnavailable, NoKeychain, SecretError};
pub use targets::NotificationsEntry;

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::matcher::condition::address_warnings;
use crate::model::DesktopPolicy;
use crate::model::TargetSpec;
use crate::model::{Confirmations, ListenerSpec, NetworkSpec, StartBlock};
use crate::model::{StreamSpec, SubscriptionSpec};

/// The file as written by the user.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub networks: Vec<NetworkEntry>,
    #[serde(default)]
    pub listeners: Vec<ListenerEntry>,
    #[serde(default)]
    pub webhooks: Vec<targets::WebhookEntry>,
    #[serde(default)]
    pub rabbitmq: Vec<targets::RabbitEntry>,
    #[serde(default)]
    pub notifications: Option<targets::NotificationsEntry>,
    /// Team streams this database mirrors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<team::SubscriptionEntry>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NetworkEntry {
    pub name: String,
    #[ts(type = "number")]
    pub chain_id: u64,
    #[serde(default)]
    pub rpc: Vec<String>,
    /// Names of keychain secrets holding endpoint URLs with API keys (the app).
    #[serde(default)]
    pub rpc_keychain: Vec<String>,
    /// Blocks (a number) or `"safe"` / `"finalized"`.
    #[serde(default)]
    #[ts(type = "number | string | null")]
    pub confirmations: Option<toml::Value>,
    #[serde(default)]
    pub explorer: Option<String>,
    /// Milliseconds between head polls when no WebSocket endpoint is given.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub poll_interval_ms: Option<u64>,
    /// Blocks per `eth_getLogs` request to start with.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub max_block_range: Option<u64>,
    /// Milliseconds before an unanswered request counts as failed.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub request_timeout_ms: Option<u64>,
    /// Largest answer read from an endpoint, in MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number | null")]
    pub max_response_mb: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ListenerEntry {
    pub name: String,
    pub network: String,
    #[serde(default)]
    pub contracts: Vec<String>,
    #[serde(default)]
    pub events: Vec<String>,
    /// Path of a JSON ABI whose events are all watched (relative to the config file).
    #[serde(default)]
    pub abi: Option<String>,
    #[serde(default, rename = "where")]
    pub condition: Option<String>,
    /// A block number, `"latest"`, or a date (`"2026-01-31"`).
    #[serde(default)]
    #[ts(type = "number | string | null")]
    pub from_block: Option<toml::Value>,
    #[serde(default)]
    pub paused: bool,
    /// Names of `[[webhooks]]` this listener delivers to.
    #[serde(default)]
    pub webhooks: Vec<String>,
    /// Names of `[[rabbitmq]]` targets this listener publishes to.
    #[serde(default)]
    pub rabbitmq: Vec<String>,
    /// Desktop notifications (shown by the app; the headless binary has none).
    #[serde(default)]
    pub notify: bool,
    /// Also announce the events of the first backfill to notifications and chat webhooks.
    #[serde(default)]
    pub announce_history: bool,
}

/// One thing wrong with a configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, TS)]
#[error("{at}: {message}")]
#[ts(export)]
pub struct ConfigProblem {
    /// Where: `networks[0].rpc[1]`, `listeners["transfers"].where`, or the file.
    pub at: String,
    pub message: String,
}

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub networks: Vec<NetworkSpec>,
    pub listeners: Vec<ListenerSpec>,
    /// Webhooks and brokers listeners deliver to.
    pub targets: Vec<TargetSpec>,
    /// Desktop pop-up policy (used by the app).
    pub notifications: DesktopPolicy,
    /// Team streams this engine publishes to.
    pub streams: Vec<StreamSpec>,
    /// Team streams mirrored into this database.
    pub subscriptions: Vec<SubscriptionSpec>,
    /// Things that do not stop the configuration but deserve a look.
    pub warnings: Vec<ConfigProblem>,
}

impl Config {
    /// Reads and validates a configuration file (no keychain).
    pub fn load(path: &Path) -> Result<Config, Vec<ConfigProblem>> {
        Self::load_with(path, &NoKeychain)
    }

    /// Reads and validates a configuration file; `*_keychain` secrets come from `keychain`.
    pub fn load_with(path: &Path, keychain: &dyn Keychain) -> Result<Config, Vec<ConfigProblem>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![ConfigProblem {
                at: path.display().to_string(),
                message: format!("cannot read: {e}"),
            }]
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let file = parse_file(&text)?;
        let mut config = file.validate(base, keychain)?;
        if let Some(mode) = crate::files::readable_by_others(path) {
            let secrets = file.literal_secrets();
            if !secrets.is_empty() {
                config.warnings.push(ConfigProblem {
                    at: path.display().to_string(),
                    message: format!(
                        "other users can read this file (mode {mode:o}) and it holds secrets written out ({}): run `chmod 600` on it, or name environment variables instead (secret_env, url_env)",
                        secrets.join(", ")
                    ),
                });
            }
        }
        Ok(config)
    }

    /// Parses and validates configuration text; relative paths resolve against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Config, Vec<ConfigProblem>> {
        Self::parse_with(text, base, &NoKeychain)
    }

    /// As [`Config::parse`], with `*_keychain` secrets from `keychain`.
    pub fn parse_with(
        text: &str,
        base: &Path,
        keychain: &dyn Keychain,
    ) -> Result<Config, Vec<ConfigProblem>> {
        parse_file(text)?.validate(base, keychain)
    }
}

fn parse_file(text: &str) -> Result<ConfigFile, Vec<ConfigProblem>> {
    toml::from_str(text).map_err(|e| {
        vec![ConfigProblem {
            at: "config".into(),
            message: toml_problem(text, &e),
        }]
    })
}

/// A TOML error as `line L, column C: what`, with secrets masked: the parser's own text
/// quotes the offending line and value, which may be an RPC key or a webhook secret.
pub(crate) fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let message = crate::logging::mask_secrets(e.message().trim_end());
    let Some(span) = e.span() else {
        return message;
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: {message}")
}

impl ConfigFile {
    pub fn validate(
        &self,
        base: &Path,
        keychain: &dyn Keychain,
    ) -> Result<Config, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut networks = Vec::new();
        let mut names = HashSet::new();
        for (i, n) in self.networks.iter().enumerate() {
            let at = format!("networks[{i}] (\"{}\")", n.name);
            if !names.insert(n.name.clone()) {
                problems.push(problem(&at, "a network with this name is already defined"));
            }
            let mut n = n.clone();
            for (j, name) in n.rpc_keychain.iter().enumerate() {
                let missing = match keychain.secret(name) {
                    Ok(Some(url)) => {
                        n.rpc.push(url);
                        continue;
                    }
                    Ok(None) => format!("the keychain has no secret \"{name}\""),
                    Err(e) => e.to_string(),
                };
                problems.push(problem(&format!("{at}.rpc_keychain[{j}]"), &missing));
            }
            if n.rpc.is_empty() && !n.rpc_keychain.is_empty() {
                continue;
            }
            match validate_network(&n) {
                Ok(spec) => networks.push(spec),
                Err(mut p) => problems.extend(p.drain(..).map(|m| prefix(&at, m))),
            }
        }
        let targets = targets::validate(self, keychain, &mut problems);
        let notifications = targets::notifications(self, &mut problems);
        let streams = team::streams(self, keychain, &mut problems);
        let subscriptions = team::subscriptions(self, keychain, &mut problems);
        let mut listeners = Vec::new();
        let mut warnings = Vec::new();
        let mut lnames = HashSet::new();
        for (i, l) in self.listeners.iter().enumerate() {
            let at = format!("listeners[{i}] (\"{}\")", l.name);
            if !lnames.insert(l.name.clone()) {
                problems.push(problem(&at, "a listener with this name is already defined"));
            }
            if l.name.chars().any(char::is_control) {
                problems.push(problem(
                    &format!("{at}.name"),
                    "a name cannot hold line breaks, tabs or other control characters",
                ));
            }
            if !names.contains(&l.network) {
                let known: Vec<_> = self.networks.iter().map(|n| n.name.as_str()).collect();
                problems.push(problem(
                    &format!("{at}.network"),
                    &format!(
                        "unknown network \"{}\"; defined: {}",
                        l.network,
                        known.join(", ")
                    ),
                ));
                continue;
            }
            for w in l
                .condition
                .as_deref()
                .map(address_warnings)
                .unwrap_or_default()
            {
                warnings.push(problem(&format!("{at}.where"), &w));
            }
            targets::check_listener_targets(self, l, &at, &mut problems);
            match listener::validate_listener(l, base) {
                Ok(spec) => listeners.push(spec),
                Err(mut p) => problems.extend(p.drain(..).map(|m| prefix(&at, m))),
            }
        }
        if problems.is_empty() {
            Ok(Config {
                networks,
                listeners,
                targets,
                notifications,
                streams,
                subscriptions,
                warnings,
            })
        } else {
            Err(problems)
        }
    }
}

fn validate_network(n: &NetworkEntry) -> Result<NetworkSpec, Vec<ConfigProblem>> {
    let mut problems = Vec::new();
    if n.name.trim().is_empty() {
        problems.push(problem("name", "must not be empty"));
    }
    if n.rpc.is_empty() {
        problems.push(problem("rpc", "give at least one RPC endpoint URL"));
    }
    for (i, url) in n.rpc.iter().enumerate() {
        if let Err(m) = check_url(url) {
            problems.push(problem(&format!("rpc[{i}]"), &m));
        }
    }
    if !n
        .rpc
        .iter()
        .any(|u| u.starts_with("http://") || u.starts_with("https://"))
        && !n.rpc.is_empty()
    {
        problems.push(problem(
            "rpc",
            "give at least one http:// or https:// endpoint (WebSocket endpoints are used for live updates next to it)",
        ));
    }
    let confirmations = match &n.confirmations {
        None => Ok(Confirmations::Blocks(0)),
        Some(v) => confirmations(v),
    };
    let confirmations = confirmations.unwrap_or_else(|m| {
        problems.push(problem("confirmations", &m));
        Confirmations::Blocks(0)
    });
    if n.max_block_range == Some(0) {
        problems.push(problem("max_block_range", "must be at least 1"));
    }
    if n.max_response_mb
        .is_some_and(|mb| !(1..=MAX_RESPONSE_MB).contains(&mb))
    {
        problems.push(problem(
            "max_response_mb",
            &format!(
                "must be between 1 and {MAX_RESPONSE_MB} (MB per answer; four are read at once)"
            ),
        ));
    }
    if let Some(e) = &n.explorer {
        let host = e
            .strip_prefix("https://")
            .or_else(|| e.strip_prefix("http://"))
            .unwrap_or_default();
        if host.is_empty()
            || e.chars()
                .any(|c| !c.is_ascii_graphic() || "\"'<>`".contains(c))
        {
            problems.push(problem(
                "explorer",
                &format!(
                    "\"{e}\" is not an http:// or https:// address, e.g. https://etherscan.io"
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NetworkSpec {
        name: n.name.clone(),
        chain_id: n.chain_id,
        rpc: n.rpc.clone(),
        confirmations,
        explorer: n.explorer.clone(),
        poll_interval: std::time::Duration::from_millis(n.poll_interval_ms.unwrap_or(1000).max(10)),
        max_block_range: n.max_block_range.unwrap_or(10_000),
        request_timeout: std::time::Duration::from_millis(
            n.request_timeout_ms.unwrap_or(20_000).max(100),
        ),
        max_response_mb: n
            .max_response_mb
            .unwrap_or(crate::source::Limits::DEFAULT_MAX_RESPONSE_MB),
    })
}

/// The largest `max_response_mb` accepted.
const MAX_RESPONSE_MB: u64 = 256;

fn check_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "\"{}\" is not a URL (expected http://, https://, ws:// or wss://)",
            crate::source::mask_url(url)
        ));
    };
    if !matches!(scheme, "http" | "https" | "ws" | "wss") {
        return Err(format!(
            "unsupported scheme \"{scheme}\" (use http, https, ws or wss)"
        ));
    }
    let host = rest.split(['/', '?']).next().unwrap_or("");
    if host.is_empty() || host.contains(' ') {
        return Err(format!(
            "\"{}\" has no valid host",
            crate::source::mask_url(url)
        ));
    }
    Ok(())
}

pub(crate) fn problem(at: &str, message: &str) -> ConfigProblem {
    ConfigProblem {
        at: at.to_string(),
        message: message.to_string(),
    }
}

fn prefix(at: &str, p: ConfigProblem) -> ConfigProblem {
    ConfigProblem {
        at: format!("{at}.{}", p.at),
        message: p.message,
    }
}

/// Start block as written: a number, `latest`, or a date (`2024-05-01` or RFC 3339).
pub(crate) fn parse_start(v: Option<&toml::Value>) -> Result<StartBlock, String> {
    match v {
        None => Ok(StartBlock::Latest),
        Some(toml::Value::Integer(n)) if *n >= 0 => Ok(StartBlock::Number(*n as u64)),
        Some(toml::Value::Integer(n)) => Err(format!("{n} is negative; give a block number, \"latest\" or a date")),
        Some(toml::Value::String(s)) if s == "latest" => Ok(StartBlock::Latest),
        Some(toml::Value::String(s)) => listener::parse_date(s)
            .map(StartBlock::Time)
            .ok_or_else(|| format!("\"{s}\" is not a block number, \"latest\" or a date like 2024-05-01 or 2024-05-01T12:00:00Z")),
        Some(toml::Value::Datetime(d)) => listener::parse_date(&d.to_string())
            .map(StartBlock::Time)
            .ok_or_else(|| format!("{d} is not a date this engine understands (use 2024-05-01 or 2024-05-01T12:00:00Z)")),
        Some(other) => Err(format!("{other} is not a block number, \"latest\" or a date")),
    }
}

/// A network's `confirmations`: a number of blocks, `"safe"` or `"finalized"`.
fn confirmations(v: &toml::Value) -> Result<Confirmations, String> {
    match v {
        toml::Value::Integer(n) if *n >= 0 => Ok(Confirmations::Blocks(*n as u64)),
        toml::Value::String(s) if s == "safe" => Ok(Confirmations::Safe),
        toml::Value::String(s) if s == "finalized" => Ok(Confirmations::Finalized),
        other => Err(format!(
            "{other} is not a confirmation policy: give a number of blocks, \"safe\" or \"finalized\""
        )),
    }
}
