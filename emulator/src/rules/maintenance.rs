//! Maintenance: updating the catalog's and a table's settings (each bounded by its own rule),
//! and queueing a table's maintenance, which the emulator records as a run that ends on its own.

use std::time::SystemTime;

use cloudflare_r2_catalog::{
    MaintenanceKind, RequestId,
    error::ValidationError,
    models::{
        MaintenanceConfig, MaintenanceState, MaintenanceUpdate, QueuedMaintenance,
        SnapshotExpirationConfig, SnapshotExpirationUpdate, TargetFileSize,
    },
};
use http::StatusCode;
use serde_json::Value;

use super::Call;
use crate::clock::days_since_epoch;
use crate::defaults::{default_compaction, default_expiration};
use crate::models::table_maintenance;
use crate::reply::{DAILY_LIMIT_MESSAGE, Reply, codes};
use crate::run::RecordedRun;
use crate::state::{CatalogRecord, RunBook, TableRecord, random_uuid};

/// Applies a catalog-level update. Turning compaction or snapshot expiration on needs a stored
/// credential, which the jobs run with (Cloudflare's 400 "A credential is not present for the
/// warehouse=…"); tables' updates do not.
pub(super) fn update_catalog_maintenance(
    warehouse: &str,
    catalog: &mut CatalogRecord,
    body: &[u8],
) -> Reply {
    let update = match maintenance_update(body) {
        Ok(update) => update,
        Err(reply) => return reply,
    };
    if turns_a_job_on(&update) && !catalog.has_credential {
        return Reply::bad_request(format!(
            "{} for the warehouse={warehouse}",
            cloudflare_r2_catalog::codes::CREDENTIAL_MISSING_MESSAGE
        ));
    }
    apply_maintenance(&mut catalog.maintenance, update);
    Reply::success(catalog.maintenance.clone())
}

/// Applies a table-level update. A job cannot be on for a table while it is off for its
/// catalog: turning compaction on then is 400, code 40012, and snapshot expiration 400, code
/// 40013 (compaction judged first); nothing of such an update is applied.
pub(super) fn update_table_maintenance(
    table: &mut TableRecord,
    catalog: &MaintenanceConfig,
    body: &[u8],
) -> Reply {
    let update = match maintenance_update(body) {
        Ok(update) => update,
        Err(reply) => return reply,
    };
    let (compaction_on, expiration_on) = turned_on(&update);
    let catalog_has = |state: Option<&MaintenanceState>| state == Some(&MaintenanceState::Enabled);
    let catalog_compaction = catalog.compaction.as_ref().map(|job| &job.state);
    if compaction_on && !catalog_has(catalog_compaction) {
        return Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::CATALOG_COMPACTION_DISABLED,
            CATALOG_COMPACTION_DISABLED_MESSAGE,
        );
    }
    let catalog_expiration = catalog.snapshot_expiration.as_ref().map(|job| &job.state);
    if expiration_on && !catalog_has(catalog_expiration) {
        return Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::CATALOG_SNAPSHOT_EXPIRATION_DISABLED,
            CATALOG_EXPIRATION_DISABLED_MESSAGE,
        );
    }
    apply_maintenance(&mut table.maintenance, update);
    Reply::success(table_maintenance(&table.maintenance))
}

/// The emulator's messages with 40012 and 40013; Cloudflare's own are not known.
const CATALOG_COMPACTION_DISABLED_MESSAGE: &str =
    "Compaction cannot be enabled for the table while it is disabled for the catalog";
const CATALOG_EXPIRATION_DISABLED_MESSAGE: &str =
    "Snapshot expiration cannot be enabled for the table while it is disabled for the catalog";

/// Whether `update` sets compaction's or snapshot expiration's state to enabled.
fn turns_a_job_on(update: &MaintenanceUpdate) -> bool {
    let (compaction, expiration) = turned_on(update);
    compaction || expiration
}

