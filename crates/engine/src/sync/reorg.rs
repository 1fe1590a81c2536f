//! Reorg detection by parent hash: walk back to the common ancestor, mark what was above
//! it removed, and let the next step store the new canonical blocks.

use super::{ChainStore, NetworkSync, SyncError};
use crate::hub::Notice;
use crate::model::Confirmations;
use crate::source::BlockTag;

impl<S: ChainStore> NetworkSync<S> {
    /// Compares the newest stored header (or, when the node's head is below it, the
    /// stored header at the node's head) with the node's block at that height. Returns
    /// true when a reorg was found and rolled back. A node whose head went back but whose
    /// block at its head matches ours is lagging, not reorged: we wait for it.
    pub(super) async fn detect_reorg(&self, head: u64) -> Result<bool, SyncError> {
        let id = self.network_id;
        let Some(latest) = self.store.latest_block(id).await? else {
            return Ok(false);
        };
        let at = latest.number.min(head);
        let Some(ours) = self.store.block(id, at).await? else {
            return Ok(false);
        };
        match self.source.header(BlockTag::Number(at)).await? {
            Some(h) if h.hash == ours.hash => return Ok(false),
            Some(_) => {}
            None => return Ok(false),
        }
        let ancestor = self.find_ancestor(at).await?;
        let depth = latest.number - ancestor;
        let removed = self.store.rollback_to(id, ancestor).await?;
        self.waker.wake();
        let limit = match self.spec.confirmations {
            Confirmations::Blocks(n) => Some(n),
            _ => None,
        };
        tracing::warn!(network = %self.spec.name, depth, ancestor, removed = removed.len(), "reorg");
        if limit.is_some_and(|n| depth > n) {
            let msg = format!(
                "Reorg of {depth} blocks on {} is deeper than the confirmation policy: events already marked confirmed above block {ancestor} were removed",
                self.spec.name
            );
            tracing::error!("{msg}");
            self.hub.send(Notice::Alert(msg));
        }
        self.announce(removed).await?;
        Ok(true)
    }

    /// The highest stored block whose hash the node still agrees with. Below the kept
    /// headers, the blocks of stored events are checked instead (blocks without events
    /// hold nothing to undo): a reorg of any depth is rolled back to where it began.
    async fn find_ancestor(&self, from: u64) -> Result<u64, SyncError> {
        let mut n = from;
        while n > 0 {
            n -= 1;
            let id = self.network_id;
            let stored = self.store.block(id, n).await?;
            let stored = match stored {
                Some(b) => b.hash,
                None => {
                    let below = self.store.event_block_at_or_below(id, n).await?;
                    let Some((number, hash)) = below else {
                        tracing::warn!(network = %self.spec.name, "reorg reaches below every stored event; re-reading from the start");
                        return Ok(0);
                    };
                    tracing::warn!(network = %self.spec.name, block = number, "reorg goes below the kept headers; checking the blocks of stored events");
                    n = number;
                    hash
                }
            };
            let node = self.source.header(BlockTag::Number(n)).await?;
            if node.is_some_and(|h| h.hash == stored) {
                return Ok(n);
            }
        }
        Ok(0)
    }
}
