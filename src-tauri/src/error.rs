//! The app layer's error: a stable, machine-readable code chosen where the error arises,
//! and a message in plain words. The UI receives `{ code, message }` and branches on the code.

use serde::Serialize;
use tokenwatch_engine::abi::AbiError;
use tokenwatch_engine::config::chain_check::ChainIdMismatch;
use tokenwatch_engine::config::EditError;
use tokenwatch_engine::store::StoreError;
use ts_rs::TS;

use crate::keychain::KeychainError;

/// Defines [`Code`] with each code's text written once.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $text:literal,)*) => {
        /// What went wrong, for the UI to branch on. The texts are stable: the UI, its tests
        /// and log searches match them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
        #[ts(export, rename = "ErrorCode")]
        pub enum Code {
            $($(#[$doc])* #[serde(rename = $text)] $name,)*
        }

        impl Code {
            /// Every code, for tests.
            #[cfg(test)]
            pub const ALL: &[Code] = &[$(Code::$name),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $text,)*
                }
            }
        }
    };
}

codes! {
    /// The configuration has problems (the edit is not saved).
    ConfigInvalid = "config.invalid",
    /// The edit itself is refused (a name taken, a network still in use); the file is unchanged.
    ConfigRefused = "config.refused",
    ConfigUnreadable = "config.unreadable",
    /// A network's endpoint serves another chain than its chain id (the network is not saved).
    NetworkChainMismatch = "network.chain_mismatch",
    ConfigUnwritable = "config.unwritable",
    /// An ABI or event signature that does not parse.
    AbiInvalid = "abi.invalid",
    /// A History filter the database refuses (an address that is not one).
    FilterInvalid = "filter.invalid",
    /// An address book entry or import refused (a control character, a bad row: named).
    LabelInvalid = "label.invalid",
    /// No token with stored transfers at that address on that network.
    TokenUnknown = "token.unknown",
    /// A token's stored history does not reach back to its first transfer at that block.
    TokenPartial = "token.partial",
    /// No engine runs to check the tokens (the configuration cannot start one).
    EngineStopped = "engine.stopped",
    /// Another Tokenwatch process holds the database.
    DbLocked = "db.locked",
    /// The database was written by a newer Tokenwatch.
    DbTooNew = "db.too_new",
    /// The database file cannot be opened.
    DbUnavailable = "db.unavailable",
    DbCorrupt = "db.corrupt",
    /// SQLite failed while working.
    DbFailed = "db.failed",
    /// The database's writer thread has stopped.
    DbStopped = "db.stopped",
    /// A read was stopped on purpose (a cancelled export).
    DbCancelled = "db.cancelled",
    /// A file the user chose cannot be used (a folder, the database itself, a bad path).
    FileRefused = "file.refused",
    FileUnreadable = "file.unreadable",
    FileUnwritable = "file.unwritable",
    FileTooLarge = "file.too_large",
    /// No usable OS keychain: the UI offers the configuration's `*_env` keys instead.
    KeychainUnavailable = "keychain.unavailable",
    /// The keychain is locked, or its unlock prompt was dismissed.
    KeychainLocked = "keychain.locked",
    /// A keychain item that is not text.
    KeychainNotText = "keychain.not_text",
    /// An explorer link of a shape the app does not open.
    LinkRefused = "link.refused",
    /// No browser could be started for a link.
    LinkFailed = "link.failed",
    /// Starting with the system could not be turned on or off.
    AutostartFailed = "autostart.failed",
    /// A background task of the app ended without an answer (it panicked).
    TaskFailed = "app.task_failed",
}

/// An error a command returns to the UI. It crosses only through `commands::reply`, which
/// logs it.
#[derive(Debug, thiserror::Error, TS)]
#[error("{message}")]
#[ts(export)]
pub struct AppError {
    pub code: Code,
    /// What went wrong, in plain words.
    pub message: String,
}

impl AppError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::BadFilter(_) => Code::FilterInvalid,
            StoreError::BadLabel(_) => Code::LabelInvalid,
            StoreError::Locked { .. } => Code::DbLocked,
            StoreError::TooNew { .. } => Code::DbTooNew,
            StoreError::Io { .. } => Code::DbUnavailable,
            StoreError::Corrupt(_) => Code::DbCorrupt,
            StoreError::Sqlite(_) => Code::DbFailed,
            StoreError::WriterStopped(_) => Code::DbStopped,
            StoreError::Stopped => Code::DbCancelled,
            // A subscription's network or listener name a local one already has.
            StoreError::NameTaken(_) => Code::ConfigRefused,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<EditError> for AppError {
    fn from(e: EditError) -> Self {
        let code = match &e {
            EditError::Invalid(_) => Code::ConfigRefused,
            EditError::Problems(_) => Code::ConfigInvalid,
            EditError::Read { .. } => Code::ConfigUnreadable,
            EditError::Write { .. } => Code::ConfigUnwritable,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<ChainIdMismatch> for AppError {
    fn from(e: ChainIdMismatch) -> Self {
        let mut message = e.to_string();
        if let Some(first) = message.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        AppError::new(Code::NetworkChainMismatch, message + ".")
    }
}

impl From<AbiError> for AppError {
    fn from(e: AbiError) -> Self {
        AppError::new(Code::AbiInvalid, e.to_string())
    }
}

impl From<KeychainError> for AppError {
    fn from(e: KeychainError) -> Self {
        let code = match &e {
            KeychainError::Unavailable(_) => Code::KeychainUnavailable,
            KeychainError::Locked => Code::KeychainLocked,
            KeychainError::NotText { .. } => Code::KeychainNotText,
        };
        AppError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_chosen_by_what_went_wrong() {
        let refused = EditError::Invalid("a network named \"local\" already exists".into());
        assert_eq!(AppError::from(refused).code, Code::ConfigRefused);
        let locked = AppError::from(KeychainError::from(secret_service::Error::Locked));
        assert_eq!(locked.code, Code::KeychainLocked);
        assert!(locked
            .message
            .starts_with("The keychain is locked; unlock it"));
        let missing = KeychainError::from(secret_service::Error::Unavailable);
        assert_eq!(AppError::from(missing).code, Code::KeychainUnavailable);
    }

    #[test]
    fn keychain_problems_are_told_in_words_not_the_librarys_text() {
        // "SS error: result not returned from SS API" is what the library says of NoResult.
        for e in [
            secret_service::Error::NoResult,
            secret_service::Error::Unavailable,
            secret_service::Error::PromptDisconnected,
        ] {
            let shown = AppError::from(KeychainError::from(e)).message;
            assert!(
                shown.starts_with("No keychain is available on this desktop: "),
                "{shown}"
            );
            assert!(
                !shown.contains("SS error") && !shown.contains("SS API"),
                "{shown}"
            );
        }
    }

    #[test]
    fn codes_are_distinct_and_serialise_as_written() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code:?} repeats a code");
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            let (area, what) = code.as_str().split_once('.').unwrap();
            assert!(!area.is_empty() && !what.is_empty(), "{code:?}");
        }
    }
}
