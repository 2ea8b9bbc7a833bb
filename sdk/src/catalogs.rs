//! One catalog: inspect, enable, disable and delete a bucket's Basin Catalog (formerly R2 Data
//! Catalog), and the handles to its credential, maintenance, namespaces and tables.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::StatusCode;

use crate::connection::CatalogConnection;
use crate::credentials::CredentialHandle;
use crate::engine::{Change, MadeWhen};
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{Catalog, CatalogActivation};
use crate::iceberg::IcebergConfig;
use crate::maintenance::CatalogMaintenanceHandle;
use crate::namespaces::{NamespaceHandle, NamespaceListing};
use crate::scope::CatalogScope;
use crate::sweep::Sweep;
use crate::tables::TableHandle;
use crate::validate::{AccountId, BucketName, Input, Namespace, TableName, ValidationError};

/// The catalog of one bucket; from [`Client::catalog`](crate::Client::catalog) or
/// [`AccountHandle::catalog`](crate::handles::AccountHandle::catalog), which check the bucket name once.
/// Cheap to clone; a clone moved into a task makes calls there.
///
/// ```no_run
/// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
/// let catalog = client.catalog("my-data-bucket")?;
/// catalog.enable().await?;
/// println!("{:?}", catalog.get().await?.result.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CatalogHandle {
    scope: CatalogScope,
}

impl CatalogHandle {
    pub(crate) fn new(scope: CatalogScope) -> Self {
        Self { scope }
    }

    /// The account the catalog belongs to.
    pub fn account_id(&self) -> &AccountId {
        &self.scope.account_id
    }

    /// The bucket whose catalog this is.
    pub fn bucket(&self) -> &BucketName {
        &self.scope.bucket
    }

    /// The catalog's status, credential status and maintenance configuration.
    pub async fn get(&self) -> Result<Response<Catalog>, Error> {
        let (engine, account_id, bucket) = self.scope.parts();
        let api = engine.api();
        engine
            .read(|| api.get_catalog_details(account_id, bucket))
            .await
    }

    /// How an Iceberg engine connects to this catalog, whose name (its warehouse, as
    /// [`CatalogHandle::get`] or [`CatalogHandle::enable`] return it) is `warehouse`: at the
    /// client's Iceberg endpoint ([`crate::ClientBuilder::iceberg_url`]), where
    /// [`Catalog::connection`] always names Cloudflare's.
    pub fn connection(&self, warehouse: &str) -> CatalogConnection {
        let (engine, account_id, bucket) = self.scope.parts();
        CatalogConnection::at(engine.iceberg_url(), account_id, bucket, warehouse)
    }

    /// Asks Cloudflare's Iceberg REST endpoint (see [`crate::ClientBuilder::iceberg_url`]) for
    /// this catalog's config, as a query engine does first: `GET
    /// <endpoint>/<account_id>/<bucket>/v1/config?warehouse=<warehouse>`, with the client's API
    /// token. Success means an engine holding that token reaches the catalog. `warehouse` is
    /// the catalog's name ([`Catalog::name`], `<account_id>_<bucket>`).
    ///
    /// Sent once, not retried: it is a check, and what it finds is the answer. An error status
    /// is an [`Error::Iceberg`] ([`Error::is_auth`] for a token refused or lacking R2 Data
    /// Catalog or R2 Storage permission, [`Error::is_not_found`] for no such catalog). A
    /// client authenticating with a global API key is refused before sending: the endpoint
    /// takes API tokens only.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// let catalog = client.catalog("my-data-bucket")?;
    /// let details = catalog.get().await?.result;
    /// let config = catalog.iceberg_config(&details.name).await?.result;
    /// println!("engines connect with prefix {:?}", config.overrides.get("prefix"));
    /// # Ok(()) }
    /// ```
    pub async fn iceberg_config(&self, warehouse: &str) -> Result<Response<IcebergConfig>, Error> {
        let (engine, account_id, bucket) = self.scope.parts();
        engine.iceberg_config(account_id, bucket, warehouse).await
    }

    /// Turns the bucket into an Iceberg catalog, and returns its id and name.
    ///
    /// The result is `None` when Cloudflare answers success without them (the spec allows it):
    /// the catalog is enabled all the same, and [`CatalogHandle::get`] shows it.
    ///
    /// A catalog that is already enabled answers HTTP 409, which is returned at once (not
    /// retried) as an [`Error::Api`] for which [`Error::is_conflict`] is true. Except after an
    /// attempt of this call that may have enabled it and lost the answer (a broken connection,
    /// a 5xx): then the 409 of the retry means the catalog is enabled, most likely by this call,
    /// and `enable` succeeds with [`Response::already_applied`] set and no result.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// match client.catalog("my-data-bucket")?.enable().await {
    ///     Ok(enabled) => match enabled.result {
    ///         Some(catalog) => println!("enabled {}", catalog.name),
    ///         None => println!("enabled"),
    ///     },
    ///     Err(error) if error.is_conflict() => println!("already enabled"),
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn enable(&self) -> Result<Response<Option<CatalogActivation>>, Error> {
        let (engine, account_id, bucket) = self.scope.parts();
        let api = engine.api();
        // 409: already enabled, which another attempt would only repeat.
        let enabling = Change {
            final_statuses: &[StatusCode::CONFLICT],
            already_made: Some(MadeWhen::Status(StatusCode::CONFLICT)),
        };
        engine
            .change(enabling, || api.enable_catalog(account_id, bucket))
            .await
    }

