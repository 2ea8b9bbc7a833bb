//! A local, stateful stand-in for Cloudflare's Basin Catalog (formerly R2 Data Catalog)
//! management API, for tests and demos.
//!
//! It serves the 16 operations of Cloudflare's spec under `/client/v4` on loopback, in memory,
//! under both path families: `/accounts/{account_id}/basin-catalog/…` (the SDK's default) and
//! `/accounts/{account_id}/r2-catalog/…` (wrangler's), over one state, so a catalog enabled
//! through one is seen through the other. Credential status, which Cloudflare documents only
//! under `basin-catalog`, is answered only there (under `r2-catalog` it is an unknown route,
//! 404 with code 7000), so a client that sends it to the other family finds out here. A catalog is absent until enabled, then its
//! status, credential, maintenance settings and its tables' maintenance runs are what the calls
//! before made them. Buckets are named up front (the API cannot create them); namespaces and
//! tables are seeded (the API only lists them). Any client can use it: the
//! `cloudflare-r2-catalog` SDK (point its
//! [`ClientBuilder::base_url`](cloudflare_r2_catalog::ClientBuilder::base_url) at
//! [`Emulator::base_url`]), the official SDKs, curl.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cloudflare_r2_catalog_emulator::Emulator;
//! use cloudflare_r2_catalog::{CatalogStatus, Client};
//!
//! let emulator = Emulator::builder().bucket("my-data-bucket").start().await?;
//! let account = "0123456789abcdef0123456789abcdef";
//! let client = Client::builder()
//!     .api_token("any-token")
//!     .account_id(account)
//!     .base_url(emulator.base_url())
//!     .build()?;
//!
//! let handle = client.catalog("my-data-bucket")?;
//! handle.enable().await?;
//! let catalog = handle.get().await?.result;
//! assert_eq!(catalog.status, CatalogStatus::Active);
//! assert_eq!(catalog.name, format!("{account}_my-data-bucket"));
//! # Ok(()) }
//! ```
//!
//! What it checks, as Cloudflare does: credentials (a bearer token, or e-mail + key; any
//! non-empty ones unless [`EmulatorBuilder::accept_token`] or [`EmulatorBuilder::accept_key`]
//! name the accepted ones), the account id and bucket name, namespaces and table names, query
//! values and bodies (a 400 failure envelope says what is wrong); unknown routes are 404. And
//! the rules Cloudflare applies beyond its spec, with the codes of
//! [`cloudflare_r2_catalog::codes`]:
//!
//! - enabling a bucket that does not exist is 404, code 40406; any other operation on it, or on
//!   a bucket without a catalog, is 404, code 40401;
//! - on a disabled catalog, the namespace, table, queue and run operations are 404, code 40402
//!   (the catalog-level ones still answer);
//! - a missing table is 404, code 40403; a missing namespace 404, code 40404 (the emulator's
//!   own: Cloudflare's is not known);
//! - a new catalog starts with compaction on (128 MB), as Cloudflare's do, and snapshot
//!   expiration off (7d, 100 snapshots); a new table has both off;
//! - a catalog-level maintenance update that turns compaction or snapshot expiration on while
//!   no credential is stored is 400 `A credential is not present for the
//!   warehouse=<account>_<bucket>` (table-level updates need none);
//! - a table-level maintenance update that turns compaction on while the catalog's compaction
//!   is off is 400, code 40012, `Compaction cannot be enabled for the table while it is
//!   disabled for the catalog`; one that turns snapshot expiration on while the catalog's is
//!   off is 400, code 40013, `Snapshot expiration cannot be enabled for the table while it is
//!   disabled for the catalog` (compaction is judged first; nothing of a refused update is
//!   applied);
//! - once [`EmulatorBuilder::accept_token`] names tokens, storing any other as the catalog's
//!   credential is 400, code 30004 (Cloudflare authenticates the token it stores); credential
//!   status is `absent`, then `valid` once one is stored;
//! - queueing maintenance answers 202 and records a finished run (`succeeded`, each step
//!   `skipped`: the emulator's tables hold no data), listed newest first with its request id;
//!   an unknown `configuration_type` is 404, code 40405 (the emulator's own);
//! - a queue request whose `request_id` the table already accepted (UUIDs compared without
//!   regard to case) answers what the first did, 202 with the same body, whatever kind it
//!   names, and queues nothing: no run, nothing counted against the daily limit. It is
//!   remembered while the table lists its run (the latest 1,000); a refused request is not
//!   remembered;
//! - a table accepts at most [`DAILY_QUEUE_LIMIT`] (24) queue requests per UTC day, then 429,
//!   code 42901, `The daily accepted-request limit has been reached`
//!   ([`EmulatorBuilder::daily_queue_limit`] to change it,
//!   [`EmulatorBuilder::no_daily_queue_limit`] to lift it);
//! - the global API rate limit, Cloudflare's unless changed ([`RateLimit::CLOUDFLARE`]: 1,200
//!   requests per 300 s per credential, then a 300 s block; [`EmulatorBuilder::rate_limit`],
//!   [`EmulatorBuilder::no_rate_limit`]). A credential is a bearer token, or an e-mail and key
//!   pair (when a request sends both, its token if accepted, else its key; Cloudflare counts
//!   per user, and the emulator knows no users). Its window starts at its first counted
//!   request; the request that would be number quota + 1 in it is 429, code 971, `Please wait
//!   and consider throttling your request speed`, with `Retry-After` (seconds, rounded up),
//!   and starts a block during which every request of that credential is so refused and not
//!   carried out (recorded with status 429, counted by
//!   [`Emulator::throttled`]); the first request after the block, or after a window ends,
//!   starts a new window. Counted are the management API's requests routed to an operation, in
//!   either path family, whose credentials are accepted; not counted: a request refused for
//!   its credentials (401: it has no user), an unknown route, one whose body was not read
//!   whole, one an injected [`Fault`] answers (a fault answers first, even during a block),
//!   and the Iceberg route. Every counted answer, success or failure, carries Cloudflare's
//!   headers, `Ratelimit: "default";r=<left in the window>;t=<seconds until it resets>` and
//!   `Ratelimit-Policy: "default";q=<quota>;w=<window seconds>` (seconds rounded up, at
//!   least 1); during a block, `r=0;t=<seconds of the block left>`. Without a limit, no such
//!   headers.
//!
//! It also answers the one route of Cloudflare's Iceberg REST endpoint
//! (`https://catalog.cloudflarestorage.com`) an engine asks first, on its own address with no
//! `/client/v4` (its base is [`Emulator::iceberg_url`]):
//! `GET /{account_id}/{bucket}/v1/config?warehouse={account_id}_{bucket}`. Credentials and
//! accounts are judged as above; the answer is 200 with
//! `{"defaults": {}, "overrides": {"prefix": "<warehouse>"}}` while the bucket's catalog is
//! enabled and `warehouse` is its name, and otherwise an error in the Iceberg REST model
//! (`{"error": {"message", "type", "code"}}`): 400 `BadRequestException` without a warehouse
//! (`Warehouse name missing in query param`), 401 `NotAuthorizedException`, 403
//! `ForbiddenException`, 404 `NoSuchWarehouseException` (no such bucket, no catalog or a
//! disabled one, another warehouse, an invalid account id or bucket name), 405
//! `MethodNotAllowedException` for any method but GET. Faults and the rate limit do not apply
//! to it (Cloudflare's Iceberg endpoint limits writes on its own, and reads not at all), and it
//! is recorded with no [`RecordedRequest::operation`].
//!
//! Faults ([`Fault`]) make the next requests answer 429, a 5xx, any failure (such as queueing's
//! 409, code 40903), or nothing (with or without carrying the request out first), for retry
//! tests; they answer before the rate limit is applied and are not counted by it, so a retry
//! test sees exactly the requests it expects. [`Emulator::requests`] tells what was asked, with
//! each path as sent.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod operation;
mod catalogs;
mod iceberg;
mod certificate;
mod rate;
mod seed;
mod server;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::StatusCode;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use operation::{Operation, UnknownOperation};
pub use rate::RateLimit;
pub use seed::{BucketSeed, Seed, TableSeed};

