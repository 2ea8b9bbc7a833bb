//! The wire shapes the generated code is told to use in place of its own (see
//! `xtask/src/codegen/settings.rs` and `xtask/src/requests.rs`): the envelope's `{code, message}` lists,
//! the credential request body and answer, how a path parameter is written into a URL, and
//! which path family a request goes out under. They sit below the generated module, which
//! builds on them.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::text::{Secrets, shown};
use crate::validate::{CatalogToken, ValidationError};

/// One `{code, message}` item of an envelope's `errors` or `messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// Cloudflare's numeric code (absent in some failure envelopes).
    #[serde(default)]
    pub code: Option<i64>,
    /// The human-readable text.
    #[serde(default)]
    pub message: String,
}

impl Message {
    /// An item with Cloudflare's `code` (see [`crate::codes`]) and its text: for building, in
    /// tests, the [`ApiError`](crate::error::ApiError) a call returns. The text is kept as given.
    ///
    /// ```
    /// use cloudflare_r2_catalog::{models::Message, codes};
    ///
    /// let item = Message::new(codes::CATALOG_NOT_FOUND, "Catalog not found");
    /// assert_eq!(item.code, Some(40401));
    /// assert_eq!(item.to_string(), "40401: Catalog not found");
    /// ```
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code: Some(code),
            message: message.into(),
        }
    }

    /// An item with no code, as some failure envelopes carry.
    pub fn without_code(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: message.into(),
        }
    }
}

/// Shows the code and the message, with the message's control characters escaped and its
/// length cut to 300 characters: the text comes from the server.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(code) = self.code {
            write!(f, "{code}: ")?;
        }
        write!(f, "{}", shown(&self.message))
    }
}

/// The list type the generated code uses for `errors` and `messages` (see the xtask's settings):
/// the first [`Messages::KEPT`] items, and a count of the rest, so that an envelope with
/// millions of tiny items costs no more memory than one with a hundred.
#[derive(Debug, Clone, Default)]
pub(crate) struct Messages {
    items: Vec<Message>,
    omitted: u64,
}

impl Messages {
    /// How many items a list keeps. Cloudflare's envelopes carry one or two.
    pub(crate) const KEPT: usize = 100;

    /// The kept items, with the secrets taken out of their text, and how many more the list
    /// had.
    pub(crate) fn into_parts(self, secrets: Secrets<'_>) -> (Vec<Message>, u64) {
        let mut items = self.items;
        for item in &mut items {
            if let Cow::Owned(redacted) = secrets.redacted(&item.message) {
                item.message = redacted;
            }
        }
        (items, self.omitted)
    }
}

/// `null` reads as an empty list: an envelope that says `"errors": null` has none.
impl<'de> Deserialize<'de> for Messages {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bounded;
        impl<'de> Visitor<'de> for Bounded {
            type Value = Messages;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of {code, message} items, or null")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Messages, E> {
                Ok(Messages::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Messages, E> {
                Ok(Messages::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Messages, D::Error> {
                inner.deserialize_seq(Bounded)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Messages, A::Error> {
                let mut list = Messages::default();
                while list.items.len() < Messages::KEPT {
                    match items.next_element()? {
                        Some(item) => list.items.push(item),
                        None => return Ok(list),
                    }
                }
                while items.next_element::<IgnoredAny>()?.is_some() {
                    list.omitted = list.omitted.saturating_add(1);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_option(Bounded)
    }
}

impl Serialize for Messages {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(serializer)
    }
}

/// What Cloudflare answers when a credential is stored: an object, usually `null`.
pub type StoredCredential = Option<serde_json::Map<String, serde_json::Value>>;

/// The request body `{"token": …}`. It stands in for the generated body type (see `xtask/src/codegen/settings.rs`),
/// whose derived `Debug` would print the token; this one's `Debug` is redacted.
#[derive(Debug)]
pub(crate) struct StoreCredentialBody {
    token: CatalogToken,
}

impl StoreCredentialBody {
    pub(crate) fn new(token: CatalogToken) -> Self {
        Self { token }
    }

    /// The token, to take out of errors that echo it back.
    pub(crate) fn token(&self) -> &str {
        self.token.expose()
    }
}

impl Serialize for StoreCredentialBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_struct("StoreCredentialBody", 1)?;
        body.serialize_field("token", self.token.expose())?;
        body.end()
    }
}

/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`): what a path
/// parameter percent-encodes. An allow-list, as smithy-rs encodes its `@httpLabel`s: progenitor's
/// `encode_path` lists what it encodes instead and leaves `\` alone, which URL parsers read as
/// `/` in http(s) URLs, so `..\..` would climb out of its segment onto another resource.
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path parameter as it goes into a request's URL: the generated code's `encode_path` (see
/// `xtask/src/requests.rs`). Everything but unreserved characters is percent-encoded, so it is
/// exactly one path segment whatever it holds (a value that is only dots, which no encoding
/// keeps in its segment, is refused when it is validated). Text made only of unreserved
/// characters, like every account id and bucket name, is used as it is, without a copy.
pub(crate) fn path_segment<S: AsRef<str> + ?Sized>(value: &S) -> Cow<'_, str> {
    percent_encoding::utf8_percent_encode(value.as_ref(), NOT_UNRESERVED).into()
}

/// The two families of paths Cloudflare serves the catalog API under. They reach the same
/// catalogs with the same operations and answers; only the product name in the path differs.
///
/// ```
/// use cloudflare_r2_catalog::config::PathFamily;
///
/// assert_eq!("r2-catalog".parse(), Ok(PathFamily::R2Catalog));
/// assert_eq!(PathFamily::default().to_string(), "basin-catalog");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PathFamily {
    /// `/accounts/{account_id}/basin-catalog/…`, the paths of Cloudflare's current API document
    /// (2026-10-05), which the official SDKs and the `cf` CLI call. The default.
    #[default]
    BasinCatalog,
    /// `/accounts/{account_id}/r2-catalog/…`, the R2 Data Catalog paths of the earlier
    /// documents, which wrangler still calls. Credential status is documented only under
    /// `basin-catalog`, and goes there whatever the family (see
    /// [`crate::handles::CredentialHandle::status`]).
    R2Catalog,
}

impl PathFamily {
    /// The path segment after the account id, as Cloudflare writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BasinCatalog => "basin-catalog",
            Self::R2Catalog => "r2-catalog",
        }
    }
}

