//! Answer bodies read into reused buffers. A backfill reads megabytes per `eth_getLogs`
//! answer; a fresh buffer for each costs a page fault per 4 KiB and, past glibc's mmap
//! threshold, an mmap and munmap. The parsed logs own their data, so a body's buffer can
//! serve the next answer.

use std::ops::Deref;
use std::sync::Mutex;

/// Buffers kept for reuse: one per request in flight.
const KEPT: usize = 4;
/// A buffer grown past this is freed, not kept (memory stays flat after a dense chain).
const KEPT_BYTES: usize = 8 << 20;

static POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// A whole answer body; its buffer goes back to the pool when dropped.
#[derive(Debug, Default)]
pub(super) struct Body(Vec<u8>);

impl Body {
    /// An empty body with room for `expected` bytes.
    pub(super) fn with_capacity(expected: usize) -> Self {
        let mut buf = POOL
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        buf.clear();
        buf.reserve(expected.min(KEPT_BYTES));
        Self(buf)
    }

    pub(super) fn extend(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

impl Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.0);
        if buf.capacity() == 0 || buf.capacity() > KEPT_BYTES {
            return;
        }
        if let Ok(mut pool) = POOL.lock() {
            if pool.len() < KEPT {
                pool.push(buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_holds_what_was_added_and_the_next_one_starts_empty() {
        let mut a = Body::with_capacity(1 << 16);
        a.extend(b"{\"result\":");
        a.extend(b"[]}");
        assert_eq!(&*a, b"{\"result\":[]}");
        drop(a);
        // The next body starts empty, whatever the last one held.
        assert!(Body::with_capacity(0).is_empty());
    }

    #[test]
    fn a_huge_buffer_is_not_kept() {
        let mut big = Body::with_capacity(0);
        big.extend(&vec![0u8; KEPT_BYTES + 1]);
        let cap = big.0.capacity();
        drop(big);
        let kept = POOL.lock().map(|p| p.iter().any(|b| b.capacity() == cap));
        assert_eq!(kept.ok(), Some(false));
    }
}
