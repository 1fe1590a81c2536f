//! SQLite storage: events, which listener matched them, what each listener has covered,
//! and recent block headers. Events and the coverage that describes them commit in one
//! transaction, so a crash at any moment leaves a consistent database.

mod access;
mod amount;
mod append;
mod blocks;
mod bulk;
mod checkpoint;
mod commit;
mod compliance;
mod coverage;
mod delivery_list;
mod detail;
mod filter;
mod filter_values;
mod fold;
mod history;
mod hold;
mod holder_series;
mod holdings;
mod identities;
mod journal;
mod kinds;
mod label_csv;
mod labels;
mod mirror;
mod outbox;
mod owner;
mod partitions;
mod query;
mod reader;
mod register_row;
mod registry;
mod schema;
mod token_state;
mod token_view;

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

pub use access::OutboxStore;
pub use blocks::BlockRecord;
pub use bulk::SMALL_DATABASE;
pub use commit::{now_ms, Commit, Committed, NewEvent, TokenInfo};
pub use compliance::{ComplianceRegisters, RegisterChange, RegisterEntry, RegisterKind};
pub use delivery_list::{AttemptRow, DeliveryCounts, DeliveryRow};
pub use detail::{Announcement, EventDetail, StatusChange};
pub use filter::{Direction, EventFilter};
pub use history::{Dashboard, HistoryIndex, HistorySort, ListenerSeries, TopEntry};
pub use hold::OnPark;
pub use holder_series::{HolderPoint, HolderSeries};
pub use holdings::Transfer;
pub use journal::{JournalChange, JournalCursor, JournalEvent, ListenerState, TokenBirth};
pub use label_csv::{read_labels_csv, LabelRow, LABEL_COLUMNS};
pub use labels::{check_label, AddressLabel, MAX_LABEL};
pub use mirror::{
    MirrorBatch, MirrorChange, MirrorEvent, MirrorItem, MirrorListener, MirrorToken, Mirrored,
    SubscriptionState,
};
pub use outbox::{AttemptRecord, DeliveryState, Lane, NextStep, Queued};
pub use owner::{Db, Readers, Writer, WriterThread};
pub use partitions::{partition_name, PARTITION_HISTORY};
pub use query::ArgColumns;
pub(crate) use query::{push_checksummed, RawArgs, RawRow, SEPARATOR};
pub use reader::AppReader;
pub use registry::ListenerRecord;
pub use token_state::{Register, RegisterError, TokenCheck, TokenState};
pub use token_view::{
    AddressHistory, BalancePoint, HolderRow, RegisterPage, SupplyPoint, SupplySeries,
};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database {path} is in use by another Tokenwatch process; stop it first or use another --db"
    )]
    Locked { path: PathBuf },
    #[error("the database was written by a newer Tokenwatch (schema {found}, this one knows {supported})")]
    TooNew { found: i64, supported: i64 },
    /// A reader's callback asked to stop (export cancelled or failed to write).
    #[error("the read was stopped")]
    Stopped,
    #[error("invalid filter: {0}")]
    BadFilter(String),
    /// An address book entry or import refused (a control character, a bad row).
    #[error("{0}")]
    BadLabel(String),
    /// A subscription brought a network or listener whose name is taken here.
    #[error("{0}")]
    NameTaken(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The thread writing a commit ended without an answer (it panicked).
    #[error("the database writer stopped: {0}")]
    WriterStopped(String),
}

impl StoreError {
    /// Whether the database file given is the problem (no such path, not a database, in
    /// use, from a newer version), rather than something failing while working.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::Io { .. } | Self::Locked { .. } | Self::TooNew { .. } => true,
            Self::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::CannotOpen)
            ),
            _ => false,
        }
    }
}

impl StoreError {
    /// Whether the disk (or the database's size limit) is full: waiting for space helps.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Self::Sqlite(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            Self::Io { source, .. } => source.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        Self::Sqlite(e.into())
    }
}

/// An open database. Writers hold the lock file for their lifetime; readers do not.
pub struct Store {
    /// A writer's checkpoints (declared first: it stops before the writer closes, and the
    /// writer's close copies what is left).
    checkpointer: Option<checkpoint::Checkpointer>,
    conn: Connection,
    path: PathBuf,
    _lock: Option<File>,
    /// Networks bulk loading (see `bulk`).
    bulk: std::collections::HashSet<i64>,
    /// Networks backfilling far behind their head, and the transfers they stored that wait
    /// to be folded into the token state (see `fold`).
    deferring: std::collections::HashSet<i64>,
    pending: Option<fold::Pending>,
}

impl Store {
    /// Opens (creating if needed) the database for writing. Refuses when another process
    /// already writes to it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let lock = take_lock(path)?;
        create_private_file(path)?;
        let mut store = Self::open_conn(path)?;
        schema::migrate(&mut store.conn)?;
        holdings::build_once(&mut store.conn)?;
        fold::recover(&mut store.conn)?;
        // The writer's inserts walk the indexes' tails: keep them cached (a bounded 64 MiB)
        // instead of reading pages back from the file. The log is copied into the database
        // by the checkpointer; the writer does it itself only past ~160 MiB of log.
        store.conn.pragma_update(None, "cache_size", -65_536)?;
        store
            .conn
            .pragma_update(None, "wal_autocheckpoint", 10_000)?;
        store.checkpointer = Some(checkpoint::Checkpointer::start(path)?);
        store._lock = Some(lock);
        Ok(store)
    }

    /// Opens an existing database for reading alongside a writer (export, the app's queries).
    pub fn open_reader(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        let mut store = Self::open_conn(path)?;
        schema::migrate(&mut store.conn)?;
        holdings::build_once(&mut store.conn)?;
        // Readers scan large ranges (history, export): map the file instead of copying pages.
        store.conn.pragma_update(None, "mmap_size", 1i64 << 32)?;
        Ok(store)
    }

    fn open_conn(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // New databases only (an existing one keeps its page size): fewer, fuller pages
        // make the writer's appends and the readers' scans cheaper.
        conn.pragma_update(None, "page_size", 16_384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.create_scalar_function(
            "tw_has_word",
            3,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let blob = |i: usize| -> rusqlite::Result<&[u8]> {
                    Ok(ctx.get_raw(i).as_blob_or_null()?.unwrap_or_default())
                };
                Ok(filter::has_word(blob(0)?, blob(1)?, blob(2)?))
            },
        )?;
        conn.create_scalar_function(
            "tw_amount_key",
            3,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let units = ctx.get_raw(0).as_str_or_null()?.unwrap_or_default();
                let decimals = ctx.get_raw(1).as_i64_or_null()?;
                Ok(filter_values::amount_key(
                    units,
                    decimals,
                    ctx.get::<bool>(2)?,
                ))
            },
        )?;
        Ok(Self {
            checkpointer: None,
            conn,
            path: path.to_path_buf(),
            _lock: None,
            bulk: Default::default(),
            deferring: Default::default(),
            pending: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A new database starts as an empty file readable by its owner only; SQLite gives its
/// `-wal` and `-shm` files the same mode.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    match crate::files::private_options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn take_lock(path: &Path) -> Result<File, StoreError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let file = crate::files::private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| StoreError::Io {
            path: lock_path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked {
            path: path.to_path_buf(),
        }),
        Err(TryLockError::Error(source)) => Err(StoreError::Io {
            path: lock_path,
            source,
        }),
    }
}

#[cfg(test)]
mod filter_tests;
#[cfg(test)]
mod fold_tests;
#[cfg(test)]
mod hold_tests;
#[cfg(test)]
mod tests;
