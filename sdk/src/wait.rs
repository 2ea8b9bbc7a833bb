//! Waiting for queued maintenance runs: following a table's runs listing until the run a
//! request id names has ended, politely (a poll at growing intervals, every call within a share
//! of the rate limit), for one run or for many at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt, stream};

use crate::error::{Error, RunNotOver};
use crate::generated::types::MaintenanceRun;
use crate::pace::{DEFAULT_RATE_SHARE, RateShare, SweepBudget};
use crate::paging::{ListOptions, Streamed};
use crate::sweep::{DEFAULT_SWEEP_MAX_WAIT, DEFAULT_SWEEP_RETRY_BUDGET};
use crate::tables::{TableHandle, TableMaintenanceHandle, latest};
use crate::validate::RequestId;

/// How long a wait lasts unless told otherwise: an hour. Cloudflare's scheduler takes queued
/// maintenance when it next polls, and runs tables' maintenance hourly, so a run can take that
/// long to appear.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How long a wait waits before its second poll unless told otherwise: 5 seconds, as often as
/// Cloudflare's dashboard refreshes a run in progress. Each interval is twice the one before,
/// up to [`MAX_POLL_INTERVAL`].
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// The shortest interval between two polls of one run: a second.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The longest interval the doubling reaches, unless the first interval is longer: a minute.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);

/// The most runs [`Waiting::all`] follows at once: more would take the token's whole quota
/// for an hour to look at each of them a few times, and hold memory in proportion. The others
/// wait their turn, and each gets at least one look, even past the timeout.
pub const MAX_FOLLOWED_AT_ONCE: usize = 10_000;

/// How to wait for queued maintenance runs: how long, how often to look, and what share of
/// the token's rate limit the looking may take.
///
/// A wait polls the table's runs listing (its first page, the newest runs) for the run whose
/// `request_id` is the one queued: at once, then after [`Waiting::poll_interval`], then at
/// twice the interval before, up to a minute. It ends when the run is over
/// ([`MaintenanceRun::is_over`]), whatever its status: a run that failed is what the wait
/// found, not an error of the wait. Past [`Waiting::timeout`] it ends with
/// [`Error::RunNotOver`]; the run goes on.
///
/// Every poll keeps to the client's retries and pace and, with the other polls of the same
/// wait, to [`Waiting::rate_share`] of the token's quota. A block from Cloudflare's rate limit
/// is waited out, not taken as the wait's end, for up to 15 minutes or the timeout if shorter:
/// a poll held up longer ends the wait with [`Error::RateLimited`]. So a wait lasts at most
/// about twice its timeout, however the rate limit goes.
///
/// ```no_run
/// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
/// use std::time::Duration;
/// use cloudflare_r2_catalog::{MaintenanceKind, RequestId, models::RunStatus, wait::Waiting};
///
/// let maintenance = client.catalog("my-data-bucket")?.table("bronze", "events")?.maintenance();
/// let request_id = RequestId::random();
/// maintenance.queue(MaintenanceKind::Compaction, &request_id).await?;
/// let run = maintenance
///     .wait_for(&request_id, &Waiting::new().timeout(Duration::from_secs(15 * 60)))
///     .await?;
/// if run.status != RunStatus::Succeeded {
///     eprintln!("compaction {}: {}", run.status, run.customer_message.unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Waiting {
    timeout: Duration,
    poll_interval: Duration,
    rate_share: RateShare,
}

impl Default for Waiting {
    fn default() -> Self {
        Self::new()
    }
}

impl Waiting {
    /// A wait of [`DEFAULT_WAIT_TIMEOUT`], polling after [`DEFAULT_POLL_INTERVAL`] at first,
    /// within [`DEFAULT_RATE_SHARE`] of the token's quota.
    pub fn new() -> Self {
        Self {
            timeout: DEFAULT_WAIT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            rate_share: DEFAULT_RATE_SHARE,
        }
    }

