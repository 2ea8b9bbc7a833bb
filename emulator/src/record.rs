//! What the emulator keeps of each request it received, for a test to read back, and the bounds
//! that keep the record from growing without end.

use crate::operation::Operation;

/// How many requests [`Emulator::requests`](crate::Emulator::requests) keeps at most: the most
/// recent ones, so a long-running emulator stays bounded in memory. [`RECORDED_BYTES`] bounds them
/// too.
pub const RECORDED_REQUESTS: usize = 10_000;

/// How many bytes of requests [`Emulator::requests`](crate::Emulator::requests) keeps at most,
/// counting each one's method, path, query and body: the oldest are dropped first to stay under it.
/// A request can be ~128 KiB (a 64 KiB body, a path and query up to ~64 KB), so without it the
/// record could grow past a gigabyte; the API's own requests are a few hundred bytes, so it rarely
/// keeps fewer than [`RECORDED_REQUESTS`] of them.
pub const RECORDED_BYTES: usize = 16 * 1024 * 1024;

/// A request the emulator received.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST` …
    pub method: String,
    /// The path as sent (percent-encoded), `/client/v4/accounts/…`, in whichever path family
    /// it used, or the Iceberg config route's `/{account_id}/{bucket}/v1/config`.
    pub path: String,
    /// The query string as sent, if any.
    pub query: Option<String>,
    /// The operation it routed to, if any: `None` for an unknown route, and for the Iceberg
    /// config route, which is no operation of the management API.
    pub operation: Option<Operation>,
    /// The status answered; `None` when a fault closed the connection instead.
    pub status: Option<u16>,
    /// The body as sent; empty when it was not read whole (over 64 KiB, cut off, or too slow: see
    /// [`EmulatorBuilder::body_timeout`](crate::EmulatorBuilder::body_timeout)). It may hold a
    /// catalog token, so `Debug` shows only its length.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// What it counts for against [`RECORDED_BYTES`].
    pub(crate) fn bytes(&self) -> usize {
        let query = self.query.as_ref().map_or(0, String::len);
        self.method.len() + self.path.len() + query + self.body.len()
    }
}

impl std::fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}
