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
//! use cloudflare_r2_catalog::{models::CatalogStatus, Client};
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
//! - queueing maintenance answers 202 and records a run, listed newest first with its request
//!   id: `running` (no `completed_at`, no step results yet) for [`DEFAULT_RUN_DURATION`] (2 s;
//!   [`EmulatorBuilder::run_duration`] to change it), then `succeeded`, each step `skipped` (the
//!   emulator's tables hold no data), or `failed` with an error code and `customer_message` if
//!   [`EmulatorBuilder::runs_end_as`] says so (its status is read off the clock when listed);
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

// The modules, bottom-up in one-way layers: each imports only modules listed before it
// (`xtask/tests/layers.rs` checks this).
//
// 1. Vocabulary: what goes wrong at setup, the API's operations and the routes to them, time as
//    the API writes it, an answer and the failures many operations share, and what a request's
//    values say.
mod error;
mod operation;
mod clock;
mod reply;
mod query;

// 2. The state: what a new catalog and table start with, a maintenance run over time, what the
//    emulator remembers, and the SDK's models it answers with, made from its records.
mod defaults;
mod run;
mod state;
mod models;

// 3. Who may call, and how often: the rate limit, and the credentials and accounts accepted.
mod rate;
mod access;

// 4. The API's rules over the state, one function per operation; seeding it; the Iceberg
//    endpoint's config route over the same state.
mod rules;
mod seed;
mod iceberg;

// 5. The server: the faults a test injects, the requests it records, what the server and the
//    handle share, TLS, and the HTTP side that answers each request through all of the above.
mod fault;
mod record;
mod world;
mod certificate;
mod server;

// 6. What users hold: the builder, and the running emulator it starts.
mod builder;
mod emulator;

pub use builder::{DAILY_QUEUE_LIMIT, EmulatorBuilder};
pub use emulator::Emulator;
pub use error::EmulatorError;
pub use fault::Fault;
pub use operation::{Operation, UnknownOperation};
pub use rate::RateLimit;
pub use record::{RECORDED_BYTES, RECORDED_REQUESTS, RecordedRequest};
pub use run::{
    DEFAULT_RUN_DURATION, MAX_RUN_DURATION, RUN_FAILURE_CODE, RUN_FAILURE_MESSAGE, RunOutcome,
};
pub use seed::{BucketSeed, RunSeed, Seed, TableSeed};
