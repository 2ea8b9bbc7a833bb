//! How an emulator is set up before it starts: where it listens, its buckets, the accounts and
//! credentials it accepts, its limits, how its maintenance runs go, TLS and the body timeout.

use std::net::SocketAddr;
use std::time::Duration;

use cloudflare_r2_catalog::{
    config::SecretString,
    error::ValidationError,
    input::{AccountId, BucketName, Input},
};

use crate::access::Access;
use crate::rate::RateLimit;
use crate::run::{RunOutcome, RunPlan};
use crate::server::BODY_TIMEOUT;

/// Cloudflare's limit of accepted maintenance queue requests per table per UTC day, which an
/// emulator applies unless told otherwise ([`EmulatorBuilder::daily_queue_limit`],
/// [`EmulatorBuilder::no_daily_queue_limit`]).
pub const DAILY_QUEUE_LIMIT: u32 = 24;

/// Sets up an [`Emulator`](crate::Emulator); from [`Emulator::builder`](crate::Emulator::builder).
#[derive(Debug)]
#[must_use]
pub struct EmulatorBuilder {
    pub(crate) listen: SocketAddr,
    pub(crate) buckets: Vec<BucketName>,
    pub(crate) access: Access,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) daily_queue_limit: Option<u32>,
    pub(crate) run_plan: RunPlan,
    pub(crate) tls: Option<Protocols>,
    pub(crate) body_timeout: Duration,
    pub(crate) invalid: Option<ValidationError>,
}

/// What a TLS emulator offers by ALPN.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Protocols {
    Http2AndHttp1,
    Http1Only,
}

