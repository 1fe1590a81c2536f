//! How an event's amount is stored: a key that sorts like the number (History orders by it)
//! and holds only the significant bytes. Two hex digits count them (00 to 20), their lower-
//! case hex digits follow: a shorter key is a smaller number, and keys of one length compare
//! digit by digit. Zero is "00"; an 18-decimal token's 1,000 units is "093635c9adc5dea00000".
//! Keys are text so that SQLite sorts them with a plain `memcmp` when it builds the amount
//! index (for a blob it decodes both records at every comparison).

use alloy_primitives::U256;

/// The stored form of an amount.
pub(super) struct AmountKey {
    digits: [u8; 66],
    len: usize,
}

impl AmountKey {
    pub(super) fn new(amount: U256) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let word = amount.to_be_bytes::<32>();
        let significant = 32 - word.iter().take_while(|b| **b == 0).count();
        let mut digits = [0u8; 66];
        let bytes =
            std::iter::once(significant as u8).chain(word[32 - significant..].iter().copied());
        for (i, b) in bytes.enumerate() {
            digits[2 * i] = HEX[usize::from(b >> 4)];
            digits[2 * i + 1] = HEX[usize::from(b & 0x0f)];
        }
        Self {
            digits,
            len: 2 * (significant + 1),
        }
    }

    pub(super) fn as_str(&self) -> &str {
        // Hex digits only: always UTF-8.
        std::str::from_utf8(&self.digits[..self.len]).unwrap_or_default()
    }
}

/// The migration from amounts stored as 32-byte words (schema versions before 9) to keys,
/// in SQL: the hex digits left after the leading zeros give the number of significant
/// bytes. Only words are rewritten, so running it twice changes nothing. The index is
/// rebuilt once rather than updated row by row. Shipped as migration 9: never edit.
pub(super) const FROM_WORDS: &str = "
    DROP INDEX IF EXISTS events_amount;
    UPDATE events SET amount = lower(
        printf('%02x', (length(ltrim(hex(amount), '0')) + 1) / 2)
        || substr(hex(amount), 65 - 2 * ((length(ltrim(hex(amount), '0')) + 1) / 2))
    ) WHERE typeof(amount) = 'blob' AND length(amount) = 32;
    CREATE INDEX events_amount ON events(amount);";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(a: U256) -> String {
        AmountKey::new(a).as_str().to_string()
    }

    #[test]
    fn keys_hold_the_significant_bytes() {
        assert_eq!(key(U256::ZERO), "00");
        assert_eq!(key(U256::from(1)), "0101");
        assert_eq!(key(U256::from(0x1234)), "021234");
        assert_eq!(
            key(U256::from(10).pow(U256::from(21))),
            "093635c9adc5dea00000"
        );
        assert_eq!(key(U256::MAX), format!("20{}", "ff".repeat(32)));
    }

    #[test]
    fn the_migration_writes_the_same_keys() {
        let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
        conn.execute_batch("CREATE TABLE events (id INTEGER PRIMARY KEY, amount BLOB)")
            .expect("table");
        let values = [
            U256::ZERO,
            U256::from(1),
            U256::from(255),
            U256::from(256),
            U256::from(10).pow(U256::from(21)),
            U256::MAX - U256::from(1),
            U256::MAX,
        ];
        for v in values {
            conn.execute(
                "INSERT INTO events (amount) VALUES (?1)",
                [v.to_be_bytes::<32>().as_slice()],
            )
            .expect("insert");
        }
        conn.execute("INSERT INTO events (amount) VALUES (NULL)", [])
            .expect("null");
        conn.execute_batch(FROM_WORDS).expect("migration");
        // A second run (two connections migrating at once) leaves the keys alone.
        conn.execute_batch(FROM_WORDS).expect("migration again");
        let stored: Vec<Option<String>> = conn
            .prepare("SELECT amount FROM events ORDER BY id")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("select");
        let mut expected: Vec<Option<String>> = values.iter().map(|v| Some(key(*v))).collect();
        expected.push(None);
        assert_eq!(stored, expected);
    }

    proptest! {
        #[test]
        fn keys_sort_like_the_numbers(a: [u8; 32], b: [u8; 32], za in 0usize..33, zb in 0usize..33) {
            // Leading zeros of every length, so that keys of different lengths meet.
            let (mut a, mut b) = (a, b);
            a[..za].fill(0);
            b[..zb].fill(0);
            let (x, y) = (U256::from_be_bytes(a), U256::from_be_bytes(b));
            // SQLite's BINARY collation compares the bytes, as str's Ord does.
            prop_assert_eq!(key(x).cmp(&key(y)), x.cmp(&y));
        }
    }
}