impl fmt::Display for PathFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PathFamily {
    type Err = ValidationError;
    fn from_str(text: &str) -> Result<Self, ValidationError> {
        match text {
            "basin-catalog" => Ok(Self::BasinCatalog),
            "r2-catalog" => Ok(Self::R2Catalog),
            _ => Err(ValidationError::new(
                "catalog paths",
                "must be basin-catalog or r2-catalog",
            )),
        }
    }
}

/// Where the generated client's requests go: the family chosen for the client, and the base
/// URL's path, which every URL the generated code builds starts with
/// (`<base path>/accounts/<id>/basin-catalog/…`, the paths of the spec it is generated from).
/// The generated client holds it (progenitor's inner type), so the one hook every request
/// passes through can route it.
#[derive(Debug, Clone)]
pub(crate) struct Routes {
    family: PathFamily,
    /// The base URL's path as the URL parser writes it, without a trailing `/`.
    base_path: String,
}

/// The family segment of the generated code's URLs.
const GENERATED_FAMILY: &str = "basin-catalog";

/// The one operation documented only under `basin-catalog` (its name as codegen gives it).
const BASIN_ONLY: &str = "get_credential_status";

impl Routes {
    /// Routes for a client of `family` whose requests go under `base_url`.
    pub(crate) fn new(family: PathFamily, base_url: &str) -> Self {
        let base_path = reqwest::Url::parse(base_url)
            .map(|url| url.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Self { family, base_path }
    }

    /// The client's family.
    pub(crate) fn family(&self) -> PathFamily {
        self.family
    }

    /// Puts `url`, built by the generated code for `operation`, under the client's family: the
    /// segment right after `<base path>/accounts/<id>/`, and no other. Credential status stays
    /// under `basin-catalog`, the only family that documents it.
    pub(crate) fn route(&self, url: &mut reqwest::Url, operation: &str) {
        if self.family == PathFamily::BasinCatalog || operation == BASIN_ONLY {
            return;
        }
        let routed = url.path().strip_prefix(&self.base_path).and_then(|rest| {
            let mut segments: Vec<&str> = rest.splitn(5, '/').collect();
            let generated = segments.len() >= 4
                && segments[0].is_empty()
                && segments[1] == "accounts"
                && segments[3] == GENERATED_FAMILY;
            generated.then(|| {
                segments[3] = self.family.as_str();
                format!("{}{}", self.base_path, segments.join("/"))
            })
        });
        match routed {
            Some(path) => url.set_path(&path),
            // Not a URL of the generated code: nothing the client was told to send elsewhere.
            None => tracing::warn!(
                operation,
                "request path not under the base URL's /accounts/<id>/basin-catalog; sent as built"
            ),
        }
    }
}

/// What the generated client is given to prepare every request with, in the hook every request
/// passes through (`sdk/src/transport.rs`): its path family, and the client's own headers
/// (credentials, `Accept`, `User-Agent`, those the caller added). They are set here rather than
/// as the HTTP client's defaults so that a caller's own `reqwest::Client` gets them too.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    routes: Routes,
    headers: reqwest::header::HeaderMap,
    dry_run: bool,
}

impl Outgoing {
    pub(crate) fn new(routes: Routes, headers: reqwest::header::HeaderMap) -> Self {
        Self {
            routes,
            headers,
            dry_run: false,
        }
    }

    /// These settings for a client that prepares each request and sends none when `planning`
    /// ([`crate::Client::with_dry_run`]), and for one that sends them otherwise.
    pub(crate) fn planning(&self, planning: bool) -> Self {
        Self {
            dry_run: planning,
            ..self.clone()
        }
    }

