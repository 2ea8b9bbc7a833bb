//! The environment variables the SDK reads, the same ones as Cloudflare's official tools.

use super::ClientBuilder;
use crate::error::ConfigError;

/// An API token (the recommended scheme).
pub const API_TOKEN: &str = "CLOUDFLARE_API_TOKEN";
/// A global API key; needs [`EMAIL`].
pub const API_KEY: &str = "CLOUDFLARE_API_KEY";
/// The e-mail address that goes with [`API_KEY`].
pub const EMAIL: &str = "CLOUDFLARE_EMAIL";
/// Overrides the API's base URL.
pub const BASE_URL: &str = "CLOUDFLARE_BASE_URL";
/// The path family: `basin-catalog` (the default) or `r2-catalog` (see
/// [`crate::config::PathFamily`]).
pub const CATALOG_PATHS: &str = "CLOUDFLARE_CATALOG_PATHS";
/// The client's default account (see [`crate::ClientBuilder::account_id`]).
pub const ACCOUNT_ID: &str = "CLOUDFLARE_ACCOUNT_ID";
/// Overrides the Iceberg REST endpoint (see [`crate::ClientBuilder::iceberg_url`]).
pub const ICEBERG_URL: &str = "CLOUDFLARE_ICEBERG_URL";

impl ClientBuilder {
    /// A builder preset from the environment: `CLOUDFLARE_API_TOKEN`, or `CLOUDFLARE_EMAIL` with
    /// `CLOUDFLARE_API_KEY`, `CLOUDFLARE_ACCOUNT_ID`, `CLOUDFLARE_BASE_URL`,
    /// `CLOUDFLARE_ICEBERG_URL` and `CLOUDFLARE_CATALOG_PATHS` ([`env`](self)). Empty
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
        let token = var(API_TOKEN);
        match (var(EMAIL), var(API_KEY)) {
            (Some(email), Some(key)) => builder = builder.api_key(email, key),
            // A stray key without its e-mail is no second scheme: the token is the one in use.
            (None, Some(_)) if token.is_some() => {}
            (None, Some(_)) => {
                return Err(ConfigError::Environment {
                    variable: EMAIL,
                    reason: "must be set when CLOUDFLARE_API_KEY is",
                });
            }
            (_, None) => {}
        }
        if let Some(token) = token {
            builder = builder.api_token(token);
        }
        // Checked by `build`, so that a later `account_id` can replace a bad one.
        if let Some(account_id) = var(ACCOUNT_ID) {
            builder = builder.account_id(account_id);
        }
        if let Some(url) = var(BASE_URL) {
            builder = builder.base_url(url);
        }
        if let Some(url) = var(ICEBERG_URL) {
            builder = builder.iceberg_url(url);
        }
        if let Some(paths) = var(CATALOG_PATHS) {
            builder = builder.paths(paths.parse().map_err(|_| ConfigError::Environment {
                variable: CATALOG_PATHS,
                reason: "must be basin-catalog or r2-catalog",
            })?);
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthScheme;
    use crate::config::DEFAULT_BASE_URL;
    use crate::validate::AccountId;
    use crate::wire::PathFamily;

    fn from_vars(vars: &[(&str, &str)]) -> Result<ClientBuilder, ConfigError> {
        ClientBuilder::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn env_token_builds_a_bearer_client() {
        let client = from_vars(&[(API_TOKEN, "t0k3n")]).and_then(ClientBuilder::build);
        let client = client.expect("a token is enough");
        assert_eq!(client.auth_scheme(), AuthScheme::ApiToken);
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn env_key_needs_the_email() {
        let error = from_vars(&[(API_KEY, "k3y")]).unwrap_err();
        assert_eq!(
            error,
            ConfigError::Environment {
                variable: EMAIL,
                reason: "must be set when CLOUDFLARE_API_KEY is",
            }
        );
        let client = from_vars(&[(API_KEY, "k3y"), (EMAIL, "a@example.com")])
            .and_then(ClientBuilder::build)
            .expect("key and e-mail are enough");
        assert_eq!(client.auth_scheme(), AuthScheme::ApiKey);
        // Beside a token, a key without its e-mail is no second scheme: the token is used.
        let client = from_vars(&[(API_KEY, "k3y"), (API_TOKEN, "t0k3n")])
            .and_then(ClientBuilder::build)
            .expect("the token is enough");
        assert_eq!(client.auth_scheme(), AuthScheme::ApiToken);
    }

    #[test]
    fn env_with_both_schemes_is_a_conflict_not_a_pick() {
        let error = from_vars(&[
            (API_TOKEN, "t0k3n"),
            (API_KEY, "k3y"),
            (EMAIL, "a@example.com"),
        ])
        .and_then(ClientBuilder::build)
        .unwrap_err();
        assert_eq!(error, ConfigError::ConflictingCredentials);
    }

    #[test]
    fn empty_env_is_missing_credentials() {
        let error = from_vars(&[(API_TOKEN, "")])
            .and_then(ClientBuilder::build)
            .unwrap_err();
        assert_eq!(error, ConfigError::MissingCredentials);
    }

    #[test]
    fn env_names_the_default_account_and_a_bad_one_is_refused() {
        const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
        let client = from_vars(&[(API_TOKEN, "t"), (ACCOUNT_ID, ACCOUNT)])
            .and_then(ClientBuilder::build)
            .expect("valid");
        assert_eq!(client.account_id().map(AccountId::as_ref), Some(ACCOUNT));
        let unset = from_vars(&[(API_TOKEN, "t"), (ACCOUNT_ID, "")])
            .and_then(ClientBuilder::build)
            .expect("valid");
        assert_eq!(unset.account_id(), None);

        let bad = from_vars(&[(API_TOKEN, "t"), (ACCOUNT_ID, "not-an-account")])
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
        let client = from_vars(&[(API_TOKEN, "t"), (BASE_URL, "http://127.0.0.1:9/v4/")])
            .and_then(ClientBuilder::build)
            .expect("valid");
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v4");
    }

    #[test]
    fn env_chooses_the_path_family_and_refuses_others() {
        let family = |value: &str| {
            from_vars(&[(API_TOKEN, "t"), (CATALOG_PATHS, value)])
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
                    variable: CATALOG_PATHS,
                    reason: "must be basin-catalog or r2-catalog",
                }),
                "{wrong:?}"
            );
        }
    }
}