use self::catalogs::Store;
use self::rate::{Credential, Limiter};
use cloudflare_r2_catalog::{
    AccountId, BucketName, Input, Namespace, SecretString, TableName, ValidationError,
};

/// How many requests [`Emulator::requests`] keeps at most: the most recent ones, so a
/// long-running emulator stays bounded in memory. [`RECORDED_BYTES`] bounds them too.
pub const RECORDED_REQUESTS: usize = 10_000;

/// How many bytes of requests [`Emulator::requests`] keeps at most, counting each one's method,
/// path, query and body: the oldest are dropped first to stay under it. A request can be
/// ~128 KiB (a 64 KiB body, a path and query up to ~64 KB), so without it the record could
/// grow past a gigabyte; the API's own requests are a few hundred bytes, so it rarely keeps
/// fewer than [`RECORDED_REQUESTS`] of them.
pub const RECORDED_BYTES: usize = 16 * 1024 * 1024;

/// Cloudflare's limit of accepted maintenance queue requests per table per UTC day, which an
/// emulator applies unless told otherwise ([`EmulatorBuilder::daily_queue_limit`],
/// [`EmulatorBuilder::no_daily_queue_limit`]).
pub const DAILY_QUEUE_LIMIT: u32 = 24;

/// Why the emulator cannot start, or cannot take a seed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A bucket, account, namespace or table name breaks the API's rules.
    #[error(transparent)]
    InvalidInput(#[from] ValidationError),
    /// The address to listen on is not a loopback address: the emulator accepts any
    /// credentials, so it is never reachable from another machine.
    #[error("the emulator listens on loopback only (127.0.0.0/8 or ::1), not {0}")]
    NotLoopback(SocketAddr),
    /// Seeding named a bucket the emulator was not given.
    #[error("unknown bucket {0}: name it with bucket() or in the seed first")]
    UnknownBucket(String),
    /// Seeding named a nested namespace whose parent namespace is not seeded: the API lists a
    /// namespace only under its parent, so it would never be listed.
    #[error(
        "namespace {namespace} of bucket {bucket} has no parent: seed namespace {parent} too (a namespace is listed only under its parent)"
    )]
    MissingParent {
        /// The bucket it was to be seeded into.
        bucket: BucketName,
        /// The nested namespace.
        namespace: Namespace,
        /// Its parent, which is missing.
        parent: Namespace,
    },
    /// An injected fault's status is not a 5xx.
    #[error("a server-error fault needs a 5xx status, not {0}")]
    NotAServerError(u16),
    /// An injected failure's status is not a 4xx or 5xx.
    #[error("a failure fault needs a 4xx or 5xx status, not {0}")]
    NotAFailure(u16),
    /// A [`RateLimit`] with no quota, or a window or block of zero.
    #[error("invalid rate limit: {0}")]
    InvalidRateLimit(&'static str),
    /// The TLS certificate or configuration cannot be made.
    #[error("{0}")]
    Tls(String),
    /// The address cannot be bound.
    #[error("cannot listen on {address}")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Sets up an [`Emulator`]; from [`Emulator::builder`].
#[derive(Debug)]
#[must_use]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    buckets: Vec<BucketName>,
    access: Access,
    rate_limit: Option<RateLimit>,
    daily_queue_limit: Option<u32>,
    tls: Option<Protocols>,
    body_timeout: Duration,
    invalid: Option<ValidationError>,
}

