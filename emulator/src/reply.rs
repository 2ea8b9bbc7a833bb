//! An answer (a status and Cloudflare's envelope, or no body), the error codes the emulator
//! answers with, and the failures many operations share.

use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use crate::operation::Operation;

/// An answer: a status and a JSON body, or none (a 204, or a status the spec declares bare).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Option<Value>,
}

impl Reply {
    /// Cloudflare's success envelope around `result`, HTTP 200.
    pub(crate) fn success(result: impl Serialize) -> Self {
        Self::success_with(StatusCode::OK, result)
    }

    /// The success envelope with HTTP 202: accepted, to be carried out later.
    pub(crate) fn accepted(result: impl Serialize) -> Self {
        Self::success_with(StatusCode::ACCEPTED, result)
    }

    pub(crate) fn success_with(status: StatusCode, result: impl Serialize) -> Self {
        let result = serde_json::to_value(result).unwrap_or(Value::Null);
        Self {
            status,
            body: Some(json!({"success": true, "errors": [], "messages": [], "result": result})),
        }
    }

    /// Cloudflare's failure envelope with one error.
    pub(crate) fn failure(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            body: Some(json!({
                "success": false,
                "errors": [{"code": code, "message": message}],
                "messages": [],
                "result": null,
            })),
        }
    }

    pub(crate) fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
        }
    }

    pub(crate) fn bare(status: StatusCode) -> Self {
        Self { status, body: None }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::failure(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }
}

/// The error codes the emulator answers with. Those Cloudflare is known to use come from
/// [`cloudflare_r2_catalog::codes`], where each is cited; 7000, 7003, 10000 and 971 are the v4
/// API's own. The rest are the emulator's guesses in the pattern of 40401 (status × 100 + n),
/// chosen not to clash with a known code: Cloudflare's own are not documented.
pub(crate) mod codes {
    pub(crate) use cloudflare_r2_catalog::codes::{
        AUTHENTICATION, BUCKET_NOT_FOUND, CATALOG_COMPACTION_DISABLED, CATALOG_INACTIVE,
        CATALOG_NOT_FOUND, CATALOG_SNAPSHOT_EXPIRATION_DISABLED, DAILY_QUEUE_LIMIT, NO_ROUTE,
        TABLE_NOT_FOUND,
    };
    /// Cloudflare's "perhaps your object identifier is invalid?" (a malformed account id).
    pub(crate) const INVALID_OBJECT_IDENTIFIER: i64 = cloudflare_r2_catalog::codes::INVALID_ROUTE;
    /// The first of the two codes Cloudflare refuses a catalog token with.
    pub(crate) const INVALID_CREDENTIAL: i64 = cloudflare_r2_catalog::codes::INVALID_CREDENTIAL[0];
    pub(crate) const RATE_LIMITED: i64 = 971;
    /// Guessed: any other 400, including "A credential is not present …", whose code is not
    /// known.
    pub(crate) const BAD_REQUEST: i64 = 40001;
    pub(crate) const FORBIDDEN: i64 = 40301;
    /// Guessed: a request body not whole within the emulator's body timeout.
    pub(crate) const REQUEST_TIMEOUT: i64 = 40801;
    /// Guessed; 40403 is the table's.
    pub(crate) const NAMESPACE_NOT_FOUND: i64 = 40404;
    /// Guessed: a queue request naming a maintenance kind that is not one.
    pub(crate) const MAINTENANCE_CONFIG_NOT_FOUND: i64 = 40405;
    pub(crate) const ALREADY_ENABLED: i64 = 40901;
    pub(crate) const NOT_EMPTY: i64 = 40902;
    pub(crate) const INTERNAL: i64 = 50001;
}

/// Cloudflare's documented message for queueing's daily limit.
pub(crate) const DAILY_LIMIT_MESSAGE: &str = "The daily accepted-request limit has been reached";

/// What a catalog that was never enabled, or was deleted, answers: 404, 40401.
pub(crate) fn catalog_not_found(operation: Operation) -> Reply {
    // The spec declares delete-catalog's 404 without a body.
    if operation == Operation::DeleteCatalog {
        return Reply::bare(StatusCode::NOT_FOUND);
    }
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::CATALOG_NOT_FOUND,
        "Catalog not found",
    )
}

/// What namespace, table and run operations answer on a disabled catalog: 404 (the catalog's
/// contents are not reachable) with Cloudflare's "warehouse inactive" code, 40402.
pub(crate) fn catalog_inactive() -> Reply {
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::CATALOG_INACTIVE,
        "Catalog is inactive: enable it to reach its namespaces and tables",
    )
}

pub(crate) fn namespace_not_found() -> Reply {
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::NAMESPACE_NOT_FOUND,
        "Namespace not found",
    )
}
