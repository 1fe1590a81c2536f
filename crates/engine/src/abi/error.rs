//! Errors from building event definitions; each message names what is wrong and where.

/// Why an event spec, signature or JSON ABI could not be turned into event definitions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbiError {
    /// The listener's `events` entry is empty.
    #[error("empty event entry")]
    EmptySpec,
    /// `pack` is not a preset pack id.
    #[error("`{spec}`: unknown preset pack `{pack}` (known packs: {known})")]
    UnknownPack {
        spec: String,
        pack: String,
        known: String,
    },
    /// The pack exists but has no event of that name or signature.
    #[error("`{spec}`: pack `{pack}` has no event `{event}` (its events: {known})")]
    UnknownEvent {
        spec: String,
        pack: String,
        event: String,
        known: String,
    },
    /// A human-readable signature could not be parsed or resolved.
    #[error("`{spec}`: {message}")]
    BadSignature { spec: String, message: String },
    /// A parameter of an event has a type that cannot be resolved.
    #[error("event `{event}`, parameter {index}{name}: {message}", name = quoted(name))]
    BadParam {
        event: String,
        index: usize,
        name: String,
        message: String,
    },
    /// The event as a whole is invalid (name, too many indexed parameters).
    #[error("event `{event}`: {message}")]
    BadEvent { event: String, message: String },
    /// The JSON ABI is not valid JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON, but neither an ABI array nor an artifact object with an `abi` field.
    #[error("not a JSON ABI: {0}")]
    NotAnAbi(String),
    /// One item (0-based index in the ABI array) of a JSON ABI is invalid.
    #[error("item {index}: {message}")]
    Item { index: usize, message: String },
}

fn quoted(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" `{name}`")
    }
}

/// Makes a multi-line parser message fit on one line.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
