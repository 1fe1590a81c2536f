//! The OS keychain (Secret Service on Linux) for secrets the configuration names with
//! `*_keychain` keys: webhook secrets, RPC and broker URLs that carry API keys. Nothing
//! read here is written to the database or the logs.

use std::collections::HashMap;

use secret_service::blocking::SecretService;
use secret_service::EncryptionType;
use tokenwatch_engine::config::target_edit::SecretStore;
use tokenwatch_engine::config::{Keychain, KeychainUnavailable};

/// Items are found by these attributes: `application=tokenwatch`, `name=<name>`.
const APPLICATION: &str = "tokenwatch";

fn attributes(name: &str) -> HashMap<&str, &str> {
    HashMap::from([("application", APPLICATION), ("name", name)])
}

/// The session's Secret Service.
pub struct OsKeychain;

impl OsKeychain {
    /// Whether a keychain answers; the error says why not.
    pub fn check(&self) -> Result<(), KeychainError> {
        let ss = connect()?;
        ss.get_default_collection()?;
        Ok(())
    }

    /// Stores (or replaces) a secret under `name`.
    pub fn store(&self, name: &str, value: &str) -> Result<(), KeychainError> {
        let ss = connect()?;
        let collection = ss.get_default_collection()?;
        if collection.is_locked()? {
            collection.unlock()?;
        }
        collection.create_item(
            &format!("Tokenwatch: {name}"),
            attributes(name),
            value.as_bytes(),
            true,
            "text/plain",
        )?;
        Ok(())
    }

    /// The secret stored under `name`, if any.
    pub fn find(&self, name: &str) -> Result<Option<String>, KeychainError> {
        let ss = connect()?;
        // A bus may start a keyring on demand that has no usable collection.
        ss.get_default_collection()?;
        let found = ss.search_items(attributes(name))?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                item.unlock()?;
                item
            }
            (None, None) => return Ok(None),
        };
        let bytes = item.get_secret()?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| KeychainError::NotText {
                name: name.to_string(),
            })
    }
}

impl Keychain for OsKeychain {
    /// The configuration shows the error as a problem of the key that names the secret.
    fn secret(&self, name: &str) -> Result<Option<String>, KeychainUnavailable> {
        self.find(name)
            .map_err(|e| KeychainUnavailable(e.to_string()))
    }
}

impl SecretStore for OsKeychain {
    /// Target secrets typed in the Deliveries screen come here, never into the file.
    fn store(&self, name: &str, value: &str) -> Result<(), KeychainUnavailable> {
        OsKeychain::store(self, name, value).map_err(|e| KeychainUnavailable(e.to_string()))
    }
}

fn connect() -> Result<SecretService<'static>, KeychainError> {
    Ok(SecretService::connect(EncryptionType::Dh)?)
}

/// Why the keychain cannot be used, in words (the library's own text goes to the log).
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("No keychain is available on this desktop: {0}")]
    Unavailable(&'static str),
    #[error("The keychain is locked; unlock it and try again")]
    Locked,
    #[error("the keychain secret \"{name}\" is not text")]
    NotText { name: String },
}

impl From<secret_service::Error> for KeychainError {
    fn from(e: secret_service::Error) -> Self {
        use secret_service::Error as E;
        tracing::debug!(error = %e, "keychain");
        match e {
            E::Locked | E::Prompt => Self::Locked,
            E::Unavailable | E::Zbus(_) | E::ZbusFdo(_) => Self::Unavailable(
                "no Secret Service answers on this session (start a keyring such as GNOME Keyring or KeePassXC)",
            ),
            E::NoResult | E::PromptDisconnected => Self::Unavailable(
                "the keyring did not answer the request (is it unlocked and running?)",
            ),
            E::Crypto(_) | E::Zvariant(_) => {
                Self::Unavailable("the keyring's answer could not be read")
            }
            _ => Self::Unavailable("the keyring refused the request"),
        }
    }
}
