//! The SDK's one error type, [`Error`], and the details each kind of failure carries:
//! Cloudflare's envelope ([`ApiError`]), an answer that is no envelope ([`UnexpectedBody`],
//! [`Redirected`], [`ResponseTooLarge`]), the Iceberg endpoint's ([`IcebergError`]), no usable
//! answer at all ([`TransportError`], [`OperationTimeout`]), a call held back by the rate limit
//! ([`RateLimited`]) or a dry run ([`DryRun`]), a wait for a maintenance run that ended before
//! the run ([`RunNotOver`]), a refused input ([`ValidationError`]) or
//! configuration ([`ConfigError`]), and [`Report`], which shows an error with its causes.
//!
//! Each can be built in a user's tests (see [`Error`]'s "Testing code that handles errors").

mod answer;
mod api;
mod config;
mod dry_run;
mod iceberg;
mod rate_limited;
mod report;
mod transport;
mod wait;

use crate::codes;

pub use crate::validate::ValidationError;
/// The HTTP method type of [`DryRun::method`] and [`DryRun::new`]: reqwest's (the `http`
/// crate's), re-exported as [`StatusCode`] is.
pub use reqwest::Method;
/// The HTTP status type of [`Error::status`], [`ApiError::status`] and the others: reqwest's
/// (the `http` crate's), re-exported so that matching on it needs no dependency of your own.
pub use reqwest::StatusCode;

pub use answer::{Redirected, ResponseTooLarge, UnexpectedBody};
pub use api::ApiError;
pub use config::ConfigError;
pub use dry_run::DryRun;
pub use iceberg::IcebergError;
pub use rate_limited::RateLimited;
pub use report::Report;
pub use transport::{OperationTimeout, TransportError, TransportErrorKind};
pub use wait::RunNotOver;