/// What a TLS emulator offers by ALPN.
#[derive(Debug, Clone, Copy)]
enum Protocols {
    Http2AndHttp1,
    Http1Only,
}

impl EmulatorBuilder {
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
    /// [`Emulator::root_certificate_pem`] ([`ClientBuilder::add_root_certificate`](cloudflare_r2_catalog::ClientBuilder::add_root_certificate)).
    /// Without it, the emulator speaks plain HTTP/1.1.
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

    /// Binds the address and serves on the current tokio runtime until the [`Emulator`] is
    /// dropped.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if let Some(error) = self.invalid {
            return Err(error.into());
        }
        if !self.listen.ip().is_loopback() {
            return Err(EmulatorError::NotLoopback(self.listen));
        }
        let listen_error = |source| EmulatorError::Listen {
            address: self.listen,
            source,
        };
        let certificates = self
            .tls
            .map(|protocols| {
                let offered: &[&[u8]] = match protocols {
                    Protocols::Http2AndHttp1 => &[b"h2", b"http/1.1"],
                    Protocols::Http1Only => &[b"http/1.1"],
                };
                certificate::make(self.listen.ip(), offered)
            })
            .transpose()
            .map_err(EmulatorError::Tls)?;
        let listener = TcpListener::bind(self.listen).await.map_err(listen_error)?;
        let address = listener.local_addr().map_err(listen_error)?;
        let mut store = Store::new(self.daily_queue_limit);
        self.buckets
            .iter()
            .for_each(|bucket| store.add_bucket(bucket));
        let shared = Arc::new(Shared {
            access: self.access,
            body_timeout: self.body_timeout,
            world: Mutex::new(World {
                store,
                limiter: self.rate_limit.map(Limiter::new),
                throttled: 0,
                faults: Vec::new(),
                requests: VecDeque::new(),
                recorded_bytes: 0,
            }),
            connections: AtomicU64::new(0),
        });
        let (scheme, root_pem, acceptor) = match certificates {
            Some(made) => (
                "https",
                Some(made.root_pem),
                Some(tokio_rustls::TlsAcceptor::from(made.server)),
            ),
            None => ("http", None, None),
        };
        let server = tokio::spawn(server::serve(listener, acceptor, Arc::clone(&shared)));
        Ok(Emulator {
            base_url: format!("{scheme}://{address}{}", server::API_PREFIX),
            iceberg_url: format!("{scheme}://{address}"),
            root_pem,
            address,
            shared,
            server,
        })
    }
}

