//! A private anvil node per test: spawning it on a free loopback port, waiting until it answers,
//! stopping (with a state dump), restarting on the same port with the same chain, and killing it
//! on drop (also when the test panics; on Linux also when the test process dies).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};

use crate::paths::anvil_binary;
use crate::rpc::Rpc;

/// How long to wait for a fresh node to answer `eth_chainId`.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long [`Anvil::stop`] waits for the state dump before killing the node.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts to find a free port (another process may grab the one we picked).
const PORT_ATTEMPTS: usize = 5;
/// Lines of the anvil log shown in errors and on panic.
const LOG_TAIL_LINES: usize = 40;

/// How to start anvil. `Default` = automine, chain id 31337, a free port, fresh chain.
#[derive(Debug, Clone, Default)]
pub struct AnvilOptions {
    /// Interval mining every `block_time`; `None` = automine (one block per transaction).
    pub block_time: Option<Duration>,
    /// `--chain-id`; anvil's default is 31337.
    pub chain_id: Option<u64>,
    /// `--state` file: loaded at start if it exists, written on [`Anvil::stop`]. `None` = a file
    /// in the node's temporary directory (so [`Anvil::restart`] works either way).
    pub state_file: Option<PathBuf>,
    /// A fixed port (e.g. for the demo). `None` = a free port picked at start.
    pub port: Option<u16>,
    /// More anvil arguments, e.g. `["--gas-limit", "60000000"]`.
    pub extra_args: Vec<String>,
}

/// A running anvil node, killed when dropped. Derefs to [`Rpc`] for the JSON-RPC helpers
/// (`anvil.block_number()`, `anvil.deploy(..)`, ...).
pub struct Anvil {
    child: Option<Child>,
    port: u16,
    chain_id: u64,
    rpc: Rpc,
    dir: PathBuf,
    log_path: PathBuf,
    state_file: PathBuf,
    opts: AnvilOptions,
}

impl std::fmt::Debug for Anvil {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anvil")
            .field("url", &self.rpc.url())
            .field("pid", &self.pid())
            .field("log", &self.log_path)
            .finish()
    }
}

impl Anvil {
    /// Starts an automining node with default options.
    pub async fn start() -> Result<Self> {
        Self::start_with(AnvilOptions::default()).await
    }

    /// Starts a node with `opts`.
    pub async fn start_with(opts: AnvilOptions) -> Result<Self> {
        let dir = make_temp_dir()?;
        let state_file = opts
            .state_file
            .clone()
            .unwrap_or_else(|| dir.join("state.json"));
        let mut anvil = Self {
            child: None,
            port: 0,
            chain_id: 0,
            rpc: Rpc::new("http://127.0.0.1:0")?,
            log_path: dir.join("anvil.log"),
            dir,
            state_file,
            opts,
        };
        let attempts = if anvil.opts.port.is_some() {
            1
        } else {
            PORT_ATTEMPTS
        };
        let mut last_err = None;
        for _ in 0..attempts {
            let port = match anvil.opts.port {
                Some(port) => port,
                None => free_port()?,
            };
            match anvil.launch(port).await {
                Ok(()) => return Ok(anvil),
                Err(e) if e.is::<PortInUse>() => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("anvil did not start")))
    }

    /// HTTP JSON-RPC URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// WebSocket URL, `ws://127.0.0.1:PORT` (anvil serves both on one port).
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The chain id the node reported at start.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// A clone of the JSON-RPC client (outlives restarts: the port stays the same).
    pub fn client(&self) -> Rpc {
        self.rpc.clone()
    }

    /// The process id while the node runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process is still alive.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// The anvil log file (stdout and stderr of every run of this node).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the anvil log.
    pub fn log_tail(&self) -> String {
        read_tail(&self.log_path, 0, LOG_TAIL_LINES)
    }

    /// The `--state` file the chain is dumped to on [`stop`](Self::stop).
    pub fn state_file(&self) -> &Path {
        &self.state_file
    }