/// Everything that can go wrong in a call. Match on the kind, or use the helpers
/// ([`Error::status`], [`Error::is_retryable`], …) that work across kinds.
///
/// # Testing code that handles errors
///
/// Code that wraps the client behind its own trait can be tested without a server: each
/// kind's details can be built with its `new` ([`ApiError::new`], [`UnexpectedBody::new`],
/// [`ValidationError::new`], [`OperationTimeout::new`], [`RateLimited::new`], [`Redirected::new`],
/// [`ResponseTooLarge::new`], [`IcebergError::new`], [`DryRun::new`], [`RunNotOver::new`]; [`Message::new`](crate::models::Message::new) for
/// Cloudflare's `{code, message}` items), and behaves as the SDK's own: the same predicates,
/// the same `Display`. Only a [`TransportError`] cannot be built, wrapping reqwest's error.
/// Built errors keep their text as given, where the SDK takes the client's secrets out of what
/// a server sends.
///
/// ```
/// use cloudflare_r2_catalog::{error::{ApiError, StatusCode}, Error, codes, models::Message};
///
/// /// What the code under test does with a failed read: a missing catalog is no catalog.
/// fn catalog_or_none<T>(read: Result<T, Error>) -> Result<Option<T>, Error> {
///     match read {
///         Ok(found) => Ok(Some(found)),
///         Err(error) if error.is_catalog_not_found() => Ok(None),
///         Err(error) => Err(error),
///     }
/// }
///
/// let missing = Error::Api(
///     ApiError::new(
///         StatusCode::NOT_FOUND,
///         [Message::new(codes::CATALOG_NOT_FOUND, "Catalog not found")],
///     )
///     .with_cf_ray("8f1e2d3c4b5a6978-AMS"),
/// );
/// assert!(missing.is_catalog_not_found());
/// assert_eq!(
///     missing.to_string(),
///     "Cloudflare API error (HTTP 404 Not Found): 40401: Catalog not found [cf-ray 8f1e2d3c4b5a6978-AMS]"
/// );
/// assert!(matches!(catalog_or_none::<()>(Err(missing)), Ok(None)));
/// ```
///
/// An input the SDK refuses before sending anything:
///
/// ```
/// use cloudflare_r2_catalog::{Error, error::ValidationError};
///
/// let refused = Error::InvalidInput(ValidationError::new("bucket name", "must be 3 to 63 characters long"));
/// assert!(!refused.is_retryable() && refused.status().is_none());
/// assert_eq!(refused.to_string(), "invalid bucket name: must be 3 to 63 characters long");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input broke one of the API's rules; nothing was sent.
    #[error(transparent)]
    InvalidInput(#[from] ValidationError),
    /// Cloudflare answered with its envelope and `success: false`, or with an error status.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The response body is not Cloudflare's envelope (an HTML page from the edge, truncated or
    /// malformed JSON, an empty body).
    #[error(transparent)]
    UnexpectedBody(#[from] UnexpectedBody),
    /// The server answered with a redirect (3xx). Cloudflare's API never redirects, so the
    /// client does not follow it: nothing is re-sent, to that host or any other.
    #[error(transparent)]
    Redirected(#[from] Redirected),
    /// The response body is larger than the client's limit
    /// ([`crate::ClientBuilder::max_response_bytes`]); reading stopped at the limit.
    #[error(transparent)]
    ResponseTooLarge(#[from] ResponseTooLarge),
    /// A paged listing came back to a page cursor it had already followed: following it would
    /// loop forever, so the stream ends here, in place of the page that carried it.
    #[error(
        "the server sent a page cursor it had sent before (after {pages} page(s)); stopped following it"
    )]
    RepeatedCursor {
        /// How many pages the stream had yielded before the one whose cursor repeated.
        pages: u64,
    },
    /// A paged listing reached the most pages it may follow ([`crate::ListOptions::max_pages`])
    /// and the server still offers more: the stream ends here, in place of the next page.
    /// The last page yielded carries the `next_page_token` to resume from
    /// ([`crate::ListOptions::page_token`]).
    #[error(
        "stopped after {pages} page(s), the most this listing may follow; the server offers more"
    )]
    PageLimit {
        /// How many pages the stream had yielded.
        pages: u64,
    },
    /// No usable response: the request timed out, the connection failed or broke midway, or
    /// what came back was not HTTP.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The call's operation timeout ([`crate::ClientBuilder::operation_timeout`]) passed while
    /// an attempt was in flight: that attempt was abandoned. For a change, it may have reached
    /// Cloudflare and been made: its outcome is unknown.
    #[error(transparent)]
    OperationTimeout(#[from] OperationTimeout),
    /// The generated client refused to build the request. Not expected in practice: every input
    /// is validated before it reaches the generated client.
    #[error("could not build the request: {0}")]
    Request(String),
    /// Cloudflare's Iceberg REST endpoint answered with an error status
    /// ([`crate::handles::CatalogHandle::iceberg_config`]).
    #[error(transparent)]
    Iceberg(#[from] IcebergError),
    /// A dry-run client ([`crate::Client::with_dry_run`]) built the call's request and sent
    /// nothing: here is what it would have sent.
    #[error(transparent)]
    DryRun(#[from] DryRun),
    /// Cloudflare's rate limit stops the call for longer than it may wait: Cloudflare blocks
    /// the token, or the quota its answers reported is spent until its window resets. Says
    /// until when ([`RateLimited::until`]).
    #[error(transparent)]
    RateLimited(#[from] RateLimited),
    /// A wait for a queued maintenance run ([`crate::wait::Waiting`]) reached its timeout
    /// before the run ended: the run goes on.
    #[error(transparent)]
    RunNotOver(#[from] RunNotOver),
}

impl Error {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(error) => Some(error.status),
            Self::UnexpectedBody(error) => Some(error.status),
            Self::Redirected(error) => Some(error.status),
            Self::ResponseTooLarge(error) => Some(error.status),
            Self::Iceberg(error) => Some(error.status),
            Self::RateLimited(limited) => limited.answer()?.status(),
            _ => None,
        }
    }

    /// The codes of every error in Cloudflare's envelope (empty unless [`Error::Api`]).
    pub fn codes(&self) -> Vec<i64> {
        match self {
            Self::Api(error) => error.codes(),
            Self::RateLimited(limited) => limited.answer().map(Error::codes).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The `cf-ray` id of the response, when there was one.
    pub fn cf_ray(&self) -> Option<&str> {
        match self {
            Self::Api(error) => error.cf_ray.as_deref(),
            Self::UnexpectedBody(error) => error.cf_ray.as_deref(),
            Self::Redirected(error) => error.cf_ray.as_deref(),
            Self::ResponseTooLarge(error) => error.cf_ray.as_deref(),
            Self::Iceberg(error) => error.cf_ray.as_deref(),
            Self::RateLimited(limited) => limited.answer()?.cf_ray(),
            _ => None,
        }
    }

    /// The resource (account, bucket, catalog) does not exist: HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// The credentials were rejected or lack permission: HTTP 401 or 403.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// The request conflicts with the resource's state: HTTP 409.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// Cloudflare asked the client to slow down (HTTP 429), or its rate limit stopped the call
    /// before anything was sent ([`Error::RateLimited`]).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Self::RateLimited(_)) || self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// This error with the chain of its causes, on one line and shown safely: the whole story
    /// of a transport failure (`could not connect after 3 attempt(s): … Connection refused`),
    /// where `Display` names only the kind, leaving the causes to `source()`.
    pub fn report(&self) -> Report<'_> {
        Report::new(self)
    }

    /// Whether Cloudflare's envelope carries an error with `code` (see [`crate::codes`]).
    pub fn has_code(&self, code: i64) -> bool {
        match self {
            Self::Api(error) => error.has_code(code),
            Self::RateLimited(limited) => {
                limited.answer().is_some_and(|error| error.has_code(code))
            }
            _ => false,
        }
    }

    /// The bucket has no catalog, or it was deleted: code 40401. Unlike
    /// [`Error::is_not_found`], not a wrong base URL or a missing bucket. Right after an enable,
    /// Cloudflare can answer this for a moment (see [`crate::codes::CATALOG_NOT_FOUND`]).
    pub fn is_catalog_not_found(&self) -> bool {
        self.has_code(codes::CATALOG_NOT_FOUND)
    }

    /// The catalog exists but is disabled: code 40402.
    pub fn is_catalog_inactive(&self) -> bool {
        self.has_code(codes::CATALOG_INACTIVE)
    }

    /// The R2 bucket does not exist: code 40406, or R2's 10006. Right after the bucket is
    /// created, Cloudflare can answer this for a moment.
    pub fn is_bucket_not_found(&self) -> bool {
        self.has_code(codes::BUCKET_NOT_FOUND) || self.has_code(codes::R2_BUCKET_NOT_FOUND)
    }

    /// The table does not exist: code 40403, or 10001 with HTTP 404 (distilled reads both as
    /// `TableNotFound`; 10001 alone is too general a code to trust without the status).
    pub fn is_table_not_found(&self) -> bool {
        self.has_code(codes::TABLE_NOT_FOUND)
            || (self.has_code(codes::TABLE_NOT_FOUND_GENERIC) && self.is_not_found())
    }

    /// The API has no such route, or not for this account: codes 7000 and 7003 (a wrong base
    /// URL or path family, or an account without the product).
    pub fn is_route_not_found(&self) -> bool {
        self.has_code(codes::NO_ROUTE) || self.has_code(codes::INVALID_ROUTE)
    }

    /// The token given to store as the catalog's credential was refused: codes 30004, 30005.
    pub fn is_invalid_credential(&self) -> bool {
        codes::INVALID_CREDENTIAL
            .iter()
            .any(|code| self.has_code(*code))
    }

    /// Maintenance cannot be turned on because the catalog has no stored credential: HTTP 400
    /// "A credential is not present for the warehouse=…". Cloudflare's code for it is not
    /// known, so this reads the message; store one with
    /// [`CredentialHandle::store`](crate::handles::CredentialHandle::store) first.
    pub fn is_credential_missing(&self) -> bool {
        matches!(self, Self::Api(error) if error.status == StatusCode::BAD_REQUEST
            && error.errors.iter().any(|item| item.message.starts_with(codes::CREDENTIAL_MISSING_MESSAGE)))
    }

    /// Queueing maintenance found the table assigned to a maintenance executor: code 40903.
    pub fn is_queue_conflict(&self) -> bool {
        self.has_code(codes::QUEUE_CONFLICT)
    }

    /// Queueing maintenance hit the daily limit of accepted requests: code 42901. Unlike other
    /// 429s, waiting seconds does not help, so it is not retried.
    pub fn is_daily_limit_reached(&self) -> bool {
        self.has_code(codes::DAILY_QUEUE_LIMIT)
    }

    /// Whether trying again later may succeed: a timeout or broken connection, or a response
    /// whose status the retry policy retries for its operation (408, 409, 429, 5xx; not the 409
    /// of enabling an enabled catalog or deleting a non-empty one). The client has already
    /// retried these as configured.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(error) => error.kind().is_retryable(),
            Self::Api(error) => error.retryable,
            Self::UnexpectedBody(error) => error.retryable,
            Self::RateLimited(_) => true,
            _ => false,
        }
    }

    /// This error, told whether the retry policy retries its status for the operation that
    /// answered it: the policy decides, the error only remembers.
    pub(crate) fn with_retry_verdict(mut self, retryable: bool) -> Self {
        match &mut self {
            Self::Api(error) => error.retryable = retryable,
            Self::UnexpectedBody(error) => error.retryable = retryable,
            _ => {}
        }
        self
    }
}
