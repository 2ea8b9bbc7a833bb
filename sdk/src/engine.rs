//! The engine every operation runs through: the generated client, the retry loop around it, and
//! the judging of the last attempt into a [`Response`] or an [`Error`].

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use reqwest::StatusCode;

use crate::auth::Credentials;
use crate::envelope::{self, Envelope, Response};
use crate::error::Error;
use crate::generated;
use crate::retry::{self, RetryConfig};
use crate::text::Secrets;
use crate::transport::{self, Attempt, Exchange, Outcome};
use crate::wire::{PathFamily, Routes};

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

/// What a client holds: the generated client and the settings every call runs with. The
/// operation groups borrow it; [`crate::Client`] shares it behind an `Arc`.
pub(crate) struct Engine {
    api: generated::Client,
    retry: RetryConfig,
    credentials: Credentials,
    body_limit: u64,
}

impl Engine {
    pub(crate) fn new(
        base_url: &str,
        routes: Routes,
        http: reqwest::Client,
        credentials: Credentials,
        body_limit: u64,
        retry: RetryConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            api: generated::Client::new_with_client(base_url, http, routes),
            retry,
            credentials,
            body_limit,
        })
    }

    /// This engine with another retry policy: the same generated client, and so the same
    /// connection pool, credentials and settings.
    pub(crate) fn with_retry(&self, retry: RetryConfig) -> Arc<Self> {
        Arc::new(Self {
            api: self.api.clone(),
            retry,
            credentials: self.credentials.clone(),
            body_limit: self.body_limit,
        })
    }

    /// The generated client, for operation groups to call.
    pub(crate) fn api(&self) -> &generated::Client {
        &self.api
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.api.baseurl
    }

    pub(crate) fn paths(&self) -> PathFamily {
        self.api.inner.family()
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn body_limit(&self) -> u64 {
        self.body_limit
    }

    pub(crate) fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// Runs a generated call, again as the retry policy allows, and judges the envelope of
    /// the last attempt. `call` builds the request afresh for each attempt, so the happy path
    /// pays nothing for being retryable.
    pub(crate) async fn send<T: Envelope, F: Future<Output = Outcome<T>>>(
        &self,
        call: impl Fn() -> F,
    ) -> Result<Response<T::Result>, Error> {
        self.send_keeping_out(self.secrets(), call).await
    }

    /// [`Engine::send`] for a call whose request carries `secret` besides the client's own
    /// credentials (a catalog token being stored): it is kept out of what the call returns too.
    pub(crate) async fn send_carrying<T: Envelope, F: Future<Output = Outcome<T>>>(
        &self,
        secret: &str,
        call: impl Fn() -> F,
    ) -> Result<Response<T::Result>, Error> {
        self.send_keeping_out(self.secrets().and(secret), call)
            .await
    }

    async fn send_keeping_out<T: Envelope, F: Future<Output = Outcome<T>>>(
        &self,
        secrets: Secrets<'_>,
        call: impl Fn() -> F,
    ) -> Result<Response<T::Result>, Error> {
        let (outcome, exchange, _) = self.attempts(call).await;
        let operation = exchange.operation;
        let judged = envelope::judge(outcome, exchange, secrets).await;
        judged.map_err(|error| self.settled(error, operation))
    }

    /// [`Engine::send`] for a change that, once made, is answered as `already_made` says
    /// (enabling an enabled catalog: 409; queueing maintenance when the request that went
    /// unanswered took the day's last slot: 42901). See [`Engine::found_made`].
    pub(crate) async fn send_change<R, T, F>(
        &self,
        call: impl Fn() -> F,
        already_made: MadeWhen,
    ) -> Result<Response<Option<R>>, Error>
    where
        T: Envelope<Result = Option<R>>,
        F: Future<Output = Outcome<T>>,
    {
        let (outcome, exchange, unanswered) = self.attempts(call).await;
        let operation = exchange.operation;
        let judged = envelope::judge(outcome, exchange, self.secrets()).await;
        judged.or_else(|error| {
            self.found_made(error, operation, unanswered, Some(already_made), None)
        })
    }

    /// [`Engine::send`] for a change documented to answer `204 No Content`, which once made is
    /// answered as `already_made` says, if anything tells (deleting a deleted catalog: 404;
    /// disabling a disabled one answers 204 again). See [`Engine::found_made`].
    pub(crate) async fn send_no_content<F: Future<Output = Outcome<()>>>(
        &self,
        call: impl Fn() -> F,
        already_made: Option<MadeWhen>,
    ) -> Result<Response<()>, Error> {
        let (outcome, exchange, unanswered) = self.attempts(call).await;
        let operation = exchange.operation;
        let judged = envelope::judge_no_content(outcome, exchange, self.secrets()).await;
        judged.or_else(|error| self.found_made(error, operation, unanswered, already_made, ()))
    }

    /// The last attempt's `error`, unless it says the change is already made (`already_made`)
    /// after an earlier attempt that may have reached the server lost its answer
    /// (`unanswered`): that earlier attempt may well have made the change, so the call reports
    /// it made ([`Response::already_applied`]) with `nothing` for a result, never a failure
    /// that its caller, or the caller's own retry loop, would act on. An HTML page from some
    /// proxy with that status says nothing of the kind.
    fn found_made<R>(
        &self,
        error: Error,
        operation: &'static str,
        unanswered: bool,
        already_made: Option<MadeWhen>,
        nothing: R,
    ) -> Result<Response<R>, Error> {
        let error = self.settled(error, operation);
        let says_made = already_made.is_some_and(|made| made.says_made(&error));
        if !(unanswered && says_made) {
            return Err(error);
        }
        tracing::debug!(operation, "a retry found the change already made");
        Ok(Response {
            cf_ray: error.cf_ray().map(str::to_owned),
            already_applied: true,
            ..Response::new(nothing)
        })
    }

    /// `error` as the caller gets it from `operation`: knowing whether the retry policy retries
    /// its status for that operation.
    fn settled(&self, error: Error, operation: &str) -> Error {
        let retryable = error
            .status()
            .is_some_and(|status| retry::is_retryable_for(operation, status));
        error.with_retry_verdict(retryable)
    }

    /// The secrets every call sends: the client's token or key.
    fn secrets(&self) -> Secrets<'_> {
        match &self.credentials {
            Credentials::ApiToken(token) => Secrets::default().and(token.expose()),
            Credentials::ApiKey { key, .. } => Secrets::default().and(key.expose()),
        }
    }

    /// The one retry loop: attempts `call` until the policy calls an outcome final. Also says
    /// whether an attempt before the last may have reached the server without its answer
    /// reaching the client (see [`retry::may_have_applied`]).
    async fn attempts<T, F: Future<Output = Outcome<T>>>(
        &self,
        call: impl Fn() -> F,
    ) -> (Attempt<T>, Exchange, bool) {
        let retry = &self.retry;
        let started = Instant::now();
        let mut attempt = 1;
        let mut unanswered = false;
        loop {
            // Boxed: the generated call's state machine is large, and would otherwise be copied
            // as it moves through these layers (measured by `cargo xtask bench`).
            let (outcome, exchange) =
                transport::observe(attempt, self.body_limit, Box::pin(call())).await;
            match retry.delay_after(&outcome, &exchange) {
                Some(delay) => {
                    unanswered |= retry::may_have_applied(&outcome, &exchange);
                    tracing::info!(
                        operation = exchange.operation,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    retry.sleep(delay).await;
                    attempt += 1;
                }
                None => {
                    tracing::debug!(
                        operation = exchange.operation,
                        attempts = attempt,
                        duration_ms = started.elapsed().as_millis() as u64,
                        "finished"
                    );
                    return (outcome, exchange, unanswered);
                }
            }
        }
    }
}

/// The settings, never the credentials or the HTTP client's headers.
impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.base_url())
            .field("paths", &self.paths())
            .field("max_response_bytes", &self.body_limit)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}
