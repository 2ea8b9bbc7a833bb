//! Answers that are not Cloudflare's envelope: a body of another shape, a redirect, a body
//! over the limit.

use std::fmt;

use reqwest::StatusCode;

use crate::head::ResponseMeta;
use crate::text::{Secrets, shown};

/// How much of an unexpected body an error keeps: enough to recognise an HTML error page or a
/// truncated document, not enough to carry a large payload around.
pub(super) const SNIPPET_CHARS: usize = 1000;

/// The response body is not Cloudflare's envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct UnexpectedBody {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The start of the body, decoded lossily as UTF-8 (at most 1,000 characters, as the server
    /// sent them; `Display` escapes control characters).
    pub snippet: String,
    /// Why the body is not the expected envelope (a JSON parse error, a missing `result`, …).
    pub reason: String,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
    pub(super) retryable: bool,
}

impl UnexpectedBody {
    /// A body that did not parse as the envelope.
    pub(crate) fn unparsable(
        meta: ResponseMeta,
        body: &[u8],
        error: &serde_json::Error,
        secrets: Secrets<'_>,
    ) -> Self {
        if body.is_empty() {
            Self::new(meta, body, "empty body", secrets)
        } else {
            let reason = format!("not the JSON envelope ({error})");
            Self::new(meta, body, &reason, secrets)
        }
    }

    /// The secrets are taken out of the whole of `body` (bounded by the client's limit, and
    /// only read on this error path) before it is cut to the snippet, and out of `reason`,
    /// which may quote a value the parser rejected.
    pub(crate) fn new(meta: ResponseMeta, body: &[u8], reason: &str, secrets: Secrets<'_>) -> Self {
        let text = String::from_utf8_lossy(body);
        let text = secrets.redacted(&text);
        let snippet = match text.char_indices().nth(SNIPPET_CHARS) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.into_owned(),
        };
        Self {
            status: meta.status,
            content_type: meta.content_type(secrets),
            snippet,
            reason: secrets.redacted(reason).into_owned(),
            cf_ray: meta.cf_ray(secrets),
            retryable: false,
        }
    }
}

impl fmt::Display for UnexpectedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected response (HTTP {}, content type {}): {}",
            self.status,
            shown(self.content_type.as_deref().unwrap_or("none")),
            shown(&self.reason)
        )?;
        if !self.snippet.is_empty() {
            write!(f, ": \"{}\"", shown(&self.snippet))?;
        }
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}

/// The server answered with a redirect, which the client does not follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct Redirected {
    /// The HTTP status (301, 302, 307, 308, …).
    pub status: StatusCode,
    /// Where the server pointed, as it sent it (decoded lossily, at most 2048 characters;
    /// `Display` escapes control characters and shows the first 300).
    pub location: Option<String>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

/// How much of a `Location` header a [`Redirected`] keeps.
const LOCATION_CHARS: usize = 2048;

impl Redirected {
    pub(crate) fn new(meta: &ResponseMeta, secrets: Secrets<'_>) -> Self {
        Self {
            status: meta.status,
            location: meta
                .location(secrets)
                .map(|location| location.chars().take(LOCATION_CHARS).collect()),
            cf_ray: meta.cf_ray(secrets),
        }
    }
}

impl fmt::Display for Redirected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server answered with a redirect (HTTP {})",
            self.status
        )?;
        match &self.location {
            Some(location) => write!(f, " to \"{}\"", shown(location))?,
            None => f.write_str(" without a Location")?,
        }
        f.write_str("; Cloudflare's API never redirects, so it was not followed")?;
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}

/// The response body is larger than the client accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the response body (HTTP {status}) is larger than the limit of {limit} bytes; reading stopped there"
)]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// The HTTP status.
    pub status: StatusCode,
    /// The limit the body went over, in bytes.
    pub limit: u64,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl ResponseTooLarge {
    pub(crate) fn new(meta: &ResponseMeta, limit: u64, secrets: Secrets<'_>) -> Self {
        Self {
            status: meta.status,
            limit,
            cf_ray: meta.cf_ray(secrets),
        }
    }
}
