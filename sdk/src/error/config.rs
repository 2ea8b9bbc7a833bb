//! The errors of building a client: settings that cannot be used, found before anything is
//! sent.

use crate::validate::ValidationError;

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
