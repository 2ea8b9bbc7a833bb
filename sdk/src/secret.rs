//! The secret type: API tokens, global API keys and catalog tokens are never shown, and the
//! SDK's own copy is wiped from memory when dropped.

use std::fmt;

use zeroize::Zeroize;

/// A secret string: an API token, a global API key, or a catalog token being stored.
///
/// Its `Debug` and `Display` print `** redacted **`, so a secret can sit in a struct that derives
/// `Debug`, or reach a log line by accident, without showing. The value itself is read only
/// inside the SDK, where a header or a request body is built; [`SecretString::matches`] checks
/// one without reading it.
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

    /// The secret itself, where the SDK builds a header or a request body with it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this secret, compared in a time that depends on their lengths
    /// only, not on how much of them matches (what `==` would give away). For code that checks
    /// a secret it is given, such as an emulator the tokens it accepts.
    ///
    /// ```
    /// use cloudflare_r2_catalog::config::SecretString;
    ///
    /// let token = SecretString::from("do-not-print-me");
    /// assert!(token.matches("do-not-print-me") && !token.matches("do-not-print-you"));
    /// ```
    pub fn matches(&self, candidate: &str) -> bool {
        let (secret, candidate) = (self.0.as_bytes(), candidate.as_bytes());
        let differences = secret
            .iter()
            .zip(candidate)
            .fold(0u8, |differences, (a, b)| differences | (a ^ b));
        // `black_box` keeps the compiler from ending the fold at the first difference.
        std::hint::black_box(differences) == 0 && secret.len() == candidate.len()
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
