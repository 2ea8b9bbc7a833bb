//! The SDK's one error type and the details each kind carries.

use std::fmt;

use reqwest::StatusCode;

use crate::codes;
use crate::head::ResponseMeta;
use crate::text::{Secrets, shown};
use crate::validate::ValidationError;
use crate::wire::{Message, Messages};

/// Everything that can go wrong in a call. Match on the kind, or use the helpers
/// ([`Error::status`], [`Error::is_retryable`], …) that work across kinds.
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
    /// ([`crate::CatalogHandle::iceberg_config`]).
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
        Report(self)
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
    /// [`CredentialHandle::store`](crate::CredentialHandle::store) first.
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
            Self::Transport(error) => error.kind.is_retryable(),
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

/// The client could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No credentials were given (or found in the environment).
    #[error(
        "no credentials: set an API token (CLOUDFLARE_API_TOKEN) or an e-mail and global API key (CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY)"
    )]
    MissingCredentials,
    /// Both an API token and an API key were given; the client will not pick one silently.
    #[error(
        "conflicting credentials: both an API token and an API key are set; use exactly one scheme"
    )]
    ConflictingCredentials,
    /// The credentials cannot be sent as they are.
    #[error("invalid credentials: {reason}")]
    Credentials {
        /// What is wrong with them (never the secret itself).
        reason: &'static str,
    },
    /// The Iceberg endpoint's URL ([`crate::ClientBuilder::iceberg_url`]) is not an absolute
    /// `http` or `https` URL.
    #[error("invalid Iceberg URL {url:?}: {reason}")]
    IcebergUrl {
        /// The URL as given, with anything between its scheme and its last `@` replaced by
        /// `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL is not an absolute `http` or `https` URL.
    #[error("invalid base URL {url:?}: {reason}")]
    BaseUrl {
        /// The URL as given, with anything between its scheme and its last `@` (a user name
        /// and password) replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL is `http://` to a host that is not loopback: every request would carry the
    /// credentials in clear text. Allowed only after
    /// [`crate::ClientBuilder::allow_insecure_http`].
    #[error(
        "refusing to send credentials in clear text to {url}: plain http:// is allowed only to loopback hosts (127.0.0.0/8, ::1, localhost); use https://"
    )]
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },
    /// A certificate given to [`crate::ClientBuilder::add_root_certificate`] cannot be read.
    #[error("invalid root certificate: {reason}")]
    RootCertificate {
        /// What is wrong with it.
        reason: String,
    },
    /// The proxy given to [`crate::ClientBuilder::proxy`] cannot be used.
    #[error("invalid proxy URL: {reason}")]
    Proxy {
        /// What is wrong with it (never the URL, which may hold the proxy's password).
        reason: &'static str,
    },
    /// A setting read from the environment cannot be used.
    #[error("invalid {variable}: {reason}")]
    Environment {
        /// The environment variable.
        variable: &'static str,
        /// What is wrong with its value.
        reason: &'static str,
    },
    /// A setting breaks an input rule (the default account id, [`crate::ClientBuilder::account_id`]).
    #[error(transparent)]
    Input(ValidationError),
    /// The user-agent suffix cannot be sent ([`crate::ClientBuilder::user_agent_suffix`]).
    #[error("invalid user-agent suffix: {reason}")]
    UserAgent {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header given to [`crate::ClientBuilder::header`] cannot be sent.
    #[error("invalid header {name}: {reason}")]
    Header {
        /// The header's name, escaped (never its value).
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A setting that only the SDK's own HTTP client takes was given with
    /// [`crate::ClientBuilder::http_client`].
    #[error(
        "{setting} is the HTTP client's to set: with ClientBuilder::http_client, configure it on that client"
    )]
    HttpClientSetting {
        /// The builder's setting.
        setting: &'static str,
    },
    /// The HTTP client could not be built (for example, no TLS roots could be loaded).
    #[error("could not build the HTTP client: {0}")]
    HttpClient(String),
}

/// Cloudflare answered with its envelope and `success: false`, or with an error status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `{code, message}` items of the envelope's `errors`: all of them, up to the first 100.
    pub errors: Vec<Message>,
    /// How many more `errors` the envelope had beyond those kept in [`ApiError::errors`].
    pub omitted_errors: u64,
    /// The envelope's `messages` (up to the first 100).
    pub messages: Vec<Message>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
    retryable: bool,
}

