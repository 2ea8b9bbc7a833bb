//! Validated inputs: each type checks the spec's rule when it is built, so a value that exists is
//! one the API accepts, and a bad one is reported before any request is sent.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use crate::secret::SecretString;

/// An input that breaks one of the API's rules. It names the field and the rule, and never
/// repeats the rejected value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {rule}")]
pub struct ValidationError {
    field: &'static str,
    rule: &'static str,
}

impl ValidationError {
    /// The error of an input `field` that breaks `rule`: what the SDK returns, as
    /// [`Error::InvalidInput`](crate::Error::InvalidInput), for a value it refuses. For tests
    /// of code that handles it; the SDK's own name the field as its docs do (`"bucket name"`).
    ///
    /// ```
    /// use cloudflare_r2_catalog::error::ValidationError;
    ///
    /// let invalid = ValidationError::new("bucket name", "must be 3 to 63 characters long");
    /// assert_eq!(invalid.to_string(), "invalid bucket name: must be 3 to 63 characters long");
    /// ```
    pub const fn new(field: &'static str, rule: &'static str) -> Self {
        Self { field, rule }
    }

    /// The input that was rejected, e.g. `"bucket name"`.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The rule it breaks, e.g. `"must be 3 to 63 characters long"`.
    pub fn rule(&self) -> &'static str {
        self.rule
    }
}

/// Implements the conversions every validated string type offers: `FromStr`, `TryFrom<&str>`,
/// `TryFrom<String>`, `Display` and `AsRef<str>`, all through its `new`.
macro_rules! validated_string {
    ($name:ident) => {
        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(value: &str) -> Result<Self, ValidationError> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValidationError;
            fn try_from(value: &str) -> Result<Self, ValidationError> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(value: String) -> Result<Self, ValidationError> {
                Self::new(value)
            }
        }

        impl TryFrom<&String> for $name {
            type Error = ValidationError;
            fn try_from(value: &String) -> Result<Self, ValidationError> {
                Self::new(value.as_str())
            }
        }

        impl From<&$name> for $name {
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A Cloudflare account id: 32 hexadecimal characters (`^[a-fA-F0-9]{32}$`).
///
/// ```
/// use cloudflare_r2_catalog::input::AccountId;
///
/// assert!(AccountId::new("0123456789abcdef0123456789ABCDEF").is_ok());
/// let error = AccountId::new("not-an-id").unwrap_err();
/// assert_eq!(error.to_string(), "invalid account id: must be exactly 32 hexadecimal characters");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    /// Checks `value` against the account id rule.
    pub fn new(value: impl AsRef<str> + Into<String>) -> Result<Self, ValidationError> {
        let text = value.as_ref();
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ValidationError::new(
                "account id",
                "must be exactly 32 hexadecimal characters",
            ));
        }
        Ok(Self(value.into()))
    }
}

validated_string!(AccountId);

/// An R2 bucket name: 3 to 63 characters of lowercase letters, digits and hyphens, starting and
/// ending with a letter or digit (`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`).
///
/// ```
/// use cloudflare_r2_catalog::input::BucketName;
///
/// assert!(BucketName::new("my-data-bucket").is_ok());
/// let error = BucketName::new("My_Bucket").unwrap_err();
/// assert_eq!(error.field(), "bucket name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketName(String);

impl BucketName {
    /// Checks `value` against the bucket naming rules.
    pub fn new(value: impl AsRef<str> + Into<String>) -> Result<Self, ValidationError> {
        const FIELD: &str = "bucket name";
        let bytes = value.as_ref().as_bytes();
        if !(3..=63).contains(&bytes.len()) {
            return Err(ValidationError::new(
                FIELD,
                "must be 3 to 63 characters long",
            ));
        }
        let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
        if !bytes.iter().all(allowed) {
            return Err(ValidationError::new(
                FIELD,
                "may contain only lowercase letters, digits and hyphens",
            ));
        }
        if bytes.first() == Some(&b'-') || bytes.last() == Some(&b'-') {
            return Err(ValidationError::new(
                FIELD,
                "must start and end with a lowercase letter or digit",
            ));
        }
        Ok(Self(value.into()))
    }
}

validated_string!(BucketName);