    /// Whether requests are prepared and not sent.
    pub(crate) fn dry_run(&self) -> bool {
        self.dry_run
    }

    /// The client's path family.
    pub(crate) fn family(&self) -> PathFamily {
        self.routes.family()
    }

    /// `request`, built by the generated code for `operation`, as the client sends it: under
    /// its path family, with its headers, and without progenitor's `api-version` (Oxide's
    /// convention, which Cloudflare has no use for).
    pub(crate) fn prepare(&self, request: &mut reqwest::Request, operation: &str) {
        self.routes.route(request.url_mut(), operation);
        let headers = request.headers_mut();
        headers.remove("api-version");
        // Replaced, not merged, and every value of a header given twice is sent.
        for name in self.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &self.headers {
            headers.append(name, value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{Message, PathFamily, Routes, path_segment};

    #[test]
    fn a_built_message_is_the_one_an_envelope_carries() {
        let read = |json| serde_json::from_str::<Message>(json).expect("an item");
        assert_eq!(
            Message::new(40401, "Catalog not found"),
            read(r#"{"code": 40401, "message": "Catalog not found"}"#)
        );
        assert_eq!(
            Message::without_code("no code"),
            read(r#"{"message": "no code"}"#)
        );
    }

    /// The path `operation`'s URL `built` (from base `base`) goes out under with `family`.
    fn routed(family: PathFamily, base: &str, built: &str, operation: &str) -> String {
        let mut url = reqwest::Url::parse(built).expect("a URL");
        Routes::new(family, base).route(&mut url, operation);
        url.path().to_owned()
    }

    #[test]
    fn only_the_segment_after_the_account_changes_family() {
        let r2 = PathFamily::R2Catalog;
        let cases = [
            (
                "http://h",
                "/accounts/a/basin-catalog/b/enable",
                "/accounts/a/r2-catalog/b/enable",
            ),
            (
                "http://h",
                "/accounts/a/basin-catalog",
                "/accounts/a/r2-catalog",
            ),
            (
                "http://h/",
                "/accounts/a/basin-catalog/b",
                "/accounts/a/r2-catalog/b",
            ),
            (
                "https://h/client/v4",
                "/client/v4/accounts/a/basin-catalog/basin-catalog/namespaces",
                "/client/v4/accounts/a/r2-catalog/basin-catalog/namespaces",
            ),
            (
                "https://h/cf//client/v4",
                "/cf//client/v4/accounts/a/basin-catalog/b",
                "/cf//client/v4/accounts/a/r2-catalog/b",
            ),
            (
                "https://h/basin-catalog",
                "/basin-catalog/accounts/a/basin-catalog/r2-catalog",
                "/basin-catalog/accounts/a/r2-catalog/r2-catalog",
            ),
            (
                "https://h/accounts/x/basin-catalog",
                "/accounts/x/basin-catalog/accounts/a/basin-catalog/b",
                "/accounts/x/basin-catalog/accounts/a/r2-catalog/b",
            ),
        ];
        for (base, built, expected) in cases {
            let url = format!(
                "{}{built}",
                base.trim_end_matches('/')
                    .split('/')
                    .take(3)
                    .collect::<Vec<_>>()
                    .join("/")
            );
            assert_eq!(
                routed(r2, base, &url, "get_catalog_details"),
                expected,
                "{base} {built}"
            );
            assert_eq!(
                routed(PathFamily::BasinCatalog, base, &url, "op"),
                built,
                "{base}"
            );
        }
        let status = "http://h/accounts/a/basin-catalog/b/credential/status";
        assert_eq!(
            routed(r2, "http://h", status, "get_credential_status"),
            "/accounts/a/basin-catalog/b/credential/status"
        );
    }

    #[test]
    fn everything_but_unreserved_characters_is_percent_encoded() {
        let cases = [
            (r"..\..\..", "..%5C..%5C.."),
            ("a/b c%?#", "a%2Fb%20c%25%3F%23"),
            ("bronze\u{1f}silver", "bronze%1Fsilver"),
            ("%2e%2E", "%252e%252E"),
            ("é-ü", "%C3%A9-%C3%BC"),
            (
                "[x]@:!$&'()*+,;=|^`{}<>\"",
                "%5Bx%5D%40%3A%21%24%26%27%28%29%2A%2B%2C%3B%3D%7C%5E%60%7B%7D%3C%3E%22",
            ),
        ];
        for (text, encoded) in cases {
            assert_eq!(path_segment(text), encoded, "{text:?}");
        }
        for byte in 0u8..0x80 {
            let text = char::from(byte).to_string();
            let kept = byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
            let expected = if kept {
                text.clone()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(path_segment(&text), expected, "{byte:#04x}");
        }
    }

    #[test]
    fn ids_and_bucket_names_are_borrowed_not_copied() {
        for text in ["0123456789abcdefABCDEF", "my-data-bucket", "a.b_c~d"] {
            assert!(matches!(path_segment(text), Cow::Borrowed(_)), "{text:?}");
        }
    }
}
