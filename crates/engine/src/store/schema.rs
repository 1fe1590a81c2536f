//! Versioned migrations of the SQLite schema, applied in order inside one transaction.

use std::sync::OnceLock;

use alloy_primitives::B256;
use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// The condition of the `events_mint_burn` partial index: an ERC-20 `Transfer` from or to
/// the zero address. A query repeats it word for word to use the index.
macro_rules! mint_or_burn {
    () => {
        "length(topics) = 96 AND substr(topics, 1, 32) = X'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef' AND (substr(topics, 45, 20) = X'0000000000000000000000000000000000000000' OR substr(topics, 77, 20) = X'0000000000000000000000000000000000000000')"
    };
}

/// The condition of the `events_compliance` partial index: the ERC-3643 events that set a
/// token's registers (`compliance`), by topic0.
macro_rules! compliance_events {
    () => {
        "substr(topics, 1, 32) IN (X'7fa523c84ab8d7fc5b72f08b9e46dbbf10c39e119a075b3e317002d14bc9f436', X'a065e63c631c86f1b9f66a4a2f63f2093bf1c2168d23290259dbd969e0222a45', X'9bed35cb62ad0dba04f9d5bfee4b5bc91443e77da8a65c4c84834c51bb08b0d6', X'f0c9129a94f30f1caaceb63e44b9811d0a3edf1d6c23757f346093af5553fed0', X'62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258', X'5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa', X'f68e73cec97f2d70aa641fb26e87a4383686e2efacb648f2165aeb02ac562ec5', X'ed9c8ad8d5a0a66898ea49d2956929c93ae2e8bd50281b2ed897c5d1a6737e0b')"
    };
}

/// The condition of the `events_registers` partial index: a token's `IdentityRegistryAdded`,
/// its identity registry's events (`identities`) and the ERC-1400 partition events
/// (`partitions`), by topic0.
macro_rules! register_events {
    () => {
        "substr(topics, 1, 32) IN (X'd2be862d755bca7e0d39772b2cab3a5578da9c285f69199f4c063c2294a7f36c', X'6ae73635c50d24a45af6fbd5e016ac4bed179addbc8bf24e04ff0fcc6d33af19', X'59d6590e225b81befe259af056324092801080acbb7feab310eb34678871f327', X'e98082932c8056a0f514da9104e4a66bc2cbaef102ad59d90c4b24220ebf6010', X'04ed3b726495c2dca1ff1215d9ca54e1a4030abb5e82b0f6ce55702416cee853', X'ff4e9a26af4eb73b8bacfaa4abd4fea03d9448e7b912dc5ff4019048875aa2d4', X'f0ded82afbb1bb3ff3fc48cb2a26584aa84e4af0bf309c804ecdb94d0f6a98bb', X'ce306c3dbc4a497124b5a4f2be8388b41084c1d74663da27ecee1186c00239bf', X'67c8ba31d2dd11f1384577b3405b04ed91eed1231e408432ad2458cab37b2fa1')"
    };
}

/// What a token's registers read a stored event as: `events.role`, set when it is stored
/// (schema 18). The partial index on it costs an insert a comparison; the ones on the
/// topics it replaced cost more than the rest of the row.
pub(super) const ROLE_MINT_OR_BURN: i64 = 1;
/// An ERC-3643 event that sets a token's registers (`compliance`).
pub(super) const ROLE_COMPLIANCE: i64 = 2;
/// An identity registry's event, `IdentityRegistryAdded` or an ERC-1400 partition event.
pub(super) const ROLE_REGISTER: i64 = 3;

/// The role of an event with these topics: the conditions of the old partial indexes
/// (the macros above), read in Rust.
pub(super) fn role_of(topics: &[B256]) -> Option<i64> {
    static SETS: OnceLock<[(i64, Vec<B256>); 2]> = OnceLock::new();
    let t0 = topics.first()?;
    if *t0 == crate::model::ERC20_TRANSFER {
        let zero = |t: &B256| t[12..] == [0u8; 20];
        let [_, from, to] = topics else {
            return None;
        };
        return (zero(from) || zero(to)).then_some(ROLE_MINT_OR_BURN);
    }
    let sets = SETS.get_or_init(|| {
        [
            (ROLE_COMPLIANCE, topics_in(compliance_events!())),
            (ROLE_REGISTER, topics_in(register_events!())),
        ]
    });
    sets.iter()
        .find(|(_, set)| set.contains(t0))
        .map(|(role, _)| *role)
}

