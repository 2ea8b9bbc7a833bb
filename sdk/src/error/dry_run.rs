//! The request a dry-run client built and did not send.

use std::fmt;

use crate::text::shown;

/// The request a dry-run client ([`crate::Client::with_dry_run`]) built for a call and did not
/// send: exactly what would have gone out, the client's routing included, with every secret
/// the client holds (and a catalog token being stored) replaced by [`crate::REDACTED`].
/// Headers are left out: they are the client's own for every call, credentials among them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct DryRun {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The whole URL, query included.
    pub url: String,
    /// The JSON body, if the call has one.
    pub body: Option<serde_json::Value>,
}

impl DryRun {
    pub(crate) fn new(
        method: reqwest::Method,
        url: String,
        body: Option<serde_json::Value>,
    ) -> Self {
        Self { method, url, body }
    }
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dry run: {} {} was not sent",
            self.method,
            shown(&self.url)
        )
    }
}
