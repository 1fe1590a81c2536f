//! Decoding: a raw log (topics + data) against an [`EventDef`] into [`DecodedArg`]s, the
//! JSON form of decoded values, and the [`EventIndex`] that picks a log's definition.
//!
//! Logs that do not fit (wrong topic count, truncated or malformed data) return a
//! [`DecodeError`]: the engine counts and shows them, it never drops them silently.
//! Decoding never panics, whatever the topics and data (tested with proptest).
//!
//! Anonymous events carry no topic0, so the index cannot key them by it. The engine tries
//! them only for listeners that name an anonymous event explicitly *and* restrict it to
//! contract addresses: such a log is matched when [`EventIndex::anonymous_candidates`]
//! (same topic count) yields a definition and [`decode_log`] succeeds.

use crate::abi::{is_value_type, EventDef};
use crate::value::DecodedArg;
use alloy_dyn_abi::DynSolValue;
use alloy_primitives::B256;
use std::sync::Arc;

pub use crate::abi::json::{args_to_json, event_args_to_json, value_to_json, value_to_json_named};

/// Why a log could not be decoded against a definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The log carries another number of topics than the event has.
    #[error("the log has {got} topics, the event expects {expected}")]
    TopicCount { expected: usize, got: usize },
    /// topic0 is not the event's signature hash.
    #[error("topic0 {got} is not the event's signature hash {expected}")]
    Topic0 { expected: B256, got: B256 },
    /// The data does not decode as the event's non-indexed parameters.
    #[error("the log data does not fit the event's parameters: {0}")]
    Data(String),
    /// The definition itself does not resolve (not built by `EventDef::from_event`).
    #[error("invalid event definition: {0}")]
    Definition(String),
}

/// Decodes a log's topics and data against `def`, in ABI order. Indexed dynamic params
/// (string, bytes, arrays, tuples) come back as `FixedBytes(hash, 32)` with `hashed = true`.
/// Data beyond the event's parameters is ignored.
pub fn decode_log(
    def: &EventDef,
    topics: &[B256],
    data: &[u8],
) -> Result<Vec<DecodedArg>, DecodeError> {
    Ok(with_names(def, decode_values(def, topics, data)?))
}

/// As [`decode_log`], the values alone: what matching needs when no condition reads them.
pub fn decode_values(
    def: &EventDef,
    topics: &[B256],
    data: &[u8],
) -> Result<Vec<DynSolValue>, DecodeError> {
    if topics.len() != def.topic_count {
        return Err(DecodeError::TopicCount {
            expected: def.topic_count,
            got: topics.len(),
        });
    }
    let anonymous = def.event.anonymous;
    if let Some(&got) = topics.first().filter(|_| !anonymous) {
        if got != def.topic0 {
            return Err(DecodeError::Topic0 {
                expected: def.topic0,
                got,
            });
        }
    }
    if def.types.len() != def.event.inputs.len() {
        return Err(DecodeError::Definition(format!(
            "{} types for {} parameters",
            def.types.len(),
            def.event.inputs.len()
        )));
    }
    let decoded = def
        .layout
        .decode_log_parts(topics.iter().copied(), data)
        .map_err(map_error)?;
    // Indexed and body values interleaved back into ABI order.
    let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
    let mut values = Vec::with_capacity(def.types.len());
    for (i, p) in def.event.inputs.iter().enumerate() {
        let value = if p.indexed {
            indexed.next()
        } else {
            body.next()
        };
        values
            .push(value.ok_or_else(|| DecodeError::Data(format!("parameter {} missing", i + 1)))?);
    }
    Ok(values)
}

/// Names values decoded by [`decode_values`] with their parameters.
pub fn with_names(def: &EventDef, values: Vec<DynSolValue>) -> Vec<DecodedArg> {
    let params = def.event.inputs.iter().zip(&def.types).enumerate();
    params
        .zip(values)
        .map(|((i, (p, ty)), value)| DecodedArg {
            name: crate::abi::json::arg_name(i, &p.name),
            ty: crate::abi::type_name(ty),
            indexed: p.indexed,
            hashed: p.indexed && !is_value_type(ty),
            value,
        })
        .collect()
}

