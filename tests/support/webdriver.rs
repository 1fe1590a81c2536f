//! The few W3C WebDriver calls the system tests need, over plain HTTP.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

/// A WebDriver session: one running app window.
pub struct Session {
    base: String,
    client: reqwest::Client,
}

impl Session {
    /// Starts the app at `application` through tauri-driver.
    pub async fn new(driver_url: &str, application: &str) -> Result<Session> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(0)
            .build()?;
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": application}}}});
        let resp: Value = client
            .post(format!("{driver_url}/session"))
            .json(&caps)
            .send()
            .await
            .context("creating a WebDriver session")?
            .json()
            .await?;
        let id = resp["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {resp}"))?;
        Ok(Session {
            base: format!("{driver_url}/session/{id}"),
            client,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp: Value = req.send().await?.json().await?;
        if let Some(err) = resp["value"]["error"].as_str() {
            bail!("webdriver {path}: {err}: {}", resp["value"]["message"]);
        }
        Ok(resp["value"].clone())
    }

    /// Text of the first element matching the CSS selector, if any.
    pub async fn text(&self, css: &str) -> Result<Option<String>> {
        let found = self
            .cmd(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        let Some(el) = found.as_array().and_then(|a| a.first()) else {
            return Ok(None);
        };
        let id = el
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("malformed element {el}"))?;
        let text = self
            .cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await?;
        Ok(text.as_str().map(str::to_string))
    }

    /// The WebDriver id of the first element matching `css`, waiting up to 20 s for it.
    async fn find(&self, css: &str) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self
                .cmd(
                    reqwest::Method::POST,
                    "/elements",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await?;
            if let Some(id) = found.as_array().and_then(|a| a.first()).and_then(|el| {
                el.as_object()?
                    .values()
                    .next()?
                    .as_str()
                    .map(str::to_string)
            }) {
                return Ok(id);
            }
            if Instant::now() > deadline {
                bail!("{css}: no such element within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Clicks the first element matching `css` (waiting for it to exist).
    pub async fn click(&self, css: &str) -> Result<()> {
        let id = self.find(css).await?;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await
        .with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    /// Replaces the value of the input matching `css` by typing `text` into it.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let id = self.find(css).await?;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await?;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await
        .with_context(|| format!("typing into {css}"))?;
        Ok(())
    }

    /// Presses and releases one key (a WebDriver key code such as "\u{E004}", Tab) where
    /// the focus is.
    pub async fn press(&self, key: &str) -> Result<()> {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]});
        self.cmd(reqwest::Method::POST, "/actions", Some(actions))
            .await
            .with_context(|| format!("pressing {key:?}"))?;
        Ok(())
    }

    /// Runs a script in the page (`arguments` bound to `args`) and returns its value.
    pub async fn script(&self, body: &str, args: Value) -> Result<Value> {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": body, "args": args })),
        )
        .await
    }

    /// Shows one screen through the navigation (`dashboard`, `history`, `networks`, ...).
    pub async fn screen(&self, id: &str) -> Result<()> {
        self.click(&format!("nav [data-screen={id}]")).await
    }

    /// Number of elements matching the selector.
    pub async fn count(&self, css: &str) -> Result<usize> {
        let found = self
            .cmd(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        Ok(found.as_array().map_or(0, Vec::len))
    }

    /// Polls until `check` accepts the text of `css`, or fails after `timeout` with the last text seen.
    pub async fn wait_text(
        &self,
        css: &str,
        timeout: Duration,
        check: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            if let Ok(Some(t)) = self.text(css).await {
                if check(&t) {
                    return Ok(t);
                }
                last = Some(t);
            }
            if Instant::now() > deadline {
                bail!("{css}: expected text not seen within {timeout:?}; last text: {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// A PNG screenshot of the window.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        use base64_decode::decode;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await?;
        decode(
            v.as_str()
                .ok_or_else(|| anyhow!("screenshot is not a string"))?,
        )
    }

    /// Ends the session (closes the app).
    pub async fn close(self) -> Result<()> {
        self.client.delete(&self.base).send().await?;
        Ok(())
    }
}

/// A small standard base64 decoder, enough for screenshots.
mod base64_decode {
    use anyhow::{bail, Result};

    pub fn decode(s: &str) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len() * 3 / 4);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => bail!("invalid base64 byte {c}"),
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        Ok(out)
    }
}
