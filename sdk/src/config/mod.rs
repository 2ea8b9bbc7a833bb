//! What configures a [`Client`]: its builder ([`ClientBuilder`], also at the crate root), the
//! credentials, retries, rate share and path family it takes, the defaults, and the
//! environment variables [`Client::from_env`] reads ([`env`](mod@env)).

mod assemble;
pub mod env;
mod headers;
mod http;
mod url;

use std::fmt;
use std::time::Duration;

use crate::client::Client;
use crate::error::ConfigError;

// What the builder takes, with it: how to authenticate, retry, pace and address.
pub use crate::auth::{AuthScheme, Credentials};
pub use crate::connection::ICEBERG_REST_ENDPOINT;
pub use crate::pace::{DEFAULT_RATE_SHARE, MAX_HOLD, RateShare};
pub use crate::retry::{RetryConfig, Sleep, TokioSleep};
pub use crate::secret::SecretString;
pub use crate::transport::DEFAULT_MAX_RESPONSE_BYTES;
pub use crate::wire::PathFamily;

use http::ProxySetting;
use url::without_userinfo;

/// Cloudflare's API, as the official SDKs address it.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// How long one attempt may take, from connecting to the last byte of the response.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long establishing a connection may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Client {
    /// A builder with the defaults and no credentials.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), cloudflare_r2_catalog::error::ConfigError> {
    /// let client = cloudflare_r2_catalog::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientBuilder::from_env()?.build()
    }
}

/// Configures and builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use cloudflare_r2_catalog::{Client, config::RetryConfig};
///
/// let client = Client::builder()
///     .api_token("a-cloudflare-api-token")
///     .timeout(Duration::from_secs(30))
///     .retry(RetryConfig::default().with_max_retries(4))
///     .build()?;
/// # Ok::<(), cloudflare_r2_catalog::error::ConfigError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    api_token: Option<SecretString>,
    api_key: Option<(String, SecretString)>,
    base_url: Option<String>,
    iceberg_url: Option<String>,
    allow_insecure_http: bool,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    max_response_bytes: u64,
    retry: RetryConfig,
    proxy: Option<ProxySetting>,
    root_certificates: Vec<Vec<u8>>,
    paths: PathFamily,
    user_agent_suffix: Option<String>,
    account_id: Option<String>,
    headers: Vec<(String, SecretString)>,
    http_client: Option<reqwest::Client>,
}

