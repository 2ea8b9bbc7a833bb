//! Building a [`Client`]: credentials, base URL, timeouts, retries, and the environment.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Url, redirect};
use zeroize::Zeroizing;

use crate::auth::Credentials;
use crate::client::Client;
use crate::connection::ICEBERG_REST_ENDPOINT;
use crate::engine::{Engine, Policy};
use crate::error::ConfigError;
use crate::generated;
use crate::iceberg::Iceberg;
use crate::retry::RetryConfig;
use crate::secret::SecretString;
use crate::text::shown;
use crate::tls;
use crate::transport::DEFAULT_MAX_RESPONSE_BYTES;
use crate::validate::AccountId;
use crate::wire::{Outgoing, PathFamily, Routes};

/// Cloudflare's API, as the official SDKs address it.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// How long one attempt may take, from connecting to the last byte of the response.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long establishing a connection may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `User-Agent` every request carries.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The environment variables the SDK reads, the same ones as Cloudflare's official tools.
pub mod env {
    /// An API token (the recommended scheme).
    pub const API_TOKEN: &str = "CLOUDFLARE_API_TOKEN";
    /// A global API key; needs [`EMAIL`].
    pub const API_KEY: &str = "CLOUDFLARE_API_KEY";
    /// The e-mail address that goes with [`API_KEY`].
    pub const EMAIL: &str = "CLOUDFLARE_EMAIL";
    /// Overrides the API's base URL.
    pub const BASE_URL: &str = "CLOUDFLARE_BASE_URL";
    /// The path family: `basin-catalog` (the default) or `r2-catalog` (see
    /// [`crate::PathFamily`]).
    pub const CATALOG_PATHS: &str = "CLOUDFLARE_CATALOG_PATHS";
    /// The client's default account (see [`crate::ClientBuilder::account_id`]).
    pub const ACCOUNT_ID: &str = "CLOUDFLARE_ACCOUNT_ID";
    /// Overrides the Iceberg REST endpoint (see [`crate::ClientBuilder::iceberg_url`]).
    pub const ICEBERG_URL: &str = "CLOUDFLARE_ICEBERG_URL";
}

