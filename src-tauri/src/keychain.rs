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
    /// Whether a keychain answers; the error says why not, in words.
    pub fn check(&self) -> Result<(), String> {
        let ss = connect()?;
        ss.get_default_collection().map_err(unusable)?;
        Ok(())
    }

    /// Stores (or replaces) a secret under `name`.
    pub fn store(&self, name: &str, value: &str) -> Result<(), String> {
        let ss = connect()?;
        let collection = ss.get_default_collection().map_err(unusable)?;
        if collection.is_locked().map_err(unusable)? {
            collection.unlock().map_err(unusable)?;
        }
        collection
            .create_item(
                &format!("Tokenwatch: {name}"),
                attributes(name),
                value.as_bytes(),
                true,
                "text/plain",
            )
            .map_err(unusable)?;
        Ok(())
    }
}

impl Keychain for OsKeychain {
    fn secret(&self, name: &str) -> Result<Option<String>, String> {
        let ss = connect()?;
        // A bus may start a keyring on demand that has no usable collection.
        ss.get_default_collection().map_err(unusable)?;
        let found = ss.search_items(attributes(name)).map_err(unusable)?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                item.unlock().map_err(unusable)?;
                item
            }
            (None, None) => return Ok(None),
        };
        let bytes = item.get_secret().map_err(unusable)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("the keychain secret \"{name}\" is not text"))
    }
}

fn connect() -> Result<SecretService<'static>, String> {
    SecretService::connect(EncryptionType::Dh).map_err(unusable)
}

/// Why the keychain cannot be used, in words; the technical detail follows.
fn unusable(e: secret_service::Error) -> String {
    let what = match e {
        secret_service::Error::Locked | secret_service::Error::Prompt => {
            "The keychain is locked; unlock it and try again"
        }
        _ => "No keychain (Secret Service) is available on this desktop",
    };
    format!("{what} ({e})")
}
