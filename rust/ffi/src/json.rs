//! The JSON forms: the same serde shapes the CLI prints (members, a master, masters), plus the
//! watch states, whose `error` is `{"kind": …, "message": …}` or `null`.

use core_api::{Error, Result};
use serde::Serialize;

/// Compact JSON of a value the core serialises.
pub(crate) fn to_string(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::internal(format!("could not serialise the answer: {e}")))
}

/// A watcher's error as JSON: the result-code name and the message.
#[derive(Serialize)]
pub(crate) struct ErrorJson<'a> {
    kind: &'a str,
    message: &'a str,
}

impl<'a> ErrorJson<'a> {
    pub(crate) fn of(error: Option<&'a Error>) -> Option<ErrorJson<'a>> {
        error.map(|e| ErrorJson {
            kind: e.kind().as_str(),
            message: e.message(),
        })
    }
}
