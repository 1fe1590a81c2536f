//! The engine's outward side: a broadcast of notices (events committed, status changed)
//! and the status board the sync tasks keep up to date.

use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::event::StoredEvent;
use crate::status::{EngineStatus, ListenerPhase, ListenerStatus, NetworkStatus};

/// What the engine tells its users as it happens.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(tag = "kind", content = "data", rename_all = "camelCase")]
#[ts(export)]
pub enum Notice {
    /// An event was stored, or its status changed (confirmed, removed by a reorg).
    Event(StoredEvent),
    /// Something in the status board changed.
    Status(EngineStatus),
    /// A problem the user must know about (deep reorg, database full, ...).
    Alert(String),
}

/// Shared by the engine and its sync tasks.
pub struct Hub {
    tx: broadcast::Sender<Notice>,
    board: Mutex<EngineStatus>,
}

impl Hub {
    pub fn new(database: String) -> Arc<Self> {
        let (tx, _) = broadcast::channel(4096);
        Arc::new(Self {
            tx,
            board: Mutex::new(EngineStatus {
                running: true,
                database,
                ..EngineStatus::default()
            }),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }

    /// Whether anyone receives notices.
    pub fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub fn send(&self, notice: Notice) {
        // No receiver is fine: the store holds everything.
        let _ = self.tx.send(notice);
    }

    pub fn status(&self) -> EngineStatus {
        self.board().clone()
    }

    /// Changes the board and announces the new status, if anything changed.
    pub fn update(&self, f: impl FnOnce(&mut EngineStatus)) {
        let snapshot = {
            let mut b = self.board();
            let before = b.clone();
            f(&mut b);
            (*b != before).then(|| b.clone())
        };
        if let Some(s) = snapshot {
            self.send(Notice::Status(s));
        }
    }

    pub fn network(&self, name: &str, f: impl FnOnce(&mut NetworkStatus)) {
        self.update(|b| {
            if let Some(n) = b.networks.iter_mut().find(|n| n.name == name) {
                f(n);
            }
        });
    }

    pub fn listener(&self, name: &str, f: impl FnOnce(&mut ListenerStatus)) {
        self.update(|b| {
            if let Some(l) = b.listeners.iter_mut().find(|l| l.name == name) {
                f(l);
            }
        });
    }

    pub fn set_phase_all(&self, network: &str, phase: ListenerPhase) {
        self.update(|b| {
            for l in b.listeners.iter_mut().filter(|l| l.network == network) {
                if l.phase != ListenerPhase::Paused {
                    l.phase = phase.clone();
                }
            }
        });
    }

    fn board(&self) -> MutexGuard<'_, EngineStatus> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }
}