/// Whether `update` sets compaction's state, and snapshot expiration's, to enabled.
fn turned_on(update: &MaintenanceUpdate) -> (bool, bool) {
    let enabled = |state: Option<&MaintenanceState>| state == Some(&MaintenanceState::Enabled);
    (
        update
            .compaction
            .as_ref()
            .is_some_and(|compaction| enabled(compaction.state.as_ref())),
        update
            .snapshot_expiration
            .as_ref()
            .is_some_and(|expiration| enabled(expiration.state.as_ref())),
    )
}

/// Applies `update` to `current`: the fields it sets, and nothing else. The catalog's and a
/// table's updates have one wire shape (the spec's catalog- and table-maintenance-update-request).
fn apply_maintenance(current: &mut MaintenanceConfig, update: MaintenanceUpdate) {
    if let Some(compaction) = update.compaction {
        let config = current.compaction.get_or_insert_with(default_compaction);
        if let Some(state) = compaction.state {
            config.state = state;
        }
        if let Some(size) = compaction.target_size_mb {
            config.target_size_mb = size;
        }
    }
    if let Some(expiration) = update.snapshot_expiration {
        apply_expiration(
            current
                .snapshot_expiration
                .get_or_insert_with(default_expiration),
            expiration,
        );
    }
}

/// The update in `body`, refused (400) unless it parses and names only states and sizes the
/// spec allows: the SDK's enums keep values they do not know, which Cloudflare refuses.
fn maintenance_update(body: &[u8]) -> Result<MaintenanceUpdate, Reply> {
    let invalid =
        |reason: String| Reply::bad_request(format!("invalid maintenance update: {reason}"));
    let value: Value = serde_json::from_slice(body).map_err(|error| invalid(error.to_string()))?;
    // The SDK's models read a number where an answer has a string enum; a request must send
    // the spec's strings.
    for (job, field) in ENUM_FIELDS {
        let sent = &value[job][field];
        if !(sent.is_null() || sent.is_string()) {
            return Err(invalid(format!("{job}.{field} must be a string")));
        }
    }
    let update: MaintenanceUpdate =
        serde_json::from_value(value).map_err(|error| invalid(error.to_string()))?;
    known_values(&update).map_err(|error| invalid(error.to_string()))?;
    Ok(update)
}

/// Refuses a state or target size the SDK does not know, with the SDK's own error for it:
/// what parsing the same text as an input says (the SDK checks an update so before sending
/// it). The order is the SDK's: compaction's state, its size, then snapshot expiration's state.
fn known_values(update: &MaintenanceUpdate) -> Result<(), ValidationError> {
    if let Some(compaction) = &update.compaction {
        if let Some(state) = &compaction.state {
            state.as_str().parse::<MaintenanceState>()?;
        }
        if let Some(size) = &compaction.target_size_mb {
            size.as_str().parse::<TargetFileSize>()?;
        }
    }
    if let Some(state) = update
        .snapshot_expiration
        .as_ref()
        .and_then(|expiration| expiration.state.as_ref())
    {
        state.as_str().parse::<MaintenanceState>()?;
    }
    Ok(())
}

/// The string enums of a maintenance update, by job.
const ENUM_FIELDS: [(&str, &str); 3] = [
    ("compaction", "state"),
    ("compaction", "target_size_mb"),
    ("snapshot_expiration", "state"),
];

fn apply_expiration(config: &mut SnapshotExpirationConfig, update: SnapshotExpirationUpdate) {
    if let Some(state) = update.state {
        config.state = state;
    }
    if let Some(age) = update.max_snapshot_age {
        config.max_snapshot_age = age.to_string();
    }
    if let Some(keep) = update.min_snapshots_to_keep {
        config.min_snapshots_to_keep = i64::try_from(keep.get()).unwrap_or(i64::MAX);
    }
}

