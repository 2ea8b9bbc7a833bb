//! The engine every operation runs through: the generated client, the retry loop around it, and
//! the judging of the last attempt into a [`Response`] or an [`Error`]. One call's path: a
//! handle calls [`Engine::read`] (or `change`, `no_content`, `store`) with the generated
//! operation; [`Engine::attempts`] sends it through [`transport::attempt`] until
//! [`RetryConfig::delay_after`] says stop; [`envelope`] judges the last attempt.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::AuthScheme;
use crate::envelope::{self, Response};
use crate::error::{Error, RateLimited, Report};
use crate::generated;
use crate::iceberg::{self, Iceberg, IcebergConfig};
use crate::pace::{MAX_HOLD, Pace, RateLimitStatus, SweepBudget};
use crate::retry::{self, RetryConfig};
use crate::text::Secrets;
use crate::transport::{self, Attempt, Sent};
use crate::validate::{AccountId, BucketName};
use crate::wire::{PathFamily, StoredCredential};
use zeroize::Zeroizing;

/// What a change is, as the retry loop and the judge need to know it: the statuses that are its
/// final answer (a refusal that another attempt would only repeat), and which answer to a retry
/// says that an earlier attempt, whose answer was lost, made the change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change {
    pub(crate) final_statuses: &'static [StatusCode],
    pub(crate) already_made: Option<MadeWhen>,
}

impl Change {
    /// A change with no final status and no telling answer: a retry answers as the first
    /// attempt would have (updates, storing a credential, disabling a catalog).
    pub(crate) const PLAIN: Self = Self {
        final_statuses: &[],
        already_made: None,
    };
}

/// Which answer to a retry says that an earlier attempt, whose answer was lost, made the change.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MadeWhen {
    /// Cloudflare's envelope with this status.
    Status(StatusCode),
    /// This status with Cloudflare's envelope, or with no body at all, as the spec declares it.
    BareStatus(StatusCode),
    /// Cloudflare's envelope with an error of this code.
    Code(i64),
}

impl MadeWhen {
    fn says_made(self, error: &Error) -> bool {
        match (self, error) {
            (Self::Status(status) | Self::BareStatus(status), Error::Api(api)) => {
                api.status == status
            }
            (Self::BareStatus(status), Error::UnexpectedBody(bare)) => {
                bare.snippet.is_empty() && bare.status == status
            }
            (Self::Code(code), error) => error.has_code(code),
            _ => false,
        }
    }
}

/// What a call may cost: the retry policy, the operation timeout over all its attempts, and
/// the budget it shares with the other calls of a sweep, if it is one of them. The settings a
/// client can change for some calls ([`crate::Client::with_retry`],
/// [`crate::Client::with_operation_timeout`]).
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) retry: RetryConfig,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) sweep: Option<Arc<SweepBudget>>,
}

/// How many times one call of a sweep waits for Cloudflare's rate limit without taking a
/// retry from the sweep's budget: enough for a block and the calls it held, and an end to a
/// server that says to wait forever.
const FREE_HOLDS_PER_CALL: u32 = 8;

/// What the retry loop came to: the last attempt, how many were made, whether one before the
/// last may have reached the server without its answer reaching the client (see
/// [`retry::may_have_applied`]), and the block that ended it, if Cloudflare's rate limit did.
struct Tried {
    last: Attempt,
    attempts: u32,
    unanswered: bool,
    blocked: Option<RateLimited>,
}

/// What a client holds: the generated client and the settings every call runs with. The
/// handles share it behind an `Arc`.
pub(crate) struct Engine {
    api: generated::Client,
    iceberg: Iceberg,
    policy: Policy,
    pace: Arc<Pace>,
    auth_scheme: AuthScheme,
    secrets: Arc<[Zeroizing<String>]>,
    body_limit: u64,
}

impl Engine {
    pub(crate) fn new(
        api: generated::Client,
        iceberg: Iceberg,
        auth_scheme: AuthScheme,
        secrets: Arc<[Zeroizing<String>]>,
        body_limit: u64,
        policy: Policy,
        pace: Arc<Pace>,
    ) -> Arc<Self> {
        Arc::new(Self {
            api,
            iceberg,
            policy,
            pace,
            auth_scheme,
            secrets,
            body_limit,
        })
    }

    /// This engine with another policy: the same generated client, and so the same connection
    /// pool, credentials and settings.
    pub(crate) fn with_policy(&self, policy: Policy) -> Arc<Self> {
        self.with_parts(self.api.clone(), policy)
    }

