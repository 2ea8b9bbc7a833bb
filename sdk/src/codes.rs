//! The error codes Cloudflare's catalog API is known to answer with, beyond what its OpenAPI
//! document says (it names none). Each is cited from where it was seen: wrangler's source and
//! tests, alchemy's and distilled's typed errors, terraform's issues, Cloudflare's docs. The
//! [`crate::Error`] predicates (`is_catalog_not_found`, …) read them, so code can tell apart
//! failures that share an HTTP status.

/// The bucket has no catalog: never enabled, or deleted ("Warehouse not found"; HTTP 404).
/// wrangler reads it as "not enabled". Right after an enable it can also be answered for a
/// moment: the service is eventually consistent (alchemy retries it).
pub const CATALOG_NOT_FOUND: i64 = 40401;

/// The catalog exists but is disabled (`status: inactive`): alchemy's and distilled's
/// `WarehouseInactive`.
pub const CATALOG_INACTIVE: i64 = 40402;

/// The table does not exist (distilled's `TableNotFound`).
pub const TABLE_NOT_FOUND: i64 = 40403;

/// The other code distilled reads as `TableNotFound`; with HTTP 404 only, since the v4 API
/// uses it more widely.
pub const TABLE_NOT_FOUND_GENERIC: i64 = 10001;

/// The R2 bucket does not exist (HTTP 404; distilled's `NoSuchBucket`). Right after the bucket
/// is created it can be answered for a moment (alchemy retries enable on it).
pub const BUCKET_NOT_FOUND: i64 = 40406;

/// R2's own "The specified bucket does not exist" (terraform-provider-cloudflare #3330).
pub const R2_BUCKET_NOT_FOUND: i64 = 10006;

/// The v4 API has no route for the request: a wrong base URL or path.
pub const NO_ROUTE: i64 = 7000;

/// The route exists but is not available to the account (alchemy's and distilled's
/// `InvalidRoute`): the product is not enabled on it.
pub const INVALID_ROUTE: i64 = 7003;

/// The token given to store as the catalog's credential was refused (distilled PR #194:
/// `InvalidCredential`, two codes).
pub const INVALID_CREDENTIAL: &[i64] = &[30004, 30005];

/// A table's maintenance update turns compaction on while its catalog's compaction is off (HTTP
/// 400; Cloudflare's docs: table maintenance cannot be on before the catalog's).
pub const CATALOG_COMPACTION_DISABLED: i64 = 40012;

/// A table's maintenance update turns snapshot expiration on while its catalog's is off (HTTP
/// 400; Cloudflare's docs).
pub const CATALOG_SNAPSHOT_EXPIRATION_DISABLED: i64 = 40013;

/// Queueing maintenance: the table is assigned to a maintenance executor (HTTP 409; Cloudflare's
/// docs).
pub const QUEUE_CONFLICT: i64 = 40903;

/// Queueing maintenance: the daily limit of accepted requests is reached (HTTP 429; Cloudflare's
/// docs). Not a rate limit that clears in seconds.
pub const DAILY_QUEUE_LIMIT: i64 = 42901;

/// The API token is missing, invalid or lacks permission (HTTP 401 or 403).
pub const AUTHENTICATION: i64 = 10000;

/// How a maintenance update made before a credential is stored is refused: HTTP 400 with this
/// message, then `warehouse=<account>_<bucket>` (alchemy #1337; the code is not known).
pub const CREDENTIAL_MISSING_MESSAGE: &str = "A credential is not present";
