//! Delivery targets as the app's Targets form edits them: what the form sends (secrets only
//! when typed), what the list shows (where each secret is kept, never the secret), and the
//! form's checks, each naming the field.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::targets::{RabbitEntry, WebhookEntry};
use super::{ConfigFile, ConfigProblem};

/// A webhook or a RabbitMQ target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum TargetType {
    Webhook,
    Rabbitmq,
}

impl TargetType {
    /// `webhook` or `rabbitmq target`, for messages.
    pub fn words(self) -> &'static str {
        match self {
            TargetType::Webhook => "webhook",
            TargetType::Rabbitmq => "rabbitmq target",
        }
    }
}

/// A saved target: its type and name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct TargetRef {
    pub kind: TargetType,
    pub name: String,
}

/// A target as the form sends it. Secrets are sent only when typed: null keeps what is stored.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TargetForm {
    pub kind: TargetType,
    pub name: String,
    /// The receiver's or broker's URL as typed; null keeps the stored one (editing).
    pub url: Option<String>,
    /// `standard`, `slack`, `discord` or `telegram` (webhooks).
    pub format: String,
    /// The Telegram chat to post to (format `telegram`).
    pub chat_id: Option<String>,
    /// A new `whsec_` signing secret (standard webhooks); null keeps the stored one.
    pub secret: Option<String>,
    /// Drops the stored signing secret: messages go unsigned.
    pub remove_secret: bool,
    /// The exchange to publish to (RabbitMQ).
    pub exchange: String,
}

/// Where a secret or URL is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Kept {
    /// In the configuration file (nothing secret in it).
    File,
    /// In the OS keychain.
    Keychain,
    /// In an environment variable.
    Env,
}

/// A target as the Targets screen lists it: no secret, only where each one is kept.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TargetView {
    pub kind: TargetType,
    pub name: String,
    /// The URL when the file holds it (credentials masked); null when kept elsewhere.
    pub url: Option<String>,
    /// Where the URL is kept (null: none given).
    pub url_kept: Option<Kept>,
    pub format: String,
    pub chat_id: Option<String>,
    /// Where the signing secret is kept (null: messages are unsigned).
    pub secret_kept: Option<Kept>,
    pub exchange: String,
    /// The listeners that deliver to it.
    pub used_by: Vec<String>,
}

/// Formats a webhook can post in.
pub const FORMATS: [&str; 4] = ["standard", "slack", "discord", "telegram"];

/// Every target of the file, webhooks first.
pub fn target_views(file: &ConfigFile) -> Vec<TargetView> {
    let mut out: Vec<TargetView> = file
        .webhooks
        .iter()
        .map(|w| webhook_view(file, w))
        .collect();
    // Team streams (`stream = …`) are not delivery targets a listener names.
    out.extend((file.rabbitmq.iter().filter(|r| r.stream.is_none())).map(|r| rabbit_view(file, r)));
    out
}

fn kept(literal: &Option<String>, env: &Option<String>, keychain: &Option<String>) -> Option<Kept> {
    match (literal, env, keychain) {
        (_, _, Some(_)) => Some(Kept::Keychain),
        (_, Some(_), _) => Some(Kept::Env),
        (Some(_), _, _) => Some(Kept::File),
        _ => None,
    }
}

fn webhook_view(file: &ConfigFile, w: &WebhookEntry) -> TargetView {
    TargetView {
        kind: TargetType::Webhook,
        name: w.name.clone(),
        url: w.url.as_deref().map(crate::source::mask_url),
        url_kept: kept(&w.url, &w.url_env, &w.url_keychain),
        format: w.format.clone().unwrap_or_else(|| "standard".into()),
        chat_id: w.chat_id.clone(),
        secret_kept: kept(&w.secret, &w.secret_env, &w.secret_keychain),
        exchange: String::new(),
        used_by: users(file, TargetType::Webhook, &w.name),
    }
}

fn rabbit_view(file: &ConfigFile, r: &RabbitEntry) -> TargetView {
    TargetView {
        kind: TargetType::Rabbitmq,
        name: r.name.clone(),
        url: r.url.as_deref().map(crate::source::mask_url),
        url_kept: kept(&r.url, &r.url_env, &r.url_keychain),
        format: String::new(),
        chat_id: None,
        secret_kept: None,
        exchange: r.exchange.clone(),
        used_by: users(file, TargetType::Rabbitmq, &r.name),
    }
}

/// The listeners delivering to a target.
pub fn users(file: &ConfigFile, kind: TargetType, name: &str) -> Vec<String> {
    file.listeners
        .iter()
        .filter(|l| match kind {
            TargetType::Webhook => l.webhooks.iter().any(|w| w == name),
            TargetType::Rabbitmq => l.rabbitmq.iter().any(|r| r == name),
        })
        .map(|l| l.name.clone())
        .collect()
}

/// Whether a URL is a secret itself or carries one: chat webhook URLs are (their path is
/// the token), and any URL with a password, key or token in it.
pub fn url_is_secret(url: &str, format: &str) -> bool {
    matches!(format, "slack" | "discord" | "telegram") || crate::source::mask_url(url) != url
}

/// What is wrong with the form, each problem at its field (`name`, `url`, `format`,
/// `chatId`, `secret`, `exchange`). `new`: no URL is stored yet.
pub fn form_problems(form: &TargetForm, new: bool) -> Vec<ConfigProblem> {
    let mut out = Vec::new();
    let mut bad = |at: &str, message: String| {
        out.push(ConfigProblem {
            at: at.into(),
            message,
        })
    };
    if form.name.trim().is_empty() {
        bad("name", "give the target a name".into());
    }
    let url = form.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let schemes: &[&str] = match form.kind {
        TargetType::Webhook => &["http://", "https://"],
        TargetType::Rabbitmq => &["amqp://", "amqps://"],
    };
    match url {
        None if new => bad("url", "give the URL to deliver to".into()),
        Some(u)
            if !schemes
                .iter()
                .any(|s| u.to_ascii_lowercase().starts_with(s)) =>
        {
            bad(
                "url",
                format!(
                    "\"{}\" does not start with {}",
                    crate::source::mask_url(u),
                    schemes.join(" or ")
                ),
            )
        }
        _ => {}
    }
    if form.kind == TargetType::Webhook {
        if !FORMATS.contains(&form.format.as_str()) {
            bad(
                "format",
                format!(
                    "unknown format \"{}\"; use standard, slack, discord or telegram",
                    form.format
                ),
            );
        }
        let chat = form.chat_id.as_deref().map(str::trim).unwrap_or("");
        if form.format == "telegram" && chat.is_empty() {
            bad(
                "chatId",
                "the Telegram format needs the chat id to post to".into(),
            );
        }
        if let Some(s) = form.secret.as_deref().filter(|s| !s.is_empty()) {
            if !s.starts_with("whsec_") {
                bad("secret", "the signing secret starts with whsec_".into());
            } else if let Err(e) = super::decode_secret(s) {
                bad("secret", e.to_string());
            }
        }
    } else if form.exchange.trim().is_empty() {
        bad("exchange", "name the exchange to publish to".into());
    }
    out
}
