//! Rust SDK for Cloudflare's Basin Catalog (formerly [R2 Data Catalog]) management API: the 16
//! operations of its document of 2026-10-05, under either of the path families Cloudflare
//! serves ([`PathFamily`]).
//!
//! ```no_run
//! use cloudflare_r2_catalog::{Client, MaintenanceKind, RequestId};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY) and CLOUDFLARE_ACCOUNT_ID
//! // from the environment.
//! let client = Client::from_env()?;
//! let catalog = client.catalog("my-data-bucket")?;
//! catalog.enable().await?;
//! catalog.credential().store("token-for-maintenance").await?;
//! let events = catalog.table("bronze", "events")?;
//! events.maintenance().queue(MaintenanceKind::Compaction, &RequestId::random()).await?;
//! # Ok(()) }
//! ```
//!
//! Calls are made on **handles**, each naming what it acts on; its identifiers are checked once,
//! when it is made, so a call cannot swap a bucket for a namespace:
//!
//! | Handle | From | Calls |
//! |---|---|---|
//! | [`Client`] | [`Client::builder`], [`Client::from_env`] | [`list_catalogs`](Client::list_catalogs), [`catalog`](Client::catalog) (default account), [`account`](Client::account) |
//! | [`AccountHandle`] | [`Client::account`] | [`list_catalogs`](AccountHandle::list_catalogs), [`catalog`](AccountHandle::catalog) |
//! | [`CatalogHandle`] | [`Client::catalog`], [`AccountHandle::catalog`] | [`get`](CatalogHandle::get), [`enable`](CatalogHandle::enable), [`disable`](CatalogHandle::disable), [`delete`](CatalogHandle::delete) ([`force`](DeleteCatalog::force)), [`credential`](CatalogHandle::credential), [`maintenance`](CatalogHandle::maintenance), [`namespaces`](CatalogHandle::namespaces), [`namespace`](CatalogHandle::namespace), [`table`](CatalogHandle::table), [`sweep`](CatalogHandle::sweep), [`iceberg_config`](CatalogHandle::iceberg_config), [`connection`](CatalogHandle::connection) |
//! | [`CredentialHandle`] | [`CatalogHandle::credential`] | [`store`](CredentialHandle::store), [`status`](CredentialHandle::status) |
//! | [`CatalogMaintenanceHandle`] | [`CatalogHandle::maintenance`] | [`get`](CatalogMaintenanceHandle::get), [`update`](CatalogMaintenanceHandle::update) |
//! | [`NamespaceListing`] | [`CatalogHandle::namespaces`], [`NamespaceHandle::namespaces`] | [`list`](NamespaceListing::list), [`pages`](NamespaceListing::pages), [`items`](NamespaceListing::items) |
//! | [`NamespaceHandle`] | [`CatalogHandle::namespace`] | [`namespaces`](NamespaceHandle::namespaces), [`tables`](NamespaceHandle::tables), [`table`](NamespaceHandle::table) |
//! | [`TableListing`] | [`NamespaceHandle::tables`] | [`list`](TableListing::list), [`pages`](TableListing::pages), [`items`](TableListing::items) |
//! | [`TableHandle`] | [`CatalogHandle::table`], [`NamespaceHandle::table`] | [`get`](TableHandle::get), [`maintenance`](TableHandle::maintenance) |
//! | [`Sweep`] | [`CatalogHandle::sweep`] | [`within`](Sweep::within), [`concurrency`](Sweep::concurrency), [`retry_budget`](Sweep::retry_budget), [`rate_share`](Sweep::rate_share), [`max_wait`](Sweep::max_wait), [`skip`](Sweep::skip), [`stop_when`](Sweep::stop_when); then [`get_maintenance`](Sweep::get_maintenance), [`update_maintenance`](Sweep::update_maintenance), [`queue_maintenance`](Sweep::queue_maintenance), [`runs`](Sweep::runs) or [`run`](Sweep::run), each a stream of [`Swept`] |
//! | [`TableMaintenanceHandle`] | [`TableHandle::maintenance`] | [`get`](TableMaintenanceHandle::get), [`update`](TableMaintenanceHandle::update), [`queue`](TableMaintenanceHandle::queue), [`runs`](TableMaintenanceHandle::runs) |
//! | [`RunListing`] | [`TableMaintenanceHandle::runs`] | [`list`](RunListing::list), [`pages`](RunListing::pages), [`items`](RunListing::items) |
//!
//! Handles and listings own what they name: each is cheap to clone, `Send`, `Sync` and
//! `'static`, so it can be kept or moved into a task. Every listing reads the same way: `list`
//! one page, `pages` or `items` as a stream ([`Paginated`]) that `.next().await` polls as is,
//! no pinning needed. A client's
//! [`with_retry`](Client::with_retry), [`with_operation_timeout`](Client::with_operation_timeout)
//! and [`with_dry_run`](Client::with_dry_run) give it for some calls only, and the handles made
//! from it carry it. The models
//! the calls return ([`Catalog`], [`Table`], …) are plain data: comparable, and built in tests
//! with their `new` (the required fields; the optional ones are then set) or from JSON.
//!
//! What the SDK guarantees:
//! - **Inputs are checked before anything is sent** ([`Error::InvalidInput`] names the field and
//!   the rule).
//! - **The envelope is judged, not trusted**: `success: false` is an error even inside an HTTP
//!   200, an error status carries Cloudflare's codes, messages and `cf-ray` ([`ApiError`]), and a
//!   body that is not the envelope is reported as such ([`UnexpectedBody`]).
//! - **Answers are read as the live service sends them**: every enum is open (an unknown value
//!   is kept as `Other`), answers are not held to the document's patterns, unknown fields are
//!   ignored, and a change the server says it applied is a success even when its result has an
//!   unexpected shape ([`Response::unparsed_result`]). Errors can be told apart by Cloudflare's
//!   codes ([`codes`], [`Error::is_catalog_not_found`], …).
//! - **Transient failures are retried** with backoff and `Retry-After` ([`RetryConfig`]).
//! - **Cloudflare's rate limit is kept, never overrun**: every answer's `Ratelimit` headers
//!   teach the client where its token stands, and no call is sent into a spent quota or a
//!   block; a call that would wait too long fails at once saying until when
//!   ([`Error::RateLimited`], [`Client::rate_limit`]), and sweeps take a share of the quota
//!   ([`Sweep::rate_share`]) and wait blocks out.
//! - **Secrets stay secret**: tokens and keys are [`SecretString`]s, redacted in `Debug`,
//!   `Display`, errors and `tracing` output; the SDK's own copy is wiped from memory when
//!   dropped (the copies the HTTP client makes to send it are not: see [`SecretString`]).
//! - **A hostile server gets nowhere** (with the SDK's own HTTP client; see
//!   [`ClientBuilder::http_client`] for what a caller's changes): redirects are never followed
//!   ([`Redirected`]), credentials never go out over plain `http://` to a remote host by accident
//!   ([`ConfigError::InsecureBaseUrl`]), bodies are capped ([`ResponseTooLarge`]), paging
//!   cycles end ([`Error::RepeatedCursor`]) and so does a listing that never ends
//!   ([`Error::PageLimit`]), and server text in errors is shown escaped and
//!   bounded.
//!
//! [R2 Data Catalog]: https://developers.cloudflare.com/r2/data-catalog/
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

