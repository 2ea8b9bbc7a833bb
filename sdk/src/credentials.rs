//! Catalog credentials: `POST /accounts/{account_id}/r2-catalog/{bucket_name}/credential`.

use crate::engine::Engine;
use crate::envelope::Response;
use crate::error::Error;
use crate::validate::{AccountId, BucketName, CatalogToken, Input};
use crate::wire::{StoreCredentialBody, StoredCredential};

/// Operations on a catalog's stored credential; from [`crate::Client::credentials`].
#[derive(Debug, Clone, Copy)]
pub struct CatalogCredentials<'a> {
    engine: &'a Engine,
}

impl<'a> CatalogCredentials<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        Self { engine }
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
        let body = StoreCredentialBody::new(token.into_valid()?);
        let api = self.engine.api();
        self.engine
            .send_carrying(body.token(), || {
                api.store_credentials(&account_id, &bucket, &body)
            })
            .await
    }
}
