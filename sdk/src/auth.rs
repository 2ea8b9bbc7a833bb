//! Credentials for Cloudflare's API, and the headers that carry them.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::error::ConfigError;
use crate::secret::SecretString;

/// How requests authenticate to Cloudflare's API.
///
/// `Debug` shows which scheme is in use and the e-mail address, never a token or key.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// An API token, sent as `Authorization: Bearer <token>` (the recommended scheme).
    ApiToken(SecretString),
    /// The legacy global API key, sent as `X-Auth-Email` and `X-Auth-Key`.
    ApiKey {
        /// The account's e-mail address.
        email: String,
        /// The global API key.
        key: SecretString,
    },
}

/// Which kind of credential a client authenticates with: what a caller may tell a person, or
/// act on (the Iceberg endpoint engines reach takes API tokens only), without the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// An API token ([`Credentials::ApiToken`]).
    ApiToken,
    /// An e-mail address and the legacy global API key ([`Credentials::ApiKey`]).
    ApiKey,
}

impl fmt::Display for AuthScheme {
    /// `API token` or `global API key`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ApiToken => "API token",
            Self::ApiKey => "global API key",
        })
    }
}

impl Credentials {
    /// API-token credentials.
    pub fn api_token(token: impl Into<SecretString>) -> Self {
        Self::ApiToken(token.into())
    }

    /// Legacy e-mail + global API key credentials.
    pub fn api_key(email: impl Into<String>, key: impl Into<SecretString>) -> Self {
        Self::ApiKey {
            email: email.into(),
            key: key.into(),
        }
    }

    /// Which scheme these are.
    pub(crate) fn scheme(&self) -> AuthScheme {
        match self {
            Self::ApiToken(_) => AuthScheme::ApiToken,
            Self::ApiKey { .. } => AuthScheme::ApiKey,
        }
    }

    /// The secret every request carries: the token, or the key.
    pub(crate) fn secret(&self) -> &str {
        match self {
            Self::ApiToken(token) => token.expose(),
            Self::ApiKey { key, .. } => key.expose(),
        }
    }

    /// The headers that authenticate every request, with secret values marked sensitive so that
    /// reqwest and `http` never print them.
    pub(crate) fn headers(&self) -> Result<HeaderMap, ConfigError> {
        let mut headers = HeaderMap::new();
        match self {
            Self::ApiToken(token) => {
                let value = Zeroizing::new(format!("Bearer {}", token.expose()));
                let header =
                    secret_header(&value, "the API token is not a valid HTTP header value")?;
                headers.insert(AUTHORIZATION, header);
            }
            Self::ApiKey { email, key } => {
                let email = HeaderValue::from_str(email).map_err(|_| ConfigError::Credentials {
                    reason: "the e-mail address is not a valid HTTP header value",
                })?;
                headers.insert(HeaderName::from_static("x-auth-email"), email);
                headers.insert(
                    HeaderName::from_static("x-auth-key"),
                    secret_header(key.expose(), "the API key is not a valid HTTP header value")?,
                );
            }
        }
        Ok(headers)
    }
}

fn secret_header(value: &str, reason: &'static str) -> Result<HeaderValue, ConfigError> {
    let mut header =
        HeaderValue::from_str(value).map_err(|_| ConfigError::Credentials { reason })?;
    header.set_sensitive(true);
    Ok(header)
}