// The modules, bottom-up in one-way layers: each imports only modules listed before it
// (`xtask/tests/layers.rs` checks this).
//
// 1. Vocabulary: what the generated code is told to use, and every layer above shares.
mod text;
pub mod codes;
mod secret;
mod validate;
mod status;
mod wire;
mod head;

// 2. The code progenitor generates from `openapi/`; private, reached only through the layers
//    above it.
#[rustfmt::skip]
// Its docs are the spec's descriptions, written for HTML renderers, not rustdoc.
#[allow(dead_code, unused_imports, missing_docs, clippy::all)]
#[allow(rustdoc::invalid_html_tags, rustdoc::bare_urls, rustdoc::broken_intra_doc_links)]
mod generated;

// 3. The engine: one place each that fails, authenticates, secures the connection, sends,
//    retries, judges, reaches the Iceberg endpoint, and runs a call through all of them.
mod error;
mod auth;
mod tls;
mod transport;
mod retry;
mod pace;
mod envelope;
mod iceberg;
mod engine;

// 4. The handles: each names what it acts on, checked once when made, and calls the generated
//    client through the engine; bottom-up, so each makes only the handles below it. And how an
//    Iceberg engine reaches the catalogs they return.
mod connection;
mod paging;
mod scope;
mod maintenance;
mod credentials;
mod tables;
mod namespaces;
mod sweep;
mod catalogs;
mod account;

