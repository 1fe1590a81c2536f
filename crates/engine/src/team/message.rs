//! The stream's messages: lines of JSON, one object per stored event (`"kind": "event"`,
//! with the status it was stored with) or per later status change (`"kind": "status"`),
//! carrying the raw log and its ABI so a subscriber stores exactly what the publisher
//! stored. A message packs up to [`PACK`] lines: the broker's cost is per message.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::{hex, Address, B256};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::abi::EventDef;
use crate::event::EventStatus;
use crate::store::{
    JournalChange, JournalEvent, MirrorChange, MirrorEvent, MirrorItem, NewEvent, TokenInfo,
};

/// The format's version; a subscriber skips (and counts) messages of another.
pub const VERSION: u32 = 1;

/// The largest entry (one line) a subscriber reads; anything longer is skipped and counted.
pub const MAX_ENTRY: usize = 1 << 20;

/// The largest message a subscriber reads (its entries are skipped and counted as one).
pub const MAX_MESSAGE: usize = 8 << 20;

/// Entries per message, and the bytes after which a message is closed early.
pub const PACK: usize = 500;
const PACK_BYTES: usize = 1 << 20;

/// Which message: an event as stored, or a later status of one.
#[derive(Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Event,
    Status,
}

/// One message; the event's fields are left out of a status change. (A flat struct: an
/// internally tagged enum would buffer the ABI, which a raw JSON value cannot be.)
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    kind: Kind,
    v: u32,
    #[serde(borrow)]
    network: Cow<'a, str>,
    #[serde(borrow)]
    listeners: Vec<Cow<'a, str>>,
    block: u64,
    block_hash: &'a str,
    log_index: u64,
    status: EventStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chain_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    block_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tx: Option<&'a str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contract: Option<&'a str>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    abi: Option<&'a RawValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    topics: Option<&'a str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decimals: Option<u8>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    symbol: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    token_name: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_ms: Option<i64>,
}

/// Why a message was not read.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("the message is {0} bytes, over the {MAX_MESSAGE}-byte limit")]
    TooLarge(usize),
    #[error("an entry is {0} bytes, over the {MAX_ENTRY}-byte limit")]
    EntryTooLarge(usize),
    #[error("not a Tokenwatch stream message: {0}")]
    Json(#[from] serde_json::Error),
    #[error("written by format version {0}; this Tokenwatch reads version {VERSION}")]
    Version(u32),
    #[error("field {0} is not valid hex of the right length")]
    Hex(&'static str),
    #[error("its event definition cannot be used: {0}")]
    Abi(String),
    #[error("field {0} is missing")]
    Missing(&'static str),
    #[error(
        "a network or listener name is empty, over 200 characters, or holds control characters"
    )]
    BadName,
    #[error("it names no listener")]
    NoListener,
    #[error("a covered block range is reversed or past the largest block number kept")]
    BadRange,
}

/// Writes messages, keeping each definition's JSON once.
#[derive(Default)]
pub struct Writer {
    abis: HashMap<String, Box<RawValue>>,
}

impl Writer {
    /// The message of a stored event, with only the listeners `carried` keeps; `None`
    /// when it keeps none, or the row has no stored definition (a very old row).
    pub fn event(
        &mut self,
        e: &JournalEvent,
        carried: impl Fn(&str) -> bool,
    ) -> Result<Option<Vec<u8>>, serde_json::Error> {
        let listeners: Vec<Cow<'_, str>> = (e.listeners.iter().map(String::as_str))
            .filter(|l| carried(l))
            .map(Cow::Borrowed)
            .collect();
        let Some(abi) = &e.abi else { return Ok(None) };
        if listeners.is_empty() {
            return Ok(None);
        }
        if !self.abis.contains_key(abi) {
            self.abis
                .insert(abi.clone(), RawValue::from_string(abi.clone())?);
        }
        let Some(abi) = self.abis.get(abi) else {
            return Ok(None);
        };
        let (block_hash, tx, contract) = (
            hex::encode_prefixed(&e.block_hash),
            hex::encode_prefixed(&e.tx_hash),
            hex::encode_prefixed(&e.contract),
        );
        let (topics, data) = (
            hex::encode_prefixed(&e.topics),
            hex::encode_prefixed(&e.data),
        );
        let wire = Wire {
            kind: Kind::Event,
            v: VERSION,
            network: Cow::Borrowed(&e.network),
            listeners,
            block: e.block_number,
            block_hash: &block_hash,
            log_index: e.log_index,
            status: e.status,
            chain_id: Some(e.chain_id),
            block_time: e.block_time,
            tx: Some(&tx),
            contract: Some(&contract),
            abi: Some(abi),
            topics: Some(&topics),
            data: Some(&data),
            decimals: e.decimals,
            symbol: e.symbol.as_deref().map(Cow::Borrowed),
            token_name: e.token_name.as_deref().map(Cow::Borrowed),
            at_ms: None,
        };
        serde_json::to_vec(&wire).map(Some)
    }

    /// The message of a status change, or `None` when `carried` keeps none of its listeners.
    pub fn change(
        &self,
        c: &JournalChange,
        carried: impl Fn(&str) -> bool,
    ) -> Result<Option<Vec<u8>>, serde_json::Error> {
        let listeners: Vec<Cow<'_, str>> = (c.listeners.iter().map(String::as_str))
            .filter(|l| carried(l))
            .map(Cow::Borrowed)
            .collect();
        if listeners.is_empty() {
            return Ok(None);
        }
        let block_hash = hex::encode_prefixed(&c.block_hash);
        let wire = Wire {
            kind: Kind::Status,
            v: VERSION,
            network: Cow::Borrowed(&c.network),
            listeners,
            block: c.block_number,
            block_hash: &block_hash,
            log_index: c.log_index,
            status: c.status,
            chain_id: None,
            block_time: None,
            tx: None,
            contract: None,
            abi: None,
            topics: None,
            data: None,
            decimals: None,
            symbol: None,
            token_name: None,
            at_ms: Some(c.at_ms),
        };
        serde_json::to_vec(&wire).map(Some)
    }
}

