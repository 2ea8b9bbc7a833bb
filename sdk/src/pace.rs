//! The pace every call of a client keeps with Cloudflare's rate limit: what its answers say of
//! the limit (`Ratelimit`, `Ratelimit-Policy`, and the `Retry-After` of a 429), learnt from
//! every answer and shared by the client, its clones and its handles; and the gate every
//! attempt passes before it is sent, which waits, or fails at once, rather than send into a 429.
//!
//! Cloudflare allows 1,200 requests per 300 s per user, counted across the dashboard and every
//! token, and blocks a user who goes past it for 300 s. Its answers say where the user stands:
//! `Ratelimit: "default";r=50;t=30` (50 left, the window resets in 30 s) and
//! `Ratelimit-Policy: "default";q=1200;w=300`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::RateLimited;
use crate::head::ResponseMeta;
use crate::retry::RetryConfig;
use crate::validate::ValidationError;

/// How much of the token's quota a sweep takes, in percent, unless told otherwise: it leaves a
/// quarter of what remains of each window, spread over the time left, to the token's other
/// users (the dashboard, terraform, another job), and adapts when they take more.
pub const DEFAULT_RATE_SHARE: RateShare = RateShare(75);

/// The longest a client holds its calls, or trusts a window's reset, on a server's word: a
/// server asking for more (Cloudflare's block is 300 s) is taken to ask for this, so that no
/// answer can stop a client for longer.
pub const MAX_HOLD: Duration = Duration::from_secs(3600);

/// How long a call waits for the answer to the one call sent alone (the first of a client, or
/// the first after a window's reset, whose answer tells where the token stands) before it goes
/// anyway: that call may be slow, or held up by its caller.
const PROBE_WAIT: Duration = Duration::from_secs(1);

/// The most named limits a client keeps track of; further items of a header are ignored.
const MAX_LIMITS: usize = 4;

/// The longest rate-limit header a client reads; a longer one is ignored.
const MAX_HEADER_BYTES: usize = 1024;

/// How much of the token's quota a sweep may take, in percent (1 to 100): it sends only while
/// more of the window's quota remains than the others' share of it for the time left, and
/// takes what they leave unused. So a sweep alone uses the whole quota over a window, and a
/// sweep beside other users leaves them their share.
///
/// ```
/// use cloudflare_r2_catalog::config::RateShare;
///
/// let half = RateShare::percent(50)?;
/// assert_eq!(half.get(), 50);
/// assert!(RateShare::percent(0).is_err());
/// # Ok::<(), cloudflare_r2_catalog::error::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateShare(u8);

impl RateShare {
    /// `percent` of the quota, 1 to 100.
    pub fn percent(percent: u8) -> Result<Self, ValidationError> {
        if (1..=100).contains(&percent) {
            Ok(Self(percent))
        } else {
            Err(ValidationError::new(
                "rate share",
                "must be a percentage from 1 to 100",
            ))
        }
    }

    /// The share in percent.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The requests of a window's `quota` a sweep leaves to others when `left` of its
    /// `window` is still to come, and never fewer than about 1% of the quota: answers lag,
    /// and another user's last call of a window must not meet a spent quota.
    fn reserve(self, quota: u64, window: Duration, left: Duration) -> u64 {
        let others = f64::from(100 - self.0) / 100.0;
        let time_left = left.as_secs_f64() / window.as_secs_f64();
        // Saturating conversion: a NaN or an overflow cannot come from these bounded inputs,
        // and would give 0 or the largest reserve.
        let reserve = (others * quota as f64 * time_left.min(1.0)).ceil() as u64;
        reserve.max(1 + quota / 100)
    }
}