// 5. The client users hold, and its builder.
mod client;
mod config;

pub use account::AccountHandle;
pub use auth::{AuthScheme, Credentials};
pub use catalogs::{CatalogHandle, DeleteCatalog};
pub use client::Client;
pub use config::{ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, env};
pub use connection::{CatalogConnection, ICEBERG_REST_ENDPOINT};
pub use credentials::CredentialHandle;
pub use envelope::Response;
pub use error::{
    ApiError, ConfigError, DryRun, Error, IcebergError, OperationTimeout, RateLimited, Redirected,
    Report, ResponseTooLarge, TransportError, TransportErrorKind, UnexpectedBody,
};
pub use iceberg::IcebergConfig;
pub use maintenance::CatalogMaintenanceHandle;
pub use namespaces::{NamespaceHandle, NamespaceListing};
pub use pace::{DEFAULT_RATE_SHARE, MAX_HOLD, RateLimitStatus, RateShare};
pub use paging::{ListOptions, ListedNamespace, ListedTable, Page, Paginated, Streamed};
/// The HTTP status type of [`Error::status`], [`ApiError::status`] and the others: reqwest's
/// (the `http` crate's), re-exported so that matching on it needs no dependency of your own.
pub use reqwest::StatusCode;
pub use retry::{RetryConfig, Sleep, TokioSleep};
pub use secret::SecretString;
pub use status::{
    CatalogStatus, CredentialStatus, CredentialValidity, MaintenanceKind, MaintenanceState,
    MaintenanceStep, RunStatus, StepStatus, TargetFileSize,
};
pub use sweep::{
    DEFAULT_SWEEP_CONCURRENCY, DEFAULT_SWEEP_MAX_WAIT, DEFAULT_SWEEP_RETRY_BUDGET,
    MAX_SWEEP_LISTED, Sweep, Swept, SweptQueue,
};
pub use tables::{RunListing, TableHandle, TableListing, TableMaintenanceHandle};
pub use text::{REDACTED, Redactions, acts_on_display};
pub use transport::DEFAULT_MAX_RESPONSE_BYTES;
pub use validate::{
    AccountId, BucketName, CatalogToken, Input, Namespace, PageSize, RequestId, SnapshotAge,
    TableName, ValidationError,
};
pub use wire::{Message, PathFamily, StoredCredential};

// The API's models, generated from Cloudflare's OpenAPI description: what the operations return
// and the maintenance updates they take. Their docs are the spec's own descriptions.
pub use generated::types::{
    Catalog, CatalogActivation, CatalogList, CatalogMaintenance, CompactionConfig,
    CompactionUpdate, CredentialCheck, MaintenanceConfig, MaintenanceRun, MaintenanceRunPage,
    MaintenanceRunStep, MaintenanceUpdate, NamespaceDetails, NamespaceIdentifier, NamespacePage,
    QueuedMaintenance, SnapshotExpirationConfig, SnapshotExpirationUpdate, Table,
    TableCompactionConfig, TableDetails, TableIdentifier, TableMaintenance, TableMaintenanceConfig,
    TableMetadata, TablePage, TableSnapshotExpirationConfig,
};
