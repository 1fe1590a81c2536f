//! One event definition as plain data: what `abi` builds from presets, signatures and
//! ABIs, and what listeners watch and the store keeps.

use alloy_dyn_abi::{DynSolEvent, DynSolType};
use alloy_json_abi::Event;
use alloy_primitives::B256;

/// One event the engine can match, keyed by topic0/signature, never by name.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDef {
    /// Name, inputs (with `indexed`, types normalized to canonical form) and `anonymous`.
    pub event: Event,
    /// Canonical signature, e.g. `Transfer(address,address,uint256)`.
    pub signature: String,
    /// keccak(signature); also computed for anonymous events (it is not on chain for them).
    pub topic0: B256,
    /// Topics a fitting log carries: indexed params + 1, unless anonymous.
    pub topic_count: usize,
    /// Human-readable form, e.g. `Transfer(address indexed from, address indexed to, uint256 value)`.
    pub display: String,
    /// The inputs' types, resolved once (decoding every log needs them).
    pub types: Vec<DynSolType>,
    /// The decoder of its logs: topic0, indexed types, body types.
    pub layout: DynSolEvent,
    /// Which argument is the amount the event moves (History sorts by it): the first
    /// unsigned one named like an amount, else the first non-indexed unsigned one.
    pub amount_at: Option<usize>,
    /// Set when every non-indexed parameter is a value type (one word each): such a log
    /// decodes whenever its data holds the words, so matching without conditions need not
    /// decode it.
    pub words: Option<Words>,
}

/// The layout of an event whose data is all value types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words {
    /// Bytes of data the parameters need (more is ignored, as decoding ignores it).
    pub data_len: usize,
    /// Where the amount is (a `uint256`; events with another amount type have no `Words`).
    pub amount: Option<Word>,
}

/// A 32-byte word of a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    Topic(usize),
    /// Byte offset into the data.
    Data(usize),
}
