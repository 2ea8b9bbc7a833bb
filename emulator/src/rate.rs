//! Cloudflare's global API rate limit: a fixed window of requests per credential, and a block
//! of every request of a credential that goes past it.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::time::{Duration, Instant};

use http::HeaderValue;

use crate::error::EmulatorError;

/// The global API rate limit an emulator applies to each credential (an API token, or an e-mail
/// and global API key), by default [`RateLimit::CLOUDFLARE`]; set by
/// [`EmulatorBuilder::rate_limit`](crate::EmulatorBuilder::rate_limit), turned off by
/// [`EmulatorBuilder::no_rate_limit`](crate::EmulatorBuilder::no_rate_limit).
///
/// A credential's window starts at its first counted request and lasts [`RateLimit::window`];
/// the request that would be number [`RateLimit::quota`] + 1 in it is refused (429, code 971)
/// and starts a block of [`RateLimit::block`], during which every request of that credential is
/// refused and not carried out. The first request after a block, or after a window ends, starts
/// a new window.
///
/// ```
/// use std::time::Duration;
/// use cloudflare_r2_catalog_emulator::RateLimit;
///
/// // Cloudflare's scaled down for a test: 5 requests a second, then a one-second block.
/// let limit = RateLimit::new(5, Duration::from_secs(1))?;
/// assert_eq!(limit.block(), Duration::from_secs(1));
/// let longer = limit.with_block(Duration::from_secs(3))?;
/// assert_eq!((longer.quota(), longer.block()), (5, Duration::from_secs(3)));
/// assert!(RateLimit::new(0, Duration::from_secs(1)).is_err());
/// # Ok::<(), cloudflare_r2_catalog_emulator::EmulatorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    quota: u32,
    window: Duration,
    block: Duration,
}

impl RateLimit {
    /// Cloudflare's: 1,200 requests per 5 minutes per user, and a user who goes past it is
    /// blocked for the next 5 minutes (its API reference, "Rate limits").
    pub const CLOUDFLARE: Self = Self {
        quota: 1200,
        window: Duration::from_secs(300),
        block: Duration::from_secs(300),
    };

    /// `quota` requests per `window` for each credential, and a block as long as the window
    /// for one that goes past it. Refused ([`EmulatorError::InvalidRateLimit`]) unless
    /// `quota` is at least 1 and `window` longer than zero: to serve without a limit, use
    /// [`EmulatorBuilder::no_rate_limit`](crate::EmulatorBuilder::no_rate_limit).
    pub fn new(quota: u32, window: Duration) -> Result<Self, EmulatorError> {
        if quota == 0 {
            return Err(EmulatorError::InvalidRateLimit(
                "the quota must be at least 1 request",
            ));
        }
        if window.is_zero() {
            return Err(EmulatorError::InvalidRateLimit(
                "the window must be longer than zero",
            ));
        }
        Ok(Self {
            quota,
            window,
            block: window,
        })
    }

    /// The same limit with a block of `block` instead; refused
    /// ([`EmulatorError::InvalidRateLimit`]) if it is zero.
    pub fn with_block(self, block: Duration) -> Result<Self, EmulatorError> {
        if block.is_zero() {
            return Err(EmulatorError::InvalidRateLimit(
                "the block must be longer than zero",
            ));
        }
        Ok(Self { block, ..self })
    }

    /// How many requests a credential may make in a window.
    pub fn quota(&self) -> u32 {
        self.quota
    }

    /// How long a window lasts from its first request.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long a credential that went past its quota is refused.
    pub fn block(&self) -> Duration {
        self.block
    }

    /// `Ratelimit-Policy`, as Cloudflare sends it: `"default";q=<quota>;w=<window seconds>`.
    fn policy(&self) -> HeaderValue {
        header(format!(
            "\"default\";q={};w={}",
            self.quota,
            whole_seconds(self.window)
        ))
    }
}

/// A credential a request was accepted with: what the limit is counted by. Cloudflare counts
/// per user; the emulator knows no users, so each credential is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Credential<'a> {
    /// A bearer token.
    Token(&'a str),
    /// An e-mail and global API key.
    Key {
        /// `X-Auth-Email`.
        email: &'a str,
        /// `X-Auth-Key`.
        key: &'a str,
    },
}

