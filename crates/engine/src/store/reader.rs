//! What the app reads, and nothing more: [`AppReader`]. The app's commands get the read
//! pool's connection through it, so a screen can only ask what this lists; a test of the
//! app's logic can answer it with a fake.

use alloy_primitives::Address;

use super::{
    AddressHistory, AddressLabel, AttemptRow, ComplianceRegisters, Dashboard, EventDetail,
    EventFilter, HistoryIndex, HistorySort, HolderRow, HolderSeries, Store, StoreError,
    SupplySeries, TokenState,
};
use crate::event::StoredEvent;

type Answer<T> = Result<T, StoreError>;

/// The app's queries: the feed, History, the dashboard, an event's detail, the delivery
/// attempts, the Tokens screen and the address book.
pub trait AppReader {
    fn recent_events(&self, limit: u32) -> Answer<Vec<StoredEvent>>;
    fn history_page(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        offset: u64,
        limit: u32,
    ) -> Answer<Vec<StoredEvent>>;
    fn history_page_from(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        anchor: i64,
        limit: u32,
    ) -> Answer<Vec<StoredEvent>>;
    fn history_index(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        every: u32,
    ) -> Answer<HistoryIndex>;
    fn dashboard(&self, window_secs: i64, bucket_secs: i64) -> Answer<Dashboard>;
    fn events_by_ids(&self, ids: &[i64]) -> Answer<Vec<StoredEvent>>;
    fn event_detail(&self, id: i64) -> Answer<Option<EventDetail>>;
    fn recent_attempts(&self, limit: u32) -> Answer<Vec<AttemptRow>>;
    /// The Tokens screen's list: tokens with transfers, then those with only registers.
    fn token_list(&self) -> Answer<Vec<TokenState>>;
    fn top_holders(&self, network: &str, token: Address, limit: u32) -> Answer<Vec<HolderRow>>;
    fn supply_series(&self, network: &str, token: Address, buckets: u32) -> Answer<SupplySeries>;
    fn holder_series(&self, network: &str, token: Address, buckets: u32) -> Answer<HolderSeries>;
    fn address_history(
        &self,
        network: &str,
        token: Address,
        address: Address,
    ) -> Answer<AddressHistory>;
    fn labels(&self) -> Answer<Vec<AddressLabel>>;
    fn compliance(&self, network: &str, token: Address) -> Answer<Option<ComplianceRegisters>>;
}

impl AppReader for Store {
    fn recent_events(&self, limit: u32) -> Answer<Vec<StoredEvent>> {
        Store::recent_events(self, limit)
    }
    fn history_page(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        offset: u64,
        limit: u32,
    ) -> Answer<Vec<StoredEvent>> {
        Store::history_page(self, filter, sort, offset, limit)
    }
    fn history_page_from(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        anchor: i64,
        limit: u32,
    ) -> Answer<Vec<StoredEvent>> {
        Store::history_page_from(self, filter, sort, anchor, limit)
    }
    fn history_index(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        every: u32,
    ) -> Answer<HistoryIndex> {
        Store::history_index(self, filter, sort, every)
    }
    fn dashboard(&self, window_secs: i64, bucket_secs: i64) -> Answer<Dashboard> {
        Store::dashboard(self, window_secs, bucket_secs)
    }
    fn events_by_ids(&self, ids: &[i64]) -> Answer<Vec<StoredEvent>> {
        Store::events_by_ids(self, ids)
    }
    fn event_detail(&self, id: i64) -> Answer<Option<EventDetail>> {
        Store::event_detail(self, id)
    }
    fn recent_attempts(&self, limit: u32) -> Answer<Vec<AttemptRow>> {
        Store::recent_attempts(self, limit)
    }
    fn token_list(&self) -> Answer<Vec<TokenState>> {
        Store::token_list(self)
    }

    fn top_holders(&self, network: &str, token: Address, limit: u32) -> Answer<Vec<HolderRow>> {
        Store::top_holders(self, network, token, limit)
    }
    fn supply_series(&self, network: &str, token: Address, buckets: u32) -> Answer<SupplySeries> {
        Store::supply_series(self, network, token, buckets)
    }
    fn holder_series(&self, network: &str, token: Address, buckets: u32) -> Answer<HolderSeries> {
        Store::holder_series(self, network, token, buckets)
    }
    fn address_history(
        &self,
        network: &str,
        token: Address,
        address: Address,
    ) -> Answer<AddressHistory> {
        Store::address_history(self, network, token, address)
    }
    fn labels(&self) -> Answer<Vec<AddressLabel>> {
        Store::labels(self)
    }
    fn compliance(&self, network: &str, token: Address) -> Answer<Option<ComplianceRegisters>> {
        Store::compliance(self, network, token)
    }
}