impl Client {
    /// A builder with the defaults and no credentials.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), cloudflare_r2_catalog::ConfigError> {
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
/// use cloudflare_r2_catalog::{Client, RetryConfig};
///
/// let client = Client::builder()
///     .api_token("a-cloudflare-api-token")
///     .timeout(Duration::from_secs(30))
///     .retry(RetryConfig::default().with_max_retries(4))
///     .build()?;
/// # Ok::<(), cloudflare_r2_catalog::ConfigError>(())
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

/// Where requests to a remote base URL go, when the caller says: through a proxy they name, or
/// straight to the server (by default, through the proxy the environment names).
#[derive(Clone)]
enum ProxySetting {
    Direct,
    Through(String),
}

/// A proxy's URL without its user name and password.
impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => f.write_str("Direct"),
            Self::Through(url) => write!(f, "Through({:?})", without_userinfo(url)),
        }
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

    /// A builder preset from the environment: `CLOUDFLARE_API_TOKEN`, or `CLOUDFLARE_EMAIL` with
    /// `CLOUDFLARE_API_KEY`, `CLOUDFLARE_ACCOUNT_ID`, `CLOUDFLARE_BASE_URL`,
    /// `CLOUDFLARE_ICEBERG_URL` and `CLOUDFLARE_CATALOG_PATHS` ([`env`](mod@env)). Empty
    /// variables count as unset. Settings made afterwards on the builder take precedence.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`ClientBuilder::from_env`] over any source of variables.
    pub(crate) fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let mut builder = Self::new();
        let token = var(env::API_TOKEN);
        match (var(env::EMAIL), var(env::API_KEY)) {
            (Some(email), Some(key)) => builder = builder.api_key(email, key),
            // A stray key without its e-mail is no second scheme: the token is the one in use.
            (None, Some(_)) if token.is_some() => {}
            (None, Some(_)) => {
                return Err(ConfigError::Environment {
                    variable: env::EMAIL,
                    reason: "must be set when CLOUDFLARE_API_KEY is",
                });
            }
            (_, None) => {}
        }
        if let Some(token) = token {
            builder = builder.api_token(token);
        }
        // Checked by `build`, so that a later `account_id` can replace a bad one.
        if let Some(account_id) = var(env::ACCOUNT_ID) {
            builder = builder.account_id(account_id);
        }
        if let Some(url) = var(env::BASE_URL) {
            builder = builder.base_url(url);
        }
        if let Some(url) = var(env::ICEBERG_URL) {
            builder = builder.iceberg_url(url);
        }
        if let Some(paths) = var(env::CATALOG_PATHS) {
            builder = builder.paths(paths.parse().map_err(|_| ConfigError::Environment {
                variable: env::CATALOG_PATHS,
                reason: "must be basin-catalog or r2-catalog",
            })?);
        }
        Ok(builder)
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
    /// ([`crate::CatalogHandle::iceberg_config`]), another host, which gets only the token. Its value is treated as a secret,
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

    /// The Iceberg REST endpoint [`crate::CatalogHandle::iceberg_config`] asks:
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

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let account_id = self
            .account_id
            .map(AccountId::new)
            .transpose()
            .map_err(ConfigError::Input)?;
        let credentials = match (self.api_token, self.api_key) {
            (Some(token), None) => Credentials::ApiToken(token),
            (None, Some((email, key))) => Credentials::ApiKey { email, key },
            (None, None) => return Err(ConfigError::MissingCredentials),
            (Some(_), Some(_)) => return Err(ConfigError::ConflictingCredentials),
        };
        let (base_url, local_http) = normalize_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
        )?;
        let mut headers = credentials.headers()?;
        // Every operation answers JSON; the generated code, given no response types, does not
        // say so itself.
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = user_agent(self.user_agent_suffix.as_deref())?;
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| ConfigError::UserAgent {
            reason: "the suffix must be 1 to 256 characters of visible ASCII and spaces",
        })?;
        headers.insert(reqwest::header::USER_AGENT, user_agent.clone());
        let mut secrets = vec![Zeroizing::new(credentials.secret().to_owned())];
        for (name, value) in &self.headers {
            let (name, header) = added_header(name, value)?;
            headers.append(name, header);
            secrets.push(Zeroizing::new(value.expose().to_owned()));
        }
        let caller_client = self.http_client.is_some();
        let iceberg_proxy = self.proxy.clone();
        let http = match self.http_client {
            Some(client) => with_caller_client(
                client,
                self.timeout,
                self.connect_timeout,
                self.proxy.as_ref(),
                !self.root_certificates.is_empty(),
            )?,
            None => http_client(
                self.proxy,
                local_http,
                &self.root_certificates,
                self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            )?,
        };
        let iceberg_url = self.iceberg_url.as_deref().unwrap_or(ICEBERG_REST_ENDPOINT);
        let (iceberg_url, iceberg_local_http) =
            normalize_base_url(iceberg_url, self.allow_insecure_http).map_err(
                |error| match error {
                    ConfigError::BaseUrl { url, reason } => ConfigError::IcebergUrl { url, reason },
                    other => other,
                },
            )?;
        let iceberg_url = Url::parse(&iceberg_url).map_err(|error| ConfigError::IcebergUrl {
            url: without_userinfo(&iceberg_url),
            reason: error.to_string(),
        })?;
        // The Iceberg endpoint gets a client of its own when it is reached otherwise than the
        // API: plain http on loopback never through a proxy, a remote host through the proxy
        // asked for (or the environment's), whatever the API's URL is.
        let iceberg_http = if iceberg_local_http != local_http && !caller_client {
            http_client(
                iceberg_proxy,
                iceberg_local_http,
                &self.root_certificates,
                self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            )?
        } else {
            http.clone()
        };
        let iceberg = Iceberg::new(
            iceberg_url,
            iceberg_http,
            headers
                .get(AUTHORIZATION)
                .cloned()
                .filter(|_| matches!(credentials, Credentials::ApiToken(_))),
            user_agent,
        );
        let routes = Routes::new(self.paths, &base_url);
        let api =
            generated::Client::new_with_client(&base_url, http, Outgoing::new(routes, headers));
        let engine = Engine::new(
            api,
            iceberg,
            credentials.scheme(),
            secrets.into(),
            self.max_response_bytes,
            Policy {
                retry: self.retry,
                operation_timeout: self.operation_timeout,
                sweep: None,
            },
            Arc::default(),
        );
        Ok(Client::new(engine, account_id))
    }
}