/// How many credentials the limiter keeps count of at most. Those whose window and block are
/// over are forgotten first (they would start afresh anyway); past this many live ones, which
/// only a client making up credentials by the thousand reaches, the one whose window started
/// first is forgotten, so memory stays bounded.
const METERED_CREDENTIALS: usize = 100_000;

/// Below this many credentials, the limiter does not look for ones to forget.
const PRUNE_FLOOR: usize = 1024;

/// The rate limit's book: each credential's window, kept by a keyed hash of the credential so
/// that neither a secret nor a client's arbitrarily long header is held.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    meters: HashMap<u64, Meter>,
    hasher: RandomState,
    /// How many credentials there may be before forgotten ones are looked for.
    prune_at: usize,
}

#[derive(Debug, Clone, Copy)]
struct Meter {
    window_start: Instant,
    used: u32,
    blocked_since: Option<Instant>,
}

impl Meter {
    fn fresh(now: Instant) -> Self {
        Self {
            window_start: now,
            used: 0,
            blocked_since: None,
        }
    }

    /// Whether its window or block still runs at `now`: if not, it would start afresh.
    fn live(&self, limit: &RateLimit, now: Instant) -> bool {
        match self.blocked_since {
            Some(since) => now.saturating_duration_since(since) < limit.block,
            None => now.saturating_duration_since(self.window_start) < limit.window,
        }
    }
}

/// The limiter's verdict on one request: its headers, and whether it is refused.
#[derive(Debug)]
pub(crate) struct Metered {
    /// Refused for the limit: answered 429, not carried out.
    pub(crate) refused: bool,
    /// `Retry-After` in seconds, on a refusal only.
    pub(crate) retry_after_secs: Option<u64>,
    /// `Ratelimit`.
    pub(crate) ratelimit: HeaderValue,
    /// `Ratelimit-Policy`.
    pub(crate) policy: HeaderValue,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            meters: HashMap::new(),
            hasher: RandomState::new(),
            prune_at: PRUNE_FLOOR,
        }
    }

    /// Counts a request of `credential` at `now`, or refuses it.
    pub(crate) fn admit(&mut self, credential: Credential<'_>, now: Instant) -> Metered {
        let limit = self.limit;
        let meter = self.meter(credential, now);
        match meter.blocked_since {
            Some(since) => {
                let blocked_for = now.saturating_duration_since(since);
                if blocked_for < limit.block {
                    return refusal(&limit, limit.block - blocked_for);
                }
                *meter = Meter::fresh(now);
            }
            None if now.saturating_duration_since(meter.window_start) >= limit.window => {
                *meter = Meter::fresh(now);
            }
            None => {}
        }
        if meter.used >= limit.quota {
            meter.blocked_since = Some(now);
            return refusal(&limit, limit.block);
        }
        meter.used += 1;
        let resets_in = limit.window - now.saturating_duration_since(meter.window_start);
        Metered {
            refused: false,
            retry_after_secs: None,
            ratelimit: ratelimit(limit.quota - meter.used, resets_in),
            policy: limit.policy(),
        }
    }

    /// The meter of `credential`, a fresh one if it has none.
    fn meter(&mut self, credential: Credential<'_>, now: Instant) -> &mut Meter {
        let id = self.hasher.hash_one(credential);
        if !self.meters.contains_key(&id) && self.meters.len() >= self.prune_at {
            self.prune(now);
        }
        self.meters.entry(id).or_insert_with(|| Meter::fresh(now))
    }

    /// Forgets the credentials whose window and block are over, and, past
    /// [`METERED_CREDENTIALS`], the one whose window started first.
    fn prune(&mut self, now: Instant) {
        let limit = self.limit;
        self.meters.retain(|_, meter| meter.live(&limit, now));
        if self.meters.len() >= METERED_CREDENTIALS {
            let oldest = self
                .meters
                .iter()
                .min_by_key(|(_, meter)| meter.window_start)
                .map(|(id, _)| *id);
            if let Some(oldest) = oldest {
                self.meters.remove(&oldest);
            }
        }
        // Doubling keeps the search rare: each one pays for as many requests as it kept.
        self.prune_at = self
            .meters
            .len()
            .saturating_mul(2)
            .clamp(PRUNE_FLOOR, METERED_CREDENTIALS);
    }
}

/// A refusal with `left` of the block to go.
fn refusal(limit: &RateLimit, left: Duration) -> Metered {
    Metered {
        refused: true,
        retry_after_secs: Some(whole_seconds(left)),
        ratelimit: ratelimit(0, left),
        policy: limit.policy(),
    }
}