/// Where a client stands with Cloudflare's rate limit, as its answers said
/// ([`crate::Client::rate_limit`]). Fields are `None` until an answer told them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// Requests allowed per window (`Ratelimit-Policy`'s `q`).
    pub quota: Option<u64>,
    /// The window (`Ratelimit-Policy`'s `w`).
    pub window: Option<Duration>,
    /// Requests left in the current window, less those sent since the answer that said so.
    pub remaining: Option<u64>,
    /// When the current window resets.
    pub resets_at: Option<SystemTime>,
    /// Until when the client holds its calls because Cloudflare said to wait (a 429's
    /// `Retry-After`): a block, when it is long.
    pub held_until: Option<SystemTime>,
    /// How many 429 answers the client has had.
    pub throttled: u64,
}

/// The client's pace: one for all its calls, its clones' and its handles'.
#[derive(Debug, Default)]
pub(crate) struct Pace {
    state: Mutex<State>,
    /// Told when an answer comes or an attempt ends, for the calls waiting on one sent alone.
    answered: Notify,
}

#[derive(Debug, Default)]
struct State {
    /// Until when every call waits, because a server said to: tokio's clock, and the wall's.
    held: Option<(Instant, SystemTime)>,
    limits: Vec<Limit>,
    /// Whether any answer has come yet: until one has, one call goes at a time, so that a
    /// client that starts while blocked learns it from one 429, not from one per call.
    heard: bool,
    /// Whether the one call sent alone to find out where the token stands is in flight.
    probing: bool,
    in_flight: u32,
    throttled: u64,
}

/// One named limit of `Ratelimit`, as the client last knew it.
#[derive(Debug)]
struct Limit {
    name: String,
    /// `q` and `w` of the `Ratelimit-Policy` item of the same name.
    policy: Option<(u64, Duration)>,
    /// What the server last said remains, less what was sent since.
    remaining: u64,
    resets_at: Instant,
    /// Whether an answer told `remaining` in this window; after a reset the client assumes a
    /// full quota, and one call goes alone to find out.
    confirmed: bool,
    /// When the last answer came: the token's other users have spent more since.
    learnt_at: Instant,
    /// How fast the token's other users spend the quota, per second, from how much faster the
    /// server's count falls than this client's own sends.
    others_rate: f64,
    /// The count the last sample of `others_rate` started from: the server's, when, and this
    /// client's sends since (starting with those in flight then, which the server had not
    /// counted yet).
    sample: (u64, Instant, u64),
}

/// The least time between two samples of the others' rate: shorter ones are noise.
const RATE_SAMPLE: Duration = Duration::from_millis(100);

/// What the gate says to an attempt.
enum Verdict {
    /// Send it; `probe` when it is the call sent alone to find out where the token stands.
    Go { probe: bool },
    /// Wait for the answer of the call sent alone.
    Probe,
    /// Wait this long: the server said to (`blocked`), or the quota is spent for now.
    Wait { wait: Duration, blocked: bool },
}

impl Pace {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits, with `retry`'s [`crate::config::Sleep`], until an attempt may be sent, and counts it in
    /// flight until the [`Ticket`] is dropped. A sweep's attempt (`share`) also leaves the
    /// token's other users their share. Fails without waiting when the wait would pass
    /// `max_wait`. Returns how long it waited.
    pub(crate) async fn admit(
        &self,
        share: Option<RateShare>,
        max_wait: Duration,
        retry: &RetryConfig,
    ) -> Result<(Ticket<'_>, Duration), RateLimited> {
        let started = Instant::now();
        // A wait the `Sleep` said was over is over, whatever tokio's clock says: a `Sleep` that
        // returns early (a test's) moves this clock on instead of looping.
        let mut slept_until = started;
        // A call waits for the one sent alone at most this long, then goes anyway: that one
        // may be slow, or held up by its caller.
        let patient_until = started + PROBE_WAIT;
        loop {
            let now = Instant::now().max(slept_until);
            // Registered while the state is locked, so that the answer that changes it wakes
            // this call even if it comes before the wait starts.
            let (verdict, answered) = {
                let mut state = self.state();
                let verdict = state.judge(now, share, now < patient_until);
                let answered = matches!(verdict, Verdict::Probe).then(|| {
                    let mut answered = Box::pin(self.answered.notified());
                    answered.as_mut().enable();
                    answered
                });
                (verdict, answered)
            };
            let waited = now.saturating_duration_since(started);
            match verdict {
                Verdict::Go { probe } => {
                    let ticket = Ticket {
                        pace: Some(self),
                        probe,
                    };
                    return Ok((ticket, waited));
                }
                Verdict::Probe => {
                    if let Some(answered) = answered {
                        let _ = tokio::time::timeout_at(patient_until, answered).await;
                    }
                }
                Verdict::Wait { wait, blocked } => {
                    if waited.saturating_add(wait) > max_wait {
                        let until = SystemTime::now()
                            .checked_add(wait)
                            .unwrap_or_else(SystemTime::now);
                        return Err(if blocked {
                            RateLimited::new(until, wait)
                        } else {
                            RateLimited::quota_spent(until, wait)
                        });
                    }
                    retry.sleep(wait).await;
                    slept_until = now.checked_add(wait).unwrap_or(now);
                }
            }
        }
    }

