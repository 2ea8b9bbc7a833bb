//! The secret type: API tokens, global API keys and catalog tokens are never shown, and the
//! SDK's own copy is wiped from memory when dropped.

use std::fmt;

use zeroize::Zeroize;

/// A secret string: an API token, a global API key, or a catalog token being stored.
///
/// Its `Debug` and `Display` print `** redacted **`, so a secret can sit in a struct that derives
/// `Debug`, or reach a log line by accident, without showing. The value itself is read only by
/// [`SecretString::expose`], which the SDK calls where a header or a request body is built.
///
/// Its own memory is wiped (zeroized) when it is dropped. That is all it can promise: the copies
/// made to send it are not, namely the `Authorization` or `X-Auth-Key` header the HTTP client
/// keeps for the client's lifetime, the request bodies that carry a catalog token, and the
/// buffers hyper writes them through; nor is the `String` it was made from, if the caller kept
/// one. It has no `PartialEq`: comparing secrets with `==` takes longer the more of them
/// matches, which can give them away.
///
/// ```
/// use cloudflare_r2_catalog::config::SecretString;
///
/// let token = SecretString::from("do-not-print-me");
/// assert_eq!(format!("{token:?} {token}"), "** redacted ** ** redacted **");
/// ```
///
/// ```compile_fail
/// use cloudflare_r2_catalog::config::SecretString;
///
/// let same = SecretString::from("a") == SecretString::from("a");
/// ```
#[derive(Clone)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for code that must send it or check it (the SDK builds headers and
    /// request bodies with it; an emulator compares the tokens it is given with those it
    /// accepts). Whatever reads it takes over keeping it secret: a copy it makes is not wiped.
    ///
    /// ```
    /// use cloudflare_r2_catalog::config::SecretString;
    ///
    /// let token = SecretString::from("do-not-print-me");
    /// assert_eq!(token.expose(), "do-not-print-me");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}
