//! Rust SDK for Cloudflare's Basin Catalog (formerly [R2 Data Catalog]) management API: the 16
//! operations of its document of 2026-10-05, under either of the path families Cloudflare
//! serves ([`PathFamily`](config::PathFamily)).
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
//! | [`AccountHandle`](handles::AccountHandle) | [`Client::account`] | [`list_catalogs`](handles::AccountHandle::list_catalogs), [`catalog`](handles::AccountHandle::catalog) |
//! | [`CatalogHandle`](handles::CatalogHandle) | [`Client::catalog`], [`AccountHandle::catalog`](handles::AccountHandle::catalog) | [`get`](handles::CatalogHandle::get), [`enable`](handles::CatalogHandle::enable), [`disable`](handles::CatalogHandle::disable), [`delete`](handles::CatalogHandle::delete) ([`force`](handles::DeleteCatalog::force)), [`credential`](handles::CatalogHandle::credential), [`maintenance`](handles::CatalogHandle::maintenance), [`namespaces`](handles::CatalogHandle::namespaces), [`namespace`](handles::CatalogHandle::namespace), [`table`](handles::CatalogHandle::table), [`sweep`](handles::CatalogHandle::sweep), [`iceberg_config`](handles::CatalogHandle::iceberg_config), [`connection`](handles::CatalogHandle::connection) |
//! | [`CredentialHandle`](handles::CredentialHandle) | [`CatalogHandle::credential`](handles::CatalogHandle::credential) | [`store`](handles::CredentialHandle::store), [`status`](handles::CredentialHandle::status) |
//! | [`CatalogMaintenanceHandle`](handles::CatalogMaintenanceHandle) | [`CatalogHandle::maintenance`](handles::CatalogHandle::maintenance) | [`get`](handles::CatalogMaintenanceHandle::get), [`update`](handles::CatalogMaintenanceHandle::update) |
//! | [`NamespaceListing`](handles::NamespaceListing) | [`CatalogHandle::namespaces`](handles::CatalogHandle::namespaces), [`NamespaceHandle::namespaces`](handles::NamespaceHandle::namespaces) | [`list`](handles::NamespaceListing::list), [`pages`](handles::NamespaceListing::pages), [`items`](handles::NamespaceListing::items) |
//! | [`NamespaceHandle`](handles::NamespaceHandle) | [`CatalogHandle::namespace`](handles::CatalogHandle::namespace) | [`namespaces`](handles::NamespaceHandle::namespaces), [`tables`](handles::NamespaceHandle::tables), [`table`](handles::NamespaceHandle::table) |
//! | [`TableListing`](handles::TableListing) | [`NamespaceHandle::tables`](handles::NamespaceHandle::tables) | [`list`](handles::TableListing::list), [`pages`](handles::TableListing::pages), [`items`](handles::TableListing::items) |
//! | [`TableHandle`](handles::TableHandle) | [`CatalogHandle::table`](handles::CatalogHandle::table), [`NamespaceHandle::table`](handles::NamespaceHandle::table) | [`get`](handles::TableHandle::get), [`maintenance`](handles::TableHandle::maintenance) |
//! | [`Sweep`](sweep::Sweep) | [`CatalogHandle::sweep`](handles::CatalogHandle::sweep) | [`within`](sweep::Sweep::within), [`concurrency`](sweep::Sweep::concurrency), [`retry_budget`](sweep::Sweep::retry_budget), [`rate_share`](sweep::Sweep::rate_share), [`max_wait`](sweep::Sweep::max_wait), [`skip`](sweep::Sweep::skip), [`stop_when`](sweep::Sweep::stop_when); then [`get_maintenance`](sweep::Sweep::get_maintenance), [`update_maintenance`](sweep::Sweep::update_maintenance), [`queue_maintenance`](sweep::Sweep::queue_maintenance), [`runs`](sweep::Sweep::runs), [`report`](sweep::Sweep::report) ([`TableReport`](report::TableReport)) or [`run`](sweep::Sweep::run), each a stream of [`Swept`](sweep::Swept) |
//! | [`TableMaintenanceHandle`](handles::TableMaintenanceHandle) | [`TableHandle::maintenance`](handles::TableHandle::maintenance) | [`get`](handles::TableMaintenanceHandle::get), [`update`](handles::TableMaintenanceHandle::update), [`queue`](handles::TableMaintenanceHandle::queue), [`wait_for`](handles::TableMaintenanceHandle::wait_for) or [`follow`](handles::TableMaintenanceHandle::follow) the run it queued ([`Waiting`](wait::Waiting); many at once: [`Waiting::all`](wait::Waiting::all)), [`runs`](handles::TableMaintenanceHandle::runs) |
//! | [`RunListing`](handles::RunListing) | [`TableMaintenanceHandle::runs`](handles::TableMaintenanceHandle::runs) | [`list`](handles::RunListing::list), [`pages`](handles::RunListing::pages), [`items`](handles::RunListing::items) |
//!
//! Handles and listings own what they name: each is cheap to clone, `Send`, `Sync` and
//! `'static`, so it can be kept or moved into a task. Every listing reads the same way: `list`
//! one page, `pages` or `items` as a stream ([`Paginated`](handles::Paginated)) that `.next().await` polls as is,
//! no pinning needed. A client's
//! [`with_retry`](Client::with_retry), [`with_operation_timeout`](Client::with_operation_timeout)
//! and [`with_dry_run`](Client::with_dry_run) give it for some calls only, and the handles made
//! from it carry it. The models
//! the calls return ([`Catalog`](models::Catalog), [`Table`](models::Table), …) are plain data: comparable, and built in tests
//! with their `new` (the required fields; the optional ones are then set) or from JSON.
//!
//! What the SDK guarantees:
//! - **Inputs are checked before anything is sent** ([`Error::InvalidInput`] names the field and
//!   the rule).
//! - **The envelope is judged, not trusted**: `success: false` is an error even inside an HTTP
//!   200, an error status carries Cloudflare's codes, messages and `cf-ray` ([`ApiError`](error::ApiError)), and a
//!   body that is not the envelope is reported as such ([`UnexpectedBody`](error::UnexpectedBody)).
//! - **Answers are read as the live service sends them**: every enum is open (an unknown value
//!   is kept as `Other`), answers are not held to the document's patterns, unknown fields are
//!   ignored, and a change the server says it applied is a success even when its result has an
//!   unexpected shape ([`Response::unparsed_result`]). Errors can be told apart by Cloudflare's
//!   codes ([`codes`], [`Error::is_catalog_not_found`], …).
//! - **Transient failures are retried** with backoff and `Retry-After` ([`RetryConfig`](config::RetryConfig)).
//! - **Cloudflare's rate limit is kept, never overrun**: every answer's `Ratelimit` headers
//!   teach the client where its token stands, and no call is sent into a spent quota or a
//!   block; a call that would wait too long fails at once saying until when
//!   ([`Error::RateLimited`], [`Client::rate_limit`]), and sweeps take a share of the quota
//!   ([`Sweep::rate_share`](sweep::Sweep::rate_share)) and wait blocks out.
//! - **Secrets stay secret**: tokens and keys are [`SecretString`](config::SecretString)s, redacted in `Debug`,
//!   `Display`, errors and `tracing` output; the SDK's own copy is wiped from memory when
//!   dropped (the copies the HTTP client makes to send it are not: see [`SecretString`](config::SecretString)).
//! - **A hostile server gets nowhere** (with the SDK's own HTTP client; see
//!   [`ClientBuilder::http_client`] for what a caller's changes): redirects are never followed
//!   ([`Redirected`](error::Redirected)), credentials never go out over plain `http://` to a remote host by accident
//!   ([`ConfigError::InsecureBaseUrl`](error::ConfigError::InsecureBaseUrl)), bodies are capped ([`ResponseTooLarge`](error::ResponseTooLarge)), paging
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
pub mod error;
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
pub mod sweep;
pub mod wait;
pub mod report;
mod catalogs;
mod account;

// 5. The client users hold, and its builder.
mod client;
pub mod config;

// 6. The public paths (docs/api-policy.md): what a program names daily at the root, the rest
//    in a module named for what it holds. `error`, `sweep` and `config` above are public as
//    they are; these gather what lives in the layers below.
pub mod handles;
pub mod input;
pub mod models;

pub use client::Client;
pub use config::ClientBuilder;
pub use envelope::Response;
pub use error::Error;
pub use paging::ListOptions;
pub use status::MaintenanceKind;
pub use validate::RequestId;

/// What the `r2-catalog` CLI shares with the SDK, so that both escape and redact server text the
/// same way: not part of the API, and may change in any release.
#[doc(hidden)]
pub mod __cli {
    pub use crate::text::{REDACTED, Redactions, acts_on_display};
}
