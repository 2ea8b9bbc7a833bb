//! The [`Client`] users hold, and the one path every operation takes through it.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::auth::Credentials;
use crate::catalogs::Catalogs;
use crate::credentials::CatalogCredentials;
use crate::envelope::{self, Envelope, Response};
use crate::error::Error;
use crate::generated;
use crate::maintenance::Maintenance;
use crate::namespaces::Namespaces;
use crate::retry::RetryConfig;
use crate::tables::Tables;
use crate::transport::{self, Attempt, Exchange, Outcome};

/// A client for the R2 Data Catalog API. Cheap to clone: clones share one connection pool.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]; reach the operations through the
/// group methods: [`Client::catalogs`], [`Client::credentials`], [`Client::maintenance`],
/// [`Client::namespaces`], [`Client::tables`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: generated::Client,
    retry: RetryConfig,
    credentials: Credentials,
    body_limit: u64,
}

impl Client {
    /// A builder with the defaults and no credentials.
    pub fn builder() -> crate::ClientBuilder {
        crate::ClientBuilder::new()
    }

    /// A client configured from the environment (see [`crate::ClientBuilder::from_env`]).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), cloudflare_r2_catalog::Error> {
    /// let client = cloudflare_r2_catalog::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        crate::ClientBuilder::from_env()?.build()
    }

    pub(crate) fn new(
        base_url: String,
        http: reqwest::Client,
        credentials: Credentials,
        body_limit: u64,
        retry: RetryConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                api: generated::Client::new_with_client(&base_url, http),
                retry,
                credentials,
                body_limit,
            }),
        }
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        &self.inner.api.baseurl
    }

    /// Which credential scheme the client uses: `"api token"` or `"api key"`.
    pub fn auth_scheme(&self) -> &'static str {
        match self.inner.credentials {
            Credentials::ApiToken(_) => "api token",
            Credentials::ApiKey { .. } => "api key",
        }
    }

    /// Catalogs: list, get, enable, disable.
    pub fn catalogs(&self) -> Catalogs<'_> {
        Catalogs::new(self)
    }

    /// Catalog credentials: the token R2 Data Catalog uses for maintenance jobs.
    pub fn credentials(&self) -> CatalogCredentials<'_> {
        CatalogCredentials::new(self)
    }

    /// Catalog-wide maintenance: compaction and snapshot expiration.
    pub fn maintenance(&self) -> Maintenance<'_> {
        Maintenance::new(self)
    }

    /// Namespaces: list, one page or all of them.
    pub fn namespaces(&self) -> Namespaces<'_> {
        Namespaces::new(self)
    }

    /// Tables: list, get, and table-level maintenance.
    pub fn tables(&self) -> Tables<'_> {
        Tables::new(self)
    }

    /// The generated client, for operation groups to call.
    pub(crate) fn api(&self) -> &generated::Client {
        &self.inner.api
    }

    /// Runs a generated call, again as the retry policy allows, and judges the envelope of
    /// the last attempt. `call` builds the request afresh for each attempt, so the happy path
    /// pays nothing for being retryable.
    pub(crate) async fn send<T: Envelope, F: Future<Output = Outcome<T>>>(
        &self,
        call: impl Fn() -> F,
    ) -> Result<Response<T::Result>, Error> {
        let (outcome, exchange) = self.attempts(call).await;
        let judged = envelope::judge(outcome, exchange).await;
        judged.map_err(|error| self.without_credentials(error))
    }

    /// [`Client::send`] for an operation documented to answer `204 No Content`.
    pub(crate) async fn send_no_content<F: Future<Output = Outcome<()>>>(
        &self,
        call: impl Fn() -> F,
    ) -> Result<Response<()>, Error> {
        let (outcome, exchange) = self.attempts(call).await;
        let judged = envelope::judge_no_content(outcome, exchange).await;
        judged.map_err(|error| self.without_credentials(error))
    }

    /// `error` without the client's token or key in any server text it carries.
    fn without_credentials(&self, error: Error) -> Error {
        match &self.inner.credentials {
            Credentials::ApiToken(token) => error.without_secret(token.expose()),
            Credentials::ApiKey { key, .. } => error.without_secret(key.expose()),
        }
    }

    /// The one retry loop: attempts `call` until the policy calls an outcome final.
    async fn attempts<T, F: Future<Output = Outcome<T>>>(
        &self,
        call: impl Fn() -> F,
    ) -> (Attempt<T>, Exchange) {
        let retry = &self.inner.retry;
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            // Boxed: the generated call's state machine is large, and would otherwise be copied
            // as it moves through these layers (measured by `cargo xtask bench`).
            let (outcome, exchange) =
                transport::observe(attempt, self.inner.body_limit, Box::pin(call())).await;
            match retry.delay_after(&outcome, &exchange) {
                Some(delay) => {
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
                    return (outcome, exchange);
                }
            }
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("auth_scheme", &self.auth_scheme())
            .field("max_response_bytes", &self.inner.body_limit)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}
