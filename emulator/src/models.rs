//! The SDK's models the emulator answers with, made from its records: the same types a client
//! reads, so an answer has the fields, and the field order, the spec gives it.

use cloudflare_r2_catalog::models::{
    Catalog, CatalogActivation, CatalogStatus, CredentialStatus, CredentialValidity,
    MaintenanceConfig, Table, TableCompactionConfig, TableIdentifier, TableMaintenanceConfig,
    TableMetadata, TableSnapshotExpirationConfig,
};
use serde_json::{Value, json};

use crate::state::{CatalogRecord, Entry, TableRecord, catalog_name};

/// What credential status answers: a stored token was accepted when stored, so it is valid.
pub(crate) fn credential_validity(catalog: &CatalogRecord) -> CredentialValidity {
    if catalog.has_credential {
        CredentialValidity::Valid
    } else {
        CredentialValidity::Absent
    }
}

pub(crate) fn credential_status(catalog: &CatalogRecord) -> CredentialStatus {
    if catalog.has_credential {
        CredentialStatus::Present
    } else {
        CredentialStatus::Absent
    }
}

pub(crate) fn catalog_model(account: &str, bucket: &str, catalog: &CatalogRecord) -> Catalog {
    let status = if catalog.active {
        CatalogStatus::Active
    } else {
        CatalogStatus::Inactive
    };
    let mut model = Catalog::new(
        bucket.to_owned(),
        catalog.id.clone(),
        catalog_name(account, bucket),
        status,
    );
    model.credential_status = Some(credential_status(catalog));
    model.maintenance_config = Some(catalog.maintenance.clone());
    model
}

pub(crate) fn activation(
    account: &str,
    bucket: &str,
    catalog: &CatalogRecord,
) -> CatalogActivation {
    CatalogActivation::new(catalog.id.clone(), catalog_name(account, bucket))
}

pub(crate) fn table_model(bucket: &str, identifier: TableIdentifier, table: &TableRecord) -> Table {
    let mut model = Table::new(
        identifier,
        table_metadata(bucket, &table.entry),
        0,
        table.entry.uuid.clone(),
        0,
    );
    model.metadata_location = Some(format!(
        "{}/metadata/00000-{}.metadata.json",
        table_location(bucket, &table.entry),
        table.entry.uuid
    ));
    model
}

/// A table's maintenance settings in the type its operations answer with.
pub(crate) fn table_maintenance(config: &MaintenanceConfig) -> TableMaintenanceConfig {
    let mut table = TableMaintenanceConfig::new();
    table.compaction = config.compaction.as_ref().map(|compaction| {
        TableCompactionConfig::new(compaction.state.clone(), compaction.target_size_mb.clone())
    });
    table.interval = config.interval.clone();
    table.snapshot_expiration = config.snapshot_expiration.as_ref().map(|expiration| {
        TableSnapshotExpirationConfig::new(
            expiration.max_snapshot_age.clone(),
            expiration.min_snapshots_to_keep,
            expiration.state.clone(),
        )
    });
    table
}

pub(crate) fn table_location(bucket: &str, table: &Entry) -> String {
    format!("s3://{bucket}/__r2_data_catalog/{}", table.uuid)
}

/// Iceberg table metadata (format version 2) of an empty table with no columns or snapshots.
pub(crate) fn table_metadata(bucket: &str, table: &Entry) -> TableMetadata {
    let json = json!({
        "format-version": 2,
        "table-uuid": table.uuid,
        "location": table_location(bucket, table),
        "last-sequence-number": 0,
        "last-updated-ms": 0,
        "last-column-id": 0,
        "current-schema-id": 0,
        "schemas": [{"type": "struct", "schema-id": 0, "fields": []}],
        "default-spec-id": 0,
        "partition-specs": [{"spec-id": 0, "fields": []}],
        "last-partition-id": 999,
        "default-sort-order-id": 0,
        "sort-orders": [{"order-id": 0, "fields": []}],
        "properties": {},
        "snapshots": [],
        "snapshot-log": [],
        "metadata-log": [],
    });
    match json {
        Value::Object(map) => TableMetadata::from(map),
        _ => TableMetadata::from(serde_json::Map::new()),
    }
}
