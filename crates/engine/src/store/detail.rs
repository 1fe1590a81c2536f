//! One event in full for the detail view: the log as it came from the chain (topics and
//! data), the parameter types, every listener that matched it, its status history, and
//! what each delivery target was told about it and when.

use alloy_primitives::hex;
use serde::Serialize;
use ts_rs::TS;

use super::commit::status_from_code;
use super::{DeliveryState, Store, StoreError};
use crate::event::{EventStatus, StoredEvent};

/// A message about the event to one target: the status it announced and its fate.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Announcement {
    pub target: String,
    pub listener: String,
    pub status: EventStatus,
    /// `queued`, `delivered`, `parked`, `held` (behind a parked one) or `dropped`.
    pub state: String,
    #[ts(type = "number")]
    pub attempts: i64,
    /// When it was queued and when it was done, milliseconds since the epoch.
    #[ts(type = "number")]
    pub queued_ms: i64,
    #[ts(type = "number | null")]
    pub done_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// A status the event took, and when (milliseconds since the epoch; `null` for events
/// stored before these times were kept).
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StatusChange {
    pub status: EventStatus,
    #[ts(type = "number | null")]
    pub at_ms: Option<i64>,
}

/// Everything the detail view shows about one event.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EventDetail {
    pub event: StoredEvent,
    /// Solidity types of `event.argNames`, in the same order.
    pub arg_types: Vec<String>,
    /// The raw log: topics (topic0 first) and data, hex.
    pub topics: Vec<String>,
    pub data: String,
    /// Every listener that matched this log.
    pub listeners: Vec<String>,
    /// The status it was stored with, then each change, oldest first.
    pub status_history: Vec<StatusChange>,
    pub announcements: Vec<Announcement>,
    /// The network's block explorer base URL (from the configuration, set by the app).
    pub explorer: Option<String>,
}

impl Store {
    /// The event with this id in full, or `None`.
    pub fn event_detail(&self, id: i64) -> Result<Option<EventDetail>, StoreError> {
        let matched = self.events_by_ids(&[id])?;
        let Some(event) = matched.into_iter().next() else {
            return Ok(None);
        };
        let (topics, data, stored_at, stored_status): (Vec<u8>, Vec<u8>, Option<i64>, Option<i64>) =
            self.conn.query_row(
                "SELECT topics, data, stored_at, stored_status FROM events WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let status_history = self.status_history(id, &event, stored_at, stored_status)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.target, l.name, d.status, d.state, d.attempts, d.created_at, d.done_at, d.last_error
               FROM deliveries d JOIN listeners l ON l.id = d.listener_id
              WHERE d.event_id = ?1 ORDER BY d.id",
        )?;
        let mut rows = stmt.query([id])?;
        let mut announcements = Vec::new();
        while let Some(r) = rows.next()? {
            announcements.push(Announcement {
                target: r.get(0)?,
                listener: r.get(1)?,
                status: status_from_code(r.get(2)?)?,
                state: DeliveryState::from_code(r.get(3)?)?.as_str().to_string(),
                attempts: r.get(4)?,
                queued_ms: r.get(5)?,
                done_ms: r.get(6)?,
                last_error: r.get(7)?,
            });
        }
        Ok(Some(EventDetail {
            arg_types: param_types(&event.signature),
            topics: topics
                .chunks(32)
                .map(|t| format!("0x{}", hex::encode(t)))
                .collect(),
            data: format!("0x{}", hex::encode(data)),
            listeners: event.listeners.clone(),
            status_history,
            announcements,
            explorer: None,
            event,
        }))
    }
}

impl Store {
    /// The stored status, then each change. Events stored before schema 6 have no times:
    /// their history is their current status alone.
    fn status_history(
        &self,
        id: i64,
        event: &StoredEvent,
        stored_at: Option<i64>,
        stored_status: Option<i64>,
    ) -> Result<Vec<StatusChange>, StoreError> {
        let Some(first) = stored_status else {
            return Ok(vec![StatusChange {
                status: event.status,
                at_ms: None,
            }]);
        };
        let mut history = vec![StatusChange {
            status: status_from_code(first)?,
            at_ms: stored_at,
        }];
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, at FROM status_changes WHERE event_id = ?1 ORDER BY id",
        )?;
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            history.push(StatusChange {
                status: status_from_code(r.get(0)?)?,
                at_ms: Some(r.get(1)?),
            });
        }
        Ok(history)
    }
}

/// The top-level parameter types of a canonical signature: `T(address,(uint8,bytes)[])`
/// gives `address` and `(uint8,bytes)[]` (empty if it does not parse).
fn param_types(signature: &str) -> Vec<String> {
    crate::abi::spec_events(signature)
        .ok()
        .and_then(|events| events.into_iter().next())
        .map(|e| e.params.into_iter().map(|p| p.ty).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn types_split_at_the_top_level() {
        assert_eq!(
            super::param_types("Moved(address,(uint8,bytes)[],uint256)"),
            vec!["address", "(uint8,bytes)[]", "uint256"]
        );
        assert!(super::param_types("Ping()").is_empty());
    }
}