/// Queues maintenance of `table`: checks the kind and the body, answers a request id it
/// already accepted as it did then, applies the daily limit, and records the run it queues. A
/// real run starts when Cloudflare's scheduler next polls; the emulator's starts at once, is
/// `running` for the emulator's run duration, then ends as the emulator is set to: by default
/// `succeeded`, each step `skipped` (its tables hold no data), so code that polls the listing
/// for the end of its run sees it run, then end.
pub(super) fn queue_maintenance(
    table: &mut TableRecord,
    call: &Call<'_>,
    runs: &mut RunBook,
) -> Reply {
    let kind = call
        .params
        .configuration_type
        .as_deref()
        .and_then(|kind| kind.parse::<MaintenanceKind>().ok());
    let Some(kind) = kind else {
        return Reply::failure(
            StatusCode::NOT_FOUND,
            codes::MAINTENANCE_CONFIG_NOT_FOUND,
            "Maintenance configuration not found: it is compaction or snapshot_expiration",
        );
    };
    let request_id = match queue_request_id(call.body) {
        Ok(request_id) => request_id,
        Err(reply) => return reply,
    };
    // A request id the table already accepted: Cloudflare answers the original result and
    // queues nothing, so a client may retry a queue request whose answer it lost.
    if let Some(original) = request_id
        .as_deref()
        .and_then(|id| table.run_requested_as(id))
    {
        return queued(original.to_owned());
    }
    let now = SystemTime::now();
    if !table.admit_queue_request(runs.daily_limit, days_since_epoch(now)) {
        return Reply::failure(
            StatusCode::TOO_MANY_REQUESTS,
            codes::DAILY_QUEUE_LIMIT,
            DAILY_LIMIT_MESSAGE,
        );
    }
    let request_id = request_id.unwrap_or_else(random_uuid);
    let run_id = runs.take_run_id();
    table.record_run(RecordedRun::queued(
        run_id,
        kind,
        &request_id,
        now,
        &runs.plan,
    ));
    queued(request_id)
}

/// The answer to an accepted queue request: 202, with its request id as first sent.
fn queued(request_id: String) -> Reply {
    let mut queued = QueuedMaintenance::new(
        "Maintenance queued: it runs when the scheduler next polls".to_owned(),
        true,
    );
    queued.request_id = Some(request_id);
    Reply::accepted(queued)
}

/// The `request_id` of a queue request's body: a JSON object whose `request_id`, if there and
/// not null, is a UUID. Other fields are ignored, as Cloudflare ignores them.
fn queue_request_id(body: &[u8]) -> Result<Option<String>, Reply> {
    let invalid =
        || Reply::bad_request("body must be a JSON object whose request_id is a UUID or null");
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid());
    };
    match fields.get("request_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) if RequestId::new(id.as_str()).is_ok() => Ok(Some(id.clone())),
        Some(_) => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_body_is_an_object_with_an_optional_uuid() {
        let id = "6BA7B810-9dad-11d1-80b4-00c04fd430c8";
        let read = |body: &str| queue_request_id(body.as_bytes()).map_err(|reply| reply.status);
        assert_eq!(
            read(&format!(r#"{{"request_id":"{id}","extra":1}}"#)),
            Ok(Some(id.to_owned()))
        );
        assert_eq!(read("{}"), Ok(None));
        assert_eq!(read(r#"{"request_id":null}"#), Ok(None));
        for bad in [
            "",
            "null",
            "[]",
            r#"{"request_id":""}"#,
            r#"{"request_id":1}"#,
            r#"{"request_id":"x"}"#,
        ] {
            assert_eq!(read(bad), Err(StatusCode::BAD_REQUEST), "{bad:?}");
        }
    }

    #[test]
    fn a_maintenance_update_names_only_the_specs_values() {
        let read = |body: &str| maintenance_update(body.as_bytes()).map_err(|reply| reply.status);
        assert!(read(r#"{"compaction":{"state":"enabled","target_size_mb":"256"}}"#).is_ok());
        for bad in [
            r#"{"compaction":{"target_size_mb":"100"}}"#,
            r#"{"compaction":{"state":"paused"}}"#,
            r#"{"snapshot_expiration":{"state":"on"}}"#,
            r#"{"compaction":{"target_size_mb":256}}"#,
            r#"{"snapshot_expiration":{"state":1}}"#,
        ] {
            assert_eq!(read(bad).err(), Some(StatusCode::BAD_REQUEST), "{bad}");
        }
    }
}