/// The API token the catalog keeps for its maintenance jobs (compaction, snapshot
/// expiration): non-empty, with no whitespace or control characters.
///
/// It is a secret: `Debug` and `Display` are redacted, and a rejected token is never echoed.
///
/// ```
/// use cloudflare_r2_catalog::input::CatalogToken;
///
/// let token = CatalogToken::new("a-cloudflare-api-token").unwrap();
/// assert_eq!(format!("{token:?}"), "CatalogToken(** redacted **)");
/// assert!(CatalogToken::new("two words").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct CatalogToken(SecretString);

impl CatalogToken {
    /// Checks `value` against the token rules.
    pub fn new(value: impl Into<SecretString>) -> Result<Self, ValidationError> {
        const FIELD: &str = "catalog token";
        let secret = value.into();
        let text = secret.expose();
        if text.is_empty() {
            return Err(ValidationError::new(FIELD, "must not be empty"));
        }
        // ASCII, the usual case, byte by byte: its whitespace and controls are 0x00–0x20, 0x7f.
        let forbidden = if text.is_ascii() {
            text.bytes().any(|b| b <= b' ' || b == 0x7f)
        } else {
            text.chars().any(|c| c.is_whitespace() || c.is_control())
        };
        if forbidden {
            return Err(ValidationError::new(
                FIELD,
                "must not contain whitespace or control characters",
            ));
        }
        Ok(Self(secret))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl TryFrom<&str> for CatalogToken {
    type Error = ValidationError;
    fn try_from(value: &str) -> Result<Self, ValidationError> {
        Self::new(value)
    }
}

impl TryFrom<String> for CatalogToken {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, ValidationError> {
        Self::new(value)
    }
}

impl TryFrom<SecretString> for CatalogToken {
    type Error = ValidationError;
    fn try_from(value: SecretString) -> Result<Self, ValidationError> {
        Self::new(value)
    }
}

/// A validated value converts to itself infallibly; this lets it stand where [`Input`] is asked.
impl From<Infallible> for ValidationError {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

/// What an operation accepts where it needs a validated `T`: the `T` itself, a reference to one,
/// or text (`&str`, `String`) that is checked when the call starts, before anything is sent.
pub trait Input<T> {
    /// The validated value, or the rule the input breaks.
    fn into_valid(self) -> Result<T, ValidationError>;
}

impl<T, U> Input<T> for U
where
    U: TryInto<T>,
    U::Error: Into<ValidationError>,
{
    fn into_valid(self) -> Result<T, ValidationError> {
        self.try_into().map_err(Into::into)
    }
}

/// A snapshot age for snapshot expiration: a whole number followed by a unit, `d` (days), `h`
/// (hours), `m` (minutes) or `s` (seconds), as in `7d` or `48h` (`^\d+(d|h|m|s)$`).
///
/// ```
/// use cloudflare_r2_catalog::input::SnapshotAge;
///
/// assert_eq!(SnapshotAge::new("14d").unwrap().to_string(), "14d");
/// assert!(SnapshotAge::new("2 weeks").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SnapshotAge(String);

impl SnapshotAge {
    /// Checks `value` against the snapshot age format.
    pub fn new(value: impl AsRef<str> + Into<String>) -> Result<Self, ValidationError> {
        let bytes = value.as_ref().as_bytes();
        let valid = match bytes.split_last() {
            Some((unit, digits)) => {
                matches!(unit, b'd' | b'h' | b'm' | b's')
                    && !digits.is_empty()
                    && digits.iter().all(u8::is_ascii_digit)
            }
            None => false,
        };
        if !valid {
            return Err(ValidationError::new(
                "max snapshot age",
                "must be a whole number followed by d, h, m or s (e.g. 7d, 48h)",
            ));
        }
        Ok(Self(value.into()))
    }
}

validated_string!(SnapshotAge);

impl<'de> serde::Deserialize<'de> for SnapshotAge {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The id of a maintenance request, a UUID in its canonical text form
/// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits): it marks the run the request queues, so
/// it can be found among the table's runs.
///
/// ```
/// use cloudflare_r2_catalog::RequestId;
///
/// let id = RequestId::new("6ba7b810-9dad-11d1-80b4-00c04fd430c8")?;
/// assert_eq!(id.to_string(), "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
/// assert!(RequestId::new("not-a-uuid").is_err());
/// assert_ne!(RequestId::random(), RequestId::random());
/// # Ok::<(), cloudflare_r2_catalog::error::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RequestId(String);

impl RequestId {
    /// Checks that `value` is a UUID in canonical form. Upper-case hex digits are accepted and
    /// kept as given.
    pub fn new(value: impl AsRef<str> + Into<String>) -> Result<Self, ValidationError> {
        let bytes = value.as_ref().as_bytes();
        let canonical = bytes.len() == 36
            && bytes.iter().enumerate().all(|(at, byte)| match at {
                8 | 13 | 18 | 23 => *byte == b'-',
                _ => byte.is_ascii_hexdigit(),
            });
        if !canonical {
            return Err(ValidationError::new(
                "request id",
                "must be a UUID: 32 hex digits grouped 8-4-4-4-12 with hyphens",
            ));
        }
        Ok(Self(value.into()))
    }

    /// A new random (version 4) id.
    pub fn random() -> Self {
        Self(random_uuid())
    }
}

validated_string!(RequestId);

/// A random version 4 UUID in canonical text form. Ids, not secrets: fastrand's generator is
/// unique enough for them, not unpredictable.
pub(crate) fn random_uuid() -> String {
    let bits = (fastrand::u128(..) & !(0xf << 76) | (0x4 << 76)) & !(0b11 << 62) | (0b10 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The unit separator the API puts between the levels of a nested namespace (`%1F` on the wire).
const NAMESPACE_SEPARATOR: char = '\u{1f}';

/// The levels a namespace may have (the spec's `maxItems`).
const MAX_NAMESPACE_LEVELS: usize = 16;

/// A namespace, possibly nested: one to 16 levels such as `["bronze", "analytics"]`.
///
/// A level may not be empty, `.` or `..` (a URL parser would collapse such a path segment and the
/// request would reach another resource), nor contain the unit separator the API joins levels
/// with. Any other character is fine: it is percent-encoded on the wire.
///
/// As text (`Display`, `FromStr`, `TryFrom<&str>`, the CLI's arguments), levels are joined with
/// `.`, and a `.` or `\` inside a level is escaped with a `\`: `bronze.analytics` is two levels,
/// `v1\.2.raw` is `["v1.2", "raw"]`. Parsing what `Display` writes gives the same namespace.
///
/// ```
/// use cloudflare_r2_catalog::input::Namespace;
///
/// let nested = Namespace::new(["bronze", "analytics"]).unwrap();
/// assert_eq!(nested.to_string(), "bronze.analytics");
/// assert_eq!("bronze.analytics".parse::<Namespace>().unwrap(), nested);
///
/// let dotted_level = Namespace::new(["v1.2", "raw"]).unwrap();
/// assert_eq!(dotted_level.to_string(), r"v1\.2.raw");
/// assert_eq!(dotted_level.to_string().parse::<Namespace>().unwrap(), dotted_level);
/// assert!(Namespace::new([".."]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace(Vec<String>);

impl Namespace {
    /// A namespace from its levels, outermost first.
    pub fn new<L: Into<String>>(
        levels: impl IntoIterator<Item = L>,
    ) -> Result<Self, ValidationError> {
        const FIELD: &str = "namespace";
        let levels: Vec<String> = levels.into_iter().map(Into::into).collect();
        if levels.is_empty() || levels.len() > MAX_NAMESPACE_LEVELS {
            return Err(ValidationError::new(FIELD, "must have 1 to 16 levels"));
        }
        for level in &levels {
            if is_dot_segment(level) {
                return Err(ValidationError::new(
                    FIELD,
                    "a level must not be empty, \".\" or \"..\"",
                ));
            }
            if level.contains(NAMESPACE_SEPARATOR) {
                return Err(ValidationError::new(
                    FIELD,
                    "a level must not contain the unit separator (U+001F)",
                ));
            }
        }
        Ok(Self(levels))
    }

    /// A namespace written as text: levels joined with `.`, a `.` or `\` inside a level escaped
    /// with `\` (`bronze.analytics`, `v1\.2.raw`). The same as `str::parse`.
    pub fn parse_dotted(text: &str) -> Result<Self, ValidationError> {
        let mut levels = Vec::new();
        let mut level = String::new();
        let mut characters = text.chars();
        while let Some(character) = characters.next() {
            match character {
                '.' => levels.push(std::mem::take(&mut level)),
                '\\' => match characters.next() {
                    Some(escaped @ ('.' | '\\')) => level.push(escaped),
                    _ => {
                        return Err(ValidationError::new(
                            "namespace",
                            "a \\ must be followed by . or \\ (an escaped dot or backslash)",
                        ));
                    }
                },
                other => level.push(other),
            }
        }
        levels.push(level);
        Self::new(levels)
    }

    /// The levels, outermost first.
    pub fn levels(&self) -> &[String] {
        &self.0
    }

    /// The levels joined the way the API expects them in a path or query value.
    pub(crate) fn to_wire(&self) -> String {
        self.0.join(&NAMESPACE_SEPARATOR.to_string())
    }
}

/// The levels joined with `.`, each `.` and `\` inside a level escaped with `\`: the text
/// [`Namespace::parse_dotted`] reads back.
impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_dotted(f, self.0.iter().map(String::as_str))
    }
}

/// `levels` as [`Namespace`]'s `Display` writes them: joined with `.`, each `.` and `\` inside
/// a level escaped with `\`. A listed identifier is written so too, checked or not.
pub(crate) fn write_dotted<'a>(
    f: &mut fmt::Formatter<'_>,
    levels: impl IntoIterator<Item = &'a str>,
) -> fmt::Result {
    for (index, level) in levels.into_iter().enumerate() {
        if index > 0 {
            f.write_str(".")?;
        }
        for character in level.chars() {
            if matches!(character, '.' | '\\') {
                f.write_str("\\")?;
            }
            write!(f, "{character}")?;
        }
    }
    Ok(())
}

impl FromStr for Namespace {
    type Err = ValidationError;
    fn from_str(text: &str) -> Result<Self, ValidationError> {
        Self::parse_dotted(text)
    }
}

impl From<&Namespace> for Namespace {
    fn from(value: &Namespace) -> Self {
        value.clone()
    }
}

/// The text form, as [`Namespace::parse_dotted`] reads it: `"bronze.analytics"` is nested.
impl TryFrom<&str> for Namespace {
    type Error = ValidationError;
    fn try_from(value: &str) -> Result<Self, ValidationError> {
        Self::parse_dotted(value)
    }
}

/// The text form, as [`Namespace::parse_dotted`] reads it: `"bronze.analytics"` is nested.
impl TryFrom<String> for Namespace {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, ValidationError> {
        Self::parse_dotted(&value)
    }
}

impl<const N: usize> TryFrom<[&str; N]> for Namespace {
    type Error = ValidationError;
    fn try_from(levels: [&str; N]) -> Result<Self, ValidationError> {
        Self::new(levels)
    }
}

impl<L: Into<String>> TryFrom<Vec<L>> for Namespace {
    type Error = ValidationError;
    fn try_from(levels: Vec<L>) -> Result<Self, ValidationError> {
        Self::new(levels)
    }
}

/// A table name: anything but empty, `.` or `..` (a URL parser would collapse such a path segment
/// and the request would reach another resource). Other characters, `/`, `%` and spaces
/// included, are percent-encoded so the name reaches the server as one path segment.
///
/// ```
/// use cloudflare_r2_catalog::input::TableName;
///
/// assert!(TableName::new("events/2024 q1%").is_ok());
/// assert!(TableName::new(".").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableName(String);

impl TableName {
    /// Checks `value` against the table name rule.
    pub fn new(value: impl AsRef<str> + Into<String>) -> Result<Self, ValidationError> {
        if is_dot_segment(value.as_ref()) {
            return Err(ValidationError::new(
                "table name",
                "must not be empty, \".\" or \"..\"",
            ));
        }
        Ok(Self(value.into()))
    }
}

validated_string!(TableName);

/// Whether `segment` would vanish or climb a level when parsed as a URL path segment.
fn is_dot_segment(segment: &str) -> bool {
    matches!(segment, "" | "." | "..")
}

#[cfg(test)]
mod tests {
    use super::{RequestId, random_uuid};

    #[test]
    fn random_uuids_are_version_4_request_ids() {
        let uuid = random_uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
        assert!(RequestId::new(uuid).is_ok());
    }

    #[test]
    fn request_ids_are_canonical_uuids() {
        for bad in [
            "",
            "6ba7b8109dad11d180b400c04fd430c8",
            "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
            "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c",
            "6ba7b810-9dad-11d1-80b4_00c04fd430c8",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8\n",
        ] {
            assert!(RequestId::new(bad).is_err(), "{bad:?}");
        }
        assert!(RequestId::new("6BA7B810-9DAD-11D1-80B4-00C04FD430C8").is_ok());
    }
}
