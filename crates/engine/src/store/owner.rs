//! Who holds the database: one thread owns the write connection and takes jobs from a
//! bounded channel (a full channel makes callers wait: back-pressure is explicit), and a
//! few read connections, opened once, serve everyone who only reads. Async code awaits
//! either; it never blocks a runtime thread on a lock while a large commit runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot, Semaphore};

use super::{Store, StoreError};

/// Jobs waiting for the writer at most; a caller beyond waits for room.
const QUEUE: usize = 16;
/// Read connections kept open.
const READERS: usize = 4;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// What the writer thread is asked.
enum Msg {
    Run(Job),
    /// Close the database after the jobs before this one; later jobs are refused.
    Close,
}

/// A handle to the writer thread; cheap to clone. The thread closes the database when
/// asked ([`Writer::close`]) or when the last handle is gone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Msg>,
}

/// The writer thread, to wait for the database to be closed.
pub struct WriterThread {
    thread: JoinHandle<()>,
    closed: std::sync::mpsc::Receiver<()>,
}

impl WriterThread {
    /// Waits until the database is closed (see [`Writer::close`]).
    pub fn join(self) {
        let _ = self.thread.join();
    }

    /// As [`WriterThread::join`], for at most `timeout`; false when it is still open.
    pub fn join_within(self, timeout: std::time::Duration) -> bool {
        let closed = !matches!(
            self.closed.recv_timeout(timeout),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        );
        if closed {
            let _ = self.thread.join();
        }
        closed
    }
}

impl Writer {
    /// Opens `path` for writing (refused while another process writes to it) and starts
    /// its thread.
    pub fn open(path: &Path) -> Result<(Writer, WriterThread), StoreError> {
        Self::start(Store::open(path)?)
    }

    /// Moves an open store onto a thread of its own.
    pub fn start(mut store: Store) -> Result<(Writer, WriterThread), StoreError> {
        let (jobs, mut rx) = mpsc::channel::<Msg>(QUEUE);
        let (closed_tx, closed) = std::sync::mpsc::channel();
        let path = store.path().to_path_buf();
        let thread = std::thread::Builder::new()
            .name("tokenwatch-writer".into())
            .spawn(move || {
                while let Some(Msg::Run(job)) = rx.blocking_recv() {
                    // A job that panics loses its answer (its caller is told), not the writer.
                    let run = std::panic::AssertUnwindSafe(|| job(&mut store));
                    if std::panic::catch_unwind(run).is_err() {
                        tracing::error!("a database job panicked; the writer goes on");
                    }
                }
                // Jobs sent after a close are refused: their callers are told it stopped.
                rx.close();
                drop(store);
                let _ = closed_tx.send(());
            })
            .map_err(|source| StoreError::Io { path, source })?;
        Ok((Writer { jobs }, WriterThread { thread, closed }))
    }

    /// Closes the database once the jobs sent before are done.
    pub async fn close(&self) {
        let _ = self.jobs.send(Msg::Close).await;
    }

    /// As [`Writer::close`], from code that cannot wait (a `Drop`).
    pub fn close_soon(&self) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.jobs.try_send(Msg::Close) {
            let jobs = self.jobs.clone();
            std::thread::spawn(move || {
                let _ = jobs.blocking_send(Msg::Close);
            });
        }
    }

    /// Runs `f` on the writer thread, after the jobs sent before it.
    pub async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = tx.send(f(store));
        });
        self.jobs.send(Msg::Run(job)).await.map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Queues `f` without waiting for it (for clean-ups in `Drop`); false when the queue
    /// is full or the writer is gone.
    pub fn spawn(&self, f: impl FnOnce(&mut Store) + Send + 'static) -> bool {
        self.jobs.try_send(Msg::Run(Box::new(f))).is_ok()
    }
}

fn stopped() -> StoreError {
    StoreError::WriterStopped("the database writer ended without an answer".into())
}

/// Read connections to one database, opened on first use and kept; cheap to clone.
#[derive(Clone)]
pub struct Readers {
    inner: Arc<Pool>,
}

struct Pool {
    path: PathBuf,
    /// Connections kept; `None` once closed (connections in use are closed after use).
    idle: Mutex<Option<Vec<Store>>>,
    permits: Semaphore,
}

impl Readers {
    pub fn new(path: &Path) -> Self {
        Self {
            inner: Arc::new(Pool {
                path: path.to_path_buf(),
                idle: Mutex::new(Some(Vec::new())),
                permits: Semaphore::new(READERS),
            }),
        }
    }

    /// Runs `f` with a read connection on a blocking thread.
    pub async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Store) -> Result<R, StoreError> + Send + 'static,
    {
        let _permit = self.inner.permits.acquire().await.map_err(|_| stopped())?;
        let pool = self.inner.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| StoreError::WriterStopped(format!("a read stopped: {e}")))?
    }

    /// Closes the kept connections (a writer closing last folds the log into the
    /// database); a read after this opens a connection for itself only.
    pub fn close(&self) {
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }

    /// Runs `f` with a read connection on this thread (for code that is not async).
    pub fn run_blocking<R>(
        &self,
        f: impl FnOnce(&Store) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.inner.with(f)
    }
}

impl Pool {
    fn with<R>(&self, f: impl FnOnce(&Store) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let kept = self
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
            .and_then(Vec::pop);
        let conn = match kept {
            Some(c) => c,
            None => Store::open_reader(&self.path)?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(idle) = idle.as_mut().filter(|v| v.len() < READERS) {
            idle.push(conn);
        }
        out
    }
}

/// The writer and the readers of one database, as the pipeline's stages get them.
#[derive(Clone)]
pub struct Db {
    pub writer: Writer,
    pub readers: Readers,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_order_a_panic_loses_only_its_answer_and_the_last_handle_closes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let (writer, thread) = Writer::open(&path).expect("open");
        let a = writer.run(|s| s.set_meta("k", "1").map(|()| 1));
        let b = writer.run(|s| s.set_meta("k", "2").map(|()| 2));
        assert_eq!((a.await.ok(), b.await.ok()), (Some(1), Some(2)));
        let lost = writer.run(|_| -> Result<(), StoreError> { panic!("a bug") });
        assert!(matches!(lost.await, Err(StoreError::WriterStopped(_))));
        let readers = Readers::new(&path);
        let read = readers.run(|s| s.meta("k")).await.expect("read");
        assert_eq!(
            read.as_deref(),
            Some("2"),
            "the writer went on after the panic"
        );
        // Another writer is refused while this one holds the database...
        assert!(matches!(Store::open(&path), Err(StoreError::Locked { .. })));
        writer.close().await;
        assert!(matches!(
            writer.run(|_| Ok(())).await,
            Err(StoreError::WriterStopped(_))
        ));
        thread.join();
        // ...and welcome once the last handle is gone and the thread has closed it.
        assert!(Store::open(&path).is_ok());
    }

    #[tokio::test]
    async fn readers_are_opened_once_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let (writer, _thread) = Writer::open(&path).expect("open");
        writer.run(|s| s.set_meta("k", "v")).await.expect("write");
        let readers = Readers::new(&path);
        let reads = (0..3 * READERS).map(|_| readers.run(|s| s.meta("k")));
        for r in futures_util::future::join_all(reads).await {
            assert_eq!(r.expect("read").as_deref(), Some("v"));
        }
        let kept = readers
            .inner
            .idle
            .lock()
            .ok()
            .and_then(|v| v.as_ref().map(Vec::len))
            .unwrap_or(0);
        assert!((1..=READERS).contains(&kept), "{kept} connections kept");
    }
}
