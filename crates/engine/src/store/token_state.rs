//! Reading the token state: each token's totals and how complete they are, and the holder
//! register at the head or at a past block.

use alloy_primitives::{Address, I256};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::holdings::{signed, Transfer};
use super::partitions::partition_topics;
use super::query::checksummed;
use super::schema::{ROLE_COMPLIANCE, ROLE_REGISTER};
use super::{Store, StoreError};

/// A token as its stored transfers describe it. Amounts are raw integers in decimal.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenState {
    pub network: String,
    #[ts(type = "number")]
    pub chain_id: u64,
    pub token: String,
    pub symbol: Option<String>,
    pub decimals: Option<u8>,
    /// Holders with a balance above zero.
    #[ts(type = "number")]
    pub holders: u64,
    /// Minted less burned.
    pub supply: String,
    pub minted: String,
    pub burned: String,
    #[ts(type = "number")]
    pub transfers: u64,
    /// From this block on every transfer is stored (a listener keeps them all and covered
    /// the blocks since). `None`: no listener keeps them all.
    #[ts(type = "number | null")]
    pub complete_from_block: Option<u64>,
    /// Up to this block.
    #[ts(type = "number | null")]
    pub covered_to_block: Option<u64>,
    /// The block the contract was created in, when looked up.
    #[ts(type = "number | null")]
    pub created_block: Option<u64>,
    /// Whether the state holds the token's whole history.
    pub complete: bool,
    #[ts(type = "number | null")]
    pub reconciled_block: Option<u64>,
    /// `ok`, `mismatch` or `unchecked`.
    pub reconciliation: String,
    pub reconciliation_note: Option<String>,
    /// A backfill stored transfers that are not in the state yet: it is brought up to date
    /// when the backfill ends.
    pub updating: bool,
    /// No ERC-20 `Transfer` of it is stored, only its registers (ERC-3643 events or
    /// ERC-1400 partition events): it has no holders, supply or register of its own.
    pub registers_only: bool,
}

/// What a check of one token against the chain found, to record on it.
#[derive(Clone, Debug)]
pub struct TokenCheck {
    pub network_id: i64,
    pub token: Address,
    pub block: u64,
    /// `ok` or `mismatch`; `None` records only the creation block.
    pub outcome: Option<&'static str>,
    pub note: Option<String>,
    /// The block the contract was created in, when it was looked up.
    pub created_block: Option<u64>,
}

/// Holders of a token at a block, largest balance first.
#[derive(Clone, Debug, PartialEq)]
pub struct Register {
    pub state: TokenState,
    pub block: u64,
    pub holders: Vec<(Address, I256)>,
}

