//! Event definitions: what the engine can match, from presets, signatures and JSON ABIs.
//!
//! Every event is keyed by its topic0 (keccak of the canonical signature) and its topic
//! count, never by its name: ERC-20 and ERC-721 `Transfer` share topic0 and differ only in
//! topic count, and overloaded events (same name, other parameters) are distinct
//! [`EventDef`]s.
//!
//! Anonymous events carry no topic0 on chain, so [`crate::decode::EventIndex`] cannot key
//! them. The engine matches them only when a listener names an anonymous event explicitly
//! *and* restricts it to contract addresses: a log from such a contract is tried against
//! the anonymous definition when its topic count fits and its data decodes.

mod catalog;
mod error;
mod import;
pub(crate) mod json;
mod presets;
mod signature;
mod signature_parser;
mod spec;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod signature_tests;
#[cfg(test)]
mod tests;

pub use catalog::{abi_events, preset_catalog, spec_events, EventInfo, PackInfo, ParamInfo};
pub use error::AbiError;
pub use import::import_json_abi;
pub use presets::{preset_defs, preset_packs, PresetPack};
pub(crate) use signature::type_name;
pub use spec::resolve_event_spec;
// The definitions are model data; this module reads and builds them.
pub use crate::model::event::{EventDef, Word, Words};

use alloy_dyn_abi::{DynSolEvent, DynSolType, Specifier};
use alloy_json_abi::Event;
use alloy_primitives::keccak256;

/// Most topics a log can carry (topic0 + 3 indexed, or 4 indexed when anonymous).
pub const MAX_TOPICS: usize = 4;

impl EventDef {
    /// Validates `e` (name, parameter types, topic count), normalizes its parameter types
    /// (`uint` -> `uint256`) and computes signature, topic0, topic count and display form.
    pub fn from_event(mut e: Event) -> Result<Self, AbiError> {
        signature::check_name(&e.name)?;
        let types = signature::normalize_inputs(&mut e)?;
        let topic_count = e.num_topics();
        let max = if e.anonymous {
            MAX_TOPICS
        } else {
            MAX_TOPICS - 1
        };
        let indexed = e.inputs.iter().filter(|p| p.indexed).count();
        if indexed > max {
            return Err(AbiError::BadEvent {
                event: e.name.clone(),
                message: format!("{indexed} indexed parameters, at most {max} are allowed"),
            });
        }
        let signature = signature::canonical_signature(&e.name, &types);
        let display = signature::display(&e, &types);
        let mut def = Self {
            topic0: keccak256(signature.as_bytes()),
            signature,
            topic_count,
            display,
            event: e,
            types: Vec::new(),
            layout: DynSolEvent::new_unchecked(None, Vec::new(), DynSolType::Tuple(Vec::new())),
            amount_at: None,
            words: None,
        };
        def.types = def.param_types()?;
        let (mut indexed, mut body) = (Vec::new(), Vec::new());
        for (p, ty) in def.event.inputs.iter().zip(&def.types) {
            let list = if p.indexed { &mut indexed } else { &mut body };
            list.push(ty.clone());
        }
        let topic0 = (!def.event.anonymous).then_some(def.topic0);
        def.layout = DynSolEvent::new_unchecked(topic0, indexed, DynSolType::Tuple(body));
        def.amount_at = def.amount_position();
        def.words = def.words();
        Ok(def)
    }

    fn words(&self) -> Option<Words> {
        let mut topic = usize::from(!self.event.anonymous);
        let mut data_len = 0;
        let mut amount = None;
        for (i, (p, ty)) in self.event.inputs.iter().zip(&self.types).enumerate() {
            let at = if p.indexed {
                topic += 1;
                Word::Topic(topic - 1)
            } else if is_value_type(ty) {
                data_len += 32;
                Word::Data(data_len - 32)
            } else {
                return None;
            };
            if self.amount_at == Some(i) && *ty == DynSolType::Uint(256) {
                amount = Some(at);
            }
        }
        // An amount of another width is read by decoding.
        (amount.is_some() || self.amount_at.is_none()).then_some(Words { data_len, amount })
    }

    fn amount_position(&self) -> Option<usize> {
        const NAMES: &[&str] = &["value", "amount", "_value", "_amount", "wad"];
        let uint = |i: &usize| matches!(self.types.get(*i), Some(DynSolType::Uint(_)));
        let inputs = &self.event.inputs;
        let named =
            (0..inputs.len()).find(|i| NAMES.contains(&inputs[*i].name.as_str()) && uint(i));
        named.or_else(|| (0..inputs.len()).find(|i| !inputs[*i].indexed && uint(i)))
    }

    /// The event's name.
    pub fn name(&self) -> &str {
        &self.event.name
    }

    /// Resolved parameter types, in ABI order.
    pub fn param_types(&self) -> Result<Vec<DynSolType>, AbiError> {
        let resolve = |(i, p): (usize, &alloy_json_abi::EventParam)| {
            p.resolve().map_err(|e| AbiError::BadParam {
                event: self.event.name.clone(),
                index: i + 1,
                name: p.name.clone(),
                message: error::one_line(&e.to_string()),
            })
        };
        self.event.inputs.iter().enumerate().map(resolve).collect()
    }
}

/// Types stored as their value in a topic; all others (string, bytes, arrays, tuples) are hashed.
pub(crate) fn is_value_type(ty: &DynSolType) -> bool {
    matches!(
        ty,
        DynSolType::Address
            | DynSolType::Function
            | DynSolType::Bool
            | DynSolType::FixedBytes(_)
            | DynSolType::Int(_)
            | DynSolType::Uint(_)
    )
}
