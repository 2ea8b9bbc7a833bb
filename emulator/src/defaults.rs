//! The maintenance settings a new catalog and a new table start with, as Cloudflare's do.

use cloudflare_r2_catalog::models::{
    CompactionConfig, MaintenanceConfig, MaintenanceState, SnapshotExpirationConfig, TargetFileSize,
};

/// Compaction off, at the spec's default target size (128 MB).
pub(crate) fn default_compaction() -> CompactionConfig {
    CompactionConfig::new(MaintenanceState::Disabled, TargetFileSize::Mb128)
}

/// The spec's documented defaults: 7 days, 100 snapshots; off until turned on.
pub(crate) fn default_expiration() -> SnapshotExpirationConfig {
    SnapshotExpirationConfig::new("7d".to_owned(), 100, MaintenanceState::Disabled)
}

/// How often maintenance runs, as Cloudflare reports it ("triggers hourly").
const MAINTENANCE_INTERVAL: &str = "1h";

/// A table's settings until changed: both jobs off.
pub(crate) fn default_maintenance() -> MaintenanceConfig {
    let mut maintenance = MaintenanceConfig::new();
    maintenance.compaction = Some(default_compaction());
    maintenance.interval = Some(MAINTENANCE_INTERVAL.to_owned());
    maintenance.snapshot_expiration = Some(default_expiration());
    maintenance
}

/// A new catalog's settings: compaction on at 128 MB, as Cloudflare starts every catalog (it
/// runs once a credential is stored); snapshot expiration off.
pub(crate) fn new_catalog_maintenance() -> MaintenanceConfig {
    let mut maintenance = default_maintenance();
    if let Some(compaction) = maintenance.compaction.as_mut() {
        compaction.state = MaintenanceState::Enabled;
    }
    maintenance
}
