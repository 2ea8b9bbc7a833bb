//! Statuses Cloudflare reports: open enums, so that a status added after this SDK was built is
//! kept as [`Other`](CatalogStatus::Other) instead of failing the whole response.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string enum whose unknown values are kept, not rejected.
macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$variant_doc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$variant_doc])* $variant,)+
            /// A value this version of the SDK does not know, as Cloudflare sent it.
            Other(String),
        }

        impl $name {
            /// The value as Cloudflare writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Self::from(String::deserialize(deserializer)?.as_str()))
            }
        }
    };
}

open_enum! {
    /// Whether a catalog is active.
    ///
    /// ```
    /// use cloudflare_r2_catalog::CatalogStatus;
    ///
    /// assert_eq!(CatalogStatus::from("active"), CatalogStatus::Active);
    /// assert_eq!(CatalogStatus::from("paused").to_string(), "paused");
    /// ```
    CatalogStatus {
        /// The catalog is enabled.
        Active = "active",
        /// The catalog is not enabled.
        Inactive = "inactive",
    }
}

open_enum! {
    /// Whether a credential for maintenance jobs is stored for the catalog.
    CredentialStatus {
        /// A credential is stored.
        Present = "present",
        /// No credential is stored; compaction and snapshot expiration cannot run.
        Absent = "absent",
    }
}
