//! Adding, changing and removing delivery targets from the app. Secrets typed in the form
//! (signing secrets, URLs that are or carry a token or password) go to a secret store (the
//! OS keychain) and the file names them with `*_keychain` keys; they are never written to it.

use std::collections::HashMap;
use std::sync::Mutex;

use super::target_form::{form_problems, url_is_secret, users, TargetForm, TargetRef, TargetType};
use super::targets::{RabbitEntry, WebhookEntry};
use super::{ConfigDoc, EditError, Keychain, KeychainUnavailable};
use crate::model::{TargetKey, TargetSpec};

/// A keychain that can also keep secrets.
pub trait SecretStore: Keychain {
    fn store(&self, name: &str, value: &str) -> Result<(), KeychainUnavailable>;
}

/// Secrets held in memory in front of a keychain: a test send uses what was typed without
/// storing it, and tests use it as a keychain.
pub struct Staged<'a> {
    base: &'a dyn Keychain,
    typed: Mutex<HashMap<String, String>>,
}

impl<'a> Staged<'a> {
    pub fn new(base: &'a dyn Keychain) -> Self {
        Self {
            base,
            typed: Mutex::new(HashMap::new()),
        }
    }

    /// The secrets stored so far, by name.
    pub fn stored(&self) -> HashMap<String, String> {
        self.typed.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Keychain for Staged<'_> {
    fn secret(&self, name: &str) -> Result<Option<String>, KeychainUnavailable> {
        let typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        match typed.get(name) {
            Some(v) => Ok(Some(v.clone())),
            None => self.base.secret(name),
        }
    }
}

impl SecretStore for Staged<'_> {
    fn store(&self, name: &str, value: &str) -> Result<(), KeychainUnavailable> {
        let mut typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        typed.insert(name.to_string(), value.to_string());
        Ok(())
    }
}

/// The keychain item names of a target's secrets.
fn item(kind: TargetType, name: &str, what: &str) -> String {
    let kind = match kind {
        TargetType::Webhook => "webhook",
        TargetType::Rabbitmq => "rabbitmq",
    };
    format!("{kind}-{name}-{what}")
}

/// Where one value goes: `(literal, env, keychain)` keys of an entry.
type Slots<'a> = (
    &'a mut Option<String>,
    &'a mut Option<String>,
    &'a mut Option<String>,
);

/// Puts `value` in the keychain under `key` and names it there, or in the file when not secret.
fn place(
    value: &str,
    secret: bool,
    key: String,
    (literal, env, keychain): Slots<'_>,
    store: &dyn SecretStore,
) -> Result<(), EditError> {
    *env = None;
    if secret {
        store.store(&key, value).map_err(|e| {
            EditError::Invalid(format!("the secret could not go to the keychain: {e}"))
        })?;
        *literal = None;
        *keychain = Some(key);
    } else {
        *literal = Some(value.to_string());
        *keychain = None;
    }
    Ok(())
}

impl ConfigDoc {
    /// Adds a target, or replaces the one `original` names (listeners follow a rename).
    /// Typed secrets go to `store`; a secret the file still held is moved there too.
    pub fn put_target(
        &mut self,
        original: Option<&TargetRef>,
        mut form: TargetForm,
        store: &dyn SecretStore,
    ) -> Result<(), EditError> {
        form.name = form.name.trim().to_string();
        form.url = form
            .url
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(o) = original.filter(|o| o.kind != form.kind) {
            return Err(EditError::Invalid(format!(
                "\"{}\" is a {}; its type cannot change (add a new target instead)",
                o.name,
                o.kind.words()
            )));
        }
        let problems = form_problems(&form, original.is_none());
        if !problems.is_empty() {
            return Err(EditError::Problems(problems));
        }
        self.check_name(original, &form)?;
        match form.kind {
            TargetType::Webhook => self.put_webhook(original, &form, store)?,
            TargetType::Rabbitmq => self.put_rabbit(original, &form, store)?,
        }
        if let Some(o) = original.filter(|o| o.name != form.name) {
            for l in &mut self.file.listeners {
                let names = match o.kind {
                    TargetType::Webhook => &mut l.webhooks,
                    TargetType::Rabbitmq => &mut l.rabbitmq,
                };
                for n in names.iter_mut().filter(|n| **n == o.name) {
                    *n = form.name.clone();
                }
            }
        }
        Ok(())
    }

    /// Refuses a name another target of the same type has, and an original that is gone.
    fn check_name(&self, original: Option<&TargetRef>, form: &TargetForm) -> Result<(), EditError> {
        let names: Vec<&str> = match form.kind {
            TargetType::Webhook => self.file.webhooks.iter().map(|w| w.name.as_str()).collect(),
            TargetType::Rabbitmq => self.file.rabbitmq.iter().map(|r| r.name.as_str()).collect(),
        };
        let own = original.map(|o| o.name.as_str());
        if let Some(o) = own.filter(|o| !names.contains(o)) {
            return Err(EditError::Invalid(format!(
                "there is no {} named \"{o}\"",
                form.kind.words()
            )));
        }
        if names.iter().any(|n| *n == form.name && Some(*n) != own) {
            return Err(EditError::Invalid(format!(
                "a {} named \"{}\" already exists",
                form.kind.words(),
                form.name
            )));
        }
        Ok(())
    }

