//! The request a dry-run client built and did not send.

use std::fmt;

use crate::text::shown;

/// The request a dry-run client ([`crate::Client::with_dry_run`]) built for a call and did not
/// send: exactly what would have gone out, the client's routing included, with every secret
/// the client holds (and a catalog token being stored) replaced by [`crate::__cli::REDACTED`].
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
    /// What a dry run of a call to `method` `url` with `body` would have sent. For tests of
    /// code that handles the SDK's errors; it behaves as one a dry-run client returns. The
    /// URL and body are kept as given: the SDK's own have the client's secrets taken out.
    ///
    /// ```
    /// use cloudflare_r2_catalog::error::DryRun;
    ///
    /// let planned = DryRun::new(reqwest::Method::POST, "https://api.cloudflare.com/client/v4/accounts/a/r2-catalog/b/enable", None);
    /// assert_eq!(
    ///     planned.to_string(),
    ///     "dry run: POST https://api.cloudflare.com/client/v4/accounts/a/r2-catalog/b/enable was not sent"
    /// );
    /// ```
    pub fn new(
        method: reqwest::Method,
        url: impl Into<String>,
        body: Option<serde_json::Value>,
    ) -> Self {
        Self {
            method,
            url: url.into(),
            body,
        }
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
