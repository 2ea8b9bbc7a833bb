//! Catalog credentials: storing the one maintenance jobs run with, and checking it works.

use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::CredentialCheck;
use crate::scope::CatalogScope;
use crate::validate::{CatalogToken, Input};
use crate::wire::{StoreCredentialBody, StoredCredential};

/// A catalog's stored credential; from [`CatalogHandle::credential`](crate::handles::CatalogHandle::credential).
/// Cheap to clone; it can be kept or moved into a task.
#[derive(Debug, Clone)]
pub struct CredentialHandle {
    catalog: CatalogScope,
}

impl CredentialHandle {
    pub(crate) fn new(catalog: CatalogScope) -> Self {
        Self { catalog }
    }

    /// Stores the API token the catalog uses for maintenance jobs (compaction, snapshot
    /// expiration), replacing any stored before.
    ///
    /// The token is checked first; a bad one returns [`Error::InvalidInput`] and nothing is
    /// sent. Cloudflare checks the token too: one it refuses is [`Error::is_invalid_credential`].
    /// Store one before turning maintenance on, which Cloudflare refuses without
    /// ([`Error::is_credential_missing`]).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use cloudflare_r2_catalog::Client;
    ///
    /// // The account from CLOUDFLARE_ACCOUNT_ID, the API token from CLOUDFLARE_API_TOKEN.
    /// let client = Client::from_env()?;
    /// let stored = client.catalog("my-data-bucket")?.credential().store("a-token").await?;
    /// println!("stored (cf-ray {:?})", stored.cf_ray);
    /// # Ok(()) }
    /// ```
    pub async fn store(
        &self,
        token: impl Input<CatalogToken>,
    ) -> Result<Response<StoredCredential>, Error> {
        let body = StoreCredentialBody::new(token.into_valid()?);
        let (engine, account_id, bucket) = self.catalog.parts();
        let api = engine.api();
        engine
            .store(body.token(), || {
                api.store_credentials(account_id, bucket, &body)
            })
            .await
    }

    /// Whether the catalog's stored credential works: Cloudflare authenticates with it and
    /// answers `valid`, `invalid` (stored, but refused: revoked, expired, or lacking a
    /// permission) or `absent` (none stored).
    ///
    /// Cloudflare documents this operation only under the `basin-catalog` paths, so it goes
    /// there even on a client built for [`PathFamily::R2Catalog`](crate::config::PathFamily): the same
    /// host and token serve both.
    pub async fn status(&self) -> Result<Response<CredentialCheck>, Error> {
        let (engine, account_id, bucket) = self.catalog.parts();
        let api = engine.api();
        engine
            .read(|| api.get_credential_status(account_id, bucket))
            .await
    }
}
