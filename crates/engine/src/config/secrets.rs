//! Secrets named in the configuration but kept elsewhere: environment variables, or the
//! OS keychain (the app provides one; the headless binary has none).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::{problem, ConfigProblem};

/// Reads secrets by name from a keychain (Secret Service on Linux, in the app).
pub trait Keychain {
    /// `Ok(None)`: the keychain has no such secret. `Err`: no keychain is usable.
    fn secret(&self, name: &str) -> Result<Option<String>, KeychainUnavailable>;
}

/// No keychain can be read, and why, in words (shown as a problem of the key naming it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeychainUnavailable(pub String);

/// For the headless binary: `*_keychain` keys are refused with a way out.
pub struct NoKeychain;

impl Keychain for NoKeychain {
    fn secret(&self, _name: &str) -> Result<Option<String>, KeychainUnavailable> {
        Err(KeychainUnavailable("the OS keychain is read by the desktop app only; the headless tokenwatch takes secrets from environment variables (the *_env keys)".into()))
    }
}

/// Where one value comes from, as written: at most one of literal, env and keychain.
pub(super) struct Source<'a> {
    pub literal: Option<&'a str>,
    pub env: Option<&'a str>,
    pub keychain: Option<&'a str>,
}

/// The value, or `None` with a problem recorded (or nothing given at all).
pub(super) fn resolve(
    at: &str,
    key: &str,
    src: Source<'_>,
    keychain: &dyn Keychain,
    problems: &mut Vec<ConfigProblem>,
) -> Option<String> {
    let given = [
        src.literal.is_some(),
        src.env.is_some(),
        src.keychain.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        problems.push(problem(
            &format!("{at}.{key}"),
            &format!("give only one of {key}, {key}_env and {key}_keychain"),
        ));
        return None;
    }
    if let Some(v) = src.literal {
        return Some(v.to_string());
    }
    if let Some(var) = src.env {
        return match std::env::var(var) {
            Ok(v) if !v.is_empty() => Some(v),
            _ => {
                problems.push(problem(
                    &format!("{at}.{key}_env"),
                    &format!("environment variable {var} is not set"),
                ));
                None
            }
        };
    }
    let name = src.keychain?;
    match keychain.secret(name) {
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            problems.push(problem(
                &format!("{at}.{key}_keychain"),
                &format!("the keychain has no secret \"{name}\""),
            ));
            None
        }
        Err(e) => {
            problems.push(problem(&format!("{at}.{key}_keychain"), &e.to_string()));
            None
        }
    }
}

impl super::ConfigFile {
    /// Where the file holds a secret itself rather than naming a variable or the keychain:
    /// webhook secrets, and URLs carrying credentials or API keys.
    pub fn literal_secrets(&self) -> Vec<String> {
        let keyed = |u: &String| crate::source::mask_url(u) != *u;
        let mut out = Vec::new();
        for n in &self.networks {
            if n.rpc.iter().any(keyed) {
                out.push(format!("networks[\"{}\"].rpc", n.name));
            }
        }
        for w in &self.webhooks {
            if w.secret.is_some() {
                out.push(format!("webhooks[\"{}\"].secret", w.name));
            }
            if w.url.as_ref().is_some_and(keyed) {
                out.push(format!("webhooks[\"{}\"].url", w.name));
            }
        }
        for r in &self.rabbitmq {
            if r.url.as_ref().is_some_and(keyed) {
                out.push(format!("rabbitmq[\"{}\"].url", r.name));
            }
        }
        out
    }
}

/// Decodes a `whsec_<base64>` secret (the prefix is optional) into the HMAC key.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, SecretError> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = B64.decode(b64).map_err(SecretError::NotBase64)?;
    if key.len() < 16 {
        return Err(SecretError::TooShort(key.len()));
    }
    Ok(key)
}

/// Why a `whsec_` secret cannot sign.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SecretError {
    #[error("the secret is not whsec_ followed by base64 ({0})")]
    NotBase64(base64::DecodeError),
    #[error("the secret is too short ({0} bytes; use at least 16, e.g. 32 random bytes)")]
    TooShort(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_secrets_are_named() {
        let e = decode_secret("whsec_not base64!").unwrap_err();
        assert!(matches!(e, SecretError::NotBase64(_)), "{e:?}");
        assert!(e
            .to_string()
            .starts_with("the secret is not whsec_ followed by base64"));
        assert_eq!(
            decode_secret("whsec_c2hvcnQ="),
            Err(SecretError::TooShort(5))
        );
        assert_eq!(
            SecretError::TooShort(5).to_string(),
            "the secret is too short (5 bytes; use at least 16, e.g. 32 random bytes)"
        );
    }
}
