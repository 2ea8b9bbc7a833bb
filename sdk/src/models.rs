//! What the calls return and take: plain data, comparable, serialisable, and built in tests
//! with their `new` (the required fields; the optional ones are then set) or from JSON.
//!
//! Most are generated from Cloudflare's OpenAPI document, and their docs are its descriptions.
//! Every enum is open: a value the SDK does not know yet is kept as `Other`.

pub use crate::connection::CatalogConnection;
pub use crate::iceberg::IcebergConfig;
pub use crate::pace::RateLimitStatus;
pub use crate::paging::{ListedNamespace, ListedTable, Page};
pub use crate::status::{
    CatalogStatus, CredentialStatus, CredentialValidity, MaintenanceKind, MaintenanceState,
    MaintenanceStep, RunStatus, StepStatus, TargetFileSize,
};
pub use crate::wire::{Message, StoredCredential};

pub use crate::generated::types::{
    Catalog, CatalogActivation, CatalogList, CatalogMaintenance, CompactionConfig,
    CompactionUpdate, CredentialCheck, MaintenanceConfig, MaintenanceRun, MaintenanceRunPage,
    MaintenanceRunStep, MaintenanceUpdate, NamespaceDetails, NamespaceIdentifier, NamespacePage,
    QueuedMaintenance, SnapshotExpirationConfig, SnapshotExpirationUpdate, Table,
    TableCompactionConfig, TableDetails, TableIdentifier, TableMaintenance, TableMaintenanceConfig,
    TableMetadata, TablePage, TableSnapshotExpirationConfig,
};