/// A running emulator; it stops serving, and closes its connections, when dropped, or when
/// [`Emulator::shutdown`] says so and waits for it.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    iceberg_url: String,
    root_pem: Option<String>,
    address: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Emulator {
    /// Stops serving and returns once the listening socket is closed, so its address can be
    /// bound again at once. Dropping the emulator stops it too, but closes the socket a moment
    /// later, on the runtime.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // The task's future, and the listener in it, are dropped before its handle resolves;
        // it resolves as cancelled, which is what was asked.
        let _ = (&mut self.server).await;
    }

    /// A builder: no buckets, every account, any credentials, Cloudflare's rate limit
    /// ([`RateLimit::CLOUDFLARE`]) and daily queue limit ([`DAILY_QUEUE_LIMIT`]), a free
    /// loopback port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            buckets: Vec::new(),
            access: Access::default(),
            rate_limit: Some(RateLimit::CLOUDFLARE),
            daily_queue_limit: Some(DAILY_QUEUE_LIMIT),
            tls: None,
            body_timeout: server::BODY_TIMEOUT,
            invalid: None,
        }
    }

    /// The API's base URL on this emulator, `http://127.0.0.1:PORT/client/v4` (`https://` with
    /// [`EmulatorBuilder::tls`]): what to give a client in place of
    /// `https://api.cloudflare.com/client/v4`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base of its Iceberg REST endpoint, `http://127.0.0.1:PORT` (no path): what to use
    /// in place of `https://catalog.cloudflarestorage.com`, so a catalog's URI is
    /// `{iceberg_url}/{account_id}/{bucket}`. It serves only the config route,
    /// `GET {iceberg_url}/{account_id}/{bucket}/v1/config?warehouse={account_id}_{bucket}`.
    pub fn iceberg_url(&self) -> &str {
        &self.iceberg_url
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The PEM certificate of the authority that signed this emulator's certificate, for a
    /// client to trust ([`ClientBuilder::add_root_certificate`](cloudflare_r2_catalog::ClientBuilder::add_root_certificate)); `None` unless it
    /// serves TLS ([`EmulatorBuilder::tls`]). Made afresh at each start.
    pub fn root_certificate_pem(&self) -> Option<&str> {
        self.root_pem.as_deref()
    }

    /// The connections accepted so far; with TLS, those whose handshake completed. A client
    /// that speaks HTTP/2 carries its calls on one.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Adds a bucket (in every account the emulator serves).
    pub fn add_bucket(&self, bucket: impl Input<BucketName>) -> Result<(), EmulatorError> {
        let bucket = bucket.into_valid()?;
        self.shared.lock().store.add_bucket(&bucket);
        Ok(())
    }

    /// Seeds a namespace into `bucket`'s catalog metadata, in every account: it is listed once
    /// the catalog is enabled, and keeps a catalog from being deleted without `force`. A nested
    /// namespace needs its parent seeded first ([`EmulatorError::MissingParent`]).
    pub fn add_namespace(
        &self,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
    ) -> Result<(), EmulatorError> {
        let (bucket, namespace) = (bucket.into_valid()?, namespace.into_valid()?);
        let store = &mut self.shared.lock().store;
        require_seeded_parent(store, &bucket, &namespace)?;
        if store.add_namespace(&bucket, &namespace) {
            Ok(())
        } else {
            Err(EmulatorError::UnknownBucket(bucket.to_string()))
        }
    }

    /// Seeds a table (and its namespace, if not there yet) into `bucket`, in every account. A
    /// nested namespace needs its parent seeded first ([`EmulatorError::MissingParent`]).
    pub fn add_table(
        &self,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
    ) -> Result<(), EmulatorError> {
        let (bucket, namespace, table) = (
            bucket.into_valid()?,
            namespace.into_valid()?,
            table.into_valid()?,
        );
        let store = &mut self.shared.lock().store;
        require_seeded_parent(store, &bucket, &namespace)?;
        if store.add_table(&bucket, &namespace, &table) {
            Ok(())
        } else {
            Err(EmulatorError::UnknownBucket(bucket.to_string()))
        }
    }

    /// Seeds everything `seed` names: its buckets, their namespaces and tables. The whole seed
    /// is checked first, and nothing of it is seeded if any of it is refused: a name that
    /// breaks the API's rules, or a nested namespace (listed, or a table's) whose parent is
    /// neither in the seed nor already in the bucket ([`EmulatorError::MissingParent`]).
    pub fn seed(&self, seed: &Seed) -> Result<(), EmulatorError> {
        seed.apply(&mut self.shared.lock().store)
    }

    /// Makes the next requests fail as `fault` says; faults apply in the order injected.
    pub fn inject(&self, fault: Fault) {
        if fault.times > 0 {
            self.shared.lock().faults.push(fault);
        }
    }

    /// The requests received so far, oldest first: the most recent ones, at most
    /// [`RECORDED_REQUESTS`] of them and [`RECORDED_BYTES`] of their methods, paths, queries
    /// and bodies.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// How many requests it has refused for the rate limit (429, code 971) since it started:
    /// those that went past a credential's quota, and those made during the block that
    /// followed. An injected [`Fault::rate_limited`] is not counted.
    pub fn throttled(&self) -> u64 {
        self.shared.lock().throttled
    }
}

