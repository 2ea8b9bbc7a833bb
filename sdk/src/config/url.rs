//! The base URL and the Iceberg endpoint's URL: checked, and shown without a password.

use std::net::IpAddr;

use reqwest::Url;

use crate::error::ConfigError;

/// Checks that `url` is an absolute https URL, or http where that is safe or allowed, and drops
/// trailing slashes, which would otherwise double up with the generated paths' leading `/`.
/// Also says whether it is plain http on a loopback host, which must never go through a proxy.
pub(super) fn normalize_base_url(
    url: &str,
    allow_insecure_http: bool,
) -> Result<(String, bool), ConfigError> {
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
pub(super) fn without_userinfo(url: &str) -> String {
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
    use crate::client::Client;
    use crate::config::ClientBuilder;

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
