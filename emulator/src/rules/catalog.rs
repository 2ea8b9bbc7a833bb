//! The catalog's own operations: listing the account's catalogs, enabling, deleting, and
//! storing its credential.

use cloudflare_r2_catalog::models::CatalogList;
use http::StatusCode;
use serde_json::Value;

use super::Call;
use crate::defaults::new_catalog_maintenance;
use crate::models::{activation, catalog_model};
use crate::operation::Operation;
use crate::query::flag;
use crate::reply::{Reply, catalog_not_found, codes};
use crate::state::random_uuid;
use crate::state::{CatalogRecord, Contents, Holding, Store};

impl Store {
    pub(super) fn list_catalogs(&self, account: &str) -> Reply {
        let warehouses = self
            .buckets
            .iter()
            .filter_map(|(name, bucket)| {
                let holding = bucket.accounts.get(account)?;
                Some(catalog_model(account, name, holding.catalog.as_ref()?))
            })
            .collect();
        Reply::success(CatalogList::new(warehouses))
    }
}

pub(super) fn enable(account: &str, bucket: &str, holding: &mut Holding) -> Reply {
    match holding.catalog.as_mut() {
        Some(catalog) if catalog.active => Reply::failure(
            StatusCode::CONFLICT,
            codes::ALREADY_ENABLED,
            "Catalog already enabled",
        ),
        Some(catalog) => {
            catalog.active = true;
            Reply::success(activation(account, bucket, catalog))
        }
        None => {
            let catalog = holding.catalog.insert(CatalogRecord {
                id: random_uuid(),
                active: true,
                has_credential: false,
                maintenance: new_catalog_maintenance(),
            });
            Reply::success(activation(account, bucket, catalog))
        }
    }
}

pub(super) fn delete(holding: &mut Holding, query: &[(String, String)]) -> Reply {
    let force = match flag(query, "force") {
        Ok(force) => force,
        Err(reply) => return reply,
    };
    if holding.catalog.is_none() {
        return catalog_not_found(Operation::DeleteCatalog);
    }
    if !holding.contents.is_empty() && !force {
        let (namespaces, tables) = (
            holding.contents.namespaces.len(),
            holding.contents.tables.len(),
        );
        return Reply::failure(
            StatusCode::CONFLICT,
            codes::NOT_EMPTY,
            format!(
                "Catalog is non-empty ({namespaces} namespace(s), {tables} table(s)); delete them first or use force"
            ),
        );
    }
    holding.contents = Contents::default();
    holding.catalog = None;
    Reply::no_content()
}

/// Stores a catalog token. Cloudflare authenticates a token before storing it, so when the
/// emulator was told which tokens to accept, any other is refused (400, 30004).
pub(super) fn store_credential(catalog: &mut CatalogRecord, call: &Call<'_>) -> Reply {
    #[derive(serde::Deserialize)]
    struct Body {
        token: String,
    }
    match serde_json::from_slice::<Body>(call.body) {
        Ok(Body { token }) if token.trim().is_empty() => {
            Reply::bad_request("body must be a JSON object with a non-empty string \"token\"")
        }
        Ok(Body { token }) if !call.access.accepts_catalog_token(&token) => Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::INVALID_CREDENTIAL,
            "The credential is not valid: it does not authenticate",
        ),
        Ok(_) => {
            catalog.has_credential = true;
            Reply::success(Value::Null)
        }
        // serde's message could quote the token; say what is wrong without it.
        Err(_) => {
            Reply::bad_request("body must be a JSON object with a non-empty string \"token\"")
        }
    }
}