    /// Gives up after `timeout` (default [`DEFAULT_WAIT_TIMEOUT`]), with
    /// [`Error::RunNotOver`]. The last poll is made at the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Waits `interval` before the second poll (default [`DEFAULT_POLL_INTERVAL`]; at least
    /// [`MIN_POLL_INTERVAL`]), and twice as long as the time before each poll after it, up to
    /// [`MAX_POLL_INTERVAL`] or `interval` if longer.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(MIN_POLL_INTERVAL);
        self
    }

    /// How much of the token's quota the polls of this wait may take together (default
    /// [`DEFAULT_RATE_SHARE`]), as [`Sweep::rate_share`](crate::sweep::Sweep::rate_share) says.
    pub fn rate_share(mut self, share: RateShare) -> Self {
        self.rate_share = share;
        self
    }

    /// Waits for each of `runs`, the request id each was queued with, at once (up to
    /// [`MAX_FOLLOWED_AT_ONCE`]) and within one share of the quota; one [`Waited`] for each
    /// as it ends. The timeout counts from this call for them all. Leave out the tables whose
    /// answer says nothing was queued (`queued: false`): they have no run to wait for.
    pub fn all(
        &self,
        runs: impl IntoIterator<Item = (TableHandle, RequestId)>,
    ) -> Streamed<Waited> {
        let started = Instant::now();
        let budget = self.budget();
        let waiting = self.clone();
        let runs: Vec<_> = runs.into_iter().collect();
        let waited = stream::iter(runs)
            .map(move |(table, request_id)| {
                let polled = table.under(Arc::clone(&budget));
                let timeout = waiting.timeout.saturating_sub(started.elapsed());
                let waiting = Waiting {
                    timeout,
                    ..waiting.clone()
                };
                async move {
                    let outcome = Follow::new(polled, request_id.clone(), waiting)
                        .ended()
                        .await;
                    Waited::new(table, request_id, outcome)
                }
            })
            .buffer_unordered(MAX_FOLLOWED_AT_ONCE);
        Streamed::new(waited)
    }

    /// What the polls of one wait share: its share of the quota, a sweep's budget of retries,
    /// and a sweep's patience with a block, but no more than the wait's own timeout, so that a
    /// look held up by the rate limit overruns the timeout by at most as much again.
    fn budget(&self) -> Arc<SweepBudget> {
        Arc::new(SweepBudget::new(
            DEFAULT_SWEEP_RETRY_BUDGET,
            self.rate_share,
            DEFAULT_SWEEP_MAX_WAIT.min(self.timeout),
        ))
    }
}

/// Where a run stood at one poll of a wait.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunProgress {
    /// The run as last listed (kept when a later page no longer lists it, newer runs having
    /// pushed it off the first page), or `None` while it was never listed: Cloudflare's
    /// scheduler has not taken it (queueing does not start a run).
    pub run: Option<MaintenanceRun>,
    /// How long the wait has lasted.
    pub elapsed: Duration,
}

impl RunProgress {
    /// Where a run stood at `elapsed` into a wait. For tests of code that takes the SDK's
    /// results.
    pub fn new(run: Option<MaintenanceRun>, elapsed: Duration) -> Self {
        Self { run, elapsed }
    }

    /// Whether the run is over ([`MaintenanceRun::is_over`]): the last progress of a wait.
    pub fn is_over(&self) -> bool {
        self.run.as_ref().is_some_and(MaintenanceRun::is_over)
    }
}

/// One run of [`Waiting::all`], once its wait ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct Waited {
    /// The table, on the client it came from.
    pub table: TableHandle,
    /// The request id the run was queued with.
    pub request_id: RequestId,
    /// The run once over, whatever its status; or why the wait ended first
    /// ([`Error::RunNotOver`], or a poll that failed).
    pub outcome: Result<MaintenanceRun, Error>,
}

impl Waited {
    /// How the wait for the run of `table` queued as `request_id` ended. For tests of code that
    /// takes the SDK's results.
    pub fn new(
        table: TableHandle,
        request_id: RequestId,
        outcome: Result<MaintenanceRun, Error>,
    ) -> Self {
        Self {
            table,
            request_id,
            outcome,
        }
    }
}

