//! Why the emulator cannot start, or cannot take a seed.

use std::net::SocketAddr;

use cloudflare_r2_catalog::{
    error::ValidationError,
    input::{BucketName, Namespace, TableName},
};

/// Why the emulator cannot start, or cannot take a seed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A bucket, account, namespace or table name breaks the API's rules.
    #[error(transparent)]
    InvalidInput(#[from] ValidationError),
    /// The address to listen on is not a loopback address: the emulator accepts any
    /// credentials, so it is never reachable from another machine.
    #[error("the emulator listens on loopback only (127.0.0.0/8 or ::1), not {0}")]
    NotLoopback(SocketAddr),
    /// Seeding named a bucket the emulator was not given.
    #[error("unknown bucket {0}: name it with bucket() or in the seed first")]
    UnknownBucket(String),
    /// Seeding named a nested namespace whose parent namespace is not seeded: the API lists a
    /// namespace only under its parent, so it would never be listed.
    #[error(
        "namespace {namespace} of bucket {bucket} has no parent: seed namespace {parent} too (a namespace is listed only under its parent)"
    )]
    MissingParent {
        /// The bucket it was to be seeded into.
        bucket: BucketName,
        /// The nested namespace.
        namespace: Namespace,
        /// Its parent, which is missing.
        parent: Namespace,
    },
    /// Seeding gave a table a past run the API could not list: an unknown kind or status, a
    /// start time not as the API writes it, a duration on a running run or none on an ended
    /// one, an error on a run that did not fail, runs not newest first, or too many.
    #[error(
        "run {position} (newest first) of table {table} in namespace {namespace} of bucket {bucket} {reason}"
    )]
    InvalidSeedRun {
        /// The bucket it was to be seeded into.
        bucket: BucketName,
        /// The table's namespace.
        namespace: Namespace,
        /// The table.
        table: TableName,
        /// Where the run is in the table's list, counted from 1.
        position: usize,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A seed lists one table twice: its runs could not be told apart.
    #[error(
        "table {table} in namespace {namespace} of bucket {bucket} is listed twice in the seed"
    )]
    DuplicateSeedTable {
        /// The bucket it was to be seeded into.
        bucket: BucketName,
        /// The table's namespace.
        namespace: Namespace,
        /// The table.
        table: TableName,
    },
    /// An injected fault's status is not a 5xx.
    #[error("a server-error fault needs a 5xx status, not {0}")]
    NotAServerError(u16),
    /// An injected failure's status is not a 4xx or 5xx.
    #[error("a failure fault needs a 4xx or 5xx status, not {0}")]
    NotAFailure(u16),
    /// A [`RateLimit`](crate::RateLimit) with no quota, or a window or block of zero.
    #[error("invalid rate limit: {0}")]
    InvalidRateLimit(&'static str),
    /// The TLS certificate or configuration cannot be made.
    #[error("{0}")]
    Tls(String),
    /// The address cannot be bound.
    #[error("cannot listen on {address}")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
}
