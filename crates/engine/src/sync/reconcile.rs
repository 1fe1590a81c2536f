//! Reconciliation: a token's state derived from its stored transfers, checked against the
//! chain at a block: `totalSupply()` and `balanceOf()` of a sample of holders, read with
//! `eth_call` at that block. A mismatch (a rebasing or fee-taking token, a range never
//! fetched, a bug) is recorded on the token and raised as an alert; the state is never
//! corrected.

use alloy_primitives::{Address, U256};

use super::store::ChainStore;
use super::tokens::call;
use super::{NetworkSync, SyncError};
use crate::hub::Notice;
use crate::source::Source;
use crate::store::{Register, TokenCheck, TokenState};

/// Holders checked per token: the largest ones, then some spread over the rest.
const TOP: usize = 10;
const SPREAD: usize = 10;
/// Differences named in a mismatch's note.
const NOTED: usize = 3;

impl<S: ChainStore> NetworkSync<S> {
    /// Checks every token of the network whose history is complete against the chain at
    /// `block`. Returns how many were checked and how many disagree.
    pub(super) async fn reconcile(&self, block: u64) -> Result<(usize, usize), SyncError> {
        let name = self.spec.name.clone();
        let mut tokens = self.store.registers(name.clone(), block).await?;
        if self.learn_creations(&tokens, block).await? {
            tokens = self.store.registers(name, block).await?;
        }
        let (mut checked, mut mismatched) = (0, 0);
        for (state, register) in tokens {
            let Ok(register) = register else { continue };
            let Ok(token) = state.token.parse::<Address>() else {
                continue;
            };
            let Some(differences) = differences(&self.source, token, &register, block).await?
            else {
                // Transfers shaped like ERC-20's from a contract that is no ERC-20 token.
                tracing::debug!(network = %self.spec.name, token = %state.token, "no totalSupply(): not checked");
                continue;
            };
            checked += 1;
            let outcome = if differences.is_empty() {
                tracing::info!(network = %self.spec.name, token = %state.token, block, "the token's state agrees with the chain");
                "ok"
            } else {
                mismatched += 1;
                self.raise(&state, block, &differences);
                "mismatch"
            };
            let note = (!differences.is_empty()).then(|| differences.join("; "));
            self.store
                .record_check(TokenCheck {
                    network_id: self.network_id,
                    token,
                    block,
                    outcome: Some(outcome),
                    note,
                    created_block: None,
                })
                .await?;
        }
        Ok((checked, mismatched))
    }

    /// Looks up the creation block of tokens whose stored history starts after block 0 (a
    /// token created after that start is complete). Returns whether any was found.
    async fn learn_creations(
        &self,
        tokens: &[(TokenState, Result<Register, String>)],
        block: u64,
    ) -> Result<bool, SyncError> {
        let mut learnt = false;
        for (state, _) in tokens {
            let unknown = state.created_block.is_none()
                && state
                    .complete_from_block
                    .is_some_and(|f| f > 0 && f <= block);
            let Ok(token) = state.token.parse::<Address>() else {
                continue;
            };
            if !unknown {
                continue;
            }
            let Some(created) = creation_block(&self.source, token, block).await? else {
                continue;
            };
            self.store
                .record_check(TokenCheck {
                    network_id: self.network_id,
                    token,
                    block,
                    outcome: None,
                    note: None,
                    created_block: Some(created),
                })
                .await?;
            learnt = true;
        }
        Ok(learnt)
    }

    /// A mismatch is an alert: logged, and announced where alerts go (the app pops it up).
    fn raise(&self, state: &TokenState, block: u64, differences: &[String]) {
        let name = state.symbol.as_deref().unwrap_or(&state.token);
        let message = format!(
            "{name} ({}) on {}: its stored transfers disagree with the chain at block {block}: {}",
            state.token,
            self.spec.name,
            differences.join("; ")
        );
        tracing::warn!("{message}");
        self.hub.send(Notice::Alert(message));
    }
}

/// What the chain says differently from `register`, at most [`NOTED`] items; `None` when
/// the contract has no `totalSupply()` (it is not an ERC-20 token: nothing to check).
async fn differences(
    source: &Source,
    token: Address,
    register: &Register,
    block: u64,
) -> Result<Option<Vec<String>>, SyncError> {
    let mut out = Vec::new();
    let derived = register
        .holders
        .iter()
        .fold(U256::ZERO, |sum, (_, b)| sum.saturating_add(b.into_raw()));
    match word(source, token, "0x18160ddd".to_string(), block).await? {
        Some(supply) if supply == derived => {}
        Some(supply) => out.push(format!(
            "totalSupply() is {supply}, the stored transfers give {derived}"
        )),
        None => return Ok(None),
    }
    for (holder, balance) in sample(&register.holders) {
        if out.len() >= NOTED {
            break;
        }
        let data = format!("0x70a08231{:0>64}", alloy_primitives::hex::encode(holder));
        let derived = balance.into_raw();
        match word(source, token, data, block).await? {
            Some(chain) if chain == derived => {}
            Some(chain) => out.push(format!(
                "balanceOf({holder}) is {chain}, the stored transfers give {derived}"
            )),
            None => out.push(format!("balanceOf({holder}) cannot be read")),
        }
    }
    Ok(Some(out))
}

/// The largest holders, then some spread evenly over the others.
fn sample(holders: &[(Address, alloy_primitives::I256)]) -> Vec<(Address, alloy_primitives::I256)> {
    let mut picked: Vec<_> = holders.iter().take(TOP).copied().collect();
    let rest = holders.get(TOP..).unwrap_or_default();
    if !rest.is_empty() {
        let step = rest.len().div_ceil(SPREAD).max(1);
        picked.extend(rest.iter().step_by(step).copied());
    }
    picked
}

/// A call answering one 32-byte word; `None` when it reverts or answers otherwise.
async fn word(
    source: &Source,
    token: Address,
    data: String,
    block: u64,
) -> Result<Option<U256>, SyncError> {
    Ok(call(source, token, &data, Some(block))
        .await?
        .filter(|b| b.len() == 32)
        .map(|b| U256::from_be_slice(&b)))
}

/// The first block at which `token` has code, searched between 0 and `head`; `None` when
/// it has none at `head` or the node cannot tell (its old state is pruned).
async fn creation_block(
    source: &Source,
    token: Address,
    head: u64,
) -> Result<Option<u64>, SyncError> {
    let has_code = |b: u64| async move {
        let code: Result<alloy_primitives::Bytes, _> = source
            .call("eth_getCode", serde_json::json!([token, format!("{b:#x}")]))
            .await;
        code.map(|c| !c.is_empty())
    };
    if !has_code(head).await.unwrap_or(false) {
        return Ok(None);
    }
    let (mut lo, mut hi) = (0u64, head);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match has_code(mid).await {
            Ok(true) => hi = mid,
            Ok(false) => lo = mid + 1,
            // A pruned node cannot answer for old blocks: the creation stays unknown.
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(lo))
}

/// Asks a running engine to check its tokens against the chain now.
#[derive(Clone)]
pub struct TokenCheckHandle(tokio::sync::watch::Sender<u64>);

impl TokenCheckHandle {
    pub(crate) fn new(requests: tokio::sync::watch::Sender<u64>) -> Self {
        Self(requests)
    }

    /// Every network checks its tokens at its next caught-up step (within a poll interval
    /// once caught up).
    pub fn check_now(&self) {
        self.0.send_modify(|n| *n += 1);
    }
}
