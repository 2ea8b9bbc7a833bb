//! The head of a response, status and headers, and the few headers the SDK reads from it.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};

use crate::text::{ID_CHARS, Secrets, sanitized};

/// The head of a response: its status and headers. The transport takes the headers out of the
/// response when it arrives (its `ClientHooks::exec`), so they are moved, never copied.
#[derive(Debug)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
}

/// Cloudflare's request id header.
pub(crate) const CF_RAY: HeaderName = HeaderName::from_static("cf-ray");
/// Where the client stands with a rate limit (IETF's RateLimit-header draft, as Cloudflare
/// sends it).
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
/// The rate limits that apply.
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// The millisecond variant of `Retry-After` that Cloudflare's SDKs honour.
const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");

impl ResponseMeta {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap) -> Self {
        Self { status, headers }
    }

    fn text(&self, name: HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// A header as the server sent it, decoded lossily and without the secrets: even bytes that
    /// are not visible ASCII are kept, to be escaped wherever the text is shown.
    fn lossy(&self, name: HeaderName, secrets: Secrets<'_>) -> Option<String> {
        let value = self.headers.get(name)?;
        let text = String::from_utf8_lossy(value.as_bytes());
        Some(secrets.redacted(&text).into_owned())
    }

    /// The `cf-ray` header as errors and responses keep it (see [`ray_id`]).
    pub(crate) fn cf_ray(&self, secrets: Secrets<'_>) -> Option<String> {
        Some(ray_id(self.headers.get(CF_RAY)?, secrets))
    }

    /// The `Content-Type` header, without the secrets.
    pub(crate) fn content_type(&self, secrets: Secrets<'_>) -> Option<String> {
        self.lossy(CONTENT_TYPE, secrets)
    }

    /// The `Location` header, without the secrets.
    pub(crate) fn location(&self, secrets: Secrets<'_>) -> Option<String> {
        self.lossy(LOCATION, secrets)
    }

    /// The `Retry-After-Ms` header, when present and readable.
    pub(crate) fn retry_after_ms(&self) -> Option<&str> {
        self.text(RETRY_AFTER_MS)
    }

    /// The `Ratelimit` header, when present and readable.
    pub(crate) fn ratelimit(&self) -> Option<&str> {
        self.text(RATELIMIT)
    }

    /// The `Ratelimit-Policy` header, when present and readable.
    pub(crate) fn ratelimit_policy(&self) -> Option<&str> {
        self.text(RATELIMIT_POLICY)
    }

    /// The `Retry-After` header, when present and readable.
    pub(crate) fn retry_after(&self) -> Option<&str> {
        self.text(RETRY_AFTER)
    }
}

/// A `cf-ray` value as errors and responses keep it: without the secrets, then, when it is more
/// than a short run of visible ASCII (a real one is 16 hex digits, a dash and a data centre
/// code), escaped and cut to an id's length. The secrets go first so that the cut cannot leave
/// the start of one behind.
fn ray_id(value: &HeaderValue, secrets: Secrets<'_>) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    let text = secrets.redacted(&text);
    if text.len() <= ID_CHARS && text.bytes().all(|byte| byte.is_ascii_graphic()) {
        text.into_owned()
    } else {
        sanitized(&text, ID_CHARS)
    }
}

/// A `cf-ray` value for the transport's debug log, which runs before anyone knows the secrets:
/// only one shaped like Cloudflare's (hex digits, a dash, a short alphanumeric code), so that
/// nothing a server echoes there reaches a log.
pub(crate) fn logged_ray_id(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?;
    let (id, place) = text.split_once('-')?;
    let shaped = (1..=32).contains(&id.len())
        && id.bytes().all(|byte| byte.is_ascii_hexdigit())
        && (1..=8).contains(&place.len())
        && place.bytes().all(|byte| byte.is_ascii_alphanumeric());
    shaped.then_some(text)
}
