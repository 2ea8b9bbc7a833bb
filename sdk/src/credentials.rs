//! Catalog credentials: `POST /accounts/{account_id}/r2-catalog/{bucket_name}/credential`.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::Client;
use crate::envelope::Response;
use crate::error::Error;
use crate::validate::{AccountId, BucketName, CatalogToken, Input};

/// What R2 Data Catalog answers when a credential is stored: an object, usually `null`.
pub type StoredCredential = Option<serde_json::Map<String, serde_json::Value>>;

/// Operations on a catalog's stored credential; from [`Client::credentials`].
#[derive(Debug, Clone, Copy)]
pub struct CatalogCredentials<'a> {
    client: &'a Client,
}

impl<'a> CatalogCredentials<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Stores the API token R2 Data Catalog uses for maintenance jobs (compaction, snapshot
    /// expiration) on the bucket's catalog, replacing any stored before.
    ///
    /// The inputs are checked first; a bad one returns [`Error::InvalidInput`] and nothing is
    /// sent.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::Client;
    ///
    /// let client = Client::from_env()?;
    /// let stored = client
    ///     .credentials()
    ///     .store("0123456789abcdef0123456789abcdef", "my-data-bucket", "a-token")
    ///     .await?;
    /// println!("stored (cf-ray {:?})", stored.cf_ray);
    /// # Ok(()) }
    /// ```
    pub async fn store(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        token: impl Input<CatalogToken>,
    ) -> Result<Response<StoredCredential>, Error> {
        let account_id = account_id.into_valid()?;
        let bucket = bucket.into_valid()?;
        let body = StoreCredentialBody {
            token: token.into_valid()?,
        };
        let api = self.client.api();
        let stored = self
            .client
            .send(|| api.store_credentials(&account_id, &bucket, &body))
            .await;
        stored.map_err(|error| error.without_secret(body.token.expose()))
    }
}

/// The request body `{"token": …}`. It stands in for the generated body type (see the xtask),
/// whose derived `Debug` would print the token; this one's `Debug` is redacted.
#[derive(Debug)]
pub(crate) struct StoreCredentialBody {
    token: CatalogToken,
}

impl Serialize for StoreCredentialBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_struct("StoreCredentialBody", 1)?;
        body.serialize_field("token", self.token.expose())?;
        body.end()
    }
}