/// A failure to inject: what the next matching requests get instead of an answer.
///
/// ```
/// use std::time::Duration;
/// use cloudflare_r2_catalog_emulator::{Fault, Operation};
///
/// // The next two enable-catalog requests are rate limited, then it answers normally.
/// let fault = Fault::rate_limited(Duration::from_secs(1)).times(2).only(Operation::EnableCatalog);
/// // The next queue request finds the table with a maintenance executor (409, code 40903).
/// let conflict = Fault::queue_conflict().only(Operation::QueueTableMaintenance);
/// // Any failure envelope: here, a 403 with code 10000.
/// let forbidden = Fault::failure(403, 10000, "Authentication error")?;
/// # Ok::<(), cloudflare_r2_catalog_emulator::EmulatorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fault {
    kind: FaultKind,
    times: usize,
    operation: Option<Operation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FaultKind {
    RateLimited {
        retry_after_secs: u64,
    },
    ServerError(StatusCode),
    Failure {
        status: StatusCode,
        code: i64,
        message: String,
    },
    Disconnect,
    AppliedThenDisconnect,
}

impl Fault {
    /// HTTP 429 with `Retry-After` (whole seconds, rounded up) and Cloudflare's code 971, once
    /// per time asked for, without the `Ratelimit` headers or a block: the rate limit itself is
    /// [`EmulatorBuilder::rate_limit`]'s.
    pub fn rate_limited(retry_after: Duration) -> Self {
        let seconds = retry_after
            .as_secs()
            .saturating_add(u64::from(retry_after.subsec_nanos() > 0));
        Self::new(FaultKind::RateLimited {
            retry_after_secs: seconds,
        })
    }

