//! The HTTP client requests go out with: the SDK's own, or the caller's.

use std::fmt;
use std::time::Duration;

use reqwest::redirect;

use crate::error::ConfigError;
use crate::tls;

use super::url::without_userinfo;

/// Where requests to a remote base URL go, when the caller says: through a proxy they name, or
/// straight to the server (by default, through the proxy the environment names).
#[derive(Clone)]
pub(super) enum ProxySetting {
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

/// The SDK's own HTTP client: its TLS (trusting `roots` too), the proxy as asked (never one
/// for plain `http://` on loopback), the timeouts, no redirects.
pub(super) fn http_client(
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
/// client takes (see [`ClientBuilder::http_client`](super::ClientBuilder::http_client)).
pub(super) fn with_caller_client(
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

#[cfg(test)]
mod tests {
    use super::*;

    // `TransportError`'s test, kept here: a `reqwest::Error` needs a client, and making one
    // needs `tls`, which sits above `error`.
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
}