impl EmulatorBuilder {
    /// The defaults [`Emulator::builder`](crate::Emulator::builder) starts from.
    pub(crate) fn new() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            buckets: Vec::new(),
            access: Access::default(),
            rate_limit: Some(RateLimit::CLOUDFLARE),
            daily_queue_limit: Some(DAILY_QUEUE_LIMIT),
            run_plan: RunPlan::default(),
            tls: None,
            body_timeout: BODY_TIMEOUT,
            invalid: None,
        }
    }

    /// Where to listen; by default `127.0.0.1` on a port the system picks. Loopback only.
    pub fn listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// A bucket that exists (in every account the emulator serves).
    pub fn bucket(mut self, bucket: impl Input<BucketName>) -> Self {
        match bucket.into_valid() {
            Ok(bucket) => self.buckets.push(bucket),
            Err(error) => self.invalid = self.invalid.or(Some(error)),
        }
        self
    }

    /// Serves only the accounts named this way (others are 403); by default, every account.
    pub fn account(mut self, account: impl Input<AccountId>) -> Self {
        match account.into_valid() {
            Ok(account) => self.access.accounts.push(account),
            Err(error) => self.invalid = self.invalid.or(Some(error)),
        }
        self
    }

    /// Accepts this API token; once any token or key is named, only those are accepted.
    pub fn accept_token(mut self, token: impl Into<SecretString>) -> Self {
        self.access.tokens.push(token.into());
        self
    }

    /// Accepts this e-mail and global API key; once any token or key is named, only those are
    /// accepted.
    pub fn accept_key(mut self, email: impl Into<String>, key: impl Into<SecretString>) -> Self {
        self.access.keys.push((email.into(), key.into()));
        self
    }

    /// Applies `limit` as the global API rate limit, in place of Cloudflare's
    /// ([`RateLimit::CLOUDFLARE`], the default): a test can scale it down to see a client
    /// meet it in seconds.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use cloudflare_r2_catalog_emulator::{Emulator, RateLimit};
    ///
    /// let limit = RateLimit::new(5, Duration::from_secs(1))?;
    /// let emulator = Emulator::builder().rate_limit(limit).start().await?;
    /// # drop(emulator);
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Serves without a rate limit, and without its `Ratelimit` headers: for tests and
    /// benchmarks that need raw speed, or send more than Cloudflare's 1,200 requests in 5
    /// minutes on purpose.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Accepts at most `limit` maintenance queue requests per table per UTC day; the next are
    /// refused with 429 and code 42901, as Cloudflare's daily limit is. By default,
    /// Cloudflare's [`DAILY_QUEUE_LIMIT`] (24).
    pub fn daily_queue_limit(mut self, limit: u32) -> Self {
        self.daily_queue_limit = Some(limit);
        self
    }

    /// Accepts any number of maintenance queue requests a day: for tests that queue one table
    /// more than [`DAILY_QUEUE_LIMIT`] times.
    pub fn no_daily_queue_limit(mut self) -> Self {
        self.daily_queue_limit = None;
        self
    }

    /// How long each queued maintenance run runs: it is listed `running`, with no
    /// `completed_at` and no step results, until `duration` has passed since it was queued,
    /// then as it ended ([`EmulatorBuilder::runs_end_as`]). By default
    /// [`DEFAULT_RUN_DURATION`](crate::DEFAULT_RUN_DURATION) (2 s); `Duration::ZERO` ends each
    /// run as it is queued; at most [`MAX_RUN_DURATION`](crate::MAX_RUN_DURATION) (a day).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use cloudflare_r2_catalog_emulator::Emulator;
    ///
    /// let emulator = Emulator::builder()
    ///     .run_duration(Duration::from_millis(50))
    ///     .start()
    ///     .await?;
    /// # drop(emulator);
    /// # Ok(()) }
    /// ```
    pub fn run_duration(mut self, duration: Duration) -> Self {
        self.run_plan.duration = duration.min(crate::run::MAX_RUN_DURATION);
        self
    }

    /// How each queued maintenance run ends once its duration has passed: by default
    /// [`RunOutcome::Succeeded`]; [`RunOutcome::failed`] (or a [`RunOutcome::Failed`] with a
    /// code and message of a test's choosing) for tests of code that meets a failed run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use cloudflare_r2_catalog_emulator::{Emulator, RunOutcome};
    ///
    /// let emulator = Emulator::builder()
    ///     .run_duration(Duration::ZERO)
    ///     .runs_end_as(RunOutcome::failed())
    ///     .start()
    ///     .await?;
    /// # drop(emulator);
    /// # Ok(()) }
    /// ```
    pub fn runs_end_as(mut self, outcome: RunOutcome) -> Self {
        self.run_plan.outcome = outcome;
        self
    }

    /// How long a client may take to send a request's body once its head has arrived; 30
    /// seconds by default (heads have 30 seconds of their own). A body not whole by then is
    /// answered 408 with code 40801 (the emulator's own) and recorded without its body; over
    /// HTTP/1.1 the connection is then closed, so a client that trickles a body cannot hold
    /// one open.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Serves HTTPS, with HTTP/2 and HTTP/1.1 offered by ALPN (`h2` first): a certificate
    /// authority is made at start, and a certificate for `localhost`, `127.0.0.1` and the
    /// address listened on, signed by it. A client trusts it by
    /// [`Emulator::root_certificate_pem`] ([`ClientBuilder::add_root_certificate`]). Without it,
    /// the emulator speaks plain HTTP/1.1.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cloudflare_r2_catalog::Client;
    /// use cloudflare_r2_catalog_emulator::Emulator;
    ///
    /// let emulator = Emulator::builder().tls().bucket("my-data-bucket").start().await?;
    /// assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    /// let client = Client::builder()
    ///     .api_token("any-token")
    ///     .account_id("0123456789abcdef0123456789abcdef")
    ///     .base_url(emulator.base_url())
    ///     .add_root_certificate(emulator.root_certificate_pem().unwrap_or_default())
    ///     .build()?;
    /// client.catalog("my-data-bucket")?.enable().await?;
    /// assert_eq!(emulator.connections(), 1);
    /// # Ok(()) }
    /// ```
    ///
    /// [`Emulator::root_certificate_pem`]: crate::Emulator::root_certificate_pem
    /// [`ClientBuilder::add_root_certificate`]: cloudflare_r2_catalog::ClientBuilder::add_root_certificate
    pub fn tls(mut self) -> Self {
        self.tls = Some(Protocols::Http2AndHttp1);
        self
    }

    /// Serves HTTPS as [`EmulatorBuilder::tls`] does, offering only HTTP/1.1 by ALPN: a
    /// server without HTTP/2.
    pub fn tls_http1_only(mut self) -> Self {
        self.tls = Some(Protocols::Http1Only);
        self
    }
}