    /// Ends the attempt of `ticket` with `head`, its answer, and learns from it: the limits its
    /// `Ratelimit` and `Ratelimit-Policy` headers describe, a 429, and the wait it was told
    /// (`hold`), which holds every call's next attempt from now (a longer hold already on
    /// stays), up to [`MAX_HOLD`]. All of it under one lock, before any waiting call is woken.
    pub(crate) fn learn(
        &self,
        mut ticket: Ticket<'_>,
        head: &ResponseMeta,
        hold: Option<Duration>,
    ) {
        let now = Instant::now();
        let mut state = self.state();
        // The attempt ends here rather than when the ticket drops: one lock, one wake-up.
        ticket.pace = None;
        state.end_attempt(ticket.probe);
        state.heard = true;
        if let Some(delay) = hold.map(|delay| delay.min(MAX_HOLD)) {
            let until = (now + delay, SystemTime::now() + delay);
            state.held = Some(match state.held {
                Some(held) if held.0 >= until.0 => held,
                _ => until,
            });
        }
        if head.status == StatusCode::TOO_MANY_REQUESTS {
            state.throttled = state.throttled.saturating_add(1);
        }
        if let Some(limits) = head
            .ratelimit()
            .filter(|text| text.len() <= MAX_HEADER_BYTES)
        {
            let policies = head
                .ratelimit_policy()
                .filter(|text| text.len() <= MAX_HEADER_BYTES)
                .unwrap_or_default();
            // The other attempts in flight may or may not have been counted by the server yet,
            // so they are taken as not.
            let others = u64::from(state.in_flight);
            for item in items(limits) {
                let (Some(remaining), Some(reset)) = (item.param("r"), item.param("t")) else {
                    continue;
                };
                let policy = items(policies)
                    .find(|policy| policy.name == item.name)
                    .and_then(|policy| Some((policy.param("q")?, policy.param("w")?)))
                    .filter(|&(quota, window)| quota >= 1 && window >= 1)
                    .map(|(quota, window)| (quota, Duration::from_secs(window).min(MAX_HOLD)));
                // A reset "now" is a reset within the second: waiting on it must not spin.
                let reset = Duration::from_secs(reset.max(1)).min(MAX_HOLD);
                let counted = (remaining, remaining.saturating_sub(others), others);
                state.learn_limit(item.name, policy, counted, now + reset, now);
            }
        }
        drop(state);
        self.answered.notify_waiters();
    }

    /// Where the client stands, the tightest of the limits it knows.
    pub(crate) fn status(&self) -> RateLimitStatus {
        let (now, wall) = (Instant::now(), SystemTime::now());
        let at = |instant: Instant| wall.checked_add(instant.saturating_duration_since(now));
        let state = self.state();
        let tightest = state
            .limits
            .iter()
            .filter(|limit| limit.resets_at > now)
            .min_by_key(|limit| limit.remaining);
        RateLimitStatus {
            quota: tightest.and_then(|limit| Some(limit.policy?.0)),
            window: tightest.and_then(|limit| Some(limit.policy?.1)),
            remaining: tightest.map(|limit| limit.remaining),
            resets_at: tightest.and_then(|limit| at(limit.resets_at)),
            held_until: state
                .held
                .filter(|(until, _)| *until > now)
                .map(|(_, wall)| wall),
            throttled: state.throttled,
        }
    }
}

