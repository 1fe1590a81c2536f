//! Values no chain can hold, refused as bad answers before anything is stored: a log
//! position past any block's size, a time after the year 9999, a height SQLite cannot keep.

use super::types::{RpcHeader, RpcLog};

/// 9999-12-31T23:59:59Z: the last second a date column can show.
pub const MAX_TIMESTAMP: u64 = 253_402_300_799;
/// Far more logs than any block's gas can pay for.
const MAX_LOG_INDEX: u64 = u32::MAX as u64;
/// Heights are stored as SQLite integers.
const MAX_HEIGHT: u64 = i64::MAX as u64;

/// An impossible field: its name and what is wrong with it.
pub type Implausible = (&'static str, String);

/// Checks every log of an `eth_getLogs` answer.
pub fn logs(logs: &[RpcLog]) -> Result<(), Implausible> {
    for l in logs {
        let block = l.block_number.map_or(0, |b| b.to::<u64>());
        if block > MAX_HEIGHT {
            return Err(("blockNumber", format!("{block:#x} is not a block height")));
        }
        if let Some(i) = l.log_index.map(|i| i.to::<u64>()) {
            if i > MAX_LOG_INDEX {
                return Err((
                    "logIndex",
                    format!("{i:#x} (block {block}) is not a position in a block"),
                ));
            }
        }
        if let Some(t) = l.block_timestamp.map(|t| t.to::<u64>()) {
            time("blockTimestamp", t, block)?;
        }
    }
    Ok(())
}

/// Checks a header (none: the node does not have the block, which is an answer).
pub fn header(h: &Option<RpcHeader>) -> Result<(), Implausible> {
    let Some(h) = h else { return Ok(()) };
    let number: u64 = h.number.to();
    if number > MAX_HEIGHT {
        return Err(("number", format!("{number:#x} is not a block height")));
    }
    time("timestamp", h.timestamp.to(), number)
}

fn time(field: &'static str, t: u64, block: u64) -> Result<(), Implausible> {
    if t > MAX_TIMESTAMP {
        return Err((
            field,
            format!("{t:#x} (block {block}) is after the year 9999"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, Bytes, B256, U64};

    fn log(index: u64, time: Option<u64>) -> RpcLog {
        RpcLog {
            address: Address::ZERO,
            topics: vec![],
            data: Bytes::new(),
            block_number: Some(U64::from(7)),
            block_hash: Some(B256::ZERO),
            transaction_hash: Some(B256::ZERO),
            log_index: Some(U64::from(index)),
            removed: false,
            block_timestamp: time.map(U64::from),
        }
    }

    #[test]
    fn impossible_positions_and_times_are_named() {
        assert!(logs(&[log(3, Some(1_700_000_000))]).is_ok());
        let (field, why) = logs(&[log(u64::MAX, None)]).expect_err("index");
        assert_eq!(field, "logIndex");
        assert!(why.contains("0xffffffffffffffff"), "{why}");
        let (field, _) = logs(&[log(0, Some(u64::MAX))]).expect_err("time");
        assert_eq!(field, "blockTimestamp");
        let h = RpcHeader {
            number: U64::from(9),
            hash: B256::ZERO,
            parent_hash: B256::ZERO,
            timestamp: U64::from(MAX_TIMESTAMP + 1),
        };
        assert_eq!(header(&Some(h)).map_err(|e| e.0), Err("timestamp"));
        assert!(header(&None).is_ok());
    }
}