/// How many of an envelope's errors `Display` lists before "… and N more".
const LISTED_ERRORS: usize = 5;

impl ApiError {
    pub(crate) fn new(
        meta: ResponseMeta,
        errors: Messages,
        messages: Messages,
        secrets: Secrets<'_>,
    ) -> Self {
        let (errors, omitted_errors) = errors.into_parts(secrets);
        Self {
            status: meta.status,
            errors,
            omitted_errors,
            messages: messages.into_parts(secrets).0,
            cf_ray: meta.cf_ray(secrets),
            retryable: false,
        }
    }

    /// How many errors are not in the first `listed`: those kept beyond them and those the
    /// envelope had beyond the kept ones.
    pub fn errors_beyond(&self, listed: usize) -> u64 {
        let kept_beyond = self.errors.len().saturating_sub(listed);
        u64::try_from(kept_beyond)
            .unwrap_or(u64::MAX)
            .saturating_add(self.omitted_errors)
    }

    /// Whether the envelope carries an error with `code`.
    pub fn has_code(&self, code: i64) -> bool {
        self.errors.iter().any(|error| error.code == Some(code))
    }

    /// The codes of every error in the envelope.
    pub fn codes(&self) -> Vec<i64> {
        self.errors.iter().filter_map(|error| error.code).collect()
    }
}

/// On one line, or with `{:#}` one item per line, as a terminal shows it:
///
/// ```text
/// Cloudflare API error (HTTP 409 Conflict): 40901: Catalog already enabled [cf-ray 8f1e…-AMS]
///
/// Cloudflare API error (HTTP 409 Conflict)
///   40901: Catalog already enabled
///   cf-ray: 8f1e…-AMS
/// ```
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = f.alternate();
        write!(f, "Cloudflare API error (HTTP {})", self.status)?;
        for (index, error) in self.errors.iter().take(LISTED_ERRORS).enumerate() {
            f.write_str(match (lines, index) {
                (true, _) => "\n  ",
                (false, 0) => ": ",
                (false, _) => "; ",
            })?;
            write!(f, "{error}")?;
        }
        let more = self.errors_beyond(LISTED_ERRORS);
        if more > 0 {
            f.write_str(if lines { "\n  " } else { "; " })?;
            write!(f, "… and {more} more")?;
        }
        if let Some(ray) = &self.cf_ray {
            match lines {
                true => write!(f, "\n  cf-ray: {ray}")?,
                false => write!(f, " [cf-ray {ray}]")?,
            }
        }
        Ok(())
    }
}

/// How much of an unexpected body an error keeps: enough to recognise an HTML error page or a
/// truncated document, not enough to carry a large payload around.
const SNIPPET_CHARS: usize = 1000;

/// An error status from Cloudflare's Iceberg REST endpoint, with what its error model
/// (`{"error": {"message", "type", "code"}}`) said, if the body was that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct IcebergError {
    /// The HTTP status (401 and 403: the token is refused or lacks a permission; 404: no such
    /// catalog or warehouse; 400: a bad request, such as a missing warehouse).
    pub status: StatusCode,
    /// The error's type, such as `NotAuthorizedException` (at most 200 characters).
    pub error_type: Option<String>,
    /// The error's message, as the server sent it (at most 1,000 characters; `Display`
    /// escapes control characters and shows the first 300).
    pub message: Option<String>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl IcebergError {
    /// The secrets are taken out before anything is kept.
    pub(crate) fn new(meta: &ResponseMeta, body: &[u8], secrets: Secrets<'_>) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            error: Model,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            message: Option<String>,
            #[serde(rename = "type")]
            error_type: Option<String>,
        }
        let model = serde_json::from_slice::<Body>(body)
            .ok()
            .map(|body| body.error);
        let kept = |text: Option<String>, chars: usize| {
            text.map(|text| {
                secrets
                    .redacted(&text)
                    .chars()
                    .take(chars)
                    .collect::<String>()
            })
        };
        let (message, error_type) = match model {
            Some(model) => (model.message, model.error_type),
            None => (None, None),
        };
        Self {
            status: meta.status,
            error_type: kept(error_type, 200),
            message: kept(message, SNIPPET_CHARS),
            cf_ray: meta.cf_ray(secrets),
        }
    }
}

