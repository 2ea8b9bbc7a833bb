//! A seed's past maintenance runs, through the SDK on loopback: listed newest first as the
//! seed tells them, before the runs queued later; and a seed with a run the API could not list
//! refused whole, saying which run and why.

mod common;

use cloudflare_r2_catalog::{
    MaintenanceKind, RequestId,
    models::{MaintenanceStep, RunStatus, StepStatus},
};
use cloudflare_r2_catalog_emulator::{Emulator, Seed};
use common::*;
use serde_json::{Value, json};

/// A seed of [`BUCKET`] holding `bronze.events` with `runs`.
fn seed_with_runs(runs: Value) -> Seed {
    serde_json::from_value(json!({"buckets": {BUCKET: {
        "tables": [{"namespace": ["bronze"], "name": "events", "runs": runs}],
    }}}))
    .expect("a seed")
}

#[tokio::test]
async fn seeded_runs_are_listed_newest_first_as_told_then_queued_runs_before_them() {
    let emulator = Emulator::builder().start().await.expect("starts");
    emulator
        .seed(&seed_with_runs(json!([
            {"kind": "compaction", "status": "running", "started_at": "2026-11-24T16:00:00Z"},
            {"kind": "snapshot_expiration", "status": "timed_out",
             "started_at": "2026-11-24T15:00:00Z", "duration_ms": 3600000},
            {"kind": "compaction", "status": "failed", "started_at": "2026-11-24T14:30:45Z",
             "duration_ms": 4200, "error_code": 50002, "customer_message": "no credential"},
            {"kind": "compaction", "status": "succeeded", "started_at": "2026-11-24T14:30:45Z",
             "duration_ms": 0},
        ])))
        .expect("seeded");
    let client = client_of(&emulator, &RecordedSleeps::default());
    catalog(&client).enable().await.expect("enabled");
    queue_compaction(&client, &RequestId::random())
        .await
        .expect("queued");

    let runs = runs_of_events(&client).await;
    let told: Vec<_> = runs
        .iter()
        .map(|run| {
            (
                run.run_id,
                run.configuration_type.clone(),
                run.status.clone(),
                run.started_at.as_str(),
                run.completed_at.as_deref(),
                run.duration_ms,
                run.primary_error_code,
                run.customer_message.as_deref(),
            )
        })
        .collect();
    let queued = &runs[0];
    assert_eq!(
        told[1..],
        [
            (
                4,
                MaintenanceKind::Compaction,
                RunStatus::Running,
                "2026-11-24T16:00:00Z",
                None,
                None,
                None,
                None
            ),
            (
                3,
                MaintenanceKind::SnapshotExpiration,
                RunStatus::TimedOut,
                "2026-11-24T15:00:00Z",
                Some("2026-11-24T16:00:00Z"),
                Some(3_600_000),
                None,
                None
            ),
            (
                2,
                MaintenanceKind::Compaction,
                RunStatus::Failed,
                "2026-11-24T14:30:45Z",
                Some("2026-11-24T14:30:49Z"),
                Some(4200),
                Some(50002),
                Some("no credential")
            ),
            (
                1,
                MaintenanceKind::Compaction,
                RunStatus::Succeeded,
                "2026-11-24T14:30:45Z",
                Some("2026-11-24T14:30:45Z"),
                Some(0),
                None,
                None
            ),
        ]
    );
    assert_eq!(
        (queued.run_id, &queued.status),
        (5, &RunStatus::Running),
        "queued after the seeded runs, numbered after them"
    );
    assert_eq!(step_statuses(&runs[1]), []);
    assert_eq!(
        step_statuses(&runs[2]),
        [(&MaintenanceStep::SnapshotExpiration, &StepStatus::Failed)]
    );
    assert_eq!(runs[3].operation_results[0].error_code, Some(50002));
    assert_eq!(
        step_statuses(&runs[3]),
        [
            (&MaintenanceStep::RewriteManifests, &StepStatus::Failed),
            (&MaintenanceStep::Compaction, &StepStatus::NotRun),
        ]
    );
    assert_eq!(
        step_statuses(&runs[4]),
        [
            (&MaintenanceStep::RewriteManifests, &StepStatus::Skipped),
            (&MaintenanceStep::Compaction, &StepStatus::Skipped),
        ]
    );
}