    /// Turns the catalog off; the bucket and its data stay. The API answers 204 with no body,
    /// also for a catalog already turned off, so a retry after an attempt whose answer was lost
    /// simply succeeds. A bucket without a catalog answers HTTP 404 ([`Error::is_not_found`]),
    /// also on a retry: turning a catalog off never removes it, so that 404 was not this
    /// call's doing.
    pub async fn disable(&self) -> Result<Response<()>, Error> {
        let (engine, account_id, bucket) = self.scope.parts();
        let api = engine.api();
        engine
            .no_content(Change::PLAIN, || api.disable_catalog(account_id, bucket))
            .await
    }

    /// Deletes the catalog: its metadata leaves Cloudflare's control plane; the bucket and its
    /// objects stay. Await it as it is, or name an option first:
    /// [`DeleteCatalog::force`].
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
    /// let catalog = client.catalog("my-data-bucket")?;
    /// match catalog.delete().await {
    ///     Ok(_) => println!("deleted"),
    ///     Err(error) if error.is_conflict() => {
    ///         println!("not empty: {error}; deleting its namespaces and tables too");
    ///         catalog.delete().force(true).await?;
    ///     }
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn delete(&self) -> DeleteCatalog {
        DeleteCatalog {
            catalog: self.scope.clone(),
            force: false,
        }
    }

    /// The catalog's stored credential: store one, or check the one stored.
    pub fn credential(&self) -> CredentialHandle {
        CredentialHandle::new(self.scope.clone())
    }

    /// The catalog's own maintenance settings.
    pub fn maintenance(&self) -> CatalogMaintenanceHandle {
        CatalogMaintenanceHandle::new(self.scope.clone())
    }

    /// The catalog's top-level namespaces.
    pub fn namespaces(&self) -> NamespaceListing {
        NamespaceListing::new(self.scope.clone(), None)
    }

    /// The namespace `namespace` of this catalog, checked now: a [`Namespace`], a listed
    /// [`NamespaceIdentifier`](crate::models::NamespaceIdentifier), or text (`bronze.raw` for nested
    /// levels).
    pub fn namespace(
        &self,
        namespace: impl Input<Namespace>,
    ) -> Result<NamespaceHandle, ValidationError> {
        Ok(NamespaceHandle::new(
            self.scope.clone(),
            namespace.into_valid()?,
        ))
    }

    /// A sweep: one table operation over every table of this catalog, or of one namespace
    /// subtree ([`Sweep::within`]), many at a time, at one pace.
    pub fn sweep(&self) -> Sweep {
        Sweep::new(self.scope.clone())
    }

    /// The table `name` in `namespace` of this catalog, both checked now.
    pub fn table(
        &self,
        namespace: impl Input<Namespace>,
        name: impl Input<TableName>,
    ) -> Result<TableHandle, ValidationError> {
        Ok(TableHandle::new(
            self.scope.clone(),
            namespace.into_valid()?,
            name.into_valid()?,
        ))
    }
}

/// A catalog's deletion, with its options; from [`CatalogHandle::delete`]. Awaiting it sends
/// the request.
#[derive(Debug, Clone)]
#[must_use = "a deletion does nothing until it is awaited"]
pub struct DeleteCatalog {
    catalog: CatalogScope,
    force: bool,
}

impl DeleteCatalog {
    /// With `force`, a catalog that still holds namespaces or tables is emptied first (its
    /// namespaces, tables, views and maintenance metadata removed, up to a limit Cloudflare
    /// sets), and then deleted; it is sent as `?force=true`. Without (the default), such a
    /// catalog is refused with HTTP 409.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    async fn send(self) -> Result<Response<()>, Error> {
        let (engine, account_id, bucket) = self.catalog.parts();
        let force = self.force.then_some(true);
        let api = engine.api();
        // 409: not empty, unfinished work, protected, or over the force-delete limit.
        let deleting = Change {
            final_statuses: &[StatusCode::CONFLICT],
            already_made: Some(MadeWhen::BareStatus(StatusCode::NOT_FOUND)),
        };
        engine
            .no_content(deleting, || api.delete_catalog(account_id, bucket, force))
            .await
    }
}

impl IntoFuture for DeleteCatalog {
    type Output = Result<Response<()>, Error>;
    // Boxed because an `async fn`'s future has no name to give here; one allocation per delete.
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