impl fmt::Display for IcebergError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Iceberg endpoint answered HTTP {}", self.status)?;
        if let Some(error_type) = &self.error_type {
            write!(f, " {}", shown(error_type))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", shown(message))?;
        }
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}

/// The response body is not Cloudflare's envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct UnexpectedBody {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The start of the body, decoded lossily as UTF-8 (at most 1,000 characters, as the server
    /// sent them; `Display` escapes control characters).
    pub snippet: String,
    /// Why the body is not the expected envelope (a JSON parse error, a missing `result`, …).
    pub reason: String,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
    retryable: bool,
}

impl UnexpectedBody {
    /// A body that did not parse as the envelope.
    pub(crate) fn unparsable(
        meta: ResponseMeta,
        body: &[u8],
        error: &serde_json::Error,
        secrets: Secrets<'_>,
    ) -> Self {
        if body.is_empty() {
            Self::new(meta, body, "empty body", secrets)
        } else {
            let reason = format!("not the JSON envelope ({error})");
            Self::new(meta, body, &reason, secrets)
        }
    }

    /// The secrets are taken out of the whole of `body` (bounded by the client's limit, and
    /// only read on this error path) before it is cut to the snippet, and out of `reason`,
    /// which may quote a value the parser rejected.
    pub(crate) fn new(meta: ResponseMeta, body: &[u8], reason: &str, secrets: Secrets<'_>) -> Self {
        let text = String::from_utf8_lossy(body);
        let text = secrets.redacted(&text);
        let snippet = match text.char_indices().nth(SNIPPET_CHARS) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.into_owned(),
        };
        Self {
            status: meta.status,
            content_type: meta.content_type(secrets),
            snippet,
            reason: secrets.redacted(reason).into_owned(),
            cf_ray: meta.cf_ray(secrets),
            retryable: false,
        }
    }
}

impl fmt::Display for UnexpectedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected response (HTTP {}, content type {}): {}",
            self.status,
            shown(self.content_type.as_deref().unwrap_or("none")),
            shown(&self.reason)
        )?;
        if !self.snippet.is_empty() {
            write!(f, ": \"{}\"", shown(&self.snippet))?;
        }
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}

/// The request a dry-run client ([`crate::Client::with_dry_run`]) built for a call and did not
/// send: exactly what would have gone out, the client's routing included, with every secret
/// the client holds (and a catalog token being stored) replaced by [`crate::REDACTED`].
/// Headers are left out: they are the client's own for every call, credentials among them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct DryRun {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The whole URL, query included.
    pub url: String,
    /// The JSON body, if the call has one.
    pub body: Option<serde_json::Value>,
}

impl DryRun {
    pub(crate) fn new(
        method: reqwest::Method,
        url: String,
        body: Option<serde_json::Value>,
    ) -> Self {
        Self { method, url, body }
    }
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dry run: {} {} was not sent",
            self.method,
            shown(&self.url)
        )
    }
}

/// The server answered with a redirect, which the client does not follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct Redirected {
    /// The HTTP status (301, 302, 307, 308, …).
    pub status: StatusCode,
    /// Where the server pointed, as it sent it (decoded lossily, at most 2048 characters;
    /// `Display` escapes control characters and shows the first 300).
    pub location: Option<String>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

/// How much of a `Location` header a [`Redirected`] keeps.
const LOCATION_CHARS: usize = 2048;

impl Redirected {
    pub(crate) fn new(meta: &ResponseMeta, secrets: Secrets<'_>) -> Self {
        Self {
            status: meta.status,
            location: meta
                .location(secrets)
                .map(|location| location.chars().take(LOCATION_CHARS).collect()),
            cf_ray: meta.cf_ray(secrets),
        }
    }
}

impl fmt::Display for Redirected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server answered with a redirect (HTTP {})",
            self.status
        )?;
        match &self.location {
            Some(location) => write!(f, " to \"{}\"", shown(location))?,
            None => f.write_str(" without a Location")?,
        }
        f.write_str("; Cloudflare's API never redirects, so it was not followed")?;
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}