#[tokio::test]
async fn a_seed_with_a_run_the_api_could_not_list_is_refused_whole() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .start()
        .await
        .expect("starts");
    let ended = json!({"kind": "compaction", "status": "succeeded",
                       "started_at": "2026-11-24T14:30:45Z", "duration_ms": 10});
    let with = |field: &str, value: Value| {
        let mut run = ended.clone();
        run[field] = value;
        run
    };
    let without = |field: &str| {
        let mut run = ended.clone();
        run.as_object_mut().expect("an object").remove(field);
        run
    };
    let table =
        format!("run 2 (newest first) of table events in namespace bronze of bucket {BUCKET}");
    let cases = [
        (
            with("kind", json!("vacuum")),
            "has a kind other than compaction or snapshot_expiration",
        ),
        (
            with("status", json!("paused")),
            "has a status other than running, succeeded, failed, interrupted, timed_out or cancelled",
        ),
        (
            with("started_at", json!("2026-11-24T14:30:45+00:00")),
            "has a started_at other than a UTC time to the second, as 2026-11-24T14:30:45Z",
        ),
        (
            with("status", json!("running")),
            "is running, so has no duration_ms yet",
        ),
        (without("duration_ms"), "is over, so needs its duration_ms"),
        (
            with("duration_ms", json!(86_400_001)),
            "has a duration_ms over a day (86400000)",
        ),
        (
            with("started_at", json!("9999-12-31T23:59:59Z")),
            "ends after 9999-12-31T23:59:59Z, the last time the API writes",
        ),
        (
            with("error_code", json!(50002)),
            "has an error_code or customer_message, which only a run over without succeeding has",
        ),
        (
            with("started_at", json!("2026-11-24T14:30:46Z")),
            "started after the run listed before it: list runs newest first",
        ),
    ];
    for (run, reason) in cases {
        let seed = seed_with_runs(json!([ended, run]));
        let refused = emulator.seed(&seed).expect_err("refused");
        assert_eq!(refused.to_string(), format!("{table} {reason}"));
    }
    let too_many = seed_with_runs(Value::Array(vec![ended.clone(); 1001]));
    assert_eq!(
        emulator.seed(&too_many).expect_err("refused").to_string(),
        format!(
            "run 1001 (newest first) of table events in namespace bronze of bucket {BUCKET} is one too many: a table keeps at most 1000 runs"
        )
    );
    let twice: Seed = serde_json::from_value(json!({"buckets": {BUCKET: {"tables": [
        {"namespace": ["bronze"], "name": "events", "runs": [ended]},
        {"namespace": ["bronze"], "name": "events"},
    ]}}}))
    .expect("a seed");
    assert_eq!(
        emulator.seed(&twice).expect_err("refused").to_string(),
        format!("table events in namespace bronze of bucket {BUCKET} is listed twice in the seed")
    );
    let client = client_of(&emulator, &RecordedSleeps::default());
    catalog(&client).enable().await.expect("enabled");
    let namespaces = catalog(&client)
        .namespaces()
        .list(cloudflare_r2_catalog::ListOptions::new())
        .await
        .expect("listed")
        .result
        .namespaces;
    assert_eq!(namespaces, [], "nothing of a refused seed is applied");
    let unknown: Result<Seed, _> = serde_json::from_value(json!({"buckets": {BUCKET: {
        "tables": [{"namespace": ["bronze"], "name": "events", "runs": [with("outcome", json!("ok"))]}],
    }}}));
    assert!(unknown.is_err(), "unknown fields are refused");
}