/// Why a register cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("no token {token} on network \"{network}\" has stored transfers")]
    Unknown { network: String, token: String },
    #[error("{0}")]
    Partial(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

const STATE: &str = "SELECT n.name, n.chain_id, t.token, k.symbol, k.decimals, t.holders, t.minted,
        t.burned, t.transfers, t.created_block, t.reconciled_block, t.reconciliation,
        t.reconciliation_note, t.network_id, t.pending_from IS NOT NULL
   FROM token_totals t JOIN networks n ON n.id = t.network_id
   LEFT JOIN tokens k ON k.network_id = t.network_id AND k.address = t.token";

impl Store {
    /// Every token with stored transfers, by network then address.
    pub fn token_states(&self) -> Result<Vec<TokenState>, StoreError> {
        let sql = [STATE, " ORDER BY n.name, t.token"].concat();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([])?;
        let mut raw = Vec::new();
        while let Some(r) = rows.next()? {
            raw.push(read_state(r)?);
        }
        drop(rows);
        raw.into_iter()
            .map(|(id, token, s)| self.with_coverage(id, token, s))
            .collect()
    }

    /// Every token on the Tokens screen: those with stored transfers, then those with only
    /// registers (see [`Store::register_tokens`]), by network then address.
    pub fn token_list(&self) -> Result<Vec<TokenState>, StoreError> {
        let mut all = self.token_states()?;
        all.extend(self.register_tokens()?);
        all.sort_by_cached_key(|t| (t.network.clone(), t.token.to_ascii_lowercase()));
        Ok(all)
    }

    /// Contracts with stored register events of a token (ERC-3643 compliance events or
    /// ERC-1400 partition events; not an identity registry's) but no ERC-20 `Transfer`.
    pub fn register_tokens(&self) -> Result<Vec<TokenState>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.name, n.chain_id, e.contract, k.symbol, k.decimals
               FROM (SELECT DISTINCT network_id, contract FROM events INDEXED BY events_role
                      WHERE role IN (?1, ?2) AND status != 2
                        AND (role = ?1 OR substr(topics, 1, 32) IN (?3, ?4, ?5, ?6))) e
               JOIN networks n ON n.id = e.network_id
               LEFT JOIN tokens k ON k.network_id = e.network_id AND k.address = e.contract
              WHERE NOT EXISTS (SELECT 1 FROM token_totals t
                                 WHERE t.network_id = e.network_id AND t.token = e.contract)",
        )?;
        let [p1, p2, p3, p4] = partition_topics();
        let rows = stmt.query_map(
            params![
                ROLE_COMPLIANCE,
                ROLE_REGISTER,
                p1.as_slice(),
                p2.as_slice(),
                p3.as_slice(),
                p4.as_slice()
            ],
            |r| {
                let token = r.get_ref(2)?.as_blob()?;
                Ok(TokenState {
                    network: r.get(0)?,
                    chain_id: r.get::<_, i64>(1)? as u64,
                    token: checksummed(token),
                    symbol: r.get(3)?,
                    decimals: r.get(4)?,
                    holders: 0,
                    supply: "0".into(),
                    minted: "0".into(),
                    burned: "0".into(),
                    transfers: 0,
                    complete_from_block: None,
                    covered_to_block: None,
                    created_block: None,
                    complete: false,
                    reconciled_block: None,
                    reconciliation: "unchecked".into(),
                    reconciliation_note: None,
                    updating: false,
                    registers_only: true,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a check of a token against the chain (and its creation block, when found).
    pub fn record_check(&self, c: &TokenCheck) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE token_totals
                SET reconciled_block = CASE WHEN ?4 IS NULL THEN reconciled_block ELSE ?3 END,
                    reconciliation_note = CASE WHEN ?4 IS NULL THEN reconciliation_note ELSE ?5 END,
                    reconciliation = coalesce(?4, reconciliation),
                    created_block = coalesce(?6, created_block)
              WHERE network_id = ?1 AND token = ?2",
            params![
                c.network_id,
                c.token.as_slice(),
                c.block as i64,
                c.outcome,
                c.note,
                c.created_block.map(|b| b as i64)
            ],
        )?;
        Ok(())
    }

    /// One token's state.
    pub fn token_state(
        &self,
        network: &str,
        token: Address,
    ) -> Result<Option<TokenState>, StoreError> {
        let sql = [STATE, " WHERE n.name = ?1 AND t.token = ?2"].concat();
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![network, token.as_slice()], read_state)
            .optional()?;
        found
            .map(|(id, token, s)| self.with_coverage(id, token, s))
            .transpose()
    }

    /// Fills in from which block the token's transfers are all stored.
    fn with_coverage(
        &self,
        network_id: i64,
        token: Address,
        mut s: TokenState,
    ) -> Result<TokenState, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.listener_id, c.start_block, c.end_block FROM coverage c
              WHERE c.listener_id IN (
                    SELECT w.listener_id FROM whole_transfers w JOIN listeners l ON l.id = w.listener_id
                     WHERE l.network_id = ?1 AND (w.contract = ?2 OR w.contract = x''))
              ORDER BY c.listener_id, c.end_block DESC",
        )?;
        let mut rows = stmt.query(params![network_id, token.as_slice()])?;
        let mut last = None;
        while let Some(r) = rows.next()? {
            let (listener, start, end): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            // Each listener's newest covered range (the first of its rows here).
            if last == Some(listener) {
                continue;
            }
            last = Some(listener);
            let (start, end) = (start as u64, end as u64);
            if s.covered_to_block.is_none_or(|c| end > c)
                || (s.covered_to_block == Some(end)
                    && s.complete_from_block.is_some_and(|f| start < f))
            {
                s.complete_from_block = Some(start);
                s.covered_to_block = Some(end);
            }
        }
        s.complete = s
            .complete_from_block
            .is_some_and(|from| from == 0 || s.created_block.is_some_and(|c| c >= from));
        Ok(s)
    }

    /// Holders of `token` on `network` at `block` (the newest covered block when `None`),
    /// largest balance first. Refused when the token's history is not complete there.
    pub fn register(
        &self,
        network: &str,
        token: Address,
        block: Option<u64>,
    ) -> Result<Register, RegisterError> {
        let unknown = || RegisterError::Unknown {
            network: network.to_string(),
            token: token.to_checksum(None),
        };
        let state = self.token_state(network, token)?.ok_or_else(unknown)?;
        let partial = |why: String| RegisterError::Partial(why);
        let Some(covered) = state.covered_to_block else {
            return Err(partial(format!(
                "no listener stores every Transfer of {} (one with erc20:Transfer on it and no condition would)",
                state.token
            )));
        };
        if !state.complete {
            return Err(partial(format!(
                "the history of {} is partial since block {}: set from_block = 0 on the listener that watches its transfers to complete it",
                state.token,
                state.complete_from_block.unwrap_or_default()
            )));
        }
        if state.updating {
            return Err(partial(format!(
                "the holders of {} are being brought up to date: a backfill of network \"{network}\" stored transfers that are added when it ends (or when Tokenwatch next opens the database, if it was stopped first)",
                state.token
            )));
        }
        let at = block.unwrap_or(covered);
        if at > covered {
            return Err(partial(format!(
                "{} is synced to block {covered}, not yet to block {at}",
                state.token
            )));
        }
        let network_id = self.network_id_of(network)?.ok_or_else(unknown)?;
        let mut balances = self.current_balances(network_id, token)?;
        self.take_back_after(network_id, token, at, &mut balances)?;
        let mut holders: Vec<(Address, I256)> = balances
            .into_iter()
            .filter(|(_, b)| b.is_positive())
            .collect();
        holders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(Register {
            state,
            block: at,
            holders,
        })
    }

    fn network_id_of(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM networks WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }

    fn current_balances(
        &self,
        network_id: i64,
        token: Address,
    ) -> Result<std::collections::HashMap<Address, I256>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT holder, balance FROM balances WHERE network_id = ?1 AND token = ?2",
        )?;
        let mut rows = stmt.query(params![network_id, token.as_slice()])?;
        let mut out = std::collections::HashMap::new();
        while let Some(r) = rows.next()? {
            let holder = Address::try_from(r.get_ref(0)?.as_blob()?).unwrap_or_default();
            out.insert(holder, signed(r.get_ref(1)?.as_blob()?));
        }
        Ok(out)
    }

    /// Undoes, in `balances`, the token's stored transfers after block `at`.
    fn take_back_after(
        &self,
        network_id: i64,
        token: Address,
        at: u64,
        balances: &mut std::collections::HashMap<Address, I256>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT topics, data FROM events
              WHERE network_id = ?1 AND block_number > ?2 AND contract = ?3 AND status != 2",
        )?;
        let mut rows = stmt.query(params![network_id, at as i64, token.as_slice()])?;
        while let Some(r) = rows.next()? {
            let Some(t) = Transfer::read(r.get_ref(0)?.as_blob()?, r.get_ref(1)?.as_blob()?) else {
                continue;
            };
            let v = I256::from_raw(t.value);
            if t.from != Address::ZERO {
                let b = balances.entry(t.from).or_default();
                *b = b.wrapping_add(v);
            }
            if t.to != Address::ZERO {
                let b = balances.entry(t.to).or_default();
                *b = b.wrapping_sub(v);
            }
        }
        Ok(())
    }

    /// The newest block of `network` whose time is at or before `time` (seconds since the
    /// epoch), among blocks with stored events: times grow with block numbers, so a binary
    /// search over the block index finds it.
    pub fn block_at_time(&self, network: &str, time: i64) -> Result<Option<u64>, StoreError> {
        let Some(id) = self.network_id_of(network)? else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT block_number, block_time FROM events
              WHERE network_id = ?1 AND block_number >= ?2 AND block_time IS NOT NULL
              ORDER BY block_number LIMIT 1",
        )?;
        let mut at = |from: i64| -> Result<Option<(i64, i64)>, StoreError> {
            Ok(stmt
                .query_row(params![id, from], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?)
        };
        let Some((first, t0)) = at(0)? else {
            return Ok(None);
        };
        if t0 > time {
            return Ok(None);
        }
        // `best` has a time at or before `time`; search (best, hi] for a later one.
        let (mut best, mut hi) = (first, i64::MAX / 2);
        while best < hi {
            let mid = best + (hi - best + 1) / 2;
            match at(mid)? {
                Some((b, t)) if t <= time => best = b,
                _ => hi = mid - 1,
            }
        }
        Ok(Some(best as u64))
    }
}