/// `Ratelimit`, as Cloudflare sends it: `"default";r=<remaining>;t=<seconds to reset>`.
fn ratelimit(remaining: u32, resets_in: Duration) -> HeaderValue {
    header(format!(
        "\"default\";r={remaining};t={}",
        whole_seconds(resets_in)
    ))
}

/// `duration` in whole seconds, rounded up, at least 1: a client that waits that long finds
/// the window reset or the block over.
fn whole_seconds(duration: Duration) -> u64 {
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
        .max(1)
}

/// The text as a header value: it is ASCII digits and punctuation, so always one.
fn header(text: String) -> HeaderValue {
    HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static("\"default\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &HeaderValue) -> &str {
        value.to_str().unwrap()
    }

    #[test]
    fn seconds_round_up_to_at_least_one() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(300)), 300);
        assert_eq!(whole_seconds(Duration::MAX), u64::MAX);
    }

    #[test]
    fn a_window_counts_down_blocks_past_its_quota_and_starts_afresh_after_the_block() {
        let limit = RateLimit::new(2, Duration::from_secs(10))
            .unwrap()
            .with_block(Duration::from_secs(4))
            .unwrap();
        let mut limiter = Limiter::new(limit);
        let token = Credential::Token("t");
        let start = Instant::now();
        let at = |seconds: f64| start + Duration::from_secs_f64(seconds);

        let first = limiter.admit(token, at(0.0));
        assert_eq!(
            (first.refused, text(&first.ratelimit), text(&first.policy)),
            (false, "\"default\";r=1;t=10", "\"default\";q=2;w=10")
        );
        let second = limiter.admit(token, at(2.5));
        assert_eq!(text(&second.ratelimit), "\"default\";r=0;t=8");
        let third = limiter.admit(token, at(3.0));
        assert_eq!(
            (
                third.refused,
                third.retry_after_secs,
                text(&third.ratelimit)
            ),
            (true, Some(4), "\"default\";r=0;t=4")
        );
        // The block runs from the refusal, not from the window.
        let blocked = limiter.admit(token, at(6.5));
        assert_eq!((blocked.refused, blocked.retry_after_secs), (true, Some(1)));
        let after = limiter.admit(token, at(7.0));
        assert_eq!(
            (after.refused, text(&after.ratelimit)),
            (false, "\"default\";r=1;t=10")
        );
    }

    #[test]
    fn credentials_are_counted_apart() {
        let limit = RateLimit::new(1, Duration::from_secs(60)).unwrap();
        let mut limiter = Limiter::new(limit);
        let now = Instant::now();
        let key = |email| Credential::Key { email, key: "k" };
        assert!(!limiter.admit(Credential::Token("a"), now).refused);
        assert!(limiter.admit(Credential::Token("a"), now).refused);
        assert!(!limiter.admit(Credential::Token("b"), now).refused);
        assert!(!limiter.admit(key("a"), now).refused);
        assert!(!limiter.admit(key("b"), now).refused);
        assert!(limiter.admit(key("a"), now).refused);
    }

    #[test]
    fn the_book_stays_bounded_forgetting_what_is_over_first() {
        let limit = RateLimit::new(1, Duration::from_secs(60)).unwrap();
        let mut limiter = Limiter::new(limit);
        let start = Instant::now();
        let names: Vec<String> = (0..PRUNE_FLOOR * 3).map(|i| i.to_string()).collect();
        for name in &names[..PRUNE_FLOOR] {
            limiter.admit(Credential::Token(name), start);
        }
        // A minute on, those windows are over: forgotten when the book next fills.
        let later = start + Duration::from_secs(60);
        for name in &names[PRUNE_FLOOR..] {
            limiter.admit(Credential::Token(name), later);
        }
        assert_eq!(limiter.meters.len(), PRUNE_FLOOR * 2);
        assert!(
            limiter
                .admit(Credential::Token(&names[PRUNE_FLOOR]), later)
                .refused
        );

        let mut full = Limiter::new(limit);
        full.prune_at = METERED_CREDENTIALS;
        for index in 0..=METERED_CREDENTIALS {
            full.admit(Credential::Token(&index.to_string()), start);
        }
        assert_eq!(full.meters.len(), METERED_CREDENTIALS);
    }
}