    fn put_webhook(
        &mut self,
        original: Option<&TargetRef>,
        form: &TargetForm,
        store: &dyn SecretStore,
    ) -> Result<(), EditError> {
        let at = original.and_then(|o| self.file.webhooks.iter().position(|w| w.name == o.name));
        let mut w = match at {
            Some(i) => self.file.webhooks[i].clone(),
            None => new_webhook(&form.name),
        };
        w.name = form.name.clone();
        w.format = (form.format != "standard").then(|| form.format.clone());
        w.chat_id = (form.format == "telegram")
            .then(|| form.chat_id.clone().map(|c| c.trim().to_string()))
            .flatten();
        // A typed URL, or the one the file holds (a format change can make it secret).
        if let Some(url) = form.url.clone().or_else(|| w.url.clone()) {
            let key = item(TargetType::Webhook, &w.name, "url");
            let secret = url_is_secret(&url, &form.format);
            place(
                &url,
                secret,
                key,
                (&mut w.url, &mut w.url_env, &mut w.url_keychain),
                store,
            )?;
        }
        if form.remove_secret {
            (w.secret, w.secret_env, w.secret_keychain) = (None, None, None);
        } else if let Some(s) = form
            .secret
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| w.secret.clone())
        {
            let key = item(TargetType::Webhook, &w.name, "secret");
            let slots = (&mut w.secret, &mut w.secret_env, &mut w.secret_keychain);
            place(&s, true, key, slots, store)?;
        }
        match at {
            Some(i) => self.file.webhooks[i] = w,
            None => self.file.webhooks.push(w),
        }
        Ok(())
    }

    fn put_rabbit(
        &mut self,
        original: Option<&TargetRef>,
        form: &TargetForm,
        store: &dyn SecretStore,
    ) -> Result<(), EditError> {
        let at = original.and_then(|o| self.file.rabbitmq.iter().position(|r| r.name == o.name));
        let mut r = match at {
            Some(i) => self.file.rabbitmq[i].clone(),
            None => new_rabbit(&form.name),
        };
        r.name = form.name.clone();
        r.exchange = form.exchange.trim().to_string();
        if let Some(url) = form.url.clone().or_else(|| r.url.clone()) {
            let key = item(TargetType::Rabbitmq, &r.name, "url");
            let secret = url_is_secret(&url, "");
            place(
                &url,
                secret,
                key,
                (&mut r.url, &mut r.url_env, &mut r.url_keychain),
                store,
            )?;
        }
        match at {
            Some(i) => self.file.rabbitmq[i] = r,
            None => self.file.rabbitmq.push(r),
        }
        Ok(())
    }

    /// Removes a target; refused, naming them, while listeners deliver to it.
    pub fn remove_target(&mut self, target: &TargetRef) -> Result<(), EditError> {
        let users = users(&self.file, target.kind, &target.name);
        if !users.is_empty() {
            return Err(EditError::Invalid(format!(
                "{} \"{}\" is used by listener(s) {}; take it off them first",
                target.kind.words(),
                target.name,
                users.join(", ")
            )));
        }
        let before = self.file.webhooks.len() + self.file.rabbitmq.len();
        match target.kind {
            TargetType::Webhook => self.file.webhooks.retain(|w| w.name != target.name),
            TargetType::Rabbitmq => self.file.rabbitmq.retain(|r| r.name != target.name),
        }
        if self.file.webhooks.len() + self.file.rabbitmq.len() == before {
            return Err(EditError::Invalid(format!(
                "there is no {} named \"{}\"",
                target.kind.words(),
                target.name
            )));
        }
        Ok(())
    }

    /// The target as the form describes it, ready to send, without saving anything: typed
    /// secrets are used from memory, stored ones read from `keychain`.
    pub fn target_spec(
        &self,
        original: Option<&TargetRef>,
        form: TargetForm,
        keychain: &dyn Keychain,
    ) -> Result<TargetSpec, EditError> {
        let staged = Staged::new(keychain);
        let mut scratch = self.clone();
        let (kind, name) = (form.kind, form.name.trim().to_string());
        scratch.put_target(original, form, &staged)?;
        let key = match kind {
            TargetType::Webhook => TargetKey::Webhook(name.clone()),
            TargetType::Rabbitmq => TargetKey::RabbitMq(name.clone()),
        };
        let marker = format!("(\"{name}\")");
        match scratch.validate(&staged) {
            Ok(config) => config
                .targets
                .into_iter()
                .find(|t| t.key == key)
                .ok_or_else(|| {
                    EditError::Invalid(format!("there is no {} named \"{name}\"", kind.words()))
                }),
            Err(problems) => {
                let own: Vec<_> = problems
                    .iter()
                    .filter(|p| p.at.contains(&marker))
                    .cloned()
                    .collect();
                Err(EditError::Problems(if own.is_empty() {
                    problems
                } else {
                    own
                }))
            }
        }
    }
}

fn new_webhook(name: &str) -> WebhookEntry {
    WebhookEntry {
        name: name.to_string(),
        ..WebhookEntry::default()
    }
}

fn new_rabbit(name: &str) -> RabbitEntry {
    RabbitEntry {
        name: name.to_string(),
        ..RabbitEntry::default()
    }
}