/// The SDK's own HTTP client: its TLS (trusting `roots` too), the proxy as asked (never one
/// for plain `http://` on loopback), the timeouts, no redirects.
fn http_client(
    proxy: Option<ProxySetting>,
    local_http: bool,
    roots: &[Vec<u8>],
    timeout: Duration,
    connect_timeout: Duration,
) -> Result<reqwest::Client, ConfigError> {
    let http = tls::configure(reqwest::Client::builder(), roots)?;
    let http = match proxy {
        _ if local_http => http.no_proxy(),
        Some(ProxySetting::Direct) => http.no_proxy(),
        None => http,
        Some(ProxySetting::Through(url)) => {
            http.proxy(reqwest::Proxy::all(url).map_err(|_| ConfigError::Proxy {
                reason: "it must be an absolute http, https or socks URL",
            })?)
        }
    };
    http.timeout(timeout)
        .connect_timeout(connect_timeout)
        // The SDK's retry policy is the one that retries, an HTTP/2 stream the server refused
        // included; reqwest's own would copy every request's headers and extensions in case
        // it wanted to.
        .retry(reqwest::retry::never().max_retries_per_request(0))
        // Cloudflare's API never redirects. Following one would re-send the request, the
        // body with a catalog token and the X-Auth-Key header included, to wherever the
        // answer points; a 3xx is reported as `Error::Redirected` instead.
        .redirect(redirect::Policy::none())
        .referer(false)
        .build()
        .map_err(|error| ConfigError::HttpClient(error.to_string()))
}

/// `client`, the caller's, unless the builder was also given a setting that only the SDK's own
/// client takes (see [`ClientBuilder::http_client`]).
fn with_caller_client(
    client: reqwest::Client,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy: Option<&ProxySetting>,
    root_certificates: bool,
) -> Result<reqwest::Client, ConfigError> {
    let conflicting = [
        ("timeout", timeout.is_some()),
        ("connect_timeout", connect_timeout.is_some()),
        ("proxy or no_proxy", proxy.is_some()),
        ("add_root_certificate", root_certificates),
    ];
    match conflicting.into_iter().find(|(_, set)| *set) {
        Some((setting, _)) => Err(ConfigError::HttpClientSetting { setting }),
        None => Ok(client),
    }
}

/// The headers the SDK sets itself, and those HTTP sets: not for [`ClientBuilder::header`].
const RESERVED_HEADERS: [&str; 15] = [
    "authorization",
    "x-auth-email",
    "x-auth-key",
    "accept",
    "content-type",
    "user-agent",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "te",
    "upgrade",
    // The SDK reads bodies as they come: an encoding or a range would make every answer
    // unreadable, an applied change included.
    "accept-encoding",
    "content-encoding",
    "range",
];

/// A header given to [`ClientBuilder::header`], as it is sent: its value marked sensitive.
fn added_header(
    name: &str,
    value: &SecretString,
) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let refused = |reason| ConfigError::Header {
        name: shown(name).to_string(),
        reason,
    };
    let name = HeaderName::try_from(name).map_err(|_| refused("not a valid header name"))?;
    if RESERVED_HEADERS.contains(&name.as_str()) {
        return Err(refused("the SDK or HTTP sets this header itself"));
    }
    let mut value = HeaderValue::from_str(value.expose())
        .map_err(|_| refused("the value is not a valid header value"))?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// The `User-Agent`: the SDK's own, then `suffix` if one is given and fit to send.
