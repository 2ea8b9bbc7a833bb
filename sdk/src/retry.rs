//! The retry policy: which outcomes are retried, and how long to wait before the next attempt.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use crate::codes;
use crate::error::TransportErrorKind;
use crate::head::ResponseMeta;
use crate::transport::Attempt;

/// How failed attempts are retried.
///
/// Retried: connection failures, timeouts, and HTTP 408, 409, 429 and 5xx. Never retried: other
/// statuses (redirects included), input rejected before sending, responses that are not HTTP,
/// bodies over the client's limit, the 409 of enable-catalog and delete-catalog (the spec's
/// "already enabled" and "not empty", which no retry can change), queueing maintenance's 409
/// (the table is with an executor), and a 429 with code 42901 (the day's queue limit). A 404 is never retried, not even
/// the one Cloudflare can answer for a moment right after a bucket is created or a catalog
/// enabled: the same answer is permanent for a typo, and waiting on every real "not found" would
/// slow every caller to help a few; [`crate::Error::is_bucket_not_found`] and
/// [`crate::Error::is_catalog_not_found`] let the code that just created one retry. The wait before retry `n` (1-based) is
/// `min(initial_backoff × 2ⁿ⁻¹, max_backoff)`, shortened by up to a quarter at random so that
/// many clients do not retry in step; a `Retry-After-Ms` or `Retry-After` header (seconds or an
/// HTTP date) replaces it. A call never waits longer than `max_retry_after` (nor past its
/// operation timeout) for Cloudflare: a `Retry-After` beyond it (a block, which lasts 300 s)
/// fails the call at once with [`crate::Error::RateLimited`], which says until when. Every wait
/// a server asks for holds all the calls of the client, not only the one told
/// ([`crate::Client::rate_limit`]).
///
/// ```
/// use std::time::Duration;
/// use cloudflare_r2_catalog::config::RetryConfig;
///
/// let patient = RetryConfig::default()
///     .with_max_retries(5)
///     .with_max_backoff(Duration::from_secs(30));
/// assert_eq!(patient.max_retries(), 5);
/// assert_eq!(RetryConfig::disabled().max_retries(), 0);
/// ```
#[derive(Clone, Debug)]
pub struct RetryConfig {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    sleep: Arc<dyn Sleep>,
}

impl Default for RetryConfig {
    /// Two retries, 0.5 s doubling up to 8 s, `Retry-After` honoured up to 60 s: the defaults
    /// of Cloudflare's official SDKs.
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            sleep: Arc::new(TokioSleep),
        }
    }
}

impl RetryConfig {
    /// No retries: every call makes exactly one attempt.
    pub fn disabled() -> Self {
        Self::default().with_max_retries(0)
    }

    /// Retries after the first attempt (0 disables retries).
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The wait before the first retry; it doubles for each further retry.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// The longest computed wait between attempts.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// The longest a call waits for Cloudflare's rate limit (default 60 s): a `Retry-After` or
    /// `Retry-After-Ms` that asks for more, or a spent quota that resets later, fails the call
    /// at once with [`crate::Error::RateLimited`] instead. A sweep has its own
    /// ([`crate::sweep::Sweep::max_wait`]).
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// What waits between attempts (tokio's timer by default). Tests inject one that records
    /// the waits instead of sleeping.
    pub fn with_sleep(mut self, sleep: impl Sleep) -> Self {
        self.sleep = Arc::new(sleep);
        self
    }

    /// Retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// How long to wait before another attempt, or `None` when `attempt`, attempt number
    /// `number` of a call whose final statuses are `final_statuses`, is final: a success, a
    /// status that is not retried, or the last allowed attempt.
    pub(crate) fn delay_after(
        &self,
        attempt: &Attempt,
        number: u32,
        final_statuses: &[StatusCode],
    ) -> Option<Duration> {
        if number > self.max_retries {
            return None;
        }
        match (attempt, attempt.head()) {
            // No response, or a body that broke off midway: the connection failed.
            (Attempt::Failed { source, .. }, _) if is_retryable_transport(source) => {
                Some(self.backoff(number))
            }
            // A status worth another attempt, whatever its body (one over the limit included).
            (Attempt::Answered { .. } | Attempt::TooLarge { .. }, Some(head))
                if is_retryable(head.status, final_statuses) && !is_daily_limit(attempt) =>
            {
                Some(
                    self.server_delay(head)
                        .unwrap_or_else(|| self.backoff(number)),
                )
            }
            _ => None,
        }
    }

    pub(crate) fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.sleep.sleep(duration)
    }

    /// The computed wait before retry `attempt`, when the server asked for none.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        jittered(doubled.min(self.max_backoff), fastrand::f64())
    }

    /// The wait the server asked for, cut to `max_retry_after`.
    fn server_delay(&self, meta: &ResponseMeta) -> Option<Duration> {
        Some(asked_delay(meta)?.min(self.max_retry_after))
    }

    /// The longest a call may wait for the server before an attempt (a `Retry-After`, a
    /// spent quota): a longer wait fails it at once.
    pub(crate) fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }
}

