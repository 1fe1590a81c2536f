//! Structured logs to a daily file in the log directory (and to stderr), with secrets
//! masked on the way out: webhook secrets and API keys in URLs never reach a log file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

/// Logging as started: keep it alive for the life of the program (it flushes the file).
pub struct Logging {
    _guard: Option<WorkerGuard>,
    /// Why logs go to stderr only, when the log folder cannot be written.
    pub problem: Option<String>,
}

/// Starts logging to stderr and, when `log_dir` can be written, to a daily file there.
/// A folder that cannot be written is a warning, never a reason to stop.
pub fn init(log_dir: Option<&Path>, default_level: &str) -> Logging {
    let filter = || {
        EnvFilter::try_from_env("TOKENWATCH_LOG").unwrap_or_else(|_| EnvFilter::new(default_level))
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(Masking(io::stderr))
        .with_target(false)
        .with_filter(filter());
    let appender = log_dir.map(file_appender);
    let (file, guard, problem) = match appender {
        Some(Ok(appender)) => {
            let (w, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Masking(w))
                .with_filter(filter());
            (Some(layer), Some(guard), None)
        }
        Some(Err(e)) => (None, None, Some(e.to_string())),
        None => (None, None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    if let Some(p) = &problem {
        tracing::warn!("{p}");
    }
    Logging {
        _guard: guard,
        problem,
    }
}

/// Why logs go to stderr only.
#[derive(Debug, thiserror::Error)]
#[error("cannot write logs to {}: {reason}; logging to stderr only", .dir.display())]
struct LogDirError {
    dir: PathBuf,
    /// What the system said.
    reason: String,
}

/// A daily `tokenwatch.log.<date>` in `dir` (created private when missing).
fn file_appender(dir: &Path) -> Result<RollingFileAppender, LogDirError> {
    let refused = |reason: String| LogDirError {
        dir: dir.to_path_buf(),
        reason,
    };
    crate::files::create_private_dir(dir).map_err(|e| refused(e.to_string()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("tokenwatch.log")
        .build(dir)
        // The builder's error wraps the system's; say what the system said.
        .map_err(|e| refused(crate::source::root_cause(&e)))
}

/// Wraps a writer and masks secrets in each formatted line.
#[derive(Clone)]
struct Masking<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Masking<M> {
    type Writer = MaskingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        MaskingWriter(self.0.make_writer())
    }
}

pub struct MaskingWriter<W>(W);

impl<W: Write> Write for MaskingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask_secrets(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Masks `whsec_…` secrets and URL credentials in free text.
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if let Some(pos) = word.find("whsec_") {
            out.push_str(&word[..pos]);
            out.push_str("whsec_***");
        } else if word.contains("://") {
            // The URL without the quotes, brackets or comma around it.
            let start = word.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(0);
            let end = word[start..]
                .find(['"', '\'', ',', ')', ']', '}', '>'])
                .map_or(word.len(), |i| start + i);
            out.push_str(&word[..start]);
            out.push_str(&crate::source::mask_url(&word[start..end]));
            out.push_str(&word[end..]);
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_masked() {
        let line = "posting to https://hooks.example/AbCdEfGhIjKlMnOpQr with whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let masked = super::mask_secrets(line);
        assert!(!masked.contains("AbCdEfGhIjKlMnOpQr"), "{masked}");
        assert!(!masked.contains("MfKQ9r8G"), "{masked}");
        assert!(masked.contains("whsec_***"));
        let quoted = r#"invalid type: string "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", expected a sequence"#;
        assert_eq!(
            super::mask_secrets(quoted),
            r#"invalid type: string "https://mainnet.infura.io/v3/***", expected a sequence"#
        );
    }
}
