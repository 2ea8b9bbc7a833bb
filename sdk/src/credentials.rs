//! Catalog credentials: storing the one maintenance jobs run with, and checking it works.

use crate::engine::Engine;
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::CredentialCheck;
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

    /// Stores the API token the catalog uses for maintenance jobs (compaction, snapshot
    /// expiration) on the bucket's catalog, replacing any stored before.
    ///
    /// The inputs are checked first; a bad one returns [`Error::InvalidInput`] and nothing is
    /// sent. Cloudflare checks the token too: one it refuses is [`Error::is_invalid_credential`].
    /// Store one before turning maintenance on, which Cloudflare refuses without
    /// ([`Error::is_credential_missing`]).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
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

    /// Whether the catalog's stored credential works: Cloudflare authenticates with it and
    /// answers `valid`, `invalid` (stored, but refused: revoked, expired, or lacking a
    /// permission) or `absent` (none stored).
    ///
    /// Cloudflare documents this operation only under the `basin-catalog` paths, so it goes
    /// there even on a client built for [`PathFamily::R2Catalog`](crate::PathFamily): the same
    /// host and token serve both.
    pub async fn status(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
    ) -> Result<Response<CredentialCheck>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let api = self.engine.api();
        self.engine
            .send(|| api.get_credential_status(&account_id, &bucket))
            .await
    }
}
