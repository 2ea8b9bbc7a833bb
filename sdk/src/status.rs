//! Every enum Cloudflare sends: open, so that a value added after this SDK was built (a fourth
//! maintenance state, a 1024 MB target size) is kept as `Other` instead of failing the whole
//! response. Parsing text as an input ([`FromStr`]) accepts only the values the SDK knows, and
//! the operations refuse an `Other` in what they send: inputs are validated, answers are not.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::shown;
use crate::validate::ValidationError;

/// A string enum whose unknown values are kept, not rejected, when read from an answer
/// (`From<&str>`, `Deserialize`), and refused when parsed as an input (`FromStr`), with `$rule`
/// naming the values it knows.
macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident ($field:literal, $rule:literal) { $($(#[$variant_doc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
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

        impl $name {
            /// Whether this is a value the SDK knows, not [`Self::Other`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            /// `Ok` when this is a value the SDK knows: what an operation checks before sending
            /// it.
            pub(crate) fn known(&self) -> Result<&Self, ValidationError> {
                if self.is_known() {
                    Ok(self)
                } else {
                    Err(ValidationError::new($field, $rule))
                }
            }
        }

        /// Accepts only a value the SDK knows: text given as an input.
        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(text: &str) -> Result<Self, ValidationError> {
                let value = Self::from(text);
                value.known()?;
                Ok(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        /// Keeps any value: text read from an answer.
        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        /// The value; one this SDK does not know came from the server, and is shown with its
        /// control characters escaped and its length bounded.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Other(text) => write!(f, "{}", shown(text)),
                    known => f.write_str(known.as_str()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        /// A string, or a number read as its text (`128` as `"128"`): a server may write a
        /// size either way.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Self::from(deserializer.deserialize_any(Text)?.as_str()))
            }
        }
    };
}

/// Reads a JSON string, or a whole number as its decimal text.
struct Text;

impl<'de> serde::de::Visitor<'de> for Text {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a whole number")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<String, E> {
        Ok(text.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<String, E> {
        Ok(text)
    }

    fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<String, E> {
        Ok(number.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<String, E> {
        Ok(number.to_string())
    }
}

open_enum! {
    /// Whether a catalog is active.
    ///
    /// ```
    /// use cloudflare_r2_catalog::models::CatalogStatus;
    ///
    /// assert_eq!(CatalogStatus::from("active"), CatalogStatus::Active);
    /// assert_eq!(CatalogStatus::from("paused").to_string(), "paused");
    /// ```
    CatalogStatus ("catalog status", "must be active or inactive") {
        /// The catalog is enabled.
        Active = "active",
        /// The catalog is not enabled.
        Inactive = "inactive",
    }
}

open_enum! {
    /// Whether a credential for maintenance jobs is stored for the catalog.
    CredentialStatus ("credential status", "must be present or absent") {
        /// A credential is stored.
        Present = "present",
        /// No credential is stored; compaction and snapshot expiration cannot run.
        Absent = "absent",
    }
}

open_enum! {
    /// Whether a stored credential works, as Cloudflare finds by authenticating with it
    /// ([`crate::handles::CredentialHandle::status`]).
    CredentialValidity ("credential validity", "must be valid, invalid or absent") {
        /// A credential is stored and authenticates.
        Valid = "valid",
        /// A credential is stored but does not authenticate (revoked, expired, or lacking a
        /// permission).
        Invalid = "invalid",
        /// No credential is stored.
        Absent = "absent",
    }
}

open_enum! {
    /// Whether a maintenance job runs.
    ///
    /// ```
    /// use cloudflare_r2_catalog::models::MaintenanceState;
    ///
    /// assert_eq!("enabled".parse(), Ok(MaintenanceState::Enabled));
    /// assert!("paused".parse::<MaintenanceState>().is_err());
    /// // In an answer, a state this SDK does not know is kept.
    /// assert_eq!(MaintenanceState::from("paused").as_str(), "paused");
    /// ```
    MaintenanceState ("maintenance state", "must be enabled or disabled") {
        /// The job runs.
        Enabled = "enabled",
        /// The job does not run.
        Disabled = "disabled",
    }
}

open_enum! {
    /// The size compaction aims its files at, in megabytes (Cloudflare's default is 128).
    TargetFileSize ("target file size", "must be 64, 128, 256 or 512 (megabytes)") {
        /// 64 MB.
        Mb64 = "64",
        /// 128 MB.
        Mb128 = "128",
        /// 256 MB.
        Mb256 = "256",
        /// 512 MB.
        Mb512 = "512",
    }
}

open_enum! {
    /// A kind of table maintenance: what a run did, and what [`crate::handles::TableMaintenanceHandle::queue`]
    /// queues.
    MaintenanceKind ("maintenance kind", "must be compaction or snapshot_expiration") {
        /// Rewriting small data files into larger ones.
        Compaction = "compaction",
        /// Removing old snapshots and the files only they reference.
        SnapshotExpiration = "snapshot_expiration",
    }
}

open_enum! {
    /// Where a maintenance run is.
    RunStatus ("run status", "must be running, succeeded, failed, interrupted, timed_out or cancelled") {
        /// Still running.
        Running = "running",
        /// Finished, and everything it did succeeded.
        Succeeded = "succeeded",
        /// Finished with an error (see the run's error code and message).
        Failed = "failed",
        /// Stopped before it finished.
        Interrupted = "interrupted",
        /// Ran out of time.
        TimedOut = "timed_out",
        /// Cancelled.
        Cancelled = "cancelled",
    }
}

impl RunStatus {
    /// Whether a run with this status is over: any status this SDK knows but
    /// [`Running`](Self::Running). A status it does not know is not taken as either; see
    /// [`MaintenanceRun::is_over`](crate::models::MaintenanceRun::is_over), which then asks the
    /// run's `completed_at`.
    pub fn is_final(&self) -> bool {
        self.is_known() && *self != Self::Running
    }
}

open_enum! {
    /// One step of a maintenance run.
    MaintenanceStep ("maintenance step", "must be rewrite_manifests, compaction or snapshot_expiration") {
        /// Rewriting the table's manifests.
        RewriteManifests = "rewrite_manifests",
        /// Compacting data files.
        Compaction = "compaction",
        /// Expiring snapshots.
        SnapshotExpiration = "snapshot_expiration",
    }
}

open_enum! {
    /// How one step of a maintenance run ended.
    StepStatus ("step status", "must be succeeded, failed, skipped or not_run") {
        /// It succeeded.
        Succeeded = "succeeded",
        /// It failed (see its error code).
        Failed = "failed",
        /// It had nothing to do.
        Skipped = "skipped",
        /// It did not run.
        NotRun = "not_run",
    }
}
