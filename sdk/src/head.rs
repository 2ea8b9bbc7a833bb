//! The head of a response, status and headers, and the few headers the SDK reads from it.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};

use crate::text::{ID_CHARS, sanitized};

/// The head of a response: its status and headers. The transport takes the headers out of the
/// response when it arrives (its `ClientHooks::exec`), so they are moved, never copied.
#[derive(Debug)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
}

/// Cloudflare's request id header.
pub(crate) const CF_RAY: HeaderName = HeaderName::from_static("cf-ray");
/// The millisecond variant of `Retry-After` that Cloudflare's SDKs honour.
const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");

impl ResponseMeta {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap) -> Self {
        Self { status, headers }
    }

    fn text(&self, name: HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// A header as the server sent it, decoded lossily: even bytes that are not visible ASCII
    /// are kept, to be escaped wherever the text is shown.
    fn lossy(&self, name: HeaderName) -> Option<String> {
        let value = self.headers.get(name)?;
        Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
    }

    /// The `cf-ray` header, escaped and cut to an id's length: errors keep it and `Display`
    /// shows it as it is.
    pub(crate) fn cf_ray(&self) -> Option<String> {
        ray_id(self.headers.get(CF_RAY)?)
    }

    /// The `Content-Type` header.
    pub(crate) fn content_type(&self) -> Option<String> {
        self.lossy(CONTENT_TYPE)
    }

    /// The `Location` header.
    pub(crate) fn location(&self) -> Option<String> {
        self.lossy(LOCATION)
    }

    /// The `Retry-After-Ms` header, when present and readable.
    pub(crate) fn retry_after_ms(&self) -> Option<&str> {
        self.text(RETRY_AFTER_MS)
    }

    /// The `Retry-After` header, when present and readable.
    pub(crate) fn retry_after(&self) -> Option<&str> {
        self.text(RETRY_AFTER)
    }
}

/// A `cf-ray` value as errors and logs keep it. A real one (16 hex digits, a dash, a data
/// centre code) is short visible ASCII and is copied as it is; anything else is escaped and cut.
pub(crate) fn ray_id(value: &HeaderValue) -> Option<String> {
    match value.to_str() {
        Ok(ray) if ray.len() <= ID_CHARS => Some(ray.to_owned()),
        _ => Some(sanitized(
            &String::from_utf8_lossy(value.as_bytes()),
            ID_CHARS,
        )),
    }
}
