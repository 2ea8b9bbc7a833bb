//! The [`Client`] users hold: it shares one engine, and hands out the handles of accounts and
//! catalogs, which the calls are made on.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::account::AccountHandle;
use crate::auth::AuthScheme;
use crate::catalogs::CatalogHandle;
use crate::engine::{Engine, Policy};
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::CatalogList;
use crate::pace::RateLimitStatus;
use crate::retry::RetryConfig;
use crate::tls;
use crate::validate::{AccountId, BucketName, Input, ValidationError};
use crate::wire::PathFamily;

/// A client for the Basin Catalog (formerly R2 Data Catalog) API. Cheap to clone: clones share one connection pool.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]. Calls are made on handles, each
/// naming what it acts on, checked once when it is made: [`Client::catalog`] (in the client's
/// default account) or [`Client::account`], then [`CatalogHandle`]'s credential, maintenance,
/// namespaces and tables.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use cloudflare_r2_catalog::{Client, MaintenanceKind, RequestId};
///
/// let client = Client::builder()
///     .api_token("a-cloudflare-api-token")
///     .account_id("0123456789abcdef0123456789abcdef")
///     .build()?;
/// let catalog = client.catalog("my-data-bucket")?;
/// catalog.enable().await?;
/// let events = catalog.table("bronze", "events")?;
/// events.maintenance().queue(MaintenanceKind::Compaction, &RequestId::random()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    engine: Arc<Engine>,
    account_id: Option<AccountId>,
}

impl Client {
    pub(crate) fn new(engine: Arc<Engine>, account_id: Option<AccountId>) -> Self {
        Self { engine, account_id }
    }

    /// The account `account_id`, checked now (32 hexadecimal characters): for a client without
    /// a default account, or to act on another one.
    pub fn account(
        &self,
        account_id: impl Input<AccountId>,
    ) -> Result<AccountHandle, ValidationError> {
        Ok(AccountHandle::new(
            Arc::clone(&self.engine),
            account_id.into_valid()?,
        ))
    }

    /// The catalog of `bucket` in the client's default account, the bucket name checked now.
    /// Without a default account ([`ClientBuilder::account_id`](crate::ClientBuilder::account_id),
    /// `CLOUDFLARE_ACCOUNT_ID`), an error for the account id: use [`Client::account`] instead.
    pub fn catalog(
        &self,
        bucket: impl Input<BucketName>,
    ) -> Result<CatalogHandle, ValidationError> {
        self.default_account()?.catalog(bucket)
    }

    /// Every catalog of the client's default account (see [`Client::catalog`]).
    pub async fn list_catalogs(&self) -> Result<Response<CatalogList>, Error> {
        self.default_account()?.list_catalogs().await
    }

    /// The account calls act on unless told otherwise, if the client has one.
    pub fn account_id(&self) -> Option<&AccountId> {
        self.account_id.as_ref()
    }

    fn default_account(&self) -> Result<AccountHandle, ValidationError> {
        let account_id = self.account_id.clone().ok_or(ValidationError::new(
            "account id",
            "the client has no default account: give one to ClientBuilder::account_id (or CLOUDFLARE_ACCOUNT_ID), or name it with Client::account",
        ))?;
        Ok(AccountHandle::new(Arc::clone(&self.engine), account_id))
    }

    /// This client with another retry policy, for the calls that need one: it shares this
    /// client's connections, credentials and every other setting, and costs one allocation.
    /// The handles made from it carry the policy; handles made before keep their client's.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::config::RetryConfig;
    ///
    /// // A health check that must answer now, not after backing off.
    /// let once = client.with_retry(RetryConfig::disabled());
    /// once.list_catalogs().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_retry(&self, retry: RetryConfig) -> Client {
        let policy = Policy {
            retry,
            ..self.engine.policy().clone()
        };
        Client::new(self.engine.with_policy(policy), self.account_id.clone())
    }

    /// This client with an operation timeout of `timeout` (see
    /// [`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout)), for the
    /// calls that must answer within it; it shares everything else with this client. As with
    /// [`Client::with_retry`], the handles made from it carry the timeout.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use std::time::Duration;
    ///
    /// // A dashboard read that gives up after two seconds, retries included.
    /// let quick = client.with_operation_timeout(Duration::from_secs(2));
    /// quick.catalog("my-data-bucket")?.get().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_operation_timeout(&self, timeout: Duration) -> Client {
        let policy = Policy {
            operation_timeout: Some(timeout),
            ..self.engine.policy().clone()
        };
        Client::new(self.engine.with_policy(policy), self.account_id.clone())
    }

    /// This client as a dry run: every call builds its request exactly as this client would send
    /// it (routing, query and body included), sends nothing, and fails with [`Error::DryRun`],
    /// which holds the method, URL and body with every secret redacted. Inputs are still
    /// checked first. It shares everything else with this client, and the handles made from it
    /// are dry runs too. A [sweep](crate::handles::CatalogHandle::sweep) is the one thing that sends: it
    /// lists the namespaces and tables for real (reading changes nothing), and reports each
    /// table's operation planned, as [`Error::DryRun`].
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::Error;
    ///
    /// match client.with_dry_run().catalog("my-data-bucket")?.enable().await {
    ///     Err(Error::DryRun(plan)) => println!("would send {} {}", plan.method, plan.url),
    ///     other => unreachable!("a dry run sends nothing: {other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with_dry_run(&self) -> Client {
        Client::new(self.engine.planning(true), self.account_id.clone())
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        self.engine.base_url()
    }

    /// The path family requests go out under (see [`crate::ClientBuilder::paths`]).
    pub fn paths(&self) -> PathFamily {
        self.engine.paths()
    }

    /// Which kind of credential the client authenticates with.
    pub fn auth_scheme(&self) -> AuthScheme {
        self.engine.auth_scheme()
    }

    /// Where this client stands with Cloudflare's rate limit, as the last answers said
    /// (`Ratelimit`, `Ratelimit-Policy`, a 429's `Retry-After`). The client, its clones, the
    /// clients made from it ([`Client::with_retry`] …) and their handles share one pace: no
    /// call is sent while Cloudflare holds the token or the quota its answers reported is
    /// spent; such a call waits, or fails at once with [`Error::RateLimited`] when the wait
    /// would be longer than it may wait. Two clients built apart share nothing: give one job
    /// one client, and a [sweep](crate::sweep::Sweep::rate_share) a share that leaves the others
    /// room.
    ///
    /// ```no_run
    /// # fn demo(client: cloudflare_r2_catalog::Client) {
    /// let status = client.rate_limit();
    /// if let (Some(remaining), Some(quota)) = (status.remaining, status.quota) {
    ///     println!("{remaining} of {quota} requests left in this window");
    /// }
    /// # }
    /// ```
    pub fn rate_limit(&self) -> RateLimitStatus {
        self.engine.rate_limit()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("account_id", &self.account_id)
            .field("auth_scheme", &self.auth_scheme())
            .field("tls", &tls::BACKEND)
            .field("max_response_bytes", &self.engine.body_limit())
            .field("retry", &self.engine.policy().retry)
            .field("operation_timeout", &self.engine.policy().operation_timeout)
            .finish_non_exhaustive()
    }
}
