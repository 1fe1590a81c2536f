//! Masks credentials in RPC URLs before they are shown or logged.

/// Hides a URL's password and any path segment or query value that looks like an API key.
pub fn mask_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s, r),
        None => return mask_token(url),
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let path: Vec<String> = path.split('/').map(mask_token).collect();
    let mut out = format!("{scheme}://{authority}{}", path.join("/"));
    if let Some(q) = query {
        let q: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) => format!("{k}=***"),
                None => mask_token(kv),
            })
            .collect();
        out.push('?');
        out.push_str(&q.join("&"));
    }
    out
}

/// A segment of 16 or more letters and digits is taken for a key.
fn mask_token(s: &str) -> String {
    let keyish = s.len() >= 16
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if keyish {
        "***".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::mask_url;

    #[test]
    fn masks_keys_and_passwords() {
        assert_eq!(
            mask_url("https://eth-mainnet.g.alchemy.com/v2/AbCdEf0123456789xyz"),
            "https://eth-mainnet.g.alchemy.com/v2/***"
        );
        assert_eq!(
            mask_url("https://user:pw@node.example/rpc"),
            "https://***@node.example/rpc"
        );
        assert_eq!(
            mask_url("https://rpc.example/?apikey=secret"),
            "https://rpc.example/?apikey=***"
        );
        assert_eq!(mask_url("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
    }
}
