//! The engine's model of what to watch and where to deliver: networks, listeners,
//! targets and their policies, as plain data. `config` builds it from TOML; every stage
//! of the pipeline reads it.

pub mod event;
pub mod targets;
pub mod team;

use std::time::Duration;

use alloy_primitives::Address;

pub use event::EventDef;
pub use team::{StreamSpec, SubscriptionSpec};

pub use targets::{
    parse_quiet_hours, DesktopPolicy, OnPark, QuietHoursError, RabbitSpec, RetryPolicy, TargetKey,
    TargetKind, TargetSpec, WebhookFormat, WebhookSpec,
};

/// How deep a block must be before its events are `confirmed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmations {
    Blocks(u64),
    /// The node's `safe` block tag.
    Safe,
    /// The node's `finalized` block tag.
    Finalized,
}

/// A network to follow.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSpec {
    pub name: String,
    pub chain_id: u64,
    pub rpc: Vec<String>,
    pub confirmations: Confirmations,
    pub explorer: Option<String>,
    pub poll_interval: Duration,
    pub max_block_range: u64,
    pub request_timeout: Duration,
    /// Largest answer read from an endpoint, in MB.
    pub max_response_mb: u64,
}

/// Where a listener starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartBlock {
    Number(u64),
    Latest,
    /// The first block at or after this time (seconds since the epoch).
    Time(i64),
}

/// `keccak256("Transfer(address,address,uint256)")`: an ERC-20 transfer, the event token
/// state is derived from.
pub const ERC20_TRANSFER: alloy_primitives::B256 =
    alloy_primitives::b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

/// A validated listener.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerSpec {
    pub name: String,
    pub network: String,
    /// Empty: any contract on the network.
    pub contracts: Vec<Address>,
    /// The events it watches.
    pub events: Vec<EventDef>,
    /// Its condition (`where`) as written; the matcher compiles it for each event.
    pub condition: Option<String>,
    pub start: StartBlock,
    pub paused: bool,
    /// Changes when anything that decides which events match changes.
    pub spec_hash: String,
    /// Targets it delivers to.
    pub targets: Vec<TargetKey>,
    /// Also announce the first backfill to targets people read (notifications, chat).
    pub announce_history: bool,
}

impl ListenerSpec {
    /// The contracts whose every ERC-20 `Transfer` this listener stores (empty: every
    /// contract's): it watches that event with no condition. `None` when it does not.
    pub fn whole_transfers(&self) -> Option<&[Address]> {
        let unconditional = self.condition.is_none()
            && self
                .events
                .iter()
                .any(|d| d.topic0 == ERC20_TRANSFER && d.topic_count == 3 && !d.event.anonymous);
        unconditional.then_some(self.contracts.as_slice())
    }
}
