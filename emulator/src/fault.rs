//! Faults a test injects: what the next matching requests get instead of an answer.

use std::time::Duration;

use http::StatusCode;

use crate::error::EmulatorError;
use crate::operation::Operation;
use crate::reply::DAILY_LIMIT_MESSAGE;

/// A failure to inject: what the next matching requests get instead of an answer.
///
/// ```
/// use std::time::Duration;
/// use cloudflare_r2_catalog_emulator::{Fault, Operation};
///
/// // The next two enable-catalog requests are rate limited, then it answers normally.
/// let fault = Fault::rate_limited(Duration::from_secs(1)).times(2).only(Operation::EnableCatalog);
/// // The next queue request finds the table with a maintenance executor (409, code 40903).
/// let conflict = Fault::queue_conflict().only(Operation::QueueTableMaintenance);
/// // Any failure envelope: here, a 403 with code 10000.
/// let forbidden = Fault::failure(403, 10000, "Authentication error")?;
/// # Ok::<(), cloudflare_r2_catalog_emulator::EmulatorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) times: usize,
    pub(crate) operation: Option<Operation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FaultKind {
    RateLimited {
        retry_after_secs: u64,
    },
    ServerError(StatusCode),
    Failure {
        status: StatusCode,
        code: i64,
        message: String,
    },
    Disconnect,
    AppliedThenDisconnect,
}

impl Fault {
    /// HTTP 429 with `Retry-After` (whole seconds, rounded up) and Cloudflare's code 971, once
    /// per time asked for, without the `Ratelimit` headers or a block: the rate limit itself is
    /// [`EmulatorBuilder::rate_limit`](crate::EmulatorBuilder::rate_limit)'s.
    pub fn rate_limited(retry_after: Duration) -> Self {
        let seconds = retry_after
            .as_secs()
            .saturating_add(u64::from(retry_after.subsec_nanos() > 0));
        Self::new(FaultKind::RateLimited {
            retry_after_secs: seconds,
        })
    }

    /// A 5xx status with a failure envelope.
    pub fn server_error(status: u16) -> Result<Self, EmulatorError> {
        StatusCode::from_u16(status)
            .ok()
            .filter(StatusCode::is_server_error)
            .map(|status| Self::new(FaultKind::ServerError(status)))
            .ok_or(EmulatorError::NotAServerError(status))
    }

    /// A failure envelope with `status` (4xx or 5xx), one error of `code` and `message`, in
    /// place of the answer; the request is not carried out. No `Retry-After` is sent.
    pub fn failure(
        status: u16,
        code: i64,
        message: impl Into<String>,
    ) -> Result<Self, EmulatorError> {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|status| status.is_client_error() || status.is_server_error())
            .ok_or(EmulatorError::NotAFailure(status))?;
        Ok(Self::new(FaultKind::Failure {
            status,
            code,
            message: message.into(),
        }))
    }

    /// Queueing maintenance's refusal when the table is assigned to a maintenance executor:
    /// HTTP 409, code 40903 (pair it with `.only(Operation::QueueTableMaintenance)`).
    pub fn queue_conflict() -> Self {
        Self::new(FaultKind::Failure {
            status: StatusCode::CONFLICT,
            code: cloudflare_r2_catalog::codes::QUEUE_CONFLICT,
            message: "A maintenance executor conflict prevents the request from being queued"
                .to_owned(),
        })
    }

    /// Queueing maintenance's refusal at the daily limit: HTTP 429, code 42901, no `Retry-After`.
    /// [`EmulatorBuilder::daily_queue_limit`](crate::EmulatorBuilder::daily_queue_limit) gives it
    /// by rule instead.
    pub fn daily_limit_reached() -> Self {
        Self::new(FaultKind::Failure {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: cloudflare_r2_catalog::codes::DAILY_QUEUE_LIMIT,
            message: DAILY_LIMIT_MESSAGE.to_owned(),
        })
    }

    /// The connection closes without an answer, and the request is not carried out.
    pub fn disconnect() -> Self {
        Self::new(FaultKind::Disconnect)
    }

    /// The request is carried out (a change is made), then the connection closes without the
    /// answer: what a client sees when a response is lost on its way back. Its
    /// [`RecordedRequest::status`](crate::RecordedRequest::status) is `None`, as nothing was
    /// answered.
    pub fn applied_then_disconnect() -> Self {
        Self::new(FaultKind::AppliedThenDisconnect)
    }

    fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            times: 1,
            operation: None,
        }
    }

    /// For the next `times` matching requests (1 by default).
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// Only for requests of `operation` (by default, any routed request).
    pub fn only(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }
}
