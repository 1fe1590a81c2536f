//! A real HTTP webhook receiver on a local port: records every request (headers and
//! body), answers with a chosen status, can hang, and can be stopped and started again
//! on the same port to play a receiver that is down for a while.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: std::time::Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// How the receiver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Status(u16),
    /// Reads the request, records it, never answers.
    Hang,
}

struct Shared {
    received: Mutex<Vec<Received>>,
    answer: Mutex<Answer>,
}

pub struct Receiver {
    port: u16,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Starts on a free port, answering 200.
    pub async fn start() -> anyhow::Result<Receiver> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            received: Mutex::new(Vec::new()),
            answer: Mutex::new(Answer::Status(200)),
        });
        let task = Some(tokio::spawn(serve(listener, shared.clone())));
        Ok(Receiver { port, shared, task })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn set_answer(&self, a: Answer) {
        *lock(&self.shared.answer) = a;
    }

    /// How many requests arrived so far.
    pub fn count(&self) -> usize {
        lock(&self.shared.received).len()
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }

    /// Stops accepting and drops open connections: senders see "connection refused".
    pub fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        self.stop();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        self.task = Some(tokio::spawn(serve(listener, self.shared.clone())));
        Ok(())
    }

    /// Waits until at least `n` requests arrived; returns them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> anyhow::Result<Vec<Received>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return Ok(got);
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("receiver got {} requests, expected {n}", got.len());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut conns = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        conns.spawn(connection(stream, shared.clone()));
    }
}

/// Serves keep-alive HTTP/1.1 requests on one connection.
async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let answer = *lock(&shared.answer);
        lock(&shared.received).push(Received {
            path,
            headers,
            body,
            at: std::time::Instant::now(),
        });
        match answer {
            Answer::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Answer::Status(code) => {
                let text = format!(
                    "HTTP/1.1 {code} X\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"
                );
                if reader.get_mut().write_all(text.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}