/// The settings, never a secret: the credentials, the added headers' values, a proxy's password
/// and the caller's HTTP client (whose default headers may be secrets) are left out.
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let added: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("api_token", &self.api_token)
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url.as_deref().map(without_userinfo))
            .field(
                "iceberg_url",
                &self.iceberg_url.as_deref().map(without_userinfo),
            )
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates.len())
            .field("paths", &self.paths)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("account_id", &self.account_id)
            .field("headers", &added)
            .field(
                "http_client",
                &self.http_client.as_ref().map(|_| "the caller's"),
            )
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_token: None,
            api_key: None,
            base_url: None,
            iceberg_url: None,
            allow_insecure_http: false,
            timeout: None,
            connect_timeout: None,
            operation_timeout: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryConfig::default(),
            proxy: None,
            root_certificates: Vec::new(),
            paths: PathFamily::default(),
            user_agent_suffix: None,
            account_id: None,
            headers: Vec::new(),
            http_client: None,
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// The account calls act on unless a call names another ([`Client::account`]): what
    /// [`Client::catalog`] and [`Client::list_catalogs`] use. Checked by
    /// [`ClientBuilder::build`].
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// Authenticate with an API token (`Authorization: Bearer`).
    pub fn api_token(mut self, token: impl Into<SecretString>) -> Self {
        self.api_token = Some(token.into());
        self
    }

    /// Authenticate with an e-mail address and the legacy global API key.
    pub fn api_key(mut self, email: impl Into<String>, key: impl Into<SecretString>) -> Self {
        self.api_key = Some((email.into(), key.into()));
        self
    }

    /// Authenticate with `credentials`, replacing any set before.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.api_token = None;
        self.api_key = None;
        match credentials {
            Credentials::ApiToken(token) => self.api_token = Some(token),
            Credentials::ApiKey { email, key } => self.api_key = Some((email, key)),
        }
        self
    }

    /// The API's base URL (default [`DEFAULT_BASE_URL`]); a trailing `/` is ignored.
    ///
    /// It must be `https://`, or `http://` to a loopback host (127.0.0.0/8, `::1`, `localhost`:
    /// tests and local emulators). Plain `http://` to any other host would carry the credentials
    /// in clear text, and [`ClientBuilder::build`] refuses it with
    /// [`ConfigError::InsecureBaseUrl`] unless [`ClientBuilder::allow_insecure_http`] says so.
    /// For the same reason, plain `http://` to loopback never goes through a proxy.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The path family requests go out under (default [`PathFamily::BasinCatalog`], the paths
    /// of Cloudflare's current document); [`PathFamily::R2Catalog`] sends them to the R2 Data
    /// Catalog paths that wrangler calls. Both reach the same catalogs.
    pub fn paths(mut self, family: PathFamily) -> Self {
        self.paths = family;
        self
    }

    /// Adds `suffix` to the `User-Agent` every request carries (`cloudflare-r2-catalog/0.1.0
    /// my-app/2.3`), so that your application shows in Cloudflare's logs and audit trail. It
    /// must be visible ASCII and spaces, at most 256 characters: [`ClientBuilder::build`]
    /// refuses anything else with [`ConfigError::UserAgent`].
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Accept a plain `http://` base URL to a host that is not loopback, knowing that every
    /// request (credentials included) then crosses the network in clear text. Off by default.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How long one attempt may take (default [`DEFAULT_TIMEOUT`]). With retries, a call can
    /// take several times this; [`ClientBuilder::operation_timeout`] bounds the whole call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long connecting may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long a whole call may take, its attempts and the waits between them included (none
    /// by default: a call is bounded by its attempts, each by [`ClientBuilder::timeout`], and
    /// the waits of the retry policy).
    ///
    /// No retry starts whose wait would end past it: the call returns the last attempt's error
    /// instead. An attempt still in flight when it passes is abandoned, and the call fails with
    /// [`crate::Error::OperationTimeout`]: for a change, that attempt may have reached
    /// Cloudflare and been made, so read the state back before trying again.
    /// [`Client::with_operation_timeout`] sets it for some calls only.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Adds a header to every request to the API: a Cloudflare Access service token in front
    /// of a gateway, a tracing header your infrastructure reads. Not to the Iceberg endpoint
    /// ([`crate::handles::CatalogHandle::iceberg_config`]), another host, which gets only the token. Its value is treated as a secret,
    /// like the credentials: marked sensitive, never shown by `Debug`, and taken out of any
    /// server text the SDK keeps (a value of 8 characters or more: a shorter one would be found
    /// in every word). A header given twice is sent with both values. The headers the SDK sets itself (credentials, `Accept`,
    /// `Content-Type`, `User-Agent`: see [`ClientBuilder::user_agent_suffix`]) and those HTTP
    /// sets (`Host`, `Content-Length`, …) cannot be added: [`ClientBuilder::build`] refuses them
    /// with [`ConfigError::Header`], as it does a name or value HTTP does not allow.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<SecretString>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Also trusts the CA certificates in `pem` (PEM text, one or more), besides the system's
    /// roots: an emulator's (`EmulatorBuilder::tls` of crate `cloudflare-r2-catalog-emulator`), or
    /// a private CA in front of the API. The certificates are read by [`ClientBuilder::build`] ([`ConfigError::RootCertificate`]
    /// when they cannot be). The Iceberg endpoint's requests trust them too.
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Sends requests with `client`, your own `reqwest::Client` (a shared connection pool, settings this builder does not offer), instead of one the SDK
    /// builds. The SDK still sets each request's headers, validates inputs, caps response
    /// bodies ([`ClientBuilder::max_response_bytes`]), judges answers, retries and redacts.
    ///
    /// What it no longer guarantees, being `client`'s to decide:
    /// - **Redirects.** reqwest follows up to ten by default, and re-sends a `307`/`308`'s
    ///   body (a catalog token being stored), the `X-Auth-Key` header and the headers given
    ///   to [`ClientBuilder::header`] to wherever the answer points; the SDK then judges that
    ///   place's answer as if it were Cloudflare's. Build `client` with
    ///   `redirect(reqwest::redirect::Policy::none())`: the SDK then reports a redirect as
    ///   [`crate::Error::Redirected`], as it does with its own client.
    /// - **Proxies.** `client` honours the proxy environment variables unless told otherwise,
    ///   also for a plain `http://` loopback base URL, whose requests a proxy would see in
    ///   clear text.
    /// - **TLS**: the backend, the trusted roots and the minimum version (the SDK's own
    ///   client requires TLS 1.2).
    /// - **Timeouts**: `client`'s own, if any. Without them, a server that sends its answer
    ///   slowly holds a call for as long as it likes; [`ClientBuilder::operation_timeout`]
    ///   still bounds it.
    ///
    /// For those reasons, [`ClientBuilder::build`] refuses to combine it with
    /// [`ClientBuilder::timeout`], [`ClientBuilder::connect_timeout`],
    /// [`ClientBuilder::proxy`], [`ClientBuilder::no_proxy`] or
    /// [`ClientBuilder::add_root_certificate`] ([`ConfigError::HttpClientSetting`]): set those
    /// on `client`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The most bytes a response body may have (default [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB).
    /// A longer body fails the call with [`crate::Error::ResponseTooLarge`] as soon as it goes
    /// over, whether it declares its length or not. Going over is no reason to retry (an error
    /// status the policy retries, like 503, is still retried for its status; each attempt
    /// reads at most the limit). Parsed, a body can take many times its size in memory (lists of
    /// tiny items: up to ~30 times), so lower this where memory is tight.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The retry policy (default [`RetryConfig::default`]: two retries).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Shorthand for keeping the default backoff and changing only the number of retries.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry = self.retry.with_max_retries(max_retries);
        self
    }

    /// Send every request through the HTTP proxy at `url` (`http://proxy.example:3128`, with
    /// `user:password@` if the proxy asks for it), instead of any the environment names.
    ///
    /// An `https://` base URL is reached through the proxy with `CONNECT`, so the TLS session,
    /// and the credentials inside it, run end to end: the proxy sees only the host and port.
    /// A plain `http://` base URL on a loopback host never goes through any proxy (see
    /// [`ClientBuilder::base_url`]).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(ProxySetting::Through(url.into()));
        self
    }

    /// Connect straight to the server: ignore the proxy environment variables.
    ///
    /// By default the client honours them, as curl does: `HTTPS_PROXY` for `https://` base
    /// URLs, `HTTP_PROXY` for `http://` ones, `ALL_PROXY` for both, and `NO_PROXY` for the hosts
    /// that bypass them (each also in lower case). Whatever they say, a plain `http://` base URL
    /// on a loopback host is always reached directly: a proxy would see its requests, the
    /// credentials included, in clear text.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = Some(ProxySetting::Direct);
        self
    }

    /// The Iceberg REST endpoint [`crate::handles::CatalogHandle::iceberg_config`] asks:
    /// [`ICEBERG_REST_ENDPOINT`] unless set here (the emulator's `Emulator::iceberg_url`, crate
    /// `cloudflare-r2-catalog-emulator`, say). The same rules as
    /// [`ClientBuilder::base_url`] hold: `https://`, or `http://` to a loopback host (reached
    /// without any proxy), or to another host after
    /// [`ClientBuilder::allow_insecure_http`]; checked by [`ClientBuilder::build`] (a bad one is
    /// [`ConfigError::IcebergUrl`]).
    pub fn iceberg_url(mut self, url: impl Into<String>) -> Self {
        self.iceberg_url = Some(url.into());
        self
    }
}
