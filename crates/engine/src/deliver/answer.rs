//! Answer bodies from receivers, read up to a bound: a receiver whose answer never ends
//! cannot fill memory or hold a delivery past its timeout.

/// How much of an answer body is read; the connection is dropped after.
pub const MAX_ANSWER: usize = 4096;

/// At most `max` bytes of the body. A read that fails (timeout, reset) ends with what
/// arrived. Dropping the response closes the connection with the rest unread.
pub async fn read_bounded(mut resp: reqwest::Response, max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < max {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - out.len();
                out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    out
}

/// The start of an answer body as one line of at most `max` characters, for an error.
pub async fn read_summary(resp: reqwest::Response, max: usize) -> String {
    let body = read_bounded(resp, MAX_ANSWER).await;
    let text = String::from_utf8_lossy(&body);
    super::text::inert(super::text::Medium::Plain, text.trim(), max)
}