    /// Stops the node gracefully (SIGTERM), which makes anvil dump its state to
    /// [`state_file`](Self::state_file); waits for it to exit. No-op if not running.
    pub async fn stop(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        signal(&child, Signal::Term)?;
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("anvil did not exit within {STOP_TIMEOUT:?} of SIGTERM; killed it");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the node at once (SIGKILL): no state dump, like a crash. No-op if not running.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            if child.try_wait()?.is_none() {
                child.kill().context("killing anvil")?;
            }
            child.wait().context("waiting for anvil")?;
        }
        Ok(())
    }

    /// Stops the node (gracefully, if running) and starts it again on the same port with the
    /// same state file, so the chain comes back as it was dumped (see the crate docs for what
    /// anvil's state dump keeps). After [`kill`](Self::kill), the chain comes back as of the
    /// last graceful stop, or fresh if there was none.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await?;
        // The port was ours a moment ago; allow a short while for it to be free again.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.launch(self.port).await {
                Err(e) if e.is::<PortInUse>() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    /// Spawns anvil on `port` and waits until it answers.
    async fn launch(&mut self, port: u16) -> Result<()> {
        let bin = anvil_binary()?;
        let log_start = fs::metadata(&self.log_path).map(|m| m.len()).unwrap_or(0);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .with_context(|| format!("opening {}", self.log_path.display()))?;
        let mut cmd = Command::new(&bin);
        cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--state")
            .arg(&self.state_file)
            // The state is needed on graceful stop only (restart); anvil's periodic dump
            // (every 60 s by default) stalls RPC for seconds on big chains.
            .args(["--state-interval", "31536000"])
            .arg("--preserve-historical-states");
        if let Some(block_time) = self.opts.block_time {
            cmd.args(["--block-time", &block_time.as_secs_f64().to_string()]);
        }
        if let Some(chain_id) = self.opts.chain_id {
            cmd.args(["--chain-id", &chain_id.to_string()]);
        }
        cmd.args(&self.opts.extra_args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("duplicating log handle")?)
            .stderr(log);
        die_with_parent(&mut cmd);
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", bin.display()))?;
        self.child = Some(child);
        self.port = port;
        self.rpc = Rpc::new(self.url())?;
        match self.wait_ready(log_start).await {
            Ok(chain_id) => {
                self.chain_id = chain_id;
                Ok(())
            }
            Err(e) => {
                let _ = self.kill();
                Err(e)
            }
        }
    }

    /// Waits until our process logs that it listens and the port answers `eth_chainId`.
    /// Checking the log makes sure the answer does not come from another process on the port.
    async fn wait_ready(&mut self, log_start: u64) -> Result<u64> {
        let quiet = self
            .opts
            .extra_args
            .iter()
            .any(|a| a == "-q" || a == "--quiet");
        let start = Instant::now();
        loop {
            let exited = match self.child.as_mut() {
                Some(child) => child.try_wait().context("checking anvil")?,
                None => bail!("anvil is not running"),
            };
            let log = read_tail(&self.log_path, log_start, LOG_TAIL_LINES);
            if let Some(status) = exited {
                if log.contains("Address already in use") {
                    return Err(anyhow!(PortInUse(self.port)))
                        .context(format!("anvil exited ({status}):\n{log}"));
                }
                bail!(
                    "anvil exited during startup ({status}); log {}:\n{log}",
                    self.log_path.display()
                );
            }
            if quiet || log.contains("Listening on") {
                if let Ok(chain_id) = self.rpc.chain_id().await {
                    return Ok(chain_id);
                }
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!(
                    "anvil on port {} did not answer eth_chainId within {READY_TIMEOUT:?}; \
                     log {}:\n{log}",
                    self.port,
                    self.log_path.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Deref for Anvil {
    type Target = Rpc;

    fn deref(&self) -> &Rpc {
        &self.rpc
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.kill();
        if std::thread::panicking() {
            eprintln!(
                "--- anvil log ({}), last {LOG_TAIL_LINES} lines ---\n{}\n--- end of anvil log ---",
                self.log_path.display(),
                self.log_tail()
            );
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Marker error: anvil could not bind its port.
#[derive(Debug)]
struct PortInUse(u16);

impl std::fmt::Display for PortInUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "port {} is already in use", self.0)
    }
}

impl std::error::Error for PortInUse {}

/// Asks the OS for a free loopback port and releases it.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn make_temp_dir() -> Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "tokenwatch-anvil-{}-{n}-{nanos:x}",
        std::process::id()
    ));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// The last `lines` lines of `path`, reading from byte `from` on (at most the last 64 KiB).
fn read_tail(path: &Path, from: u64, lines: usize) -> String {
    let read = || -> std::io::Result<String> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        let start = from.max(len.saturating_sub(64 * 1024));
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let text = read().unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

enum Signal {
    Term,
}

#[cfg(unix)]
fn signal(child: &Child, sig: Signal) -> Result<()> {
    let signo = match sig {
        Signal::Term => libc::SIGTERM,
    };
    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    // SAFETY: plain kill(2) on our own child, which has not been reaped yet.
    if unsafe { libc::kill(pid, signo) } != 0 {
        return Err(std::io::Error::last_os_error()).context("signalling anvil");
    }
    Ok(())
}

#[cfg(not(unix))]
fn signal(_child: &Child, _sig: Signal) -> Result<()> {
    bail!("graceful stop needs a Unix system")
}

/// On Linux, has the kernel SIGKILL anvil when the thread that spawned it dies, so a test
/// process killed by a timeout does not leak nodes.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() == 1 {
                return Err(std::io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}
