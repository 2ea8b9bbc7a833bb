//! The emulator's maintenance runs over time, through the SDK on loopback: `running` once
//! queued, then, once their duration has passed, `succeeded` or `failed` as the emulator is
//! set up; each listing checked against the spec's schema.

mod common;
#[path = "common/schema.rs"]
mod schema;

use std::time::{Duration, Instant};

use cloudflare_r2_catalog::{
    Client, RequestId,
    models::{MaintenanceRun, MaintenanceStep, RunStatus, StepStatus},
};
use cloudflare_r2_catalog_emulator::{
    Emulator, EmulatorBuilder, Operation, RUN_FAILURE_CODE, RUN_FAILURE_MESSAGE, RunOutcome,
};
use common::*;
use schema::response_violations;

/// An emulator set up by `builder` with [`BUCKET`] holding `bronze.events`, its catalog
/// enabled, and a client.
async fn table_on(builder: EmulatorBuilder) -> (Emulator, Client) {
    let emulator = builder.bucket(BUCKET).start().await.expect("starts");
    let client = client_of(&emulator, &RecordedSleeps::default());
    with_a_table(emulator, client).await
}

/// Queues compaction of `bronze.events`, returning its request id.
async fn queue(client: &Client) -> String {
    let request_id = RequestId::random();
    queue_compaction(client, &request_id).await.expect("queued");
    request_id.to_string()
}

/// The runs of `bronze.events` as sent on the wire, checked against the spec: the latest run.
async fn latest_run_checked(emulator: &Emulator, client: &Client) -> MaintenanceRun {
    let url = format!(
        "{}/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/namespaces/bronze/tables/events/maintenance-runs",
        emulator.base_url()
    );
    let answer = integration_tests::plain_http()
        .get(url)
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status().as_u16(), 200);
    let body = answer.bytes().await.expect("a body");
    assert_eq!(
        response_violations(Operation::ListTableMaintenanceRuns.id(), 200, &body),
        Vec::<String>::new()
    );
    runs_of_events(client)
        .await
        .into_iter()
        .next()
        .expect("a run")
}

/// Lists the latest run every few milliseconds until it is no longer `running` (at most 10
/// seconds), and returns it, with how long after `since` it was first seen ended.
async fn wait_for_end(
    emulator: &Emulator,
    client: &Client,
    since: Instant,
) -> (MaintenanceRun, Duration) {
    loop {
        let run = latest_run_checked(emulator, client).await;
        if run.status != RunStatus::Running {
            return (run, since.elapsed());
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "the run never ends"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_queued_run_is_running_until_its_duration_has_passed_then_succeeded() {
    let duration = Duration::from_millis(150);
    let (emulator, client) = table_on(Emulator::builder().run_duration(duration)).await;
    let queued_at = Instant::now();
    let request_id = queue(&client).await;

    let running = latest_run_checked(&emulator, &client).await;
    assert!(
        queued_at.elapsed() < duration,
        "listed too late to see it run"
    );
    assert_eq!(running.status, RunStatus::Running);
    assert_eq!(running.request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(running.completed_at, None);
    assert_eq!(running.duration_ms, None);
    assert_eq!(running.operation_results, []);
    assert_eq!(running.primary_error_code, None);

    let (ended, after) = wait_for_end(&emulator, &client, queued_at).await;
    assert!(
        after >= duration,
        "ended after {after:?}, before {duration:?}"
    );
    assert_eq!(ended.status, RunStatus::Succeeded);
    assert_eq!(
        (ended.run_id, &ended.started_at, &ended.request_id),
        (running.run_id, &running.started_at, &running.request_id)
    );
    assert!(ended.completed_at.as_deref() >= Some(ended.started_at.as_str()));
    assert_eq!(ended.duration_ms, Some(150));
    assert_eq!(
        step_statuses(&ended),
        [
            (&MaintenanceStep::RewriteManifests, &StepStatus::Skipped),
            (&MaintenanceStep::Compaction, &StepStatus::Skipped),
        ]
    );
    assert_eq!(
        (ended.primary_error_code, ended.customer_message),
        (None, None)
    );
}

#[tokio::test]
async fn by_default_a_run_is_still_running_right_after_it_is_queued() {
    let (emulator, client) = table_on(Emulator::builder()).await;
    queue(&client).await;
    let run = latest_run_checked(&emulator, &client).await;
    assert_eq!(run.status, RunStatus::Running, "the default lasts 2 s");
}

#[tokio::test]
async fn a_run_duration_past_the_clock_is_taken_as_a_day() {
    // Duration::MAX after now overflows any clock: the emulator must not panic on it.
    let (emulator, client) = table_on(Emulator::builder().run_duration(Duration::MAX)).await;
    queue(&client).await;
    let run = latest_run_checked(&emulator, &client).await;
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(
        emulator
            .requests()
            .last()
            .and_then(|request| request.status),
        Some(200)
    );
}

#[tokio::test]
async fn a_failing_emulators_run_ends_failed_with_its_code_and_message() {
    let duration = Duration::from_millis(40);
    let builder = Emulator::builder()
        .run_duration(duration)
        .runs_end_as(RunOutcome::failed());
    let (emulator, client) = table_on(builder).await;
    let queued_at = Instant::now();
    queue(&client).await;

    let (failed, after) = wait_for_end(&emulator, &client, queued_at).await;
    assert!(
        after >= duration,
        "ended after {after:?}, before {duration:?}"
    );
    assert_eq!(failed.status, RunStatus::Failed);
    assert_eq!(failed.primary_error_code, Some(RUN_FAILURE_CODE));
    assert_eq!(
        failed.customer_message.as_deref(),
        Some(RUN_FAILURE_MESSAGE)
    );
    assert!(failed.completed_at.is_some());
    assert_eq!(failed.duration_ms, Some(40));
    let steps: Vec<(&MaintenanceStep, &StepStatus, Option<i32>)> = failed
        .operation_results
        .iter()
        .map(|step| (&step.operation, &step.status, step.error_code))
        .collect();
    assert_eq!(
        steps,
        [
            (
                &MaintenanceStep::RewriteManifests,
                &StepStatus::Failed,
                Some(RUN_FAILURE_CODE)
            ),
            (&MaintenanceStep::Compaction, &StepStatus::NotRun, None),
        ]
    );
}

#[tokio::test]
async fn a_run_can_fail_with_the_code_and_message_a_test_names() {
    let outcome = RunOutcome::Failed {
        code: 40903,
        message: "A maintenance run for the table is in progress".to_owned(),
    };
    let builder = Emulator::builder()
        .run_duration(Duration::ZERO)
        .runs_end_as(outcome);
    let (emulator, client) = table_on(builder).await;
    queue(&client).await;
    let failed = latest_run_checked(&emulator, &client).await;
    assert_eq!(
        failed.status,
        RunStatus::Failed,
        "a zero duration ends it at once"
    );
    assert_eq!(failed.primary_error_code, Some(40903));
    assert_eq!(
        failed.customer_message.as_deref(),
        Some("A maintenance run for the table is in progress")
    );
    assert_eq!(
        failed.completed_at.as_deref(),
        Some(failed.started_at.as_str())
    );
    assert_eq!(failed.duration_ms, Some(0));
}
