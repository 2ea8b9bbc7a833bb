//! Calls Cloudflare's rate limit stops for longer than they may wait.

use std::fmt;

use super::Error;

/// Cloudflare's rate limit stops a call for longer than it may wait: the call fails at once,
/// saying until when, instead of sleeping into the block. Either Cloudflare answered 429 with a
/// `Retry-After` past the call's limit ([`RateLimited::answer`] is that answer: its codes,
/// 971 for the global limit, and `cf-ray`), or the quota Cloudflare's answers reported is
/// spent until a reset past that limit, and nothing was sent (no answer). A call may wait up
/// to [`crate::config::RetryConfig::with_max_retry_after`], within its operation timeout; a sweep waits
/// up to [`crate::sweep::Sweep::max_wait`].
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use cloudflare_r2_catalog::{Error, error::RateLimited};
///
/// let until = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_656_930);
/// let error = Error::from(RateLimited::new(until, Duration::from_secs(300)));
/// assert!(error.is_rate_limited());
/// assert_eq!(
///     error.to_string(),
///     "Cloudflare blocks this token's API calls for 300 s, until 15:22:10 UTC"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct RateLimited {
    until: std::time::SystemTime,
    wait: std::time::Duration,
    blocked: bool,
    #[source]
    answer: Option<Box<Error>>,
}

impl RateLimited {
    /// Cloudflare blocks the token for `wait`, until `until`; no answer is kept (for tests of
    /// code that handles it; the SDK's own carry Cloudflare's answer).
    pub fn new(until: std::time::SystemTime, wait: std::time::Duration) -> Self {
        Self {
            until,
            wait,
            blocked: true,
            answer: None,
        }
    }

    /// The quota Cloudflare's answers reported is spent for `wait`, until `until`: nothing
    /// was sent, and [`is_block`](Self::is_block) is false.
    pub fn quota_spent(until: std::time::SystemTime, wait: std::time::Duration) -> Self {
        Self {
            blocked: false,
            ..Self::new(until, wait)
        }
    }

    /// This hold with the answer that told of it (Cloudflare's 429, say, as an
    /// [`Error::Api`](crate::Error::Api)): [`answer`](Self::answer) gives it back, and the
    /// [`Error`](crate::Error)'s status, codes and `cf-ray` are its.
    pub fn answered(self, answer: Error) -> Self {
        Self {
            answer: Some(Box::new(answer)),
            ..self
        }
    }

    /// When calls may go out again.
    pub fn until(&self) -> std::time::SystemTime {
        self.until
    }

    /// How long from when the call failed until then.
    pub fn wait(&self) -> std::time::Duration {
        self.wait
    }

    /// Whether Cloudflare blocks the token (it answered 429); false when the quota its
    /// answers reported is spent, and the call was not sent.
    pub fn is_block(&self) -> bool {
        self.blocked
    }

    /// Cloudflare's 429 that told of the block, when there was one.
    pub fn answer(&self) -> Option<&Error> {
        self.answer.as_deref()
    }
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole seconds, rounded up as Cloudflare's `Retry-After` is: never a wait that ends
        // too early.
        let seconds = self.wait.as_secs() + u64::from(self.wait.subsec_nanos() > 0);
        let clock = utc_clock(self.until);
        match self.blocked {
            true => write!(
                f,
                "Cloudflare blocks this token's API calls for {seconds} s, until {clock} UTC"
            ),
            false => write!(
                f,
                "this token's quota of API calls is spent for {seconds} s, until {clock} UTC (Cloudflare's answers say so); nothing was sent"
            ),
        }
    }
}

/// The time of day of `at` in UTC, `HH:MM:SS`.
fn utc_clock(at: std::time::SystemTime) -> String {
    let seconds = at
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (hours, minutes, seconds) = ((seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}
