//! No usable answer: the transport failed, or the operation timeout cut an attempt off.

use std::fmt;

use super::report::causes;

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No answer within the configured timeout.
    Timeout,
    /// The connection could not be established.
    Connect,
    /// The connection broke while the request or response was in flight.
    Interrupted,
    /// What came back is not a valid HTTP/1.1 response: not HTTP at all, a malformed status
    /// line or header, a head too large or with too many headers, conflicting lengths.
    Protocol,
    /// Any other failure of the HTTP client (building the request, for one): not retried, since
    /// nothing says another attempt would fare better.
    Other,
}

impl TransportErrorKind {
    /// What kind of transport failure `error` is, looking through the errors reqwest wraps
    /// (a body cut off midway arrives as a decode error caused by a body error); `None` when
    /// it is not a transport failure (building the request, say).
    pub(crate) fn of(error: &reqwest::Error) -> Option<Self> {
        let mut kind = None;
        for cause in causes(error) {
            // hyper's parse errors sit under reqwest's "error sending request", which alone
            // would read as a broken connection.
            if cause
                .downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_parse)
            {
                return Some(Self::Protocol);
            }
            if let Some(error) = cause.downcast_ref::<reqwest::Error>() {
                kind = kind.or(if error.is_timeout() {
                    Some(Self::Timeout)
                } else if error.is_connect() {
                    Some(Self::Connect)
                } else if error.is_request() || error.is_body() || error.is_decode() {
                    Some(Self::Interrupted)
                } else {
                    None
                });
            }
        }
        kind
    }

    /// Whether another attempt may succeed. A response that is not HTTP is not retried: it
    /// comes from something other than Cloudflare's API (a wrong port, a broken proxy, an
    /// interception), which would answer the same again while being sent the credentials again.
    pub fn is_retryable(self) -> bool {
        !matches!(self, Self::Protocol | Self::Other)
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::Interrupted => "connection interrupted",
            Self::Protocol => "invalid HTTP response",
            Self::Other => "request failed",
        })
    }
}

/// A call that ran out of its operation timeout with an attempt in flight, which was cut off
/// after its request may have gone out: a change may have been made. Read the state back
/// before trying a change again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the operation timeout of {limit:?} passed during attempt {attempts}: its outcome is unknown"
)]
pub struct OperationTimeout {
    limit: std::time::Duration,
    attempts: u32,
}

impl OperationTimeout {
    /// The error of a call whose operation timeout `limit` passed during attempt `attempts`.
    /// For tests of code that handles the SDK's errors; it behaves as one a call returns.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cloudflare_r2_catalog::{Error, error::OperationTimeout};
    ///
    /// let error = Error::from(OperationTimeout::new(Duration::from_secs(30), 2));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "the operation timeout of 30s passed during attempt 2: its outcome is unknown"
    /// );
    /// assert!(!error.is_retryable());
    /// ```
    pub fn new(limit: std::time::Duration, attempts: u32) -> Self {
        Self { limit, attempts }
    }

    /// The operation timeout that passed.
    pub fn limit(&self) -> std::time::Duration {
        self.limit
    }

    /// How many attempts were made, the abandoned one included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// No usable response arrived. `Display` names the kind and the attempts; the causes (refused,
/// DNS, TLS, the HTTP parse error …) are its [`std::error::Error::source`] chain, reqwest's
/// error first, which [`Error::report`](super::Error::report) shows on one line.
///
/// Only the SDK makes one: it wraps the `reqwest::Error` of the failure, which reqwest alone
/// builds. Code that handles it can be tested with a real failure (a client aimed at a port
/// nothing listens on), or by matching on the other kinds, which can be built.
#[derive(Debug, thiserror::Error)]
#[error("{kind} after {attempts} attempt(s)")]
pub struct TransportError {
    kind: TransportErrorKind,
    attempts: u32,
    #[source]
    source: reqwest::Error,
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error, attempts: u32) -> Self {
        let kind = TransportErrorKind::of(&source).unwrap_or(TransportErrorKind::Other);
        Self {
            kind,
            attempts,
            source,
        }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// How many attempts were made, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::Error;

    #[test]
    fn a_built_operation_timeout_says_what_the_sdks_own_says() {
        let timeout = OperationTimeout::new(Duration::from_millis(1500), 3);
        assert_eq!(
            (timeout.limit(), timeout.attempts()),
            (Duration::from_millis(1500), 3)
        );
        let error = Error::from(timeout);
        assert_eq!(
            error.to_string(),
            "the operation timeout of 1.5s passed during attempt 3: its outcome is unknown"
        );
        assert!(!error.is_retryable() && error.status().is_none());
    }
}