/// One row of [`STATE`]: the network id, the token, and the state without coverage.
fn read_state(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Address, TokenState)> {
    let token = Address::try_from(r.get_ref(2)?.as_blob()?).unwrap_or_default();
    let (minted, burned) = (
        signed(r.get_ref(6)?.as_blob()?),
        signed(r.get_ref(7)?.as_blob()?),
    );
    let state = TokenState {
        network: r.get(0)?,
        chain_id: r.get::<_, i64>(1)? as u64,
        token: checksummed(token.as_slice()),
        symbol: r.get(3)?,
        decimals: r.get(4)?,
        holders: r.get::<_, i64>(5)?.max(0) as u64,
        supply: minted.wrapping_sub(burned).to_string(),
        minted: minted.to_string(),
        burned: burned.to_string(),
        transfers: r.get::<_, i64>(8)?.max(0) as u64,
        complete_from_block: None,
        covered_to_block: None,
        created_block: r.get::<_, Option<i64>>(9)?.map(|b| b as u64),
        complete: false,
        reconciled_block: r.get::<_, Option<i64>>(10)?.map(|b| b as u64),
        reconciliation: r
            .get::<_, Option<String>>(11)?
            .unwrap_or_else(|| "unchecked".into()),
        reconciliation_note: r.get(12)?,
        updating: r.get(14)?,
        registers_only: false,
    };
    Ok((r.get(13)?, token, state))
}
