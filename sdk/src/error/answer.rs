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
    /// The error of an answer with `status` whose body, starting with `snippet`, is not the
    /// envelope for `reason`: no content type, no `cf-ray`, not retryable until said
    /// otherwise. For tests of code that handles the SDK's errors; it behaves as one a call
    /// returns.
    ///
    /// The text is kept as given: unlike the errors the SDK makes from an answer, it is not
    /// searched for the client's secrets, nor cut to 1,000 characters.
    ///
    /// ```
    /// use cloudflare_r2_catalog::{Error, error::{StatusCode, UnexpectedBody}};
    ///
    /// let page = UnexpectedBody::new(StatusCode::BAD_GATEWAY, "<html>502</html>", "not the JSON envelope")
    ///     .with_content_type("text/html")
    ///     .with_retryable(true);
    /// assert_eq!(
    ///     page.to_string(),
    ///     "unexpected response (HTTP 502 Bad Gateway, content type text/html): not the JSON envelope: \"<html>502</html>\""
    /// );
    /// assert!(Error::from(page).is_retryable());
    /// ```
    pub fn new(status: StatusCode, snippet: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            status,
            content_type: None,
            snippet: snippet.into(),
            reason: reason.into(),
            cf_ray: None,
            retryable: false,
        }
    }

    /// This error with the answer's `Content-Type`, kept as given.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// This error with the `cf-ray` id of the answer, kept as given.
    #[must_use]
    pub fn with_cf_ray(mut self, cf_ray: impl Into<String>) -> Self {
        self.cf_ray = Some(cf_ray.into());
        self
    }

    /// This error as one the retry policy retries for its operation, or not: what
    /// [`Error::is_retryable`](crate::Error::is_retryable) says of it (the SDK retries a 5xx
    /// page from the edge, not a 2xx body it cannot read); false unless set.
    #[must_use]
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// A body that did not parse as the envelope.
    pub(crate) fn unparsable(
        meta: ResponseMeta,
        body: &[u8],
        error: &serde_json::Error,
        secrets: Secrets<'_>,
    ) -> Self {
        if body.is_empty() {
            Self::from_answer(meta, body, "empty body", secrets)
        } else {
            let reason = format!("not the JSON envelope ({error})");
            Self::from_answer(meta, body, &reason, secrets)
        }
    }

    /// The secrets are taken out of the whole of `body` (bounded by the client's limit, and
    /// only read on this error path) before it is cut to the snippet, and out of `reason`,
    /// which may quote a value the parser rejected.
    pub(crate) fn from_answer(
        meta: ResponseMeta,
        body: &[u8],
        reason: &str,
        secrets: Secrets<'_>,
    ) -> Self {
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
            write!(f, " [cf-ray {}]", shown(ray))?;
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
    /// The error of a redirect with `status` and no `Location`, no `cf-ray`. For tests of code
    /// that handles the SDK's errors; it behaves as one a call returns.
    ///
    /// ```
    /// use cloudflare_r2_catalog::error::{Redirected, StatusCode};
    ///
    /// let moved = Redirected::new(StatusCode::MOVED_PERMANENTLY).with_location("https://example.com/");
    /// assert_eq!(
    ///     moved.to_string(),
    ///     "the server answered with a redirect (HTTP 301 Moved Permanently) to \"https://example.com/\"; Cloudflare's API never redirects, so it was not followed"
    /// );
    /// ```
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            location: None,
            cf_ray: None,
        }
    }

    /// This error with where the server pointed, kept as given: unlike the SDK's own, not
    /// searched for the client's secrets, nor cut to 2048 characters.
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// This error with the `cf-ray` id of the answer, kept as given.
    #[must_use]
    pub fn with_cf_ray(mut self, cf_ray: impl Into<String>) -> Self {
        self.cf_ray = Some(cf_ray.into());
        self
    }

    /// The redirect `meta` is, without `secrets`.
    pub(crate) fn from_answer(meta: &ResponseMeta, secrets: Secrets<'_>) -> Self {
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
            write!(f, " [cf-ray {}]", shown(ray))?;
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
    /// The error of an answer with `status` whose body went over `limit` bytes, with no
    /// `cf-ray`. For tests of code that handles the SDK's errors; it behaves as one a call
    /// returns.
    ///
    /// ```
    /// use cloudflare_r2_catalog::{Error, error::{ResponseTooLarge, StatusCode}};
    ///
    /// let error = Error::from(ResponseTooLarge::new(StatusCode::OK, 16 << 20));
    /// assert_eq!(error.status(), Some(StatusCode::OK));
    /// assert!(!error.is_retryable());
    /// ```
    pub fn new(status: StatusCode, limit: u64) -> Self {
        Self {
            status,
            limit,
            cf_ray: None,
        }
    }

    /// This error with the `cf-ray` id of the answer, kept as given.
    #[must_use]
    pub fn with_cf_ray(mut self, cf_ray: impl Into<String>) -> Self {
        self.cf_ray = Some(cf_ray.into());
        self
    }

    /// The body of the answer `meta` heads went over `limit`; its `cf-ray` without `secrets`.
    pub(crate) fn from_answer(meta: &ResponseMeta, limit: u64, secrets: Secrets<'_>) -> Self {
        Self {
            status: meta.status,
            limit,
            cf_ray: meta.cf_ray(secrets),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use zeroize::Zeroizing;

    use super::*;
    use crate::error::Error;

    const RAY: &str = "8f1e2d3c4b5a6978-AMS";

    /// The head of an answer with `status`, a `cf-ray` and the `headers` given.
    fn head(status: StatusCode, headers: &[(&'static str, &str)]) -> ResponseMeta {
        let mut map = HeaderMap::new();
        for &(name, value) in [("cf-ray", RAY)].iter().chain(headers) {
            let value = HeaderValue::from_str(value).expect("a header value");
            map.insert(HeaderName::from_static(name), value);
        }
        ResponseMeta::new(status, map)
    }

    #[test]
    fn a_built_unexpected_body_is_the_one_the_sdk_makes_of_the_same_answer() {
        let made = UnexpectedBody::from_answer(
            head(StatusCode::BAD_GATEWAY, &[("content-type", "text/html")]),
            b"<html>Bad gateway</html>",
            "not the JSON envelope",
            Secrets::new(&[]),
        );
        let built = UnexpectedBody::new(
            StatusCode::BAD_GATEWAY,
            "<html>Bad gateway</html>",
            "not the JSON envelope",
        )
        .with_content_type("text/html")
        .with_cf_ray(RAY);
        assert_eq!(built, made);
        assert_eq!(built.to_string(), made.to_string());
        assert!(!Error::from(built.clone()).is_retryable());
        assert!(Error::from(built.with_retryable(true)).is_retryable());
    }

    #[test]
    fn a_built_unexpected_body_keeps_its_text_as_given_where_the_sdk_redacts_and_cuts() {
        let secret = "catalog-token-SECRET-9f8e7d";
        let body = format!("echo {secret} {}", "x".repeat(SNIPPET_CHARS));
        let held = [Zeroizing::new(secret.to_owned())];
        let made = UnexpectedBody::from_answer(
            head(StatusCode::OK, &[]),
            body.as_bytes(),
            "no result",
            Secrets::new(&held),
        );
        assert!(!made.snippet.contains(secret) && made.snippet.ends_with('…'));
        let built = UnexpectedBody::new(StatusCode::OK, body.clone(), "no result");
        assert_eq!(built.snippet, body);
    }

    #[test]
    fn a_built_redirect_is_the_one_the_sdk_makes_of_the_same_answer() {
        let location = "https://elsewhere.example/v4";
        let made = Redirected::from_answer(
            &head(StatusCode::TEMPORARY_REDIRECT, &[("location", location)]),
            Secrets::new(&[]),
        );
        let built = Redirected::new(StatusCode::TEMPORARY_REDIRECT)
            .with_location(location)
            .with_cf_ray(RAY);
        assert_eq!(built, made);
        assert_eq!(built.to_string(), made.to_string());
        let bare = Redirected::new(StatusCode::FOUND);
        assert!(bare.to_string().contains("without a Location"), "{bare}");
    }

    #[test]
    fn a_built_response_too_large_is_the_one_the_sdk_makes_of_the_same_answer() {
        let made =
            ResponseTooLarge::from_answer(&head(StatusCode::OK, &[]), 1024, Secrets::new(&[]));
        let built = ResponseTooLarge::new(StatusCode::OK, 1024).with_cf_ray(RAY);
        assert_eq!(built, made);
        assert_eq!(
            Error::from(built).to_string(),
            "the response body (HTTP 200 OK) is larger than the limit of 1024 bytes; reading stopped there"
        );
    }
}
