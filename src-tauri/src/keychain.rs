//! The OS keychain (Secret Service on Linux) for secrets the configuration names with
//! `*_keychain` keys: webhook secrets, RPC and broker URLs that carry API keys. Nothing
//! read here is written to the database or the logs.

use std::collections::HashMap;

use secret_service::blocking::SecretService;
use secret_service::EncryptionType;
use tokenwatch_engine::config::Keychain;

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
    fn secret(&self, name: &str) -> Result<Option<String>, String> {
        self.find(name).map_err(|e| e.to_string())
    }
}

fn connect() -> Result<SecretService<'static>, KeychainError> {
    Ok(SecretService::connect(EncryptionType::Dh)?)
}

/// Why the keychain cannot be used; the technical detail follows the words.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("No keychain (Secret Service) is available on this desktop ({0})")]
    Unavailable(secret_service::Error),
    #[error("The keychain is locked; unlock it and try again ({0})")]
    Locked(secret_service::Error),
    #[error("the keychain secret \"{name}\" is not text")]
    NotText { name: String },
}

impl From<secret_service::Error> for KeychainError {
    fn from(e: secret_service::Error) -> Self {
        match e {
            secret_service::Error::Locked | secret_service::Error::Prompt => Self::Locked(e),
            _ => Self::Unavailable(e),
        }
    }
}
