//! The progenitor settings, and the tables of the types they replace, convert and rename.

use progenitor::{GenerationSettings, HooksMode, InterfaceStyle, TagStyle, TypeImpl, TypePatch};
use schemars::schema::{InstanceType, SchemaObject, StringValidation};

/// The progenitor settings, each chosen on purpose:
///
/// - `Positional` interface, `Merged` tags: the generated client is private and called from one
///   hand-written method per operation, so plain functions taking already-validated values are all
///   it needs. The builder style would re-validate and, on failure, drop the reason.
/// - `HooksMode::Expected`: every request goes through the hand-written `ClientHooks::exec`
///   (its path family, its headers, tracing), and forgetting that impl is a compile error rather
///   than a silent bypass. Retries wrap the whole generated call, which builds the request
///   afresh for each attempt.
/// - Inner type `Outgoing`: what the hook needs to prepare each request: the path family the
///   client was built for and the client's headers (see `sdk/src/wire.rs`).
/// - Replacements: the path parameters and the snapshot-age pattern become the SDK's own
///   validated newtypes (one definition of each rule, with messages that say what is wrong); the
///   credential body becomes a type whose `Debug` redacts the token (typify derives `Debug` on
///   everything); the envelope's `{code, message}` lists become the SDK's public `Message`.
///   The catalog and credential statuses become open enums: typify's are closed, and one new
///   status from Cloudflare would fail every response that carries it.
/// - Conversions: `uuid` and `date-time` strings stay `String`s, kept on purpose now that the
///   August document fixed the invalid UUID in its example that first forced the choice. They
///   are ids and times the SDK only passes along (no operation takes a UUID back); a strict
///   parse would fail a whole page over one value formatted unexpectedly, which Cloudflare's own
///   document did for months; and it keeps `uuid` and `chrono` out of users' builds.
/// - Patches: the models users see get short names (`Catalog`, `TablePage`, …) and
///   `#[non_exhaustive]`, so Cloudflare adding a field is not a breaking change for the SDK.
pub(super) fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::wire::Outgoing));
    for (generated, replacement) in REPLACEMENTS {
        settings.with_replacement(generated, replacement, [TypeImpl::Display].into_iter());
    }
    for format in ["uuid", "date-time"] {
        let schema = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            format: Some(format.to_owned()),
            ..SchemaObject::default()
        };
        settings.with_conversion(schema, "::std::string::String", std::iter::empty());
    }
    // The snapshot-age pattern appears inline (no component name to replace), so it is matched
    // by its schema instead; answers no longer carry it (see `loosen_answers`), so this is the
    // update's field only.
    let snapshot_age = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        string: Some(Box::new(StringValidation {
            pattern: Some(SNAPSHOT_AGE_PATTERN.to_owned()),
            ..StringValidation::default()
        })),
        ..SchemaObject::default()
    };
    settings.with_conversion(
        snapshot_age,
        "crate::validate::SnapshotAge",
        std::iter::empty(),
    );
    for (values, open) in OPEN_ENUMS {
        let schema = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            enum_values: Some(values.iter().map(|value| (*value).into()).collect()),
            ..SchemaObject::default()
        };
        settings.with_conversion(schema, open, [TypeImpl::Display].into_iter());
    }
    for (generated, public, sealed) in MODELS {
        let mut patch = TypePatch::default();
        patch.with_rename(public).with_derive("PartialEq");
        if sealed {
            patch.with_attr("#[non_exhaustive]");
        }
        settings.with_patch(generated, &patch);
    }
    settings
}

/// `max_snapshot_age`'s pattern in the spec; the SDK's `SnapshotAge` enforces the same rule.
const SNAPSHOT_AGE_PATTERN: &str = r"^\d+(d|h|m|s)$";

/// The values of an enum written inline (no component name to replace) → the open enum that
/// stands in for it, matched by schema.
const OPEN_ENUMS: [(&[&str], &str); 4] = [
    (
        &["compaction", "snapshot_expiration"],
        "crate::status::MaintenanceKind",
    ),
    (
        &[
            "running",
            "succeeded",
            "failed",
            "interrupted",
            "timed_out",
            "cancelled",
        ],
        "crate::status::RunStatus",
    ),
    (
        &["rewrite_manifests", "compaction", "snapshot_expiration"],
        "crate::status::MaintenanceStep",
    ),
    (
        &["succeeded", "failed", "skipped", "not_run"],
        "crate::status::StepStatus",
    ),
];