/// The `X'…'` topics a condition lists.
fn topics_in(condition: &str) -> Vec<B256> {
    condition
        .split("X'")
        .skip(1)
        .filter_map(|s| s.get(..64)?.parse().ok())
        .collect()
}

/// The register events of contract `?2` on network `?1`, not removed, in chain order (the
/// identity and partition registers read them).
pub(super) const REGISTER_ROWS: &str =
    "SELECT id, block_number, block_time, tx_hash, topics, data FROM events INDEXED BY events_role
      WHERE network_id = ?1 AND contract = ?2 AND role = ?3 AND status <> 2
      ORDER BY block_number, log_index";

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a shipped entry;
/// append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: networks, listeners, events (one row per log), matches, coverage, block cache.
    "
    CREATE TABLE networks (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE,
        chain_id  INTEGER NOT NULL
    );
    CREATE TABLE listeners (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        network_id  INTEGER NOT NULL REFERENCES networks(id),
        spec_hash   TEXT NOT NULL,
        from_block  INTEGER NOT NULL,
        created_head INTEGER,
        undecodable INTEGER NOT NULL DEFAULT 0
    );
    -- One row per log, whoever matched it. The unique key appends in block order, so a
    -- backfill writes the index sequentially. (block_hash, log_index) fixes the tx.
    CREATE TABLE events (
        id           INTEGER PRIMARY KEY,
        network_id   INTEGER NOT NULL REFERENCES networks(id),
        block_number INTEGER NOT NULL,
        log_index    INTEGER NOT NULL,
        block_hash   BLOB NOT NULL,
        block_time   INTEGER,
        tx_hash      BLOB NOT NULL,
        contract     BLOB NOT NULL,
        topic0       BLOB,
        event        TEXT NOT NULL,
        signature    TEXT NOT NULL,
        args         TEXT NOT NULL,
        topics       BLOB NOT NULL,
        data         BLOB NOT NULL,
        status       INTEGER NOT NULL,
        -- First unsigned amount argument, 32 bytes big-endian: sorts like the number.
        amount       BLOB,
        UNIQUE (network_id, block_number, log_index, block_hash)
    );
    CREATE INDEX events_status ON events(network_id, status, block_number);
    CREATE INDEX events_tx ON events(tx_hash);
    CREATE TABLE matches (
        listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
        event_id    INTEGER NOT NULL REFERENCES events(id),
        PRIMARY KEY (listener_id, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX matches_event ON matches(event_id);
    -- Block ranges each listener has fully processed (merged, non-overlapping).
    CREATE TABLE coverage (
        listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
        start_block INTEGER NOT NULL,
        end_block   INTEGER NOT NULL,
        PRIMARY KEY (listener_id, start_block)
    ) WITHOUT ROWID;
    -- Recent canonical headers (reorg detection) and timestamps of blocks with events.
    CREATE TABLE blocks (
        network_id  INTEGER NOT NULL REFERENCES networks(id),
        number      INTEGER NOT NULL,
        hash        BLOB NOT NULL,
        parent_hash BLOB NOT NULL,
        time        INTEGER NOT NULL,
        PRIMARY KEY (network_id, number)
    ) WITHOUT ROWID;
    ",
    // 2: argument names in ABI order (JSON objects do not keep order), for CSV columns
    // and display.
    "ALTER TABLE events ADD COLUMN arg_names TEXT NOT NULL DEFAULT '[]';",
    // 3: the delivery outbox. Deliveries are written in the transaction that stores or
    // removes their event, and sent from here until delivered or parked.
    "
    -- Which delivery targets a listener feeds. `history`: also events of its first backfill.
    CREATE TABLE routes (
        listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
        target      TEXT NOT NULL,
        history     INTEGER NOT NULL,
        PRIMARY KEY (listener_id, target)
    ) WITHOUT ROWID;
    -- One message to one target. `status` is the event status it announces (2: a
    -- retraction); `state` 0 queued, 1 delivered, 2 parked.
    CREATE TABLE deliveries (
        id          INTEGER PRIMARY KEY,
        target      TEXT NOT NULL,
        listener_id INTEGER NOT NULL,
        event_id    INTEGER NOT NULL REFERENCES events(id),
        status      INTEGER NOT NULL,
        state       INTEGER NOT NULL DEFAULT 0,
        attempts    INTEGER NOT NULL DEFAULT 0,
        next_at     INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL,
        done_at     INTEGER,
        last_error  TEXT
    );
    CREATE INDEX deliveries_queue ON deliveries(target, state, listener_id, id);
    CREATE INDEX deliveries_event ON deliveries(event_id);
    -- Every attempt: when, outcome, HTTP status, latency, error.
    CREATE TABLE delivery_attempts (
        id          INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
        at          INTEGER NOT NULL,
        ok          INTEGER NOT NULL,
        code        INTEGER,
        latency_ms  INTEGER NOT NULL,
        error       TEXT
    );
    CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id);
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    ",
    // 4: token facts (decimals, symbol) of contracts, to show amounts in token units.
    "
    CREATE TABLE tokens (
        network_id INTEGER NOT NULL REFERENCES networks(id),
        address    BLOB NOT NULL,
        decimals   INTEGER,
        symbol     TEXT,
        PRIMARY KEY (network_id, address)
    ) WITHOUT ROWID;
    ",
    // 5: History sorts by amount (largest transfers first) without reading every event.
    "CREATE INDEX events_amount ON events(amount);",
    "
    -- When an event was stored and with which status (milliseconds since the epoch).
    ALTER TABLE events ADD COLUMN stored_at INTEGER;
    ALTER TABLE events ADD COLUMN stored_status INTEGER;
    -- Each later change of an event's status: confirmed, removed by a reorg, back after one.
    -- In the order they happened (ids grow), whatever the clock says.
    CREATE TABLE status_changes (
        id       INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        at       INTEGER NOT NULL,
        status   INTEGER NOT NULL
    );
    CREATE INDEX status_changes_event ON status_changes(event_id);
    ",
    "
    -- Nothing looks events up by transaction, and on a real chain every insert into this
    -- index lands at a random place. (`topic0` is no longer written either: topics has it.)
    DROP INDEX events_tx;
    ",
    "
    -- Each event definition once: its JSON ABI item (names, types, indexed; the argument
    -- names come from it), name and canonical signature. Events stored from now on refer
    -- to it with `kind` and keep only their raw topics and data; their arguments are
    -- decoded when read. Older rows keep their `event`, `signature`, `args` and
    -- `arg_names` text (kind NULL).
    CREATE TABLE event_kinds (
        id        INTEGER PRIMARY KEY,
        abi       TEXT NOT NULL UNIQUE,
        name      TEXT NOT NULL,
        signature TEXT NOT NULL
    );
    ALTER TABLE events ADD COLUMN kind INTEGER;
    -- Only pending events are looked up by status (to confirm them); a backfill stores
    -- confirmed ones, which no longer go into this index.
    DROP INDEX events_status;
    CREATE INDEX events_pending ON events(network_id, block_number) WHERE status = 0;
    ",
    // 9: amounts as short text keys that sort like the numbers (`amount`), not the 32-byte
    // words migration 1 describes.
    super::amount::FROM_WORDS,
    // 10: `state` 4 is *held*: queued behind a message of its lane parked after its
    // attempts. Those lanes are looked up by this small index.
    "CREATE INDEX IF NOT EXISTS deliveries_parked ON deliveries(target, listener_id) WHERE state = 2 AND attempts > 0;",
    // 11: one row per log with its listeners. An event names the first listener that
    // matched it (`listener_id`); only the others get a row, in `also_matched`. An event
    // no listener holds any more (its listeners were redefined) has none.
    "
    ALTER TABLE events ADD COLUMN listener_id INTEGER;
    UPDATE events SET listener_id = (SELECT min(m.listener_id) FROM matches m WHERE m.event_id = events.id);
    DELETE FROM matches
     WHERE listener_id = (SELECT e.listener_id FROM events e WHERE e.id = matches.event_id);
    ALTER TABLE matches RENAME TO also_matched;
    DROP INDEX matches_event;
    CREATE INDEX also_matched_event ON also_matched(event_id);
    CREATE INDEX events_listener ON events(listener_id);
    ",
    // 12: token state derived from the stored ERC-20 transfers (see `holdings`): balances
    // as 32-byte two's complement words (a partial history can take one below zero),
    // totals per token. Built from the events already stored when a writer first opens.
    "
    CREATE TABLE balances (
        network_id INTEGER NOT NULL,
        token      BLOB NOT NULL,
        holder     BLOB NOT NULL,
        balance    BLOB NOT NULL,
        PRIMARY KEY (network_id, token, holder)
    ) WITHOUT ROWID;
    CREATE TABLE token_totals (
        network_id  INTEGER NOT NULL,
        token       BLOB NOT NULL,
        minted      BLOB NOT NULL,
        burned      BLOB NOT NULL,
        holders     INTEGER NOT NULL,
        transfers   INTEGER NOT NULL,
        first_block INTEGER,
        -- The block the contract was created in, when looked up.
        created_block INTEGER,
        -- The last check against the chain: at which block, `ok` or `mismatch`, and why.
        reconciled_block INTEGER,
        reconciliation   TEXT,
        reconciliation_note TEXT,
        PRIMARY KEY (network_id, token)
    ) WITHOUT ROWID;
    -- Listeners that store every ERC-20 Transfer of a contract (an empty blob: of any):
    -- their coverage tells from which block a token's state is complete.
    CREATE TABLE whole_transfers (
        listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
        contract    BLOB NOT NULL,
        PRIMARY KEY (listener_id, contract)
    ) WITHOUT ROWID;
    ",
    // 13: the address book (a label per address; network '' for all networks; the zero
    // address is "mint / burn" until changed), and the tokens' mints and burns in their own
    // small index (supply over time reads them without scanning the network's events).
    concat!(
        "
    CREATE TABLE IF NOT EXISTS labels (
        network TEXT NOT NULL,
        address BLOB NOT NULL,
        label   TEXT NOT NULL,
        PRIMARY KEY (network, address)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO labels (network, address, label)
         VALUES ('', X'0000000000000000000000000000000000000000', 'mint / burn');
    CREATE INDEX IF NOT EXISTS events_mint_burn ON events(network_id, contract, block_number) WHERE ",
        mint_or_burn!(),
        ";"
    ),
    // 14: a token's ERC-3643 register events (frozen wallets and amounts, agents, pauses,
    // recoveries) in their own small index, read in order by `compliance`.
    concat!(
        "CREATE INDEX IF NOT EXISTS events_compliance ON events(network_id, contract, block_number, log_index) WHERE ",
        compliance_events!(),
        ";"
    ),
    // 15: the identity registry's events, the token's `IdentityRegistryAdded` and the ERC-1400
    // partition events in their own small index, read in order by `identities`/`partitions`.
    concat!(
        "CREATE INDEX IF NOT EXISTS events_registers ON events(network_id, contract, block_number, log_index) WHERE ",
        register_events!(),
        ";"
    ),
    // 16: team mode. A stream a publisher feeds remembers the last event and status
    // change it published; a subscription the next stream offset it reads (committed with
    // what it brought); networks and listeners a subscription brought name it.
    "
    CREATE TABLE stream_cursors (
        name      TEXT PRIMARY KEY,
        event_id  INTEGER NOT NULL,
        change_id INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE subscriptions (
        name        TEXT PRIMARY KEY,
        stream      TEXT NOT NULL,
        next_offset INTEGER NOT NULL DEFAULT 0,
        caught_up   INTEGER NOT NULL DEFAULT 0,
        messages    INTEGER NOT NULL DEFAULT 0,
        skipped     INTEGER NOT NULL DEFAULT 0,
        lacking     TEXT
    ) WITHOUT ROWID;
    ALTER TABLE networks ADD COLUMN subscription TEXT;
    ALTER TABLE listeners ADD COLUMN subscription TEXT;
    ",
    // 17: a token's `name()`, which History's contract filter takes as well as its symbol.
    "ALTER TABLE tokens ADD COLUMN name TEXT;",
    // 18: what a token's registers read an event as, in a column set on insert (see
    // `role_of`), indexed in place of the three partial indexes on the topics.
    concat!(
        "ALTER TABLE events ADD COLUMN role INTEGER;
        UPDATE events SET role = 1 WHERE ",
        mint_or_burn!(),
        ";
        UPDATE events SET role = 2 WHERE ",
        compliance_events!(),
        ";
        UPDATE events SET role = 3 WHERE ",
        register_events!(),
        ";
        DROP INDEX IF EXISTS events_mint_burn;
        DROP INDEX IF EXISTS events_compliance;
        DROP INDEX IF EXISTS events_registers;
        CREATE INDEX events_role ON events(network_id, contract, role, block_number, log_index)
         WHERE role IS NOT NULL;"
    ),
    // 19: a token whose state lacks transfers a deep backfill stored, from this event id on,
    // until they are folded in (see `fold`).
    "ALTER TABLE token_totals ADD COLUMN pending_from INTEGER;",
];

/// Brings the database to the newest schema version. The version is read inside the
/// write transaction, so that two connections opening the database at once migrate it once.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let target = MIGRATIONS.len() as i64;
    let version = |conn: &Connection| -> Result<i64, StoreError> {
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > target {
            return Err(StoreError::TooNew {
                found,
                supported: target,
            });
        }
        Ok(found)
    };
    // Up to date (every open but the first after an upgrade): no write lock taken.
    if version(conn)? == target {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = version(&tx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256};

    use super::super::tests::{commit, setup, transfer};
    use super::super::NewEvent;
    use super::*;

    #[test]
    fn an_events_role_is_what_the_topic_conditions_of_the_old_indexes_say() {
        let (_d, mut store, net, l) = setup();
        let compliance = topics_in(compliance_events!());
        let register = topics_in(register_events!());
        assert_eq!((compliance.len(), register.len()), (8, 9));
        let t = |block, from, to| transfer(block, from, to, 5, vec![l]);
        let mut events = vec![t(1, 0, 7), t(2, 7, 0), t(3, 7, 8), t(4, 0, 0)];
        // An ERC-721 mint (a fourth topic), and a sender whose address part is zero.
        let mut nft = t(5, 0, 7);
        nft.topics.push(B256::with_last_byte(1));
        let mut odd = t(6, 7, 8);
        odd.topics[1] = B256::with_last_byte(0);
        odd.topics[1].0[0] = 1;
        events.extend([nft, odd]);
        for (i, topic) in compliance.iter().chain(&register).enumerate() {
            let mut e = t(10 + i as u64, 7, 8);
            e.topics = vec![*topic, B256::with_last_byte(2)];
            events.push(e);
        }
        let mut other = t(40, 7, 8);
        other.topics[0] = B256::repeat_byte(0x42);
        events.push(NewEvent {
            contract: Address::repeat_byte(0x33),
            ..other
        });
        store
            .commit(&commit(net, (0, 50), vec![l], events))
            .expect("commit");
        let sql = concat!(
            "SELECT coalesce(role, 0), CASE WHEN ",
            mint_or_burn!(),
            " THEN 1 WHEN ",
            compliance_events!(),
            " THEN 2 WHEN ",
            register_events!(),
            " THEN 3 ELSE 0 END FROM events ORDER BY block_number"
        );
        let rows: Vec<(i64, i64)> = store
            .conn
            .prepare(sql)
            .expect("sql")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        let (stored, said): (Vec<i64>, Vec<i64>) = rows.into_iter().unzip();
        assert_eq!(stored, said);
        let count = |role| said.iter().filter(|r| **r == role).count();
        assert_eq!([count(1), count(2), count(3), count(0)], [4, 8, 9, 3]);
    }
}