fn map_error(e: alloy_dyn_abi::Error) -> DecodeError {
    match e {
        alloy_dyn_abi::Error::TopicLengthMismatch { expected, actual } => DecodeError::TopicCount {
            expected,
            got: actual,
        },
        alloy_dyn_abi::Error::EventSignatureMismatch { expected, actual } => DecodeError::Topic0 {
            expected,
            got: actual,
        },
        other => DecodeError::Data(other.to_string()),
    }
}

/// Picks a log's definition by topic0 and topic count.
#[derive(Debug, Clone, Default)]
pub struct EventIndex {
    /// Shared: stored events keep the definition they were decoded with.
    defs: Vec<Arc<EventDef>>,
    /// (topic0, index into `defs`) of the non-anonymous ones, sorted by topic0, then in
    /// insertion order.
    by_topic0: Vec<(B256, usize)>,
    /// Indices of anonymous definitions.
    anonymous: Vec<usize>,
}

/// Result of [`EventIndex::lookup`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<'a> {
    /// The first definition with this topic0 and topic count.
    Found(&'a Arc<EventDef>),
    /// Known topic0, but no definition with this topic count (e.g. an ERC-721 `Transfer`
    /// when only ERC-20 is loaded): count and show it, do not drop it.
    TopicCountMismatch { topic0: B256, got: usize },
    /// No definition has this topic0 (or the log has no topics).
    Unknown,
}

impl EventIndex {
    /// Indexes `defs`; on equal topic0 and topic count the first one wins.
    pub fn new(defs: impl IntoIterator<Item = EventDef>) -> Self {
        Self::shared(defs.into_iter().map(Arc::new))
    }

    /// As [`EventIndex::new`], keeping the definitions the caller shares.
    pub fn shared(defs: impl IntoIterator<Item = Arc<EventDef>>) -> Self {
        let mut index = Self::default();
        for def in defs {
            let i = index.defs.len();
            if def.event.anonymous {
                index.anonymous.push(i);
            } else {
                index.by_topic0.push((def.topic0, i));
            }
            index.defs.push(def);
        }
        index.by_topic0.sort_by_key(|(topic0, _)| *topic0);
        index
    }

    /// The definition for a log with these topics.
    pub fn lookup(&self, topics: &[B256]) -> Lookup<'_> {
        match self.candidates(topics).next() {
            Some(def) => Lookup::Found(def),
            None => match topics.first() {
                Some(&topic0) if self.with_topic0(topic0).next().is_some() => {
                    Lookup::TopicCountMismatch {
                        topic0,
                        got: topics.len(),
                    }
                }
                _ => Lookup::Unknown,
            },
        }
    }

    /// All non-anonymous definitions fitting these topics (topic0 and count), first first;
    /// for callers that fall back to the next one when decoding fails.
    pub fn candidates<'a>(
        &'a self,
        topics: &[B256],
    ) -> impl Iterator<Item = &'a Arc<EventDef>> + 'a {
        let count = topics.len();
        let topic0 = topics.first().copied();
        topic0
            .into_iter()
            .flat_map(|t| self.with_topic0(t))
            .filter(move |d| d.topic_count == count)
    }

    /// The non-anonymous definitions with this topic0, first first.
    fn with_topic0(&self, topic0: B256) -> impl Iterator<Item = &Arc<EventDef>> + '_ {
        let start = self.by_topic0.partition_point(|(t, _)| *t < topic0);
        self.by_topic0[start..]
            .iter()
            .take_while(move |(t, _)| *t == topic0)
            .map(|&(_, i)| &self.defs[i])
    }

    /// Anonymous definitions whose topic count fits (see the module docs for how to use them).
    pub fn anonymous_candidates<'a>(
        &'a self,
        topics: &[B256],
    ) -> impl Iterator<Item = &'a Arc<EventDef>> + 'a {
        let count = topics.len();
        self.anonymous
            .iter()
            .map(|&i| &self.defs[i])
            .filter(move |d| d.topic_count == count)
    }

    /// All indexed definitions, in insertion order.
    pub fn defs(&self) -> &[Arc<EventDef>] {
        &self.defs
    }
}

#[cfg(test)]
#[path = "abi/decode_tests.rs"]
mod abi_decode_tests;
