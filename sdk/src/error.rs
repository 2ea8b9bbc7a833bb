//! The SDK's one error type and the details each kind carries.

use std::fmt;

use reqwest::StatusCode;

use crate::envelope::Message;
use crate::transport::ResponseMeta;
use crate::validate::ValidationError;

/// Everything that can go wrong in a call. Match on the kind, or use the helpers
/// ([`Error::status`], [`Error::is_retryable`], …) that work across kinds.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input broke one of the API's rules; nothing was sent.
    #[error(transparent)]
    InvalidInput(#[from] ValidationError),
    /// The client could not be configured; nothing was sent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Cloudflare answered with its envelope and `success: false`, or with an error status.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The response body is not Cloudflare's envelope (an HTML page from the edge, truncated or
    /// malformed JSON, an empty body).
    #[error(transparent)]
    UnexpectedBody(#[from] UnexpectedBody),
    /// No usable response: the request timed out, the connection failed, or it broke midway.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The generated client refused to build the request. Not expected in practice: every input
    /// is validated before it reaches the generated client.
    #[error("could not build the request: {0}")]
    Request(String),
}

impl Error {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(error) => Some(error.status),
            Self::UnexpectedBody(error) => Some(error.status),
            _ => None,
        }
    }

    /// The codes of every error in Cloudflare's envelope (empty unless [`Error::Api`]).
    pub fn codes(&self) -> Vec<i64> {
        match self {
            Self::Api(error) => error.codes(),
            _ => Vec::new(),
        }
    }

    /// The `cf-ray` id of the response, when there was one.
    pub fn cf_ray(&self) -> Option<&str> {
        match self {
            Self::Api(error) => error.cf_ray.as_deref(),
            Self::UnexpectedBody(error) => error.cf_ray.as_deref(),
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

    /// Cloudflare asked the client to slow down: HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether trying again later may succeed: a transport failure, or a status the retry
    /// policy retries (408, 409, 429, 5xx). The client has already retried these as configured.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            _ => self.status().is_some_and(crate::retry::is_retryable_status),
        }
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
    /// The base URL is not an absolute `http` or `https` URL.
    #[error("invalid base URL {url:?}: {reason}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting read from the environment cannot be used.
    #[error("invalid {variable}: {reason}")]
    Environment {
        /// The environment variable.
        variable: &'static str,
        /// What is wrong with its value.
        reason: &'static str,
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
    /// Every `{code, message}` in the envelope's `errors`.
    pub errors: Vec<Message>,
    /// The envelope's `messages`.
    pub messages: Vec<Message>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl ApiError {
    pub(crate) fn new(meta: ResponseMeta, errors: Vec<Message>, messages: Vec<Message>) -> Self {
        Self {
            status: meta.status,
            errors,
            messages,
            cf_ray: meta.cf_ray().map(str::to_owned),
        }
    }

    /// The codes of every error in the envelope.
    pub fn codes(&self) -> Vec<i64> {
        self.errors.iter().filter_map(|error| error.code).collect()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cloudflare API error (HTTP {})", self.status)?;
        for (index, error) in self.errors.iter().enumerate() {
            f.write_str(if index == 0 { ": " } else { "; " })?;
            write!(f, "{error}")?;
        }
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}

/// How much of an unexpected body an error keeps: enough to recognise an HTML error page or a
/// truncated document, not enough to carry a large payload around.
const SNIPPET_CHARS: usize = 200;

/// The response body is not Cloudflare's envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct UnexpectedBody {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The start of the body, decoded lossily as UTF-8 (at most 200 characters).
    pub snippet: String,
    /// Why the body is not the expected envelope (a JSON parse error, a missing `result`, …).
    pub reason: String,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl UnexpectedBody {
    /// A body that did not parse as the envelope.
    pub(crate) fn unparsable(meta: ResponseMeta, body: &[u8], error: &serde_json::Error) -> Self {
        if body.is_empty() {
            Self::new(meta, body, "empty body")
        } else {
            Self::new(meta, body, &format!("not the JSON envelope ({error})"))
        }
    }

    pub(crate) fn new(meta: ResponseMeta, body: &[u8], reason: &str) -> Self {
        let text = String::from_utf8_lossy(body);
        let snippet = match text.char_indices().nth(SNIPPET_CHARS) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.into_owned(),
        };
        Self {
            status: meta.status,
            content_type: meta.content_type().map(str::to_owned),
            snippet,
            reason: reason.to_owned(),
            cf_ray: meta.cf_ray().map(str::to_owned),
        }
    }
}

impl fmt::Display for UnexpectedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected response (HTTP {}, content type {}): {}",
            self.status,
            self.content_type.as_deref().unwrap_or("none"),
            self.reason
        )?;
        if !self.snippet.is_empty() {
            write!(f, ": {:?}", self.snippet)?;
        }
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
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
}

impl TransportErrorKind {
    /// What kind of transport failure `error` is, looking through the errors reqwest wraps
    /// (a body cut off midway arrives as a decode error caused by a body error); `None` when
    /// it is not a transport failure (building the request, following redirects).
    pub(crate) fn of(error: &reqwest::Error) -> Option<Self> {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(current) = cause {
            if let Some(error) = current.downcast_ref::<reqwest::Error>() {
                if error.is_timeout() {
                    return Some(Self::Timeout);
                }
                if error.is_connect() {
                    return Some(Self::Connect);
                }
                if error.is_request() || error.is_body() {
                    return Some(Self::Interrupted);
                }
            }
            cause = current.source();
        }
        None
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::Interrupted => "connection interrupted",
        })
    }
}

/// No usable response arrived.
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
        let kind = TransportErrorKind::of(&source).unwrap_or(TransportErrorKind::Interrupted);
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