    /// A 5xx status with a failure envelope.
    pub fn server_error(status: u16) -> Result<Self, EmulatorError> {
        StatusCode::from_u16(status)
            .ok()
            .filter(StatusCode::is_server_error)
            .map(|status| Self::new(FaultKind::ServerError(status)))
            .ok_or(EmulatorError::NotAServerError(status))
    }

    /// A failure envelope with `status` (4xx or 5xx), one error of `code` and `message`, in
    /// place of the answer; the request is not carried out. No `Retry-After` is sent.
    pub fn failure(
        status: u16,
        code: i64,
        message: impl Into<String>,
    ) -> Result<Self, EmulatorError> {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|status| status.is_client_error() || status.is_server_error())
            .ok_or(EmulatorError::NotAFailure(status))?;
        Ok(Self::new(FaultKind::Failure {
            status,
            code,
            message: message.into(),
        }))
    }

    /// Queueing maintenance's refusal when the table is assigned to a maintenance executor:
    /// HTTP 409, code 40903 (pair it with `.only(Operation::QueueTableMaintenance)`).
    pub fn queue_conflict() -> Self {
        Self::new(FaultKind::Failure {
            status: StatusCode::CONFLICT,
            code: cloudflare_r2_catalog::codes::QUEUE_CONFLICT,
            message: "A maintenance executor conflict prevents the request from being queued"
                .to_owned(),
        })
    }

    /// Queueing maintenance's refusal at the daily limit: HTTP 429, code 42901, no
    /// `Retry-After`. [`EmulatorBuilder::daily_queue_limit`] gives it by rule instead.
    pub fn daily_limit_reached() -> Self {
        Self::new(FaultKind::Failure {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: cloudflare_r2_catalog::codes::DAILY_QUEUE_LIMIT,
            message: DAILY_LIMIT_MESSAGE.to_owned(),
        })
    }

    /// The connection closes without an answer, and the request is not carried out.
    pub fn disconnect() -> Self {
        Self::new(FaultKind::Disconnect)
    }

    /// The request is carried out (a change is made), then the connection closes without the
    /// answer: what a client sees when a response is lost on its way back. Its
    /// [`RecordedRequest::status`] is `None`, as nothing was answered.
    pub fn applied_then_disconnect() -> Self {
        Self::new(FaultKind::AppliedThenDisconnect)
    }

    fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            times: 1,
            operation: None,
        }
    }

    /// For the next `times` matching requests (1 by default).
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// Only for requests of `operation` (by default, any routed request).
    pub fn only(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }
}

/// Cloudflare's documented message for queueing's daily limit.
const DAILY_LIMIT_MESSAGE: &str = "The daily accepted-request limit has been reached";

/// A request the emulator received.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST` …
    pub method: String,
    /// The path as sent (percent-encoded), `/client/v4/accounts/…`, in whichever path family
    /// it used, or the Iceberg config route's `/{account_id}/{bucket}/v1/config`.
    pub path: String,
    /// The query string as sent, if any.
    pub query: Option<String>,
    /// The operation it routed to, if any: `None` for an unknown route, and for the Iceberg
    /// config route, which is no operation of the management API.
    pub operation: Option<Operation>,
    /// The status answered; `None` when a fault closed the connection instead.
    pub status: Option<u16>,
    /// The body as sent; empty when it was not read whole (over 64 KiB, cut off, or too slow:
    /// see [`EmulatorBuilder::body_timeout`]). It may hold a catalog token, so `Debug` shows
    /// only its length.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// What it counts for against [`RECORDED_BYTES`].
    fn bytes(&self) -> usize {
        let query = self.query.as_ref().map_or(0, String::len);
        self.method.len() + self.path.len() + query + self.body.len()
    }
}