fn user_agent(suffix: Option<&str>) -> Result<String, ConfigError> {
    let Some(suffix) = suffix else {
        return Ok(USER_AGENT.to_owned());
    };
    let fits = !suffix.trim().is_empty()
        && suffix.len() <= MAX_USER_AGENT_SUFFIX
        && suffix
            .bytes()
            .all(|byte| byte == b' ' || byte.is_ascii_graphic());
    if !fits {
        return Err(ConfigError::UserAgent {
            reason: "the suffix must be 1 to 256 characters of visible ASCII and spaces",
        });
    }
    Ok(format!("{USER_AGENT} {}", suffix.trim()))
}

/// The longest user-agent suffix: a product token or two, not a payload.
const MAX_USER_AGENT_SUFFIX: usize = 256;

/// Checks that `url` is an absolute https URL, or http where that is safe or allowed, and drops
/// trailing slashes, which would otherwise double up with the generated paths' leading `/`.
/// Also says whether it is plain http on a loopback host, which must never go through a proxy.
fn normalize_base_url(url: &str, allow_insecure_http: bool) -> Result<(String, bool), ConfigError> {
    let parsed = Url::parse(url);
    let invalid = |reason: &str| ConfigError::BaseUrl {
        url: without_userinfo(url),
        reason: reason.to_owned(),
    };
    let parsed = parsed
        .as_ref()
        .map_err(|error| invalid(&error.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    // reqwest would send these as Basic credentials beside the SDK's own.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("it must not contain a user name or password"));
    }
    let local_http = parsed.scheme() == "http" && is_loopback(parsed);
    if parsed.scheme() == "http" && !allow_insecure_http && !local_http {
        return Err(ConfigError::InsecureBaseUrl {
            url: url.to_owned(),
        });
    }
    Ok((url.trim_end_matches('/').to_owned(), local_http))
}

/// `url` with whatever stands between its scheme and its last `@` (a user name and password,
/// perhaps) replaced by `***`: read from the text, since the URL may not parse, or parse as
/// something other than what the caller meant.
fn without_userinfo(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |at| at + 3);
    let rest = &url[authority_start..];
    // Up to the last `@` anywhere: a password may hold an unencoded `/`, `?` or `#`, and hiding
    // too much of a URL that is refused anyway costs nothing.
    match rest.rfind('@') {
        Some(at) => format!("{}***{}", &url[..authority_start], &rest[at..]),
        None => url.to_owned(),
    }
}