impl State {
    /// Counts an attempt out of flight, and the call sent alone if it was that (`probe`).
    fn end_attempt(&mut self, probe: bool) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.probing &= !probe;
    }

    /// Whether an attempt may go `now`, counting it in flight and against every limit if so;
    /// a `patient` one waits for the call sent alone, if one is out.
    fn judge(&mut self, now: Instant, share: Option<RateShare>, patient: bool) -> Verdict {
        if let Some((until, _)) = self.held.filter(|(until, _)| *until > now) {
            return Verdict::Wait {
                wait: until - now,
                blocked: true,
            };
        }
        // A window that is over: its full quota again, unconfirmed. A limit with no policy says
        // nothing of the next window, and one no answer confirmed in a whole window (the
        // server stopped sending it) says nothing more: both are forgotten.
        self.limits
            .retain(|limit| limit.resets_at > now || (limit.policy.is_some() && limit.confirmed));
        for limit in self
            .limits
            .iter_mut()
            .filter(|limit| limit.resets_at <= now)
        {
            if let Some((quota, window)) = limit.policy {
                limit.remaining = quota;
                limit.resets_at = now + window;
                limit.confirmed = false;
                // A full quota is news as fresh as an answer: nothing spent from it yet.
                limit.learnt_at = now;
                limit.others_rate /= 2.0;
            }
        }
        // One call goes alone to find out where the token stands; the others wait for its
        // answer while they are patient.
        let unsure = !self.heard || self.limits.iter().any(|limit| !limit.confirmed);
        let probe = unsure && !self.probing;
        if unsure && self.probing && patient {
            return Verdict::Probe;
        }
        let wait = self
            .limits
            .iter()
            .filter_map(|limit| limit.wait(now, share))
            .max();
        if let Some(wait) = wait {
            return Verdict::Wait {
                wait,
                blocked: false,
            };
        }
        self.in_flight = self.in_flight.saturating_add(1);
        self.probing |= probe;
        for limit in &mut self.limits {
            limit.remaining = limit.remaining.saturating_sub(1);
            limit.sample.2 = limit.sample.2.saturating_add(1);
        }
        Verdict::Go { probe }
    }

    /// Learns that the server counts `heard` left of limit `name` (`policy`) until
    /// `resets_at`, `remaining` of them once the client's `in_flight` calls are counted too.
    fn learn_limit(
        &mut self,
        name: &str,
        policy: Option<(u64, Duration)>,
        (heard, remaining, in_flight): (u64, u64, u64),
        resets_at: Instant,
        now: Instant,
    ) {
        let full = self.limits.len() >= MAX_LIMITS;
        match self.limits.iter_mut().find(|limit| limit.name == name) {
            Some(limit) => {
                // Answers come out of order: within a window, the lowest count and the
                // earliest reset are the latest news. Only once the window's reset has passed
                // (or was assumed) is an answer a new window's: a slow answer with an old,
                // higher count must not undo what came after it.
                let new_window = !limit.confirmed || now >= limit.resets_at;
                if new_window {
                    limit.remaining = remaining;
                    limit.resets_at = resets_at;
                    limit.sample = (heard, now, in_flight);
                } else {
                    limit.remaining = limit.remaining.min(remaining);
                    limit.resets_at = limit.resets_at.min(resets_at);
                    limit.learn_others(heard, now, in_flight);
                }
                limit.confirmed = true;
                limit.learnt_at = now;
                limit.policy = policy.or(limit.policy);
            }
            None if !full => self.limits.push(Limit {
                name: name.to_owned(),
                policy,
                remaining,
                resets_at,
                confirmed: true,
                learnt_at: now,
                others_rate: 0.0,
                sample: (heard, now, in_flight),
            }),
            None => {}
        }
    }
}

