//! Which credentials and accounts the emulator accepts, and the credential a request is
//! accepted with: the management API and the Iceberg route judge them alike.

use cloudflare_r2_catalog::{config::SecretString, input::AccountId};
use http::{HeaderMap, header};

use crate::rate::Credential;

/// Which credentials and accounts the emulator accepts.
#[derive(Debug, Default)]
pub(crate) struct Access {
    pub(crate) tokens: Vec<SecretString>,
    pub(crate) keys: Vec<(String, SecretString)>,
    pub(crate) accounts: Vec<AccountId>,
}

impl Access {
    /// The credential a request is accepted with, if any: its bearer token, or else its e-mail
    /// and key (when both are sent, the token is the one counted for the rate limit).
    pub(crate) fn authenticate<'a>(
        &self,
        token: Option<&'a str>,
        key: Option<(&'a str, &'a str)>,
    ) -> Option<Credential<'a>> {
        let open = self.tokens.is_empty() && self.keys.is_empty();
        let token = token.filter(|token| {
            if open {
                !token.is_empty()
            } else {
                self.tokens.iter().any(|accepted| accepted.matches(token))
            }
        });
        let key = key.filter(|(email, key)| {
            open || self
                .keys
                .iter()
                .any(|(accepted, secret)| accepted == email && secret.matches(key))
        });
        token
            .map(Credential::Token)
            .or_else(|| key.map(|(email, key)| Credential::Key { email, key }))
    }

    /// Whether a catalog token may be stored: any, unless tokens were named, then only those
    /// (Cloudflare authenticates the token it stores; the emulator knows only these).
    pub(crate) fn accepts_catalog_token(&self, token: &str) -> bool {
        self.tokens.is_empty() || self.tokens.iter().any(|accepted| accepted.matches(token))
    }

    pub(crate) fn serves(&self, account: &AccountId) -> bool {
        self.accounts.is_empty() || self.accounts.contains(account)
    }
}

/// The credential the request is accepted with, if any: a bearer token in `Authorization`, or
/// `X-Auth-Email` with `X-Auth-Key`. The management API and the Iceberg route judge them alike.
pub(crate) fn credential<'h>(access: &Access, headers: &'h HeaderMap) -> Option<Credential<'h>> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.is_empty())
    };
    let bearer = text(header::AUTHORIZATION.as_str()).and_then(|value| {
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    });
    let key = text("x-auth-email").zip(text("x-auth-key"));
    access.authenticate(bearer, key)
}