/// The wait the server asked for, preferring the millisecond header. Any text is safe here:
/// milliseconds too many for a `Duration` are the longest wait; seconds too many for a `u64`,
/// a negative number or no number at all are no ask.
pub(crate) fn asked_delay(meta: &ResponseMeta) -> Option<Duration> {
    let millis = meta
        .retry_after_ms()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| *ms >= 0.0)
        .map(|ms| Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX));
    millis.or_else(|| meta.retry_after().and_then(parse_retry_after))
}

/// `delay` shortened by up to a quarter, by how much `draw` (0 to 1) says. Any delay is safe,
/// `Duration::MAX` included: the arithmetic runs in floating point, whose rounding can land past
/// the largest `Duration`, and such a result is read as `delay` itself.
fn jittered(delay: Duration, draw: f64) -> Duration {
    Duration::try_from_secs_f64(delay.as_secs_f64() * (1.0 - 0.25 * draw)).unwrap_or(delay)
}

/// `Retry-After` is either whole seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Whether the server told `attempt` to wait for its rate limit: a 429, but the daily queue
/// limit's (code 42901), which no wait within the day lifts. Every call of the client waits
/// when one is told to (see [`crate::pace::Pace::learn`]); a `Retry-After` on another status
/// (a 503, say) is that call's own wait.
pub(crate) fn told_to_wait(attempt: &Attempt) -> bool {
    attempt
        .head()
        .is_some_and(|head| head.status == StatusCode::TOO_MANY_REQUESTS)
        && !is_daily_limit(attempt)
}

/// Whether `attempt` is a 429 whose envelope carries the daily queue limit's code (42901):
/// the day's accepted requests are used up, and no retry within the day changes that. Other
/// 429s (code 971, the global rate limit) are a wait.
fn is_daily_limit(attempt: &Attempt) -> bool {
    #[derive(serde::Deserialize)]
    struct Envelope {
        errors: Vec<Code>,
    }
    #[derive(serde::Deserialize)]
    struct Code {
        code: Option<i64>,
    }
    let Attempt::Answered { head, body } = attempt else {
        return false;
    };
    head.status == StatusCode::TOO_MANY_REQUESTS
        && serde_json::from_slice::<Envelope>(body).is_ok_and(|envelope| {
            envelope
                .errors
                .iter()
                .any(|error| error.code == Some(codes::DAILY_QUEUE_LIMIT))
        })
}

/// Whether `attempt` may have reached the server and made its change, the answer lost on the
/// way back: the connection broke or timed out after it was made (a request may be fully sent
/// before that), or the server answered with a 5xx, which an edge proxy can send after the
/// origin behind it committed. Not a connection that never opened (refused, or timed out while
/// connecting), and not a status that turns the request away (408, 409, 429).
pub(crate) fn may_have_applied(attempt: &Attempt) -> bool {
    match attempt {
        Attempt::Failed { source, .. } => !source.is_connect(),
        Attempt::Answered { head, .. } | Attempt::TooLarge { head, .. } => {
            head.status.is_server_error()
        }
        Attempt::Unsent(_) | Attempt::Planned(_) | Attempt::Held(_) => false,
        Attempt::Abandoned { .. } => true,
    }
}

/// Whether the policy retries `status` when a call whose final statuses are `final_statuses`
/// (a refusal with a definite meaning, such as enable-catalog's 409 "already enabled")
/// answers it. Also what [`crate::Error::is_retryable`] reports for an error with that status.
pub(crate) fn is_retryable(status: StatusCode, final_statuses: &[StatusCode]) -> bool {
    is_retryable_status(status) && !final_statuses.contains(&status)
}

/// Statuses worth another attempt: request timeout, conflict (often a lock that clears), rate
/// limiting, and server faults.
fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// Transport failures worth another attempt: timeouts, failed connects, and connections that
/// broke midway (sending, or reading the body). Not: a response that is not HTTP (see
/// [`TransportErrorKind::is_retryable`]), a body over the client's limit, errors building the
/// request.
fn is_retryable_transport(error: &reqwest::Error) -> bool {
    TransportErrorKind::of(error).is_some_and(TransportErrorKind::is_retryable)
}

/// Waits between attempts. Implement it to run the SDK on another timer, or to observe the
/// waits in tests without sleeping.
pub trait Sleep: fmt::Debug + Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The default [`Sleep`]: tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{RetryConfig, jittered};

    #[test]
    fn the_longest_backoffs_do_not_overflow() {
        assert_eq!(jittered(Duration::MAX, 0.0), Duration::MAX);
        assert!(jittered(Duration::MAX, 1.0) <= Duration::MAX.mul_f64(0.75));
        assert_eq!(
            jittered(Duration::from_secs(8), 0.5),
            Duration::from_secs(7)
        );
        let extreme = RetryConfig::default()
            .with_initial_backoff(Duration::MAX)
            .with_max_backoff(Duration::MAX);
        for attempt in [1, 2, 64, u32::MAX] {
            assert!(extreme.backoff(attempt) >= Duration::MAX.mul_f64(0.75));
        }
    }
}
