//! Links out of the app: a block explorer page opens in the user's browser. The webview
//! itself never navigates away, and only explorer pages of a known shape are opened.

use std::time::Duration;

use super::{reply, Reply};
use crate::error::{AppError, Code};

/// Opens `base/path` in the browser (`xdg-open`): `base` an http(s) explorer address,
/// `path` one of `address/0x…`, `tx/0x…`, `block/N`.
#[tauri::command]
pub async fn open_explorer(base: String, path: String) -> Reply<()> {
    reply("open_explorer", open(&base, &path).await)
}

async fn open(base: &str, path: &str) -> Result<(), AppError> {
    let url = explorer_url(base, path)?;
    let mut child = tokio::process::Command::new("xdg-open")
        .arg(&url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("cannot start xdg-open to show {url}: {e}")))?;
    match tokio::time::timeout(Duration::from_secs(20), child.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(failed(format!(
            "no browser opened {url} (xdg-open {status})"
        ))),
        Ok(Err(e)) => Err(failed(format!("cannot open {url}: {e}"))),
        // A slow browser start: it may still come up.
        Err(_) => Ok(()),
    }
}

fn failed(message: String) -> AppError {
    AppError::new(Code::LinkFailed, message)
}

/// The explorer page's address, or why it is not one to open.
fn explorer_url(base: &str, path: &str) -> Result<String, AppError> {
    let base = base.trim_end_matches('/');
    let host = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or_default();
    let clean = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_graphic() && !"\"'<>\\`".contains(c))
    };
    if host.is_empty() || !clean(base) || base.len() > 300 {
        return Err(AppError::new(
            Code::LinkRefused,
            format!("the explorer address {base:?} is not an http(s) address"),
        ));
    }
    let page = path.split_once('/').filter(|(kind, id)| {
        matches!(*kind, "address" | "tx" | "block")
            && (1..=80).contains(&id.len())
            && id.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if page.is_none() {
        return Err(AppError::new(
            Code::LinkRefused,
            format!("{path:?} is not an explorer page"),
        ));
    }
    Ok(format!("{base}/{path}"))
}

#[cfg(test)]
mod tests {
    use super::explorer_url;
    use crate::error::Code;

    #[test]
    fn only_explorer_pages_of_http_addresses_open() {
        let tx = format!("tx/0x{}", "ab".repeat(32));
        assert_eq!(
            explorer_url("https://etherscan.io/", &tx).ok(),
            Some(format!("https://etherscan.io/{tx}"))
        );
        assert!(explorer_url("https://etherscan.io", "block/123").is_ok());
        for (base, path) in [
            ("javascript:alert(1)//", "block/1"),
            ("file:///etc", "block/1"),
            ("https://", "block/1"),
            ("https://x.io\" onclick=", "block/1"),
            ("https://etherscan.io", "../../etc/passwd"),
            ("https://etherscan.io", "tx/0x12?q=<b>"),
            ("https://etherscan.io", "settings/1"),
        ] {
            let refused = explorer_url(base, path).map_err(|e| e.code);
            assert_eq!(refused, Err(Code::LinkRefused), "{base} {path}");
        }
    }
}
