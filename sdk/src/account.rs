//! One account: its catalogs, listed or one by bucket.

use std::sync::Arc;

use crate::catalogs::CatalogHandle;
use crate::engine::Engine;
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::CatalogList;
use crate::scope::CatalogScope;
use crate::validate::{AccountId, BucketName, Input, ValidationError};

/// One Cloudflare account; from [`Client::account`](crate::Client::account), which checks the
/// id once. A client with a default account ([`ClientBuilder::account_id`]) reaches it through
/// [`Client::catalog`](crate::Client::catalog) and [`Client::list_catalogs`](crate::Client::list_catalogs)
/// directly. Cheap to clone.
///
/// [`ClientBuilder::account_id`]: crate::ClientBuilder::account_id
#[derive(Debug, Clone)]
pub struct AccountHandle {
    engine: Arc<Engine>,
    account_id: AccountId,
}

impl AccountHandle {
    pub(crate) fn new(engine: Arc<Engine>, account_id: AccountId) -> Self {
        Self { engine, account_id }
    }

    /// The account's id.
    pub fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    /// Every catalog of the account.
    pub async fn list_catalogs(&self) -> Result<Response<CatalogList>, Error> {
        let (engine, account_id) = (&self.engine, &self.account_id);
        let api = engine.api();
        engine.read(|| api.list_catalogs(account_id)).await
    }

    /// The catalog of `bucket` in this account, its name checked now.
    pub fn catalog(
        &self,
        bucket: impl Input<BucketName>,
    ) -> Result<CatalogHandle, ValidationError> {
        Ok(CatalogHandle::new(CatalogScope {
            engine: Arc::clone(&self.engine),
            account_id: Arc::new(self.account_id.clone()),
            bucket: Arc::new(bucket.into_valid()?),
        }))
    }
}
