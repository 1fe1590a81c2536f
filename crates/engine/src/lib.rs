//! Tokenwatch listener engine.
//!
//! At the bottom, `model`: networks, listeners, event definitions, delivery targets and
//! their policies as plain data; it uses nothing of ours. `config` turns TOML into it.
//! Beside it, small leaf modules of data and formats: `event`, `value`, `status`, `units`,
//! `utc`, `files`.
//!
//! The pipeline, one module per stage, each using only `model`, the leaf modules and the
//! stages before it:
//! `source` (RPC endpoints) -> `plan` (combined log queries) -> `abi` and `decode` (event
//! definitions, decoding) -> `matcher` (listeners and their conditions) -> `store` (SQLite:
//! events, the token state, the delivery outbox) -> `deliver` (webhooks, RabbitMQ, pop-ups).
//!
//! Above them: `sync` drives the stages for one network, `team` publishes what the store
//! holds to a RabbitMQ stream and mirrors a stream into the store (team mode), `engine` is
//! the async API the app and the headless binary use, `reload` applies configuration edits,
//! `hub` carries notices and status, `export` writes CSV.

#![forbid(unsafe_code)]

pub mod abi;
pub mod config;
pub mod countries;
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
pub mod team;
pub mod units;
pub mod utc;
pub mod value;

pub use alloy_primitives::Address;
pub use config::Config;
pub use engine::{Engine, EngineError, RunOptions};
pub use event::{EventStatus, StoredEvent};
pub use hub::Notice;
pub use status::EngineStatus;