impl std::fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// Refuses `namespace` when it is nested and its parent is not seeded in `bucket`; an unknown
/// bucket passes, for the caller to refuse as such.
fn require_seeded_parent(
    store: &Store,
    bucket: &BucketName,
    namespace: &Namespace,
) -> Result<(), EmulatorError> {
    seed::check_parent(bucket, namespace, |parent| {
        store.seeded_namespace(bucket, parent).unwrap_or(true)
    })
}

/// Which credentials and accounts the emulator accepts.
#[derive(Debug, Default)]
struct Access {
    tokens: Vec<SecretString>,
    keys: Vec<(String, SecretString)>,
    accounts: Vec<AccountId>,
}

impl Access {
    /// The credential a request is accepted with, if any: its bearer token, or else its e-mail
    /// and key (when both are sent, the token is the one counted for the rate limit).
    fn authenticate<'a>(
        &self,
        token: Option<&'a str>,
        key: Option<(&'a str, &'a str)>,
    ) -> Option<Credential<'a>> {
        let open = self.tokens.is_empty() && self.keys.is_empty();
        let token = token.filter(|token| {
            if open {
                !token.is_empty()
            } else {
                self.tokens
                    .iter()
                    .any(|accepted| accepted.expose() == *token)
            }
        });
        let key = key.filter(|(email, key)| {
            open || self
                .keys
                .iter()
                .any(|(accepted, secret)| accepted == email && secret.expose() == *key)
        });
        token
            .map(Credential::Token)
            .or_else(|| key.map(|(email, key)| Credential::Key { email, key }))
    }

    /// Whether a catalog token may be stored: any, unless tokens were named, then only those
    /// (Cloudflare authenticates the token it stores; the emulator knows only these).
    fn accepts_catalog_token(&self, token: &str) -> bool {
        self.tokens.is_empty()
            || self
                .tokens
                .iter()
                .any(|accepted| accepted.expose() == token)
    }

    fn serves(&self, account: &AccountId) -> bool {
        self.accounts.is_empty() || self.accounts.contains(account)
    }
}

/// What the server and the handle share.
#[derive(Debug)]
struct Shared {
    access: Access,
    body_timeout: Duration,
    world: Mutex<World>,
    connections: AtomicU64,
}

impl Shared {
    /// The state, even if a thread panicked holding it: it is still consistent, since every
    /// change under the lock is a plain assignment.
    fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The emulator's mutable state.
#[derive(Debug)]
struct World {
    store: Store,
    /// The rate limit's book; `None` without a limit.
    limiter: Option<Limiter>,
    /// The requests refused for the rate limit.
    throttled: u64,
    faults: Vec<Fault>,
    requests: VecDeque<RecordedRequest>,
    /// The [`RecordedRequest::bytes`] of `requests`.
    recorded_bytes: usize,
}

impl World {
    /// The fault the next request of `operation` gets, if any, counting it down.
    fn take_fault(&mut self, operation: Operation) -> Option<FaultKind> {
        let index = self
            .faults
            .iter()
            .position(|fault| fault.operation.is_none_or(|only| only == operation))?;
        let fault = &mut self.faults[index];
        fault.times -= 1;
        if fault.times == 0 {
            return Some(self.faults.remove(index).kind);
        }
        Some(fault.kind.clone())
    }

    fn record(&mut self, request: RecordedRequest) {
        let bytes = request.bytes();
        while self.requests.len() >= RECORDED_REQUESTS
            || self.recorded_bytes + bytes > RECORDED_BYTES
        {
            let Some(oldest) = self.requests.pop_front() else {
                break;
            };
            self.recorded_bytes -= oldest.bytes();
        }
        self.recorded_bytes += bytes;
        self.requests.push_back(request);
    }
}