    /// This engine preparing each request and sending none when `planning`, sending them
    /// otherwise: the same settings and policy.
    pub(crate) fn planning(&self, planning: bool) -> Arc<Self> {
        let api = generated::Client {
            inner: self.api.inner.planning(planning),
            ..self.api.clone()
        };
        self.with_parts(api, self.policy.clone())
    }

    /// This engine with `api` and `policy` in place of its own: the same Iceberg endpoint,
    /// credentials and settings.
    fn with_parts(&self, api: generated::Client, policy: Policy) -> Arc<Self> {
        Self::new(
            api,
            self.iceberg.clone(),
            self.auth_scheme,
            Arc::clone(&self.secrets),
            self.body_limit,
            policy,
            Arc::clone(&self.pace),
        )
    }

    /// The generated client, for the handles to call.
    pub(crate) fn api(&self) -> &generated::Client {
        &self.api
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.api.baseurl
    }

    pub(crate) fn paths(&self) -> PathFamily {
        self.api.inner.family()
    }

    pub(crate) fn auth_scheme(&self) -> AuthScheme {
        self.auth_scheme
    }

    pub(crate) fn body_limit(&self) -> u64 {
        self.body_limit
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Where the client stands with Cloudflare's rate limit.
    pub(crate) fn rate_limit(&self) -> RateLimitStatus {
        self.pace.status()
    }

    /// Runs a read, again as the retry policy allows, and judges the last attempt. `call`
    /// sends the request afresh for each attempt.
    pub(crate) async fn read<R: DeserializeOwned, F: Future<Output = Sent>>(
        &self,
        call: impl Fn() -> F,
    ) -> Result<Response<R>, Error> {
        let tried = self.attempts(&[], call).await;
        let blocked = tried.blocked;
        envelope::read(tried.last, tried.attempts, self.secrets())
            .map_err(|error| self.settled(error, &[], blocked))
    }

    /// Runs a change as [`Engine::read`] runs a read, and judges it as a change
    /// ([`envelope::change`]), which `change` may find already made.
    pub(crate) async fn change<R: DeserializeOwned, F: Future<Output = Sent>>(
        &self,
        change: Change,
        call: impl Fn() -> F,
    ) -> Result<Response<Option<R>>, Error> {
        let tried = self.attempts(change.final_statuses, call).await;
        let (unanswered, blocked) = (tried.unanswered, tried.blocked);
        let judged = envelope::change(tried.last, tried.attempts, self.secrets());
        judged.or_else(|error| self.found_made(error, change, unanswered, blocked, None))
    }

    /// [`Engine::change`] for a change documented to answer `204 No Content`.
    pub(crate) async fn no_content<F: Future<Output = Sent>>(
        &self,
        change: Change,
        call: impl Fn() -> F,
    ) -> Result<Response<()>, Error> {
        let tried = self.attempts(change.final_statuses, call).await;
        let (unanswered, blocked) = (tried.unanswered, tried.blocked);
        let judged = envelope::no_content(tried.last, tried.attempts, self.secrets());
        judged.or_else(|error| self.found_made(error, change, unanswered, blocked, ()))
    }

    /// [`Engine::change`] for storing a catalog credential, whose request carries `secret`
    /// besides the client's own credentials: it is kept out of what the call returns too, the
    /// free-form object Cloudflare answers with included.
    pub(crate) async fn store<F: Future<Output = Sent>>(
        &self,
        secret: &str,
        call: impl Fn() -> F,
    ) -> Result<Response<StoredCredential>, Error> {
        let secrets = self.secrets().and(secret);
        let tried = self.attempts(&[], call).await;
        let blocked = tried.blocked;
        let stored = envelope::change::<serde_json::Map<String, serde_json::Value>>(
            tried.last,
            tried.attempts,
            secrets,
        );
        let stored = stored.map_err(|error| self.settled(error, &[], blocked))?;
        let result = stored.result.and_then(|object| {
            let mut result = serde_json::Value::Object(object);
            secrets.redact_json(&mut result);
            match result {
                serde_json::Value::Object(object) => Some(object),
                _ => None,
            }
        });
        Ok(Response { result, ..stored })
    }

    /// The last attempt's `error`, unless it says the change is already made
    /// (`change.already_made`) after an earlier attempt that may have reached the server lost
    /// its answer (`unanswered`): that earlier attempt may well have made the change, so the
    /// call reports it made ([`Response::already_applied`]) with `nothing` for a result, never
    /// a failure that its caller, or the caller's own retry loop, would act on. An HTML page
    /// from some proxy with that status says nothing of the kind.
    fn found_made<R>(
        &self,
        error: Error,
        change: Change,
        unanswered: bool,
        blocked: Option<RateLimited>,
        nothing: R,
    ) -> Result<Response<R>, Error> {
        let error = self.settled(error, change.final_statuses, blocked);
        let says_made = change
            .already_made
            .is_some_and(|made| made.says_made(&error));
        if !(unanswered && says_made) {
            return Err(error);
        }
        tracing::debug!("a retry found the change already made");
        Ok(Response {
            cf_ray: error.cf_ray().map(str::to_owned),
            already_applied: true,
            ..Response::new(nothing)
        })
    }

    /// `error` as the caller gets it: knowing whether the retry policy retries its status for
    /// a call whose final statuses are `final_statuses`, and as the answer that told of a
    /// block, when Cloudflare's rate limit `blocked` the call.
    fn settled(
        &self,
        error: Error,
        final_statuses: &[StatusCode],
        blocked: Option<RateLimited>,
    ) -> Error {
        // The day's queue limit (429, 42901) is final whatever the call.
        let retryable = error
            .status()
            .is_some_and(|status| retry::is_retryable(status, final_statuses))
            && !error.is_daily_limit_reached();
        let error = error.with_retry_verdict(retryable);
        match blocked {
            Some(blocked) => blocked.answered(error).into(),
            None => error,
        }
    }

    /// The Iceberg endpoint's URL.
    pub(crate) fn iceberg_url(&self) -> &str {
        self.iceberg.url().as_str()
    }

    /// Asks the Iceberg endpoint for the config of the catalog of `bucket` in `account_id`, as
    /// `warehouse`: once (a check is not retried), within the operation timeout, and not at all
    /// for a dry run.
    pub(crate) async fn iceberg_config(
        &self,
        account_id: &AccountId,
        bucket: &BucketName,
        warehouse: &str,
    ) -> Result<Response<IcebergConfig>, Error> {
        let request = self.iceberg.config_request(account_id, bucket, warehouse)?;
        let attempt = if self.api.inner.dry_run() {
            iceberg::planned(&request)
        } else {
            let sent = self.iceberg.send(request, self.body_limit);
            match self.policy.operation_timeout {
                None => sent.await,
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .unwrap_or(Attempt::Abandoned { limit }),
            }
        };
        iceberg::judge(attempt, self.secrets())
    }

    /// The secrets every call sends: the client's token or key, and the headers it was given.
    fn secrets(&self) -> Secrets<'_> {
        Secrets::new(&self.secrets)
    }

