//! The command boundary: every command answers through [`reply`], which logs a failure
//! (`warn`, with the command, its code and the error) and a success (`debug`). Only `reply`
//! makes [`Failed`], the one error a command can return ([`AppError`] is not serialisable),
//! so no command fails without being logged; a test checks that every command answers so.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::error::AppError;

/// What every command returns.
pub type Reply<T> = Result<T, Failed>;

/// A command's error as the UI receives it: `{ code, message }` (bindings/AppError.ts).
#[derive(Debug)]
pub struct Failed(AppError);

impl Serialize for Failed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("AppError", 2)?;
        s.serialize_field("code", &self.0.code)?;
        s.serialize_field("message", &self.0.message)?;
        s.end()
    }
}

/// The answer of `command`, logged.
pub fn reply<T>(command: &'static str, result: Result<T, AppError>) -> Reply<T> {
    match result {
        Ok(value) => {
            tracing::debug!(command, "command done");
            Ok(value)
        }
        Err(e) => {
            tracing::warn!(command, code = e.code.as_str(), error = %e.message, "command failed");
            Err(Failed(e))
        }
    }
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