impl Limit {
    /// Samples the others' rate: what the server's count lost since the last sample, less
    /// this client's own sends, over the time between. Averaged with the samples before, so
    /// that one burst neither hides nor invents a steady user.
    fn learn_others(&mut self, heard: u64, now: Instant, in_flight: u64) {
        let (before, at, sent) = self.sample;
        let elapsed = now.saturating_duration_since(at);
        if elapsed < RATE_SAMPLE {
            return;
        }
        let others = before.saturating_sub(heard).saturating_sub(sent);
        // No one spends faster than the whole quota: a sample that says so is noise (or a
        // server's word against itself), and must not stop a sweep for long.
        let most = self.policy.map_or(f64::MAX, |(quota, window)| {
            quota as f64 / window.as_secs_f64()
        });
        let rate = (others as f64 / elapsed.as_secs_f64()).min(most);
        self.others_rate = 0.5 * self.others_rate + 0.5 * rate;
        self.sample = (heard, now, in_flight);
    }

    /// What remains, less what the others have likely spent since the last answer.
    fn remaining_now(&self, now: Instant) -> f64 {
        let since = now.saturating_duration_since(self.learnt_at).as_secs_f64();
        (self.remaining as f64 - self.others_rate * since).max(0.0)
    }

    /// How long an attempt must wait for this limit, if at all: until the window resets when
    /// its quota is spent; for a sweep, until the others' reserve has shrunk below what
    /// remains (it shrinks as the window's time runs out), or the reset.
    fn wait(&self, now: Instant, share: Option<RateShare>) -> Option<Duration> {
        let left = self.resets_at.saturating_duration_since(now);
        // A sweep counts on the others going on as they have; any other call counts on what
        // the last answer said, less its own sends, and uses the quota to its end.
        let remaining = match share {
            Some(_) => self.remaining_now(now),
            None => self.remaining as f64,
        };
        let floor = match (share, self.policy) {
            (None, _) => 0,
            (Some(_), None) => 1,
            (Some(share), Some((quota, window))) => share.reserve(quota, window, left),
        };
        if remaining >= (floor + 1) as f64 {
            return None;
        }
        let Some((share, (quota, window))) = share.zip(self.policy) else {
            return Some(left);
        };
        // The reserve shrinks as the window runs out, the others spend as they go: the gap
        // closes at the difference, if it closes at all before the reset. The reserve must
        // come down to `target`, a whole number of requests under what remains; not when the
        // margin is what holds the sweep back.
        let margin = (1 + quota / 100) as f64;
        let others = f64::from(100 - share.0) / 100.0;
        let shrinking = others * quota as f64 / window.as_secs_f64() - self.others_rate;
        let reserve = others * quota as f64 * left.as_secs_f64() / window.as_secs_f64();
        let target = (remaining - 1.0).floor();
        let closes = (target >= margin && shrinking > 0.0)
            .then(|| Duration::try_from_secs_f64((reserve - target) / shrinking).ok())
            .flatten();
        let wait = closes.map_or(left, |closes| closes.min(left));
        Some(wait.max(Duration::from_millis(1)))
    }
}

/// An attempt counted in flight until [`Pace::learn`] ends it with its answer, or until it is
/// dropped (no answer, or the attempt cancelled); the call sent alone if `probe`.
#[must_use]
pub(crate) struct Ticket<'a> {
    /// The pace it is counted by, until the attempt ends.
    pace: Option<&'a Pace>,
    probe: bool,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if let Some(pace) = self.pace.take() {
            pace.state().end_attempt(self.probe);
            pace.answered.notify_waiters();
        }
    }
}

/// What a sweep's calls share besides the client's pace: its budget of retries, its share of
/// the quota, and how long a call may wait for Cloudflare's rate limit.
#[derive(Debug)]
pub(crate) struct SweepBudget {
    retries_left: AtomicU32,
    pub(crate) share: RateShare,
    pub(crate) max_wait: Duration,
}