/// Generated type name → hand-written type that stands in for it.
pub(super) const REPLACEMENTS: [(&str, &str); 14] = [
    ("R2DataCatalogAccountId", "crate::validate::AccountId"),
    ("R2DataCatalogBucketName", "crate::validate::BucketName"),
    (
        "R2DataCatalogCatalogCredentialRequest",
        "crate::wire::StoreCredentialBody",
    ),
    ("R2DataCatalogApiResponseErrors", "crate::wire::Messages"),
    ("R2DataCatalogApiResponseMessages", "crate::wire::Messages"),
    // Enums Cloudflare may add to: open enums that keep unknown values.
    ("R2DataCatalogCatalogStatus", "crate::status::CatalogStatus"),
    (
        "R2DataCatalogCredentialStatus",
        "crate::status::CredentialStatus",
    ),
    (
        "R2DataCatalogCredentialProbeStatus",
        "crate::status::CredentialValidity",
    ),
    (
        "R2DataCatalogCatalogMaintenanceState",
        "crate::status::MaintenanceState",
    ),
    (
        "R2DataCatalogCatalogTargetFileSize",
        "crate::status::TargetFileSize",
    ),
    // A schedule Cloudflare reports (`1h`), not one users send: plain text.
    ("R2DataCatalogMaintenanceInterval", "::std::string::String"),
    // The two update requests have one wire shape, `{compaction?: {state?, target_size_mb?},
    // snapshot_expiration?: {…}}`, written as two schemas since the August document: users
    // build one type, `MaintenanceUpdate`, for both.
    (
        "R2DataCatalogCatalogMaintenanceUpdateRequest",
        "crate::generated::types::MaintenanceUpdate",
    ),
    (
        "R2DataCatalogTableMaintenanceUpdateRequest",
        "crate::generated::types::MaintenanceUpdate",
    ),
    (
        "R2DataCatalogTableCompactionUpdateParams",
        "crate::generated::types::CompactionUpdate",
    ),
];

/// Generated model name → the name the SDK re-exports it under, and whether it gets
/// `#[non_exhaustive]` (every model users receive; not the update requests users build).
pub(super) const MODELS: [(&str, &str, bool); 28] = [
    ("R2DataCatalogCatalog", "Catalog", true),
    (
        "R2DataCatalogCatalogActivationResponse",
        "CatalogActivation",
        true,
    ),
    ("R2DataCatalogCatalogList", "CatalogList", true),
    (
        "R2DataCatalogCatalogMaintenanceConfigResponse",
        "CatalogMaintenance",
        true,
    ),
    (
        "R2DataCatalogCatalogMaintenanceConfig",
        "MaintenanceConfig",
        true,
    ),
    (
        "R2DataCatalogCatalogCompactionConfig",
        "CompactionConfig",
        true,
    ),
    (
        "R2DataCatalogSnapshotExpirationConfig",
        "SnapshotExpirationConfig",
        true,
    ),
    (
        "R2DataCatalogMaintenanceUpdateParams",
        "MaintenanceUpdate",
        false,
    ),
    (
        "R2DataCatalogCompactionUpdateParams",
        "CompactionUpdate",
        false,
    ),
    (
        "R2DataCatalogSnapshotExpirationUpdateParams",
        "SnapshotExpirationUpdate",
        false,
    ),
    ("R2DataCatalogNamespaceListResponse", "NamespacePage", true),
    (
        "R2DataCatalogNamespaceIdentifier",
        "NamespaceIdentifier",
        true,
    ),
    ("R2DataCatalogNamespaceDetails", "NamespaceDetails", true),
    ("R2DataCatalogTableListResponse", "TablePage", true),
    ("R2DataCatalogTableIdentifier", "TableIdentifier", true),
    ("R2DataCatalogTableDetails", "TableDetails", true),
    ("R2DataCatalogGetTableResponse", "Table", true),
    (
        "R2DataCatalogTableMaintenanceConfigResponse",
        "TableMaintenance",
        true,
    ),
    (
        "R2DataCatalogTableMaintenanceConfig",
        "TableMaintenanceConfig",
        true,
    ),
    (
        "R2DataCatalogTableCompactionConfig",
        "TableCompactionConfig",
        true,
    ),
    ("R2DataCatalogTableMetadata", "TableMetadata", true),
    (
        "R2DataCatalogTableSnapshotExpirationConfig",
        "TableSnapshotExpirationConfig",
        true,
    ),
    (
        "R2DataCatalogMaintenanceRunsResponse",
        "MaintenanceRunPage",
        true,
    ),
    ("R2DataCatalogMaintenanceRunRecord", "MaintenanceRun", true),
    (
        "R2DataCatalogMaintenanceRunOperation",
        "MaintenanceRunStep",
        true,
    ),
    (
        "R2DataCatalogQueueMaintenanceResponse",
        "QueuedMaintenance",
        true,
    ),
    // The inline `result` of get-credential-status, moved into the components by
    // `answers_as_bytes` under the operation's name.
    ("GetCredentialStatusResult", "CredentialCheck", true),
    (
        "R2DataCatalogQueueMaintenanceRequest",
        "QueueMaintenanceBody",
        false,
    ),
];