/// Reads messages, sharing each definition among the events that use it.
#[derive(Default)]
pub struct Reader {
    defs: HashMap<String, Arc<EventDef>>,
}

impl Reader {
    /// Every entry of a message, in order.
    pub fn read_all(&mut self, body: &[u8]) -> Vec<Result<MirrorItem, MessageError>> {
        if body.len() > MAX_MESSAGE {
            return vec![Err(MessageError::TooLarge(body.len()))];
        }
        (body.split(|b| *b == b'\n'))
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
            .map(|line| self.read(line))
            .collect()
    }

    /// One entry.
    pub fn read(&mut self, body: &[u8]) -> Result<MirrorItem, MessageError> {
        if body.len() > MAX_ENTRY {
            return Err(MessageError::EntryTooLarge(body.len()));
        }
        if super::state::is_state(body) {
            return super::state::read(body);
        }
        let w: Wire<'_> = serde_json::from_slice(body)?;
        check_version(w.v)?;
        if w.listeners.is_empty() {
            return Err(MessageError::NoListener);
        }
        check_name(&w.network)?;
        for l in &w.listeners {
            check_name(l)?;
        }
        let block_hash = B256::from(fixed::<32>(w.block_hash, "block_hash")?);
        if w.kind == Kind::Status {
            return Ok(MirrorItem::Change(MirrorChange {
                network: w.network.into_owned(),
                block_number: w.block,
                block_hash,
                log_index: w.log_index,
                status: w.status,
            }));
        }
        let def = self.def(w.abi.ok_or(MessageError::Missing("abi"))?.get())?;
        let topics = bytes(w.topics.ok_or(MessageError::Missing("topics"))?, "topics")?;
        if topics.len() % 32 != 0 || topics.len() > 4 * 32 {
            return Err(MessageError::Hex("topics"));
        }
        let topics: Vec<B256> = topics.chunks_exact(32).map(B256::from_slice).collect();
        let data = bytes(w.data.ok_or(MessageError::Missing("data"))?, "data")?;
        let amount = crate::matcher::amount_of(&def, &topics, &data);
        let tx = w.tx.ok_or(MessageError::Missing("tx"))?;
        let contract = w.contract.ok_or(MessageError::Missing("contract"))?;
        let event = NewEvent {
            block_number: w.block,
            block_hash,
            block_time: w.block_time,
            tx_hash: B256::from(fixed::<32>(tx, "tx")?),
            log_index: w.log_index,
            contract: Address::from(fixed::<20>(contract, "contract")?),
            topics,
            data,
            def,
            amount,
            status: w.status,
            listeners: Vec::new(),
        };
        let token =
            (w.decimals.is_some() || w.symbol.is_some() || w.token_name.is_some()).then(|| {
                TokenInfo {
                    decimals: w.decimals,
                    symbol: w.symbol.map(Cow::into_owned),
                    name: w.token_name.map(Cow::into_owned),
                }
            });
        Ok(MirrorItem::Event(Box::new(MirrorEvent {
            network: w.network.into_owned(),
            chain_id: w.chain_id.ok_or(MessageError::Missing("chain_id"))?,
            listeners: w.listeners.into_iter().map(Cow::into_owned).collect(),
            event,
            token,
        })))
    }

    fn def(&mut self, abi: &str) -> Result<Arc<EventDef>, MessageError> {
        if let Some(d) = self.defs.get(abi) {
            return Ok(d.clone());
        }
        let event = serde_json::from_str(abi).map_err(|e| MessageError::Abi(e.to_string()))?;
        let def =
            Arc::new(EventDef::from_event(event).map_err(|e| MessageError::Abi(e.to_string()))?);
        self.defs.insert(abi.to_string(), def.clone());
        Ok(def)
    }
}

/// Packs entries into messages of at most [`PACK`] lines (fewer past about 1 MB).
pub fn pack(entries: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut lines = 0;
    for e in entries {
        match out.last_mut() {
            Some(m) if lines < PACK && m.len() + e.len() < PACK_BYTES => {
                m.push(b'\n');
                m.extend_from_slice(&e);
                lines += 1;
            }
            _ => {
                out.push(e);
                lines = 1;
            }
        }
    }
    out
}

/// Names a stream brings become names here: the rules local names follow.
pub(super) fn check_name(name: &str) -> Result<(), MessageError> {
    if name.trim().is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        Err(MessageError::BadName)
    } else {
        Ok(())
    }
}

fn check_version(v: u32) -> Result<(), MessageError> {
    if v == VERSION {
        Ok(())
    } else {
        Err(MessageError::Version(v))
    }
}

fn bytes(s: &str, field: &'static str) -> Result<Vec<u8>, MessageError> {
    hex::decode(s).map_err(|_| MessageError::Hex(field))
}

pub(super) fn fixed<const N: usize>(s: &str, field: &'static str) -> Result<[u8; N], MessageError> {
    bytes(s, field)?
        .try_into()
        .map_err(|_| MessageError::Hex(field))
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
