//! Validated inputs: each type checks the spec's rule when it is built, so a value that exists is
//! one the API accepts, and a bad one is reported before any request is sent.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use crate::auth::SecretString;

/// An input that breaks one of the API's rules. It names the field and the rule, and never
/// repeats the rejected value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {rule}")]
pub struct ValidationError {
    field: &'static str,
    rule: &'static str,
}

impl ValidationError {
    pub(crate) const fn new(field: &'static str, rule: &'static str) -> Self {
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
/// use cloudflare_r2_catalog::AccountId;
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
/// use cloudflare_r2_catalog::BucketName;
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

/// The API token R2 Data Catalog keeps for its maintenance jobs (compaction, snapshot
/// expiration): non-empty, with no whitespace or control characters.
///
/// It is a secret: `Debug` and `Display` are redacted, and a rejected token is never echoed.
///
/// ```
/// use cloudflare_r2_catalog::CatalogToken;
///
/// let token = CatalogToken::new("a-cloudflare-api-token").unwrap();
/// assert_eq!(format!("{token:?}"), "CatalogToken(** redacted **)");
/// assert!(CatalogToken::new("two words").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
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
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
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
