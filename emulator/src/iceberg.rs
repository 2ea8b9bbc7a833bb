//! The one route of Cloudflare's Iceberg REST endpoint the emulator serves, the config route
//! an engine asks first: `GET /{account_id}/{bucket}/v1/config?warehouse={account_id}_{bucket}`,
//! on the emulator's own address (no `/client/v4`), answered from the same catalogs as the
//! management API, with the Iceberg REST error model.

use http::{HeaderMap, Method, StatusCode};
use serde_json::json;

use cloudflare_r2_catalog::input::{AccountId, BucketName};

use crate::access::{Access, credential};
use crate::reply::Reply;
use crate::state::Store;

/// Cloudflare's text for a config request without a warehouse.
const WAREHOUSE_MISSING: &str = "Warehouse name missing in query param";

/// The account and bucket segments (percent-decoded, not yet checked) of a config path,
/// `/{account_id}/{bucket}/v1/config`; `None` if `path` is not one.
pub(crate) fn target(path: &str) -> Option<(String, String)> {
    let mut segments = path.strip_prefix('/')?.split('/');
    let (account, bucket) = (segments.next()?, segments.next()?);
    let rest: Vec<&str> = segments.collect();
    if rest != ["v1", "config"] {
        return None;
    }
    let decode = |segment: &str| {
        percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .map(|text| text.into_owned())
    };
    // A segment that is not UTF-8 names no account or bucket: give it text that fails their
    // checks, so the route still answers in its own error model.
    let decoded = |segment| decode(segment).unwrap_or_default();
    Some((decoded(account), decoded(bucket)))
}

/// Answers a request to the config route of `account`'s `bucket`, in this order: the method
/// (405), the credentials as the management API judges them (401), the identifiers (404), the
/// account (403), the `warehouse` query value (400), then the catalog (404 unless it is
/// enabled and its name is the warehouse asked for).
pub(crate) fn answer(
    store: &Store,
    access: &Access,
    method: &Method,
    headers: &HeaderMap,
    (account, bucket): &(String, String),
    query: &[(String, String)],
) -> Reply {
    if method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowedException",
            format!("Method {method} is not allowed on the config route: use GET"),
        );
    }
    if credential(access, headers).is_none() {
        return error(
            StatusCode::UNAUTHORIZED,
            "NotAuthorizedException",
            "Not authorized: the token is missing or refused",
        );
    }
    let (Ok(account_id), Ok(bucket_name)) = (AccountId::new(account), BucketName::new(bucket))
    else {
        return no_such_warehouse(
            "No warehouse at this path: the account id or bucket name is not valid",
        );
    };
    if !access.serves(&account_id) {
        return error(
            StatusCode::FORBIDDEN,
            "ForbiddenException",
            "Forbidden: these credentials have no access to that account",
        );
    }
    let warehouse = query
        .iter()
        .find(|(key, _)| key == "warehouse")
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.is_empty());
    let Some(warehouse) = warehouse else {
        return error(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            WAREHOUSE_MISSING,
        );
    };
    match store.active_warehouse(account, &bucket_name) {
        None => no_such_warehouse(format!("No active catalog on bucket {bucket_name}")),
        Some(name) if name != warehouse => {
            no_such_warehouse(format!("Warehouse {warehouse:?} not found at this path"))
        }
        Some(_) => Reply {
            status: StatusCode::OK,
            body: Some(json!({"defaults": {}, "overrides": {"prefix": warehouse}})),
        },
    }
}

fn no_such_warehouse(message: impl Into<String>) -> Reply {
    error(StatusCode::NOT_FOUND, "NoSuchWarehouseException", message)
}

/// The Iceberg REST error model: `{"error": {"message", "type", "code"}}`.
fn error(status: StatusCode, kind: &str, message: impl Into<String>) -> Reply {
    Reply {
        status,
        body: Some(json!({"error": {
            "message": message.into(),
            "type": kind,
            "code": status.as_u16(),
        }})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_config_path_of_two_segments_is_the_route() {
        let owned = |account: &str, bucket: &str| Some((account.to_owned(), bucket.to_owned()));
        assert_eq!(target("/a/b/v1/config"), owned("a", "b"));
        assert_eq!(target("/a%2Fx/b%20c/v1/config"), owned("a/x", "b c"));
        assert_eq!(target("//b/v1/config"), owned("", "b"));
        assert_eq!(target("/a/%FF/v1/config"), owned("a", ""));
        for other in [
            "/a/b/v1/config/",
            "/a/b/c/v1/config",
            "/a/v1/config",
            "/a/b/v1/namespaces",
            "/a/b/v2/config",
            "a/b/v1/config",
            "",
            "/",
        ] {
            assert_eq!(target(other), None, "{other}");
        }
    }
}