impl SweepBudget {
    pub(crate) fn new(retries: u32, share: RateShare, max_wait: Duration) -> Self {
        Self {
            retries_left: AtomicU32::new(retries),
            share,
            max_wait,
        }
    }

    /// Takes one retry from the budget; false once it is spent.
    pub(crate) fn take_retry(&self) -> bool {
        self.retries_left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(1)
            })
            .is_ok()
    }
}

/// One item of a `Ratelimit` or `Ratelimit-Policy` header (a structured-field list, as the
/// IETF draft has it): a name, then `;key=value` parameters.
struct Item<'a> {
    name: &'a str,
    params: &'a str,
}

impl Item<'_> {
    /// The parameter `key` when it is a whole number; anything else is no parameter.
    fn param(&self, key: &str) -> Option<u64> {
        self.params
            .split(';')
            .filter_map(|param| param.split_once('='))
            .find(|(name, _)| name.trim() == key)
            .and_then(|(_, value)| value.trim().parse().ok())
    }
}

/// The first [`MAX_LIMITS`] items of `header` that have a name.
fn items(header: &str) -> impl Iterator<Item = Item<'_>> {
    header.split(',').take(MAX_LIMITS).filter_map(|item| {
        let (name, params) = item.split_once(';').unwrap_or((item, ""));
        let name = name.trim().trim_matches('"');
        (!name.is_empty()).then_some(Item { name, params })
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{Limit, RateShare, items};

    #[test]
    fn the_clients_own_calls_in_flight_are_not_taken_for_other_users() {
        let start = Instant::now();
        // 50 left, with ten of this client's calls in flight that the server has not counted.
        let mut limit = Limit {
            name: "default".to_owned(),
            policy: Some((60, Duration::from_secs(4))),
            remaining: 40,
            resets_at: start + Duration::from_secs(4),
            confirmed: true,
            learnt_at: start,
            others_rate: 0.0,
            sample: (50, start, 10),
        };
        // Five more sent; the server has counted all fifteen after 200 ms.
        limit.sample.2 += 5;
        limit.learn_others(35, start + Duration::from_millis(200), 0);
        assert_eq!(limit.others_rate, 0.0);
        // Then someone else spends five in 500 ms: 10 a second, halved by the average.
        limit.learn_others(30, start + Duration::from_millis(700), 0);
        assert!(
            (limit.others_rate - 5.0).abs() < 1e-9,
            "{}",
            limit.others_rate
        );
        // No one spends faster than the whole quota, 15 a second here: (5 + 15) / 2.
        limit.learn_others(0, start + Duration::from_millis(800), 0);
        assert!(
            (limit.others_rate - 10.0).abs() < 1e-9,
            "{}",
            limit.others_rate
        );
    }

    #[test]
    fn headers_are_read_leniently() {
        let header = r#""default";r=50;t=30, "burst";r=x;t=1, ;r=1, "odd" ; t = 7 ;r=-1"#;
        let read: Vec<_> = items(header)
            .map(|item| (item.name, item.param("r"), item.param("t")))
            .collect();
        assert_eq!(
            read,
            [
                ("default", Some(50), Some(30)),
                ("burst", None, Some(1)),
                ("odd", None, Some(7)),
            ]
        );
        assert_eq!(items("").count(), 0);
        assert_eq!(items(&"a;r=1,".repeat(100)).count(), 4);
    }

    #[test]
    fn a_sweep_leaves_the_others_their_share_of_the_time_left() {
        let share = RateShare::percent(75).expect("valid");
        let window = Duration::from_secs(300);
        assert_eq!(share.reserve(1200, window, window), 300);
        assert_eq!(share.reserve(1200, window, Duration::from_secs(150)), 150);
        // Never under the margin, never over the whole quota.
        assert_eq!(share.reserve(1200, window, Duration::ZERO), 13);
        assert_eq!(share.reserve(1200, window, Duration::MAX), 300);
        let all = RateShare::percent(100).expect("valid");
        assert_eq!(
            all.reserve(60, Duration::from_secs(4), Duration::from_secs(4)),
            1
        );
    }
}
