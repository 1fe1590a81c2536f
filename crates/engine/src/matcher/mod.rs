//! Matching decoded events against listeners: which listeners want a log, and does it
//! meet their conditions.

pub mod condition;

use std::collections::{HashMap, HashSet};

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, B256, U256};

use crate::abi::EventDef;
use crate::decode::{decode_log, EventIndex, Lookup};
use crate::model::ListenerSpec;
use crate::source::RpcLog;
use crate::value::DecodedArg;
use condition::{Condition, EvalContext};

/// What one listener wants.
struct Want {
    id: i64,
    contracts: HashSet<Address>,
    /// (signature, topic count) -> condition.
    events: HashMap<(String, usize), Option<Condition>>,
    /// (topic0, topic count) of the watched events.
    shapes: HashSet<(B256, usize)>,
}

/// A log that matched at least one listener.
#[derive(Debug)]
pub struct Matched<'a> {
    pub def: &'a EventDef,
    pub args: Vec<DecodedArg>,
    pub listeners: Vec<i64>,
}

/// What became of one log.
#[derive(Debug, Default)]
pub struct Outcome<'a> {
    /// Set when at least one listener took the log.
    pub matched: Option<Matched<'a>>,
    /// Listeners that watch the log's topic0 but whose ABI it does not fit (an ERC-721
    /// `Transfer` for an ERC-20 listener): counted for them, never dropped silently.
    pub undecodable: Vec<i64>,
    /// Why it did not fit, for the log.
    pub reason: String,
}

/// All listeners of one network, compiled for matching.
pub struct Matcher {
    index: EventIndex,
    wants: Vec<Want>,
}

impl Matcher {
    pub fn new<'a>(listeners: impl IntoIterator<Item = (i64, &'a ListenerSpec)>) -> Self {
        let mut defs = Vec::new();
        let mut wants = Vec::new();
        for (id, spec) in listeners {
            let mut events = HashMap::new();
            let mut shapes = HashSet::new();
            for w in &spec.events {
                shapes.insert((w.def.topic0, w.def.topic_count));
                defs.push(w.def.clone());
                events.insert(
                    (w.def.signature.clone(), w.def.topic_count),
                    w.condition.clone(),
                );
            }
            wants.push(Want {
                id,
                contracts: spec.contracts.iter().copied().collect(),
                events,
                shapes,
            });
        }
        Self {
            index: EventIndex::new(defs),
            wants,
        }
    }

    /// The combined `eth_getLogs` selection for these listeners: contract addresses (empty
    /// when any listener watches the whole network) and topic0 values.
    pub fn selection(&self, active: &[i64]) -> (Vec<Address>, Vec<B256>) {
        let wants: Vec<&Want> = self
            .wants
            .iter()
            .filter(|w| active.contains(&w.id))
            .collect();
        let any_contract = wants.iter().any(|w| w.contracts.is_empty());
        let mut addresses: Vec<Address> = if any_contract {
            Vec::new()
        } else {
            wants
                .iter()
                .flat_map(|w| w.contracts.iter().copied())
                .collect()
        };
        addresses.sort();
        addresses.dedup();
        let mut topics: Vec<B256> = self
            .index
            .defs()
            .iter()
            .filter(|d| {
                wants
                    .iter()
                    .any(|w| w.events.contains_key(&(d.signature.clone(), d.topic_count)))
            })
            .map(|d| d.topic0)
            .collect();
        topics.sort();
        topics.dedup();
        (addresses, topics)
    }

    /// Contracts whose `decimals()` a condition needs before `match_log` can decide.
    pub fn needs_decimals(&self, log: &RpcLog, active: &[i64]) -> bool {
        self.wants
            .iter()
            .filter(|w| active.contains(&w.id))
            .any(|w| {
                (w.contracts.is_empty() || w.contracts.contains(&log.address))
                    && w.events.values().flatten().any(|c| c.uses_decimals())
            })
    }

    /// Decodes the log and finds the active listeners that want it.
    pub fn match_log(&self, log: &RpcLog, active: &[i64], decimals: Option<u8>) -> Outcome<'_> {
        let in_scope = |w: &&Want| {
            active.contains(&w.id) && (w.contracts.is_empty() || w.contracts.contains(&log.address))
        };
        let Some(&topic0) = log.topics.first() else {
            return Outcome::default();
        };
        let got = log.topics.len();
        let mut out = Outcome {
            undecodable: self
                .wants
                .iter()
                .filter(in_scope)
                .filter(|w| w.shapes.iter().any(|(t, _)| *t == topic0))
                .filter(|w| !w.shapes.contains(&(topic0, got)))
                .map(|w| w.id)
                .collect(),
            reason: format!("{got} topics do not fit the watched event with this topic0"),
            matched: None,
        };
        let Lookup::Found(def) = self.index.lookup(&log.topics) else {
            return out;
        };
        let key = (def.signature.clone(), def.topic_count);
        let wanting = self
            .wants
            .iter()
            .filter(in_scope)
            .filter(|w| w.events.contains_key(&key));
        let args = match decode_log(def, &log.topics, &log.data) {
            Ok(args) => args,
            Err(e) => {
                out.undecodable.extend(wanting.map(|w| w.id));
                out.reason = e.to_string();
                return out;
            }
        };
        let ctx = EvalContext { decimals };
        let listeners: Vec<i64> = wanting
            .filter(|w| match w.events.get(&key) {
                Some(Some(c)) => c.eval(&args, &ctx).unwrap_or(false),
                _ => true,
            })
            .map(|w| w.id)
            .collect();
        if !listeners.is_empty() {
            out.matched = Some(Matched {
                def,
                args,
                listeners,
            });
        }
        out
    }
}

/// The amount an event moves, for sorting: the first unsigned argument named like an
/// amount, else the first non-indexed unsigned argument.
pub fn amount_of(args: &[DecodedArg]) -> Option<U256> {
    let uint = |a: &DecodedArg| match &a.value {
        DynSolValue::Uint(v, _) if !a.hashed => Some(*v),
        _ => None,
    };
    const NAMES: &[&str] = &["value", "amount", "_value", "_amount", "wad"];
    args.iter()
        .filter(|a| NAMES.contains(&a.name.as_str()))
        .find_map(uint)
        .or_else(|| args.iter().filter(|a| !a.indexed).find_map(uint))
}
