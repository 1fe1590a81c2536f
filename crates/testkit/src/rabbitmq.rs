//! A private RabbitMQ broker per test (Debian's `rabbitmq-server`), on free ports with its
//! own data directory, killed on drop; can be killed and restarted keeping its data.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use lapin::options::{BasicGetOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};

const SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

pub struct RabbitMq {
    dir: tempfile_dir::Dir,
    port: u16,
    dist_port: u16,
    child: Option<Child>,
}

/// A message taken from a queue.
#[derive(Clone, Debug)]
pub struct Message {
    pub routing_key: String,
    pub message_id: Option<String>,
    pub body: Vec<u8>,
}

impl Message {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl RabbitMq {
    /// Whether the broker is installed (scripts/install-system-deps.sh installs it).
    pub fn available() -> bool {
        Path::new(SERVER).exists()
    }

    /// Starts a broker and waits until it takes AMQP connections (about 20 s on 2 cores).
    pub async fn start() -> Result<RabbitMq> {
        let dir = tempfile_dir::Dir::new("tokenwatch-rabbitmq")?;
        let mut broker = RabbitMq {
            dir,
            port: free_port()?,
            dist_port: free_port()?,
            child: None,
        };
        broker.spawn().await?;
        Ok(broker)
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    async fn spawn(&mut self) -> Result<()> {
        let d = self.dir.path().to_path_buf();
        std::fs::create_dir_all(d.join("mnesia"))?;
        std::fs::write(d.join("enabled_plugins"), "[].\n")?;
        let log = std::fs::File::create(d.join("server.out"))?;
        let node = format!("tw{}@localhost", self.port);
        let mut cmd = Command::new(SERVER);
        cmd.current_dir(&d)
            .env("HOME", &d)
            .env("RABBITMQ_NODENAME", &node)
            .env("RABBITMQ_NODE_PORT", self.port.to_string())
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_PID_FILE", d.join("pid"))
            .env("RABBITMQ_CONFIG_FILE", d.join("none"))
            .env("RABBITMQ_ADVANCED_CONFIG_FILE", d.join("none.config"))
            .env("RABBITMQ_CONF_ENV_FILE", d.join("env.conf"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0);
        self.child = Some(cmd.spawn().with_context(|| format!("starting {SERVER}"))?);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Ok(c)) = tokio::time::timeout(
                Duration::from_secs(5),
                Connection::connect(&self.url(), ConnectionProperties::default()),
            )
            .await
            {
                let _ = c.close(200, "ready".into()).await;
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                let out = std::fs::read_to_string(d.join("server.out")).unwrap_or_default();
                bail!("rabbitmq did not start within 120 s:\n{out}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Kills the broker at once (like a crash or power loss), keeping its data.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            // The whole group: the shell script, beam and its helpers.
            unsafe {
                libc::kill(-(c.id() as i32), libc::SIGKILL);
            }
            let _ = c.wait();
        }
    }

    /// Kills the broker and starts it again on the same port with the same data.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn().await
    }

    /// Declares a durable queue bound to `exchange` (a durable topic exchange, declared
    /// here too) with `binding`, e.g. `#`.
    pub async fn bind_queue(&self, exchange: &str, queue: &str, binding: &str) -> Result<()> {
        let conn = Connection::connect(&self.url(), ConnectionProperties::default()).await?;
        let ch = conn.create_channel().await?;
        ch.exchange_declare(
            exchange.into(),
            lapin::ExchangeKind::Topic,
            lapin::options::ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
        ch.queue_declare(
            queue.into(),
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
        ch.queue_bind(
            queue.into(),
            exchange.into(),
            binding.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
        let _ = conn.close(200, "done".into()).await;
        Ok(())
    }

    /// Takes every message now in the queue, in queue order.
    pub async fn drain_queue(&self, queue: &str) -> Result<Vec<Message>> {
        let conn = Connection::connect(&self.url(), ConnectionProperties::default()).await?;
        let ch = conn.create_channel().await?;
        let mut out = Vec::new();
        while let Some(m) = ch
            .basic_get(queue.into(), BasicGetOptions { no_ack: true })
            .await?
        {
            out.push(Message {
                routing_key: m.delivery.routing_key.to_string(),
                message_id: m
                    .delivery
                    .properties
                    .message_id()
                    .as_ref()
                    .map(|s| s.to_string()),
                body: m.delivery.data.clone(),
            });
        }
        let _ = conn.close(200, "done".into()).await;
        Ok(out)
    }

    /// Messages waiting in a queue.
    pub async fn queue_len(&self, queue: &str) -> Result<u32> {
        let conn = Connection::connect(&self.url(), ConnectionProperties::default()).await?;
        let ch = conn.create_channel().await?;
        let q = ch
            .queue_declare(
                queue.into(),
                QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await?;
        let _ = conn.close(200, "done".into()).await;
        Ok(q.message_count())
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for RabbitMq {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// A temporary directory removed on drop (the harness has no tempfile dependency).
mod tempfile_dir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> std::io::Result<Dir> {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let p = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&p)?;
            Ok(Dir(p))
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
