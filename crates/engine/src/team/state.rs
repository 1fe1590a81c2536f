//! The stream's state entries: what a listener has covered (and which contracts' every
//! transfer it stores), and the block a token was created in. With them a subscriber's
//! Tokens views know, as the publisher's do, from which block a token's history is whole.
//! An entry starts with its kind, so a reader tells them from events without a second parse.

use std::borrow::Cow;

use alloy_primitives::{hex, Address};
use serde::{Deserialize, Serialize};

use super::message::{MessageError, VERSION};
use crate::store::{ListenerState, MirrorItem, MirrorListener, MirrorToken, TokenBirth};

#[derive(Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum StateKind {
    Listener,
    Token,
}

#[derive(Serialize, Deserialize)]
struct StateWire<'a> {
    kind: StateKind,
    v: u32,
    #[serde(borrow)]
    network: Cow<'a, str>,
    chain_id: u64,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    listener: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ranges: Option<Vec<(u64, u64)>>,
    /// Contracts whose every transfer it stores ("" for any contract); absent: none.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    whole: Option<Vec<&'a str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contract: Option<&'a str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_block: Option<u64>,
}

/// Whether an entry is a state entry (the writer puts `kind` first).
pub fn is_state(entry: &[u8]) -> bool {
    entry.starts_with(br#"{"kind":"listener""#) || entry.starts_with(br#"{"kind":"token""#)
}

pub fn listener_entry(s: &ListenerState) -> Result<Vec<u8>, serde_json::Error> {
    let whole: Option<Vec<String>> = (s.whole.as_ref()).map(|w| {
        w.iter()
            .map(|c| {
                if c.is_empty() {
                    String::new()
                } else {
                    hex::encode_prefixed(c)
                }
            })
            .collect()
    });
    serde_json::to_vec(&StateWire {
        kind: StateKind::Listener,
        v: VERSION,
        network: Cow::Borrowed(&s.network),
        chain_id: s.chain_id,
        listener: Some(Cow::Borrowed(&s.name)),
        ranges: Some(s.ranges.clone()),
        whole: whole
            .as_ref()
            .map(|w| w.iter().map(String::as_str).collect()),
        contract: None,
        created_block: None,
    })
}

pub fn token_entry(t: &TokenBirth) -> Result<Vec<u8>, serde_json::Error> {
    let contract = hex::encode_prefixed(&t.token);
    serde_json::to_vec(&StateWire {
        kind: StateKind::Token,
        v: VERSION,
        network: Cow::Borrowed(&t.network),
        chain_id: t.chain_id,
        listener: None,
        ranges: None,
        whole: None,
        contract: Some(&contract),
        created_block: Some(t.created_block),
    })
}

pub fn read(entry: &[u8]) -> Result<MirrorItem, MessageError> {
    let w: StateWire<'_> = serde_json::from_slice(entry)?;
    if w.v != VERSION {
        return Err(MessageError::Version(w.v));
    }
    super::message::check_name(&w.network)?;
    if let Some(l) = &w.listener {
        super::message::check_name(l)?;
    }
    let address = |s: &str| super::message::fixed::<20>(s, "contract").map(Address::from);
    match w.kind {
        StateKind::Listener => {
            let whole = match w.whole {
                None => None,
                Some(list) => Some(
                    list.into_iter()
                        .map(|c| {
                            if c.is_empty() {
                                Ok(Vec::new())
                            } else {
                                address(c).map(|a| a.to_vec())
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            Ok(MirrorItem::Listener(MirrorListener {
                network: w.network.into_owned(),
                chain_id: w.chain_id,
                name: w
                    .listener
                    .ok_or(MessageError::Missing("listener"))?
                    .into_owned(),
                ranges: checked(w.ranges.ok_or(MessageError::Missing("ranges"))?)?,
                whole,
            }))
        }
        StateKind::Token => Ok(MirrorItem::Token(MirrorToken {
            network: w.network.into_owned(),
            chain_id: w.chain_id,
            contract: address(w.contract.ok_or(MessageError::Missing("contract"))?)?,
            created_block: w
                .created_block
                .ok_or(MessageError::Missing("created_block"))?,
        })),
    }
}

/// Covered ranges as a peer sent them: each in order and within what the database keeps.
fn checked(ranges: Vec<(u64, u64)>) -> Result<Vec<(u64, u64)>, MessageError> {
    let fits = |b: u64| i64::try_from(b).is_ok();
    if ranges.iter().all(|(s, e)| s <= e && fits(*e)) {
        Ok(ranges)
    } else {
        Err(MessageError::BadRange)
    }
}
