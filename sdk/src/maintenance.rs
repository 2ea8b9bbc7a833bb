//! Catalog-wide maintenance: compaction and snapshot expiration settings.

use crate::engine::Change;
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{CatalogMaintenance, MaintenanceConfig, MaintenanceUpdate};
use crate::scope::CatalogScope;
use crate::validate::ValidationError;

/// A catalog's own maintenance settings; from [`CatalogHandle::maintenance`]. A table's are on
/// [`TableHandle::maintenance`].
///
/// [`CatalogHandle::maintenance`]: crate::handles::CatalogHandle::maintenance
/// [`TableHandle::maintenance`]: crate::handles::TableHandle::maintenance
///
/// Cheap to clone; it can be kept or moved into a task.
#[derive(Debug, Clone)]
pub struct CatalogMaintenanceHandle {
    catalog: CatalogScope,
}

impl CatalogMaintenanceHandle {
    pub(crate) fn new(catalog: CatalogScope) -> Self {
        Self { catalog }
    }

    /// The catalog's maintenance configuration and whether a credential is stored for it.
    pub async fn get(&self) -> Result<Response<CatalogMaintenance>, Error> {
        let (engine, account_id, bucket) = self.catalog.parts();
        let api = engine.api();
        engine
            .read(|| api.get_maintenance_config(account_id, bucket))
            .await
    }

    /// Changes the settings present in `update`; the others stay as they are. Compaction and
    /// snapshot expiration run with the credential stored by
    /// [`CredentialHandle::store`](crate::handles::CredentialHandle::store).
    ///
    /// Returns the configuration after the change, or `None` when Cloudflare answers success
    /// without it (the change is applied all the same).
    ///
    /// An update with a value this SDK does not know (`MaintenanceState::Other`, …) is refused
    /// with [`Error::InvalidInput`] before anything is sent. Cloudflare refuses to turn
    /// maintenance on for a catalog without a stored credential ([`Error::is_credential_missing`]).
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::models::{CompactionUpdate, MaintenanceState, MaintenanceUpdate, TargetFileSize};
    ///
    /// let update = MaintenanceUpdate {
    ///     compaction: Some(CompactionUpdate {
    ///         state: Some(MaintenanceState::Enabled),
    ///         target_size_mb: Some(TargetFileSize::Mb256),
    ///     }),
    ///     ..MaintenanceUpdate::default()
    /// };
    /// client.catalog("my-data-bucket")?.maintenance().update(&update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        &self,
        update: &MaintenanceUpdate,
    ) -> Result<Response<Option<MaintenanceConfig>>, Error> {
        checked(update)?;
        let (engine, account_id, bucket) = self.catalog.parts();
        let api = engine.api();
        engine
            .change(Change::PLAIN, || {
                api.update_maintenance_config(account_id, bucket, update)
            })
            .await
    }
}

/// `update`, if every value in it is one the SDK knows: the open enums keep any value an answer
/// carries, but a request sends only values Cloudflare documents.
pub(crate) fn checked(update: &MaintenanceUpdate) -> Result<&MaintenanceUpdate, ValidationError> {
    if let Some(compaction) = &update.compaction {
        compaction
            .state
            .as_ref()
            .map(|state| state.known())
            .transpose()?;
        compaction
            .target_size_mb
            .as_ref()
            .map(|size| size.known())
            .transpose()?;
    }
    if let Some(state) = update
        .snapshot_expiration
        .as_ref()
        .and_then(|expiration| expiration.state.as_ref())
    {
        state.known()?;
    }
    Ok(update)
}
