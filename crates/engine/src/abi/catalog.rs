//! The event picker's view of event definitions: preset packs, an imported ABI or a typed
//! signature, each as a list of events with their parameters.

use serde::Serialize;
use ts_rs::TS;

use super::{import_json_abi, preset_defs, preset_packs, resolve_event_spec, AbiError, EventDef};

/// One parameter of an event.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ParamInfo {
    pub name: String,
    /// Canonical Solidity type, e.g. `uint256`, `(address,uint256)[]`.
    pub ty: String,
    pub indexed: bool,
}

/// One event, with what a listener's `events` entry for it says.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EventInfo {
    pub name: String,
    /// Canonical signature, e.g. `Transfer(address,address,uint256)`.
    pub signature: String,
    /// Human-readable form with `indexed` and names: what goes into `events`.
    pub display: String,
    pub params: Vec<ParamInfo>,
}

/// A preset pack and its events.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PackInfo {
    pub id: String,
    pub title: String,
    pub events: Vec<EventInfo>,
}

impl From<&EventDef> for EventInfo {
    fn from(d: &EventDef) -> Self {
        Self {
            name: d.name().to_string(),
            signature: d.signature.clone(),
            display: d.display.clone(),
            params: d
                .event
                .inputs
                .iter()
                .map(|p| ParamInfo {
                    name: p.name.clone(),
                    ty: p.selector_type().into_owned(),
                    indexed: p.indexed,
                })
                .collect(),
        }
    }
}

/// Every preset pack with its events.
pub fn preset_catalog() -> Result<Vec<PackInfo>, AbiError> {
    preset_packs()
        .iter()
        .map(|p| {
            Ok(PackInfo {
                id: p.id.to_string(),
                title: p.title.to_string(),
                events: preset_defs(p.id)?.iter().map(EventInfo::from).collect(),
            })
        })
        .collect()
}

/// The events of a JSON ABI (an array, or an artifact with an `abi` key).
pub fn abi_events(json: &str) -> Result<Vec<EventInfo>, AbiError> {
    Ok(import_json_abi(json)?.iter().map(EventInfo::from).collect())
}

/// The events one `events` entry stands for (a signature, `pack`, or `pack:Event`).
pub fn spec_events(spec: &str) -> Result<Vec<EventInfo>, AbiError> {
    Ok(resolve_event_spec(spec)?
        .iter()
        .map(EventInfo::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_signatures_list_their_parameters() {
        let packs = preset_catalog().expect("presets");
        let erc20 = packs.iter().find(|p| p.id == "erc20").expect("erc20");
        let transfer = &erc20.events[0];
        assert_eq!(transfer.signature, "Transfer(address,address,uint256)");
        assert!(transfer.params[0].indexed && !transfer.params[2].indexed);
        let typed =
            spec_events("event Moved(address indexed who, (uint8,bytes)[] legs)").expect("sig");
        assert_eq!(typed[0].params[1].ty, "(uint8,bytes)[]");
        assert!(abi_events("{not json").is_err());
    }
}
