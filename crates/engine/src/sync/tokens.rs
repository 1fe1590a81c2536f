//! Token facts a person needs to read an amount: `decimals()`, `symbol()` and `name()`, asked once
//! per contract and kept in the store with the events that use them.

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use serde_json::json;

use super::SyncError;
use crate::source::Source;
use crate::store::TokenInfo;

/// Per network: what each contract answered (None: not a token, or no such function), and
/// the answers not yet stored.
#[derive(Default)]
pub struct TokenCache {
    known: HashMap<Address, TokenInfo>,
    unsaved: Vec<(Address, TokenInfo)>,
    /// The contract `learn` was last asked about.
    last: Option<Address>,
}

impl TokenCache {
    /// Starts from what the store already knows, so each contract is asked once, ever.
    pub(super) fn known(known: Vec<(Address, TokenInfo)>) -> Self {
        Self {
            known: known.into_iter().collect(),
            unsaved: Vec::new(),
            last: None,
        }
    }

    /// The contract's `decimals()` (fetched with its symbol the first time).
    pub(super) async fn decimals(
        &mut self,
        source: &Source,
        contract: Address,
    ) -> Result<Option<u8>, SyncError> {
        Ok(self.info(source, contract).await?.decimals)
    }

    /// The answers fetched since the last call, for the next commit to store.
    pub(super) fn take_unsaved(&mut self) -> Vec<(Address, TokenInfo)> {
        std::mem::take(&mut self.unsaved)
    }

    /// Makes sure the contract's token facts are known (fetched the first time).
    pub(super) async fn learn(
        &mut self,
        source: &Source,
        contract: Address,
    ) -> Result<(), SyncError> {
        // Logs come in runs of one contract: most calls ask about the last one again.
        if self.last != Some(contract) {
            if !self.known.contains_key(&contract) {
                self.info(source, contract).await?;
            }
            self.last = Some(contract);
        }
        Ok(())
    }

    /// The token facts, fetched the first time (and then noted as not yet stored).
    pub(super) async fn info(
        &mut self,
        source: &Source,
        contract: Address,
    ) -> Result<TokenInfo, SyncError> {
        if let Some(i) = self.known.get(&contract) {
            return Ok(i.clone());
        }
        let decimals = call(source, contract, "0x313ce567", None)
            .await?
            .and_then(|b| (b.len() == 32).then(|| u8::try_from(U256::from_be_slice(&b)).ok())?);
        let symbol = call(source, contract, "0x95d89b41", None)
            .await?
            .and_then(|b| decode_symbol(&b));
        let name = call(source, contract, "0x06fdde03", None)
            .await?
            .and_then(|b| decode_text(&b, NAME_CHARS));
        let info = TokenInfo {
            decimals,
            symbol,
            name,
        };
        self.known.insert(contract, info.clone());
        self.unsaved.push((contract, info.clone()));
        Ok(info)
    }
}

/// An `eth_call` of `data` at `block` (the latest when `None`); `None` when the contract
/// reverts (an account without code answers with empty bytes). Any other error fails the
/// step to be retried: the answer is kept for good, and a condition in token units cannot
/// be decided without it.
pub(super) async fn call(
    source: &Source,
    contract: Address,
    data: &str,
    block: Option<u64>,
) -> Result<Option<alloy_primitives::Bytes>, SyncError> {
    let tag = block.map_or_else(|| "latest".to_string(), |b| format!("{b:#x}"));
    let params = json!([{"to": contract, "data": data}, tag]);
    match source.call("eth_call", params).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(crate::source::RpcError::Rpc { code, message, .. }) if reverted(code, &message) => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether an `eth_call` error says the call itself failed, as it will every time (a
/// revert, a missing function), rather than the node (a timeout, a missing block).
fn reverted(code: i64, message: &str) -> bool {
    const FAILED: &[&str] = &[
        "revert",
        "invalid opcode",
        "invalid jump",
        "out of gas",
        "stack underflow",
        "vm execution error",
    ];
    let lower = message.to_ascii_lowercase();
    code == 3 || FAILED.iter().any(|f| lower.contains(f))
}

/// The longest token name kept.
const NAME_CHARS: usize = 48;

/// `symbol()` as an ABI string, or as `bytes32` (old tokens); printable, at most 16 chars.
pub fn decode_symbol(b: &[u8]) -> Option<String> {
    decode_text(b, 16)
}

/// A string answer (ABI string or `bytes32`), printable, at most `max` chars.
fn decode_text(b: &[u8], max: usize) -> Option<String> {
    let raw: &[u8] = if b.len() >= 64 {
        let len = usize::try_from(U256::from_be_slice(&b[32..64])).ok()?;
        b.get(64..64usize.checked_add(len)?)?
    } else if b.len() == 32 {
        let end = b.iter().position(|c| *c == 0).unwrap_or(32);
        &b[..end]
    } else {
        return None;
    };
    let s: String = std::str::from_utf8(raw)
        .ok()?
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .take(max)
        .collect();
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Characters that change how text around them reads without showing themselves: bidi
/// overrides and isolates, zero-width characters. A token's symbol has no use for them
/// (`USD\u{202E}CT` would read as another symbol).
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::{decode_symbol, reverted};

    #[test]
    fn a_symbol_loses_characters_that_reorder_or_hide_text() {
        let mut word = [0u8; 32];
        let raw = "US\u{202E}DC\u{200B}".as_bytes();
        word[..raw.len()].copy_from_slice(raw);
        assert_eq!(decode_symbol(&word).as_deref(), Some("USDC"));
    }

    #[test]
    fn only_a_failed_call_means_not_a_token() {
        assert!(reverted(3, "execution reverted"));
        assert!(reverted(-32000, "execution reverted"));
        assert!(reverted(-32015, "VM execution error."));
        assert!(reverted(-32000, "invalid opcode: INVALID"));
        assert!(!reverted(-32000, "header not found"));
        assert!(!reverted(-32603, "internal error"));
        assert!(!reverted(-32000, "execution timeout"));
        assert!(!reverted(
            -32601,
            "the method eth_call does not exist/is not available"
        ));
    }

    #[test]
    fn symbols_decode_from_strings_and_bytes32() {
        let mut abi = vec![0u8; 96];
        abi[31] = 32;
        abi[63] = 4;
        abi[64..68].copy_from_slice(b"DUSD");
        assert_eq!(decode_symbol(&abi).as_deref(), Some("DUSD"));
        let mut b32 = [0u8; 32];
        b32[..3].copy_from_slice(b"MKR");
        assert_eq!(decode_symbol(&b32).as_deref(), Some("MKR"));
        assert_eq!(decode_symbol(&[0u8; 32]), None);
        assert_eq!(decode_symbol(&[1, 2, 3]), None);
        abi[63] = 200; // a length past the end
        assert_eq!(decode_symbol(&abi), None);
    }
}
