//! Catalogs: list, inspect, enable, disable and delete a bucket's Basin Catalog (formerly R2 Data
//! Catalog).

use reqwest::StatusCode;

use crate::engine::{Engine, MadeWhen};
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{Catalog, CatalogActivation, CatalogList};
use crate::validate::{AccountId, BucketName, Input};

/// Catalog operations; from [`crate::Client::catalogs`].
#[derive(Debug, Clone, Copy)]
pub struct Catalogs<'a> {
    engine: &'a Engine,
}

impl<'a> Catalogs<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        Self { engine }
    }

    /// Every catalog of the account (`GET /accounts/{account_id}/r2-catalog`).
    pub async fn list(
        &self,
        account_id: impl Input<AccountId>,
    ) -> Result<Response<CatalogList>, Error> {
        let account_id = account_id.into_valid()?;
        let api = self.engine.api();
        self.engine.send(|| api.list_catalogs(&account_id)).await
    }

    /// The catalog of `bucket`: its status, credential status and maintenance configuration.
    pub async fn get(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
    ) -> Result<Response<Catalog>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let api = self.engine.api();
        self.engine
            .send(|| api.get_catalog_details(&account_id, &bucket))
            .await
    }

    /// Turns `bucket` into an Iceberg catalog, and returns its id and name.
    ///
    /// The result is `None` when Cloudflare answers success without them (the spec allows it):
    /// the catalog is enabled all the same, and [`Catalogs::get`] shows it.
    ///
    /// A catalog that is already enabled answers HTTP 409, which is returned at once (not
    /// retried) as an [`Error::Api`] for which [`Error::is_conflict`] is true. Except after an
    /// attempt of this call that may have enabled it and lost the answer (a broken connection,
    /// a 5xx): then the 409 of the retry means the catalog is enabled, most likely by this call,
    /// and `enable` succeeds with [`Response::already_applied`] set and no result.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// let account = "0123456789abcdef0123456789abcdef";
    /// match client.catalogs().enable(account, "my-data-bucket").await {
    ///     Ok(enabled) => match enabled.result {
    ///         Some(catalog) => println!("enabled {}", catalog.name),
    ///         None => println!("enabled"),
    ///     },
    ///     Err(error) if error.is_conflict() => println!("already enabled"),
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn enable(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
    ) -> Result<Response<Option<CatalogActivation>>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let api = self.engine.api();
        self.engine
            .send_change(
                || api.enable_catalog(&account_id, &bucket),
                MadeWhen::Status(StatusCode::CONFLICT),
            )
            .await
    }

    /// Turns the catalog of `bucket` off; the bucket and its data stay. The API answers 204
    /// with no body, also for a catalog already turned off, so a retry after an attempt whose
    /// answer was lost simply succeeds. A bucket without a catalog answers HTTP 404
    /// ([`Error::is_not_found`]), also on a retry: turning a catalog off never removes it, so
    /// that 404 was not this call's doing.
    pub async fn disable(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
    ) -> Result<Response<()>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let api = self.engine.api();
        self.engine
            .send_no_content(|| api.disable_catalog(&account_id, &bucket), None)
            .await
    }

    /// Deletes the catalog of `bucket`: its metadata leaves Cloudflare's control plane; the
    /// bucket and its objects stay. The API answers 204 with no body.
    ///
    /// Without `force`, a catalog that still holds namespaces or tables is refused. With `force`
    /// (sent as `?force=true`; nothing is sent otherwise) its namespaces, tables, views and
    /// maintenance metadata are removed first, up to a limit Cloudflare sets.
    ///
    /// A catalog that is non-empty, has unfinished work, is protected, or is over the
    /// force-delete limit answers HTTP 409, returned at once (not retried) as an [`Error::Api`]
    /// for which [`Error::is_conflict`] is true. A catalog that does not exist is an error for
    /// which [`Error::is_not_found`] is true, whether or not the 404 has a body; except after an
    /// attempt of this call that may have deleted it and lost the answer (a broken connection,
    /// a 5xx): then the retry's 404 means the catalog is gone, most likely deleted by this call,
    /// and `delete` succeeds with [`Response::already_applied`] set.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// let account = "0123456789abcdef0123456789abcdef";
    /// match client.catalogs().delete(account, "my-data-bucket", false).await {
    ///     Ok(_) => println!("deleted"),
    ///     Err(error) if error.is_conflict() => println!("not empty: {error}"),
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        force: bool,
    ) -> Result<Response<()>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let force = force.then_some(true);
        let api = self.engine.api();
        self.engine
            .send_no_content(
                || api.delete_catalog(&account_id, &bucket, force),
                Some(MadeWhen::BareStatus(StatusCode::NOT_FOUND)),
            )
            .await
    }
}
