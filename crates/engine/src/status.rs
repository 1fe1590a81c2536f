//! What the engine reports about itself: per network, per listener, and events as they
//! are committed. These types cross the IPC boundary; their TypeScript twins are generated.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Health of one RPC endpoint as last seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum EndpointHealth {
    Unknown,
    Ok,
    RateLimited,
    Down,
    /// Answers, but its head is behind the other endpoints'.
    Lagging,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EndpointStatus {
    /// The URL with any credentials masked.
    pub url: String,
    pub health: EndpointHealth,
    pub last_error: Option<String>,
}

/// Where a network's follower stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NetworkStatus {
    pub name: String,
    #[ts(type = "number")]
    pub chain_id: u64,
    /// Latest head block the node reported.
    #[ts(type = "number | null")]
    pub head: Option<u64>,
    /// Highest block whose logs are committed.
    #[ts(type = "number | null")]
    pub synced_to: Option<u64>,
    /// Blocks between the head and what is committed.
    #[ts(type = "number | null")]
    pub lag: Option<u64>,
    pub endpoints: Vec<EndpointStatus>,
    /// A plain-words description of the current problem, if any.
    pub error: Option<String>,
}

/// Phase of a listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ListenerPhase {
    Starting,
    Backfilling,
    Live,
    Paused,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ListenerStatus {
    pub name: String,
    pub network: String,
    pub phase: ListenerPhase,
    #[ts(type = "number")]
    pub from_block: u64,
    /// Highest block covered (all blocks from `from_block` to here are processed).
    #[ts(type = "number | null")]
    pub covered_to: Option<u64>,
    #[ts(type = "number")]
    pub events: u64,
    /// Logs that could not be decoded or evaluated: they carried a watched topic0 but did
    /// not fit the ABI, or the condition failed on them (an overflow). Counted, never dropped.
    #[ts(type = "number")]
    pub undecodable: u64,
}

/// A delivery target's queue and health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TargetStatus {
    /// `webhook:NAME`, `rabbitmq:NAME` or `desktop`.
    pub target: String,
    #[ts(type = "number")]
    pub queued: u64,
    /// Given up after the last attempt; waiting for a redelivery.
    #[ts(type = "number")]
    pub parked: u64,
    /// Queued behind a parked message of their listener; sent after it by a redelivery.
    #[ts(type = "number")]
    pub held: u64,
    /// Why the last attempt failed, in words; `None` once one succeeds.
    pub last_error: Option<String>,
    /// Milliseconds since the epoch of the last successful delivery.
    #[ts(type = "number | null")]
    pub last_ok_ms: Option<i64>,
    /// Why the waiting messages are held back on purpose (desktop pop-ups: the burst limit,
    /// quiet hours) and when they go out; `None` when nothing is held back.
    pub held_back: Option<HeldBack>,
}

/// Messages a target holds back on purpose, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HeldBack {
    pub reason: HoldReason,
    /// Milliseconds since the epoch when the next of them go out.
    #[ts(type = "number")]
    pub until_ms: i64,
}

/// Why a target holds messages back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum HoldReason {
    /// Pop-ups are limited to `burst` per `seconds`; beyond, one summary stands for the rest.
    BurstLimit {
        burst: u32,
        #[ts(type = "number")]
        seconds: u64,
    },
    /// No pop-ups from `start` to `end` (minutes of the local day; may wrap midnight); what
    /// waits is summarised when they end.
    QuietHours { start: u32, end: u32 },
}

/// The whole engine at a glance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EngineStatus {
    pub running: bool,
    pub networks: Vec<NetworkStatus>,
    pub listeners: Vec<ListenerStatus>,
    pub targets: Vec<TargetStatus>,
    /// Team streams this engine publishes to.
    pub streams: Vec<StreamStatus>,
    /// Team streams mirrored into this database.
    pub subscriptions: Vec<SubscriptionStatus>,
    #[ts(type = "number")]
    pub events_stored: u64,
    pub database: String,
    /// Why the engine is not running, in plain words, if it is not.
    pub error: Option<String>,
    /// Problems worked around while running, in plain words.
    pub warnings: Vec<String>,
}

/// A team stream this engine publishes to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StreamStatus {
    /// The `[[rabbitmq]]` entry's name.
    pub name: String,
    pub stream: String,
    /// Messages the broker confirmed in this run.
    #[ts(type = "number")]
    pub published: u64,
    /// Stored events not yet published.
    #[ts(type = "number")]
    pub behind: u64,
    /// Why the last attempt failed, in words; `None` once one succeeds.
    pub last_error: Option<String>,
    #[ts(type = "number | null")]
    pub last_ok_ms: Option<i64>,
}

/// A team stream mirrored into this database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubscriptionStatus {
    pub name: String,
    pub stream: String,
    /// Connected and reading.
    pub connected: bool,
    /// Has read the stream to its end (since it started).
    pub caught_up: bool,
    /// Messages read, in all runs.
    #[ts(type = "number")]
    pub messages: u64,
    /// Messages that could not be read (counted, logged with the reason).
    #[ts(type = "number")]
    pub skipped: u64,
    /// The next stream offset it reads.
    #[ts(type = "number")]
    pub next_offset: u64,
    /// What the stream no longer held when it was asked for, in words.
    pub lacking: Option<String>,
    /// The networks it brought.
    pub networks: Vec<String>,
    /// Why it is not reading, in words.
    pub error: Option<String>,
}
