//! Tokenwatch listener engine.
//!
//! The pipeline, one module per step:
//! `source` (RPC endpoints) -> `plan` (combined log queries) -> `decode` (ABI) ->
//! `matcher` (listeners and conditions) -> `store` (SQLite, with the delivery outbox) ->
//! `deliver` (webhooks, RabbitMQ, notifications).
//! `sync` drives the pipeline per network; `engine` is the async API the app and the
//! headless binary use; `hub` carries its notices and status.

#![forbid(unsafe_code)]

pub mod abi;
pub mod config;
pub mod decode;
pub mod deliver;
pub mod engine;
pub mod event;
pub mod export;
pub mod files;
pub mod hub;
pub mod logging;
pub mod matcher;
pub mod model;
pub mod plan;
pub mod reload;
pub mod source;
pub mod status;
pub mod store;
pub mod sync;
pub mod units;
pub mod value;

pub use alloy_primitives::Address;
pub use config::Config;
pub use engine::{Engine, EngineError, RunOptions};
pub use event::{EventStatus, StoredEvent};
pub use hub::Notice;
pub use status::EngineStatus;
