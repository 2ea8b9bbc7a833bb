//! What an Iceberg engine needs to reach a catalog: Cloudflare's Iceberg REST endpoint for it,
//! and its warehouse name.

use serde::Serialize;

use crate::generated::types::{Catalog, CatalogActivation};
use crate::validate::{AccountId, BucketName, ValidationError};

/// Cloudflare's Iceberg REST catalog service; a catalog's URI is this, its account id and its
/// bucket. It is not the management API, so [`crate::ClientBuilder::base_url`] does not move it.
pub const ICEBERG_REST_ENDPOINT: &str = "https://catalog.cloudflarestorage.com";

/// How an Iceberg engine (PyIceberg, Spark, DuckDB, iceberg-rust …) connects to a catalog over
/// the Iceberg REST protocol, as `wrangler r2 bucket catalog get` prints it.
///
/// The engine also needs a token: a Cloudflare API token allowed to read (and to write, if the
/// engine writes) R2 Data Catalog and R2 storage. It is not part of this value, so the value can
/// be printed and logged freely.
///
/// ```
/// use cloudflare_r2_catalog::{input::{AccountId, BucketName}, models::CatalogActivation};
///
/// # let activation: CatalogActivation = serde_json::from_value(serde_json::json!({
/// #     "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
/// #     "name": "0123456789abcdef0123456789abcdef_my-data-bucket",
/// # }))?;
/// let account = AccountId::new("0123456789abcdef0123456789abcdef")?;
/// let bucket = BucketName::new("my-data-bucket")?;
/// let connection = activation.connection(&account, &bucket);
/// assert_eq!(
///     connection.uri,
///     "https://catalog.cloudflarestorage.com/0123456789abcdef0123456789abcdef/my-data-bucket"
/// );
/// assert_eq!(connection.warehouse, "0123456789abcdef0123456789abcdef_my-data-bucket");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct CatalogConnection {
    /// The catalog's Iceberg REST URI: `https://catalog.cloudflarestorage.com/<account_id>/<bucket>`.
    pub uri: String,
    /// The warehouse to ask the catalog for: the catalog's name, `<account_id>_<bucket>`.
    pub warehouse: String,
}

impl CatalogConnection {
    /// Validated ids are made of unreserved characters only, so each is one path segment as
    /// it is, and the URI is always exactly two segments below the endpoint.
    fn new(account_id: &AccountId, bucket: &BucketName, warehouse: &str) -> Self {
        Self::at(ICEBERG_REST_ENDPOINT, account_id, bucket, warehouse)
    }

    /// The connection at the Iceberg `endpoint` a client was given
    /// ([`crate::handles::CatalogHandle::connection`]).
    pub(crate) fn at(
        endpoint: &str,
        account_id: &AccountId,
        bucket: &BucketName,
        warehouse: &str,
    ) -> Self {
        Self {
            uri: format!("{}/{account_id}/{bucket}", endpoint.trim_end_matches('/')),
            warehouse: warehouse.to_owned(),
        }
    }
}

impl Catalog {
    /// How an Iceberg engine connects to this catalog. The catalog does not carry its account
    /// id, so give the one it was listed or read from.
    ///
    /// The bucket comes from the server: one that is not a valid bucket name (`..`, a name
    /// with `/` or `\`) is refused with the rule it breaks, rather than put into a URI where
    /// it could point at another catalog or at the service's root.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let account = client.account("0123456789abcdef0123456789abcdef")?;
    /// for catalog in account.list_catalogs().await?.result.warehouses {
    ///     let connection = catalog.connection(account.account_id())?;
    ///     println!("{} at {} ({})", connection.warehouse, connection.uri, catalog.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn connection(&self, account_id: &AccountId) -> Result<CatalogConnection, ValidationError> {
        let bucket = BucketName::new(self.bucket.as_str())?;
        Ok(CatalogConnection::new(account_id, &bucket, &self.name))
    }
}

impl CatalogActivation {
    /// How an Iceberg engine connects to the catalog just enabled on `bucket` of `account_id`.
    pub fn connection(&self, account_id: &AccountId, bucket: &BucketName) -> CatalogConnection {
        CatalogConnection::new(account_id, bucket, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

    fn catalog(bucket: &str, name: &str) -> Catalog {
        serde_json::from_value(serde_json::json!({
            "bucket": bucket, "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "name": name, "status": "active",
        }))
        .expect("a catalog")
    }

    #[test]
    fn a_catalog_connects_at_its_account_and_bucket_with_its_name_as_warehouse() {
        let account = AccountId::new(ACCOUNT).expect("an account id");
        let connection = catalog("my-data-bucket", "the-name").connection(&account);
        let connection = connection.expect("a valid bucket");
        assert_eq!(
            connection,
            CatalogConnection {
                uri: format!("https://catalog.cloudflarestorage.com/{ACCOUNT}/my-data-bucket"),
                warehouse: "the-name".to_owned(),
            }
        );
    }

    #[test]
    fn a_bucket_from_the_server_that_is_not_a_bucket_name_gets_no_uri() {
        let account = AccountId::new(ACCOUNT).expect("an account id");
        for bucket in ["..", ".", "../x/y?z#w", r"a\..\..", "%2e%2e", "UPPER", ""] {
            let refused = catalog(bucket, "n").connection(&account).unwrap_err();
            assert_eq!(refused.field(), "bucket name", "{bucket:?}");
        }
    }

    #[test]
    fn it_serializes_as_uri_and_warehouse() {
        let account = AccountId::new(ACCOUNT).expect("an account id");
        let connection = catalog("b-1", "w")
            .connection(&account)
            .expect("a valid bucket");
        let json = serde_json::to_value(connection).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "uri": format!("https://catalog.cloudflarestorage.com/{ACCOUNT}/b-1"),
                "warehouse": "w",
            })
        );
    }
}