    /// The one retry loop: attempts `call` until the policy calls an attempt final (for a call
    /// whose final statuses are `final_statuses`). Each attempt first passes the client's pace
    /// (a dry run's sends nothing, and passes none), and its answer teaches the pace.
    async fn attempts<F: Future<Output = Sent>>(
        &self,
        final_statuses: &[StatusCode],
        call: impl Fn() -> F,
    ) -> Tried {
        let Policy {
            retry,
            operation_timeout,
            sweep,
        } = &self.policy;
        // tokio's clock, the one the timeout below runs on; a limit too far off for it is none.
        let started = Instant::now();
        let mut deadline =
            operation_timeout.and_then(|limit| Some((started.checked_add(limit)?, limit)));
        let dry_run = self.api.inner.dry_run();
        let mut number = 1;
        // Waits a sweep's call took without spending a retry.
        let mut free_holds = 0;
        let mut unanswered = false;
        loop {
            // How long this call may wait for Cloudflare's rate limit: a sweep's calls as long
            // as the sweep says, their operation timeout moved on by the wait; any other call
            // within its own limit and operation timeout.
            let max_wait = |deadline: Option<(Instant, Duration)>| match sweep {
                Some(sweep) => sweep.max_wait,
                None => deadline.map_or(retry.max_retry_after(), |(deadline, _)| {
                    retry
                        .max_retry_after()
                        .min(deadline.saturating_duration_since(Instant::now()))
                }),
            };
            let share = sweep.as_ref().map(|sweep| sweep.share);
            let ticket = if dry_run {
                None
            } else {
                match self.pace.admit(share, max_wait(deadline), retry).await {
                    Ok((ticket, waited)) => {
                        if sweep.is_some() {
                            deadline = deadline.and_then(|(deadline, limit)| {
                                Some((deadline.checked_add(waited)?, limit))
                            });
                        }
                        Some(ticket)
                    }
                    Err(held) => {
                        tracing::debug!(attempt = number, "held back by the rate limit");
                        return Tried {
                            last: Attempt::Held(held),
                            attempts: number - 1,
                            unanswered,
                            blocked: None,
                        };
                    }
                }
            };
            // Boxed: the generated call's state machine is large (3 KB), and would otherwise be
            // copied as it moves through the layers above it (measured by `cargo xtask bench`).
            let attempt = Box::pin(transport::attempt(call(), self.body_limit))
                .instrument(tracing::debug_span!("r2_catalog.attempt", attempt = number));
            let attempt = match deadline {
                None => attempt.await,
                Some((deadline, limit)) => tokio::time::timeout_at(deadline, attempt)
                    .await
                    .unwrap_or(Attempt::Abandoned { limit }),
            };
            // A 429 holds every call of the client, this one included, whatever is left of
            // anyone's retries: set before anyone waiting is woken. One longer than this call
            // may wait ends it now, saying until when.
            let told = retry::told_to_wait(&attempt).then(|| {
                attempt
                    .head()
                    .and_then(retry::asked_delay)
                    .unwrap_or_else(|| retry.backoff(number))
                    .min(MAX_HOLD)
            });
            // Without an answer (or on a dry run) there is nothing to learn: the ticket ends the
            // attempt as it drops.
            if let (Some(head), Some(ticket)) = (attempt.head(), ticket) {
                self.pace.learn(ticket, head, told);
            }
            log_attempt(number, &attempt);
            let finished = |attempt, blocked| {
                tracing::debug!(
                    attempts = number,
                    duration_ms = started.elapsed().as_millis() as u64,
                    "finished"
                );
                Tried {
                    last: attempt,
                    attempts: number,
                    unanswered,
                    blocked,
                }
            };
            if let Some(wait) = told {
                if wait > max_wait(deadline) {
                    let until = SystemTime::now() + wait;
                    return finished(attempt, Some(RateLimited::new(until, wait)));
                }
                if sweep.is_some() && free_holds < FREE_HOLDS_PER_CALL {
                    free_holds += 1;
                    unanswered |= retry::may_have_applied(&attempt);
                    number += 1;
                    continue;
                }
            }
            let time_left = |delay: &Duration| {
                deadline.is_none_or(|(deadline, _)| {
                    *delay < deadline.saturating_duration_since(Instant::now())
                })
            };
            // No wait that would end past the deadline, nor past a sweep's budget of retries:
            // then the last answer is the call's. Waits that took no retry are not counted.
            let Some(delay) = retry
                .delay_after(&attempt, number - free_holds, final_statuses)
                .filter(time_left)
                .filter(|_| sweep.as_ref().is_none_or(|sweep| sweep.take_retry()))
            else {
                return finished(attempt, None);
            };
            tracing::debug!(
                attempt = number,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            // A wait the server asked for is the pace's hold, which the next attempt waits out;
            // any other is this call's own.
            if told.is_none() {
                retry.sleep(delay).await;
            }
            // A wait that ended past the deadline (a `Sleep` that oversleeps) starts nothing.
            if deadline.is_some_and(|(deadline, _)| Instant::now() >= deadline) {
                tracing::debug!(attempts = number, "finished at the operation timeout");
                return finished(attempt, None);
            }
            unanswered |= retry::may_have_applied(&attempt);
            number += 1;
        }
    }
}

/// One event per attempt that ended in something the request's span did not see (a response,
/// or a failure to send, is logged where it happens, in the request's span). Field values are only evaluated when the event is enabled,
/// so this costs nothing unless someone listens at debug level.
fn log_attempt(number: u32, attempt: &Attempt) {
    match attempt {
        // Logged where it happened, in the request's span.
        Attempt::Failed { head: None, .. } => {}
        Attempt::Failed {
            source,
            head: Some(_),
        } => tracing::debug!(
            attempt = number,
            error = %Report::new(source),
            "response body broke off"
        ),
        Attempt::Unsent(reason) => tracing::debug!(attempt = number, reason, "not sent"),
        Attempt::Abandoned { .. } => {
            tracing::debug!(attempt = number, "abandoned at the operation timeout")
        }
        Attempt::TooLarge { limit, .. } => {
            tracing::debug!(attempt = number, limit, "response body over the limit")
        }
        Attempt::Planned(_) => tracing::debug!("dry run: not sent"),
        Attempt::Held(_) => {}
        Attempt::Answered { .. } => {}
    }
}

/// The settings, never the credentials or the HTTP client's headers.
impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.base_url())
            .field("paths", &self.paths())
            .field("max_response_bytes", &self.body_limit)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