/// The response body is larger than the client accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the response body (HTTP {status}) is larger than the limit of {limit} bytes; reading stopped there"
)]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// The HTTP status.
    pub status: StatusCode,
    /// The limit the body went over, in bytes.
    pub limit: u64,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl ResponseTooLarge {
    pub(crate) fn new(meta: &ResponseMeta, limit: u64, secrets: Secrets<'_>) -> Self {
        Self {
            status: meta.status,
            limit,
            cf_ray: meta.cf_ray(secrets),
        }
    }
}

/// `error` and every error under it.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |cause| cause.source())
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No answer within the configured timeout.
    Timeout,
    /// The connection could not be established.
    Connect,
    /// The connection broke while the request or response was in flight.
    Interrupted,
    /// What came back is not a valid HTTP/1.1 response: not HTTP at all, a malformed status
    /// line or header, a head too large or with too many headers, conflicting lengths.
    Protocol,
    /// Any other failure of the HTTP client (building the request, for one): not retried, since
    /// nothing says another attempt would fare better.
    Other,
}

impl TransportErrorKind {
    /// What kind of transport failure `error` is, looking through the errors reqwest wraps
    /// (a body cut off midway arrives as a decode error caused by a body error); `None` when
    /// it is not a transport failure (building the request, say).
    pub(crate) fn of(error: &reqwest::Error) -> Option<Self> {
        let mut kind = None;
        for cause in causes(error) {
            // hyper's parse errors sit under reqwest's "error sending request", which alone
            // would read as a broken connection.
            if cause
                .downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_parse)
            {
                return Some(Self::Protocol);
            }
            if let Some(error) = cause.downcast_ref::<reqwest::Error>() {
                kind = kind.or(if error.is_timeout() {
                    Some(Self::Timeout)
                } else if error.is_connect() {
                    Some(Self::Connect)
                } else if error.is_request() || error.is_body() || error.is_decode() {
                    Some(Self::Interrupted)
                } else {
                    None
                });
            }
        }
        kind
    }

    /// Whether another attempt may succeed. A response that is not HTTP is not retried: it
    /// comes from something other than Cloudflare's API (a wrong port, a broken proxy, an
    /// interception), which would answer the same again while being sent the credentials again.
    pub fn is_retryable(self) -> bool {
        !matches!(self, Self::Protocol | Self::Other)
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::Interrupted => "connection interrupted",
            Self::Protocol => "invalid HTTP response",
            Self::Other => "request failed",
        })
    }
}

/// A call that ran out of its operation timeout with an attempt in flight, which was cut off
/// after its request may have gone out: a change may have been made. Read the state back
/// before trying a change again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the operation timeout of {limit:?} passed during attempt {attempts}: its outcome is unknown"
)]
pub struct OperationTimeout {
    limit: std::time::Duration,
    attempts: u32,
}

impl OperationTimeout {
    pub(crate) fn new(limit: std::time::Duration, attempts: u32) -> Self {
        Self { limit, attempts }
    }

    /// The operation timeout that passed.
    pub fn limit(&self) -> std::time::Duration {
        self.limit
    }

    /// How many attempts were made, the abandoned one included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Cloudflare's rate limit stops a call for longer than it may wait: the call fails at once,
/// saying until when, instead of sleeping into the block. Either Cloudflare answered 429 with a
/// `Retry-After` past the call's limit ([`RateLimited::answer`] is that answer: its codes,
/// 971 for the global limit, and `cf-ray`), or the quota Cloudflare's answers reported is
/// spent until a reset past that limit, and nothing was sent (no answer). A call may wait up
/// to [`crate::RetryConfig::with_max_retry_after`], within its operation timeout; a sweep waits
/// up to [`crate::Sweep::max_wait`].
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use cloudflare_r2_catalog::{Error, RateLimited};
///
/// let until = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_656_930);
/// let error = Error::from(RateLimited::new(until, Duration::from_secs(300)));
/// assert!(error.is_rate_limited());
/// assert_eq!(
///     error.to_string(),
///     "Cloudflare blocks this token's API calls for 300 s, until 15:22:10 UTC"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct RateLimited {
    until: std::time::SystemTime,
    wait: std::time::Duration,
    blocked: bool,
    #[source]
    answer: Option<Box<Error>>,
}

impl RateLimited {
    /// Cloudflare blocks the token for `wait`, until `until`; no answer is kept (for tests of
    /// code that handles it; the SDK's own carry Cloudflare's answer).
    pub fn new(until: std::time::SystemTime, wait: std::time::Duration) -> Self {
        Self {
            until,
            wait,
            blocked: true,
            answer: None,
        }
    }

