//! The app layer's error, serialised for the UI as `{ kind, message }`.

use serde::Serialize;
use ts_rs::TS;

/// An error a command returns to the UI.
#[derive(Debug, thiserror::Error, Serialize, TS)]
#[serde(tag = "kind", content = "message", rename_all = "camelCase")]
#[ts(export)]
pub enum AppError {
    #[error("{0}")]
    Engine(String),
    #[error("{0}")]
    Store(String),
    #[error("{0}")]
    NotReady(String),
    /// No usable OS keychain: the UI asks before keeping a secret in the config file.
    #[error("{0}")]
    NoKeychain(String),
    /// The configuration edit was refused; the file is unchanged.
    #[error("{0}")]
    Config(String),
    /// An ABI or event signature that does not parse.
    #[error("{0}")]
    Abi(String),
    /// A file could not be read or written.
    #[error("{0}")]
    File(String),
    /// Something outside the app (the browser) could not be opened.
    #[error("{0}")]
    Open(String),
}

impl From<tokenwatch_engine::EngineError> for AppError {
    fn from(e: tokenwatch_engine::EngineError) -> Self {
        AppError::Engine(e.to_string())
    }
}

impl From<tokenwatch_engine::store::StoreError> for AppError {
    fn from(e: tokenwatch_engine::store::StoreError) -> Self {
        AppError::Store(e.to_string())
    }
}

impl From<tokenwatch_engine::config::EditError> for AppError {
    fn from(e: tokenwatch_engine::config::EditError) -> Self {
        AppError::Config(e.to_string())
    }
}

impl From<tokenwatch_engine::abi::AbiError> for AppError {
    fn from(e: tokenwatch_engine::abi::AbiError) -> Self {
        AppError::Abi(e.to_string())
    }
}