impl TableMaintenanceHandle {
    /// Each poll of a wait for the run queued as `request_id`, as [`Waiting`] says: one
    /// [`RunProgress`] a poll, the last one over; or, in its place, [`Error::RunNotOver`] at the
    /// timeout, or the error of a poll that failed (once its retries are spent). Then the
    /// stream ends.
    ///
    /// ```no_run
    /// # async fn demo(maintenance: cloudflare_r2_catalog::handles::TableMaintenanceHandle, request_id: cloudflare_r2_catalog::RequestId) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::wait::Waiting;
    /// use futures_util::StreamExt;
    ///
    /// let mut progress = maintenance.follow(&request_id, &Waiting::new());
    /// while let Some(seen) = progress.next().await {
    ///     let seen = seen?;
    ///     let status = seen.run.as_ref().map_or("not started".to_owned(), |run| run.status.to_string());
    ///     println!("{status} after {} s", seen.elapsed.as_secs());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn follow(
        &self,
        request_id: &RequestId,
        waiting: &Waiting,
    ) -> Streamed<Result<RunProgress, Error>> {
        Streamed::new(self.following(request_id, waiting).progress())
    }

    /// Waits for the run queued as `request_id` to end, as [`Waiting`] says, and returns it,
    /// whatever its status ([`RunStatus::Succeeded`](crate::models::RunStatus::Succeeded) or not): [`TableMaintenanceHandle::follow`]
    /// to its end.
    pub async fn wait_for(
        &self,
        request_id: &RequestId,
        waiting: &Waiting,
    ) -> Result<MaintenanceRun, Error> {
        self.following(request_id, waiting).ended().await
    }

    /// A wait for the run queued as `request_id` on this table, its polls within the wait's
    /// own budget.
    fn following(&self, request_id: &RequestId, waiting: &Waiting) -> Follow {
        let polled = self.table().under(waiting.budget());
        Follow::new(polled, request_id.clone(), waiting.clone())
    }
}

/// Where a wait stands between two polls.
struct Follow {
    table: TableHandle,
    request_id: RequestId,
    waiting: Waiting,
    started: Instant,
    /// The time slept so far: with the real clock's time, the wait's length, also when a
    /// test's sleeper returns at once.
    slept: Duration,
    /// Whether the last pause ended at the timeout.
    at_timeout: bool,
    /// The wait before the next poll; `None` before the first, made at once.
    interval: Option<Duration>,
    /// The run as last listed: kept when a later page no longer lists it (newer runs pushed it
    /// off the first page).
    last_seen: Option<MaintenanceRun>,
}

impl Follow {
    /// A wait for the run queued as `request_id` on `table`, whose calls keep to the wait's
    /// budget.
    fn new(table: TableHandle, request_id: RequestId, waiting: Waiting) -> Self {
        Self {
            table,
            request_id,
            waiting,
            started: Instant::now(),
            slept: Duration::ZERO,
            at_timeout: false,
            interval: None,
            last_seen: None,
        }
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed().max(self.slept)
    }

    /// The next poll, after the interval it is due at; [`Error::RunNotOver`] in its place once
    /// the timeout has passed.
    async fn poll(&mut self) -> Result<RunProgress, Error> {
        let interval = match self.interval {
            None => self.waiting.poll_interval,
            Some(interval) => {
                let left = self.waiting.timeout.saturating_sub(self.elapsed());
                if left.is_zero() || self.at_timeout {
                    let status = self.last_seen.as_ref().map(|run| run.status.clone());
                    let waited = self.elapsed().max(self.waiting.timeout);
                    return Err(RunNotOver::new(self.request_id.clone(), waited, status).into());
                }
                let pause = interval.min(left);
                // A pause cut to the time left ends at the timeout: the look after it is the
                // last, however the clock read meanwhile.
                self.at_timeout = pause == left;
                self.table.sleep(pause).await;
                self.slept = self.slept.saturating_add(pause);
                interval
                    .saturating_mul(2)
                    .min(MAX_POLL_INTERVAL.max(self.waiting.poll_interval))
            }
        };
        self.interval = Some(interval);
        let page = self
            .table
            .maintenance()
            .runs()
            .list(ListOptions::new())
            .await?;
        // A server that lists one request id twice is read at its latest run.
        let listed = page.result.runs.into_iter().filter(|run| {
            run.request_id
                .as_deref()
                .is_some_and(|listed| listed.eq_ignore_ascii_case(self.request_id.as_ref()))
        });
        if let Some(latest) = latest(listed) {
            self.last_seen = Some(latest);
        }
        let run = self.last_seen.clone();
        Ok(RunProgress::new(run, self.elapsed()))
    }

    /// Polls until the run is over, and returns it.
    async fn ended(mut self) -> Result<MaintenanceRun, Error> {
        loop {
            if let Some(run) = self.poll().await?.run.filter(MaintenanceRun::is_over) {
                return Ok(run);
            }
        }
    }

    /// Each poll, until the run is over or the wait fails.
    fn progress(self) -> impl Stream<Item = Result<RunProgress, Error>> + Send + 'static {
        stream::unfold(Some(self), |follow| async move {
            let mut follow = follow?;
            let polled = follow.poll().await;
            let goes_on = matches!(&polled, Ok(progress) if !progress.is_over());
            Some((polled, goes_on.then_some(follow)))
        })
    }
}