    /// The quota Cloudflare's answers reported is spent for `wait`, until `until`: nothing
    /// was sent.
    pub(crate) fn quota_spent(until: std::time::SystemTime, wait: std::time::Duration) -> Self {
        Self {
            blocked: false,
            ..Self::new(until, wait)
        }
    }

    /// This block with the answer that told of it.
    pub(crate) fn answered(self, answer: Error) -> Self {
        Self {
            answer: Some(Box::new(answer)),
            ..self
        }
    }

    /// When calls may go out again.
    pub fn until(&self) -> std::time::SystemTime {
        self.until
    }

    /// How long from when the call failed until then.
    pub fn wait(&self) -> std::time::Duration {
        self.wait
    }

    /// Whether Cloudflare blocks the token (it answered 429); false when the quota its
    /// answers reported is spent, and the call was not sent.
    pub fn is_block(&self) -> bool {
        self.blocked
    }

    /// Cloudflare's 429 that told of the block, when there was one.
    pub fn answer(&self) -> Option<&Error> {
        self.answer.as_deref()
    }
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole seconds, rounded up as Cloudflare's `Retry-After` is: never a wait that ends
        // too early.
        let seconds = self.wait.as_secs() + u64::from(self.wait.subsec_nanos() > 0);
        let clock = utc_clock(self.until);
        match self.blocked {
            true => write!(
                f,
                "Cloudflare blocks this token's API calls for {seconds} s, until {clock} UTC"
            ),
            false => write!(
                f,
                "this token's quota of API calls is spent for {seconds} s, until {clock} UTC (Cloudflare's answers say so); nothing was sent"
            ),
        }
    }
}

/// The time of day of `at` in UTC, `HH:MM:SS`.
fn utc_clock(at: std::time::SystemTime) -> String {
    let seconds = at
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (hours, minutes, seconds) = ((seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

/// No usable response arrived. `Display` names the kind and the attempts; the causes (refused,
/// DNS, TLS, the HTTP parse error …) are its [`std::error::Error::source`] chain, reqwest's
/// error first, which [`Error::report`] shows on one line.
#[derive(Debug, thiserror::Error)]
#[error("{kind} after {attempts} attempt(s)")]
pub struct TransportError {
    kind: TransportErrorKind,
    attempts: u32,
    #[source]
    source: reqwest::Error,
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error, attempts: u32) -> Self {
        let kind = TransportErrorKind::of(&source).unwrap_or(TransportErrorKind::Other);
        Self {
            kind,
            attempts,
            source,
        }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// How many attempts were made, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// An error and the chain of its causes on one line, joined with `: `, each shown safely (a
/// cause can quote a URL or server text) and a text repeated by the next cause shown once:
/// what [`Error::report`] returns, and what the CLI prints.
///
/// ```
/// # fn show(error: &cloudflare_r2_catalog::Error) {
/// eprintln!("error: {}", error.report());
/// # }
/// ```
pub struct Report<'a>(&'a (dyn std::error::Error + 'static));

impl<'a> Report<'a> {
    /// The report of any error: the SDK's, or one of the emulator's.
    pub fn new(error: &'a (dyn std::error::Error + 'static)) -> Self {
        Self(error)
    }
}

/// With `{:#}`, each cause is shown in its own alternate form: an [`ApiError`] one item per
/// line (what the `r2-catalog` CLI prints).
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = f.alternate();
        let mut previous = String::new();
        for (index, cause) in causes(self.0).take(MAX_CAUSES).enumerate() {
            let text = if lines {
                format!("{cause:#}")
            } else {
                cause.to_string()
            };
            if text == previous {
                continue;
            }
            if index > 0 {
                f.write_str(": ")?;
            }
            if lines {
                // Line by line: the line breaks are the alternate form's own (server text in
                // it is escaped already); anything else that acts on a terminal is escaped.
                for (number, line) in text.split('\n').enumerate() {
                    if number > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{}", shown(line))?;
                }
            } else {
                write!(f, "{}", shown(&text))?;
            }
            previous = text;
        }
        Ok(())
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// How deep a [`Report`] follows a chain; real ones are three or four deep.
const MAX_CAUSES: usize = 8;