/// Whether `url` names this machine: 127.0.0.0/8, `::1` or `localhost`, where plain http
/// never leaves the host (the client then never sends it through a proxy).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
        Some(url::Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthScheme;

    fn from_vars(vars: &[(&str, &str)]) -> Result<ClientBuilder, ConfigError> {
        ClientBuilder::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn env_token_builds_a_bearer_client() {
        let client = from_vars(&[(env::API_TOKEN, "t0k3n")]).and_then(ClientBuilder::build);
        let client = client.expect("a token is enough");
        assert_eq!(client.auth_scheme(), AuthScheme::ApiToken);
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn env_key_needs_the_email() {
        let error = from_vars(&[(env::API_KEY, "k3y")]).unwrap_err();
        assert_eq!(
            error,
            ConfigError::Environment {
                variable: env::EMAIL,
                reason: "must be set when CLOUDFLARE_API_KEY is",
            }
        );
        let client = from_vars(&[(env::API_KEY, "k3y"), (env::EMAIL, "a@example.com")])
            .and_then(ClientBuilder::build)
            .expect("key and e-mail are enough");
        assert_eq!(client.auth_scheme(), AuthScheme::ApiKey);
        // Beside a token, a key without its e-mail is no second scheme: the token is used.
        let client = from_vars(&[(env::API_KEY, "k3y"), (env::API_TOKEN, "t0k3n")])
            .and_then(ClientBuilder::build)
            .expect("the token is enough");
        assert_eq!(client.auth_scheme(), AuthScheme::ApiToken);
    }

    #[test]
    fn env_with_both_schemes_is_a_conflict_not_a_pick() {
        let error = from_vars(&[
            (env::API_TOKEN, "t0k3n"),
            (env::API_KEY, "k3y"),
            (env::EMAIL, "a@example.com"),
        ])
        .and_then(ClientBuilder::build)
        .unwrap_err();
        assert_eq!(error, ConfigError::ConflictingCredentials);
    }

    #[test]
    fn empty_env_is_missing_credentials() {
        let error = from_vars(&[(env::API_TOKEN, "")])
            .and_then(ClientBuilder::build)
            .unwrap_err();
        assert_eq!(error, ConfigError::MissingCredentials);
    }

    #[test]
    fn env_names_the_default_account_and_a_bad_one_is_refused() {
        const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
        let client = from_vars(&[(env::API_TOKEN, "t"), (env::ACCOUNT_ID, ACCOUNT)])
            .and_then(ClientBuilder::build)
            .expect("valid");
        assert_eq!(client.account_id().map(AccountId::as_ref), Some(ACCOUNT));
        let unset = from_vars(&[(env::API_TOKEN, "t"), (env::ACCOUNT_ID, "")])
            .and_then(ClientBuilder::build)
            .expect("valid");
        assert_eq!(unset.account_id(), None);

        let bad = from_vars(&[(env::API_TOKEN, "t"), (env::ACCOUNT_ID, "not-an-account")])
            .expect("read; checked when built");
        let error = bad.clone().build().map(drop).unwrap_err();
        let ConfigError::Input(invalid) = error else {
            panic!("expected ConfigError::Input, got {error:?}")
        };
        assert_eq!(invalid.field(), "account id");
        // A setting made afterwards takes precedence, a bad variable included.
        let client = bad.account_id(ACCOUNT).build().expect("valid");
        assert_eq!(client.account_id().map(AccountId::as_ref), Some(ACCOUNT));
        let error = ClientBuilder::new()
            .api_token("t")
            .account_id("../other")
            .build()
            .map(drop)
            .unwrap_err();
        let ConfigError::Input(invalid) = error else {
            panic!("expected ConfigError::Input, got {error:?}")
        };
        assert_eq!(invalid.field(), "account id");
    }

    #[test]
    fn env_base_url_is_used_without_its_trailing_slash() {
        let client = from_vars(&[
            (env::API_TOKEN, "t"),
            (env::BASE_URL, "http://127.0.0.1:9/v4/"),
        ])
        .and_then(ClientBuilder::build)
        .expect("valid");
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v4");
    }

    #[test]
    fn a_user_agent_suffix_follows_the_sdks_own_and_must_be_visible_ascii() {
        assert_eq!(user_agent(None), Ok(USER_AGENT.to_owned()));
        assert_eq!(
            user_agent(Some(" my-app/2.3 (ops) ")),
            Ok(format!("{USER_AGENT} my-app/2.3 (ops)"))
        );
        let long = "x".repeat(MAX_USER_AGENT_SUFFIX + 1);
        for bad in [
            "",
            "  ",
            "tab\there",
            "line\r\nX-Injected: 1",
            "caf\u{e9}",
            long.as_str(),
        ] {
            let refused = ClientBuilder::new()
                .api_token("t")
                .user_agent_suffix(bad)
                .build()
                .map(drop);
            assert!(
                matches!(refused, Err(ConfigError::UserAgent { .. })),
                "{bad:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn env_chooses_the_path_family_and_refuses_others() {
        let family = |value: &str| {
            from_vars(&[(env::API_TOKEN, "t"), (env::CATALOG_PATHS, value)])
                .and_then(ClientBuilder::build)
                .map(|client| client.paths())
        };
        assert_eq!(family("r2-catalog"), Ok(PathFamily::R2Catalog));
        assert_eq!(family("basin-catalog"), Ok(PathFamily::BasinCatalog));
        assert_eq!(family(""), Ok(PathFamily::BasinCatalog));
        for wrong in ["R2-catalog", "basin", "r2-catalog/"] {
            assert_eq!(
                family(wrong),
                Err(ConfigError::Environment {
                    variable: env::CATALOG_PATHS,
                    reason: "must be basin-catalog or r2-catalog",
                }),
                "{wrong:?}"
            );
        }
    }

    fn build_with_base_url(url: &str) -> Result<Client, ConfigError> {
        ClientBuilder::new().api_token("t").base_url(url).build()
    }

    #[test]
    fn plain_http_is_refused_unless_loopback_or_allowed() {
        for loopback in [
            "http://127.0.0.1:8787/client/v4",
            "http://127.1.2.3",
            "http://[::1]:9/",
            "http://localhost:8080",
            "http://LOCALHOST",
            "https://api.example.com",
        ] {
            build_with_base_url(loopback).unwrap_or_else(|e| panic!("{loopback}: {e}"));
        }
        for remote in [
            "http://api.cloudflare.com/client/v4",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://128.0.0.1",
        ] {
            let error = build_with_base_url(remote).unwrap_err();
            assert_eq!(
                error,
                ConfigError::InsecureBaseUrl {
                    url: remote.to_owned()
                },
                "{remote}"
            );
            ClientBuilder::new()
                .api_token("t")
                .base_url(remote)
                .allow_insecure_http(true)
                .build()
                .unwrap_or_else(|e| panic!("{remote} allowed: {e}"));
        }
    }

    #[test]
    fn credentials_in_the_base_url_are_refused_without_echoing_the_password() {
        let error = build_with_base_url("https://user:hunter2@api.example.com").unwrap_err();
        assert_eq!(
            error,
            ConfigError::BaseUrl {
                url: "https://***@api.example.com".to_owned(),
                reason: "it must not contain a user name or password".to_owned(),
            }
        );
        assert!(!error.to_string().contains("hunter2"));
    }

    #[test]
    fn a_base_url_that_does_not_parse_is_echoed_without_its_user_info() {
        for (url, shown) in [
            ("https://u:secret@host:99999", "https://***@host:99999"),
            (
                "https://u:se@cret@host:99999/v4?x#y",
                "https://***@host:99999/v4?x#y",
            ),
            ("u:secret@host:99999", "***@host:99999"),
            ("https://u:pa/ss@host:99999", "https://***@host:99999"),
            ("https://host:99999/a@b", "https://***@b"),
            ("https://host:99999/a", "https://host:99999/a"),
        ] {
            let error = build_with_base_url(url).unwrap_err();
            let ConfigError::BaseUrl { url: echoed, .. } = &error else {
                panic!("{url}: {error}");
            };
            assert_eq!(echoed, shown, "{url}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
    }

    #[test]
    fn an_unclassified_client_error_is_neither_an_interruption_nor_retryable() {
        use crate::error::{TransportError, TransportErrorKind};
        let http = tls::configure(reqwest::Client::builder(), &[])
            .and_then(|builder| {
                builder
                    .build()
                    .map_err(|error| ConfigError::HttpClient(error.to_string()))
            })
            .expect("a client");
        let unbuildable = http.get("http://[::1").build().expect_err("not a URL");
        let error = TransportError::new(unbuildable, 1);
        assert_eq!(error.kind(), TransportErrorKind::Other);
        assert!(!error.kind().is_retryable());
        assert_eq!(error.to_string(), "request failed after 1 attempt(s)");
        let reported = crate::error::Report::new(&error).to_string();
        assert!(
            reported.starts_with("request failed after 1 attempt(s): builder error"),
            "{reported}"
        );
    }

    #[test]
    fn base_url_must_be_absolute_http() {
        for bad in [
            "api.cloudflare.com",
            "ftp://example.com",
            "https://x.test/?q=1",
        ] {
            let error = ClientBuilder::new()
                .api_token("t")
                .base_url(bad)
                .build()
                .unwrap_err();
            assert!(
                matches!(error, ConfigError::BaseUrl { .. }),
                "{bad}: {error}"
            );
        }
    }
}
