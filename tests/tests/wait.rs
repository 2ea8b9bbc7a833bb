//! Waiting for a queued maintenance run, through the SDK on loopback: the polls a wait makes
//! (exactly which requests, at which intervals), how it ends (the run over, whatever its
//! status; the timeout; a poll that failed), and many runs at once on the emulator.

mod common;

use std::time::Duration;

use cloudflare_r2_catalog::{
    Error, MaintenanceKind, RequestId,
    config::{RateShare, RetryConfig},
    error::RunNotOver,
    models::{MaintenanceRun, RunStatus},
    wait::{RunProgress, Waiting},
};
use cloudflare_r2_catalog_emulator::{Emulator, EmulatorBuilder, RateLimit, RunOutcome};
use futures_util::StreamExt;
use serde_json::{Value, json};

use common::*;

const REQUEST_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

fn request_id() -> RequestId {
    REQUEST_ID.parse().expect("a UUID")
}

/// The request line of one poll: the first page of `bronze.events`'s runs, no query.
fn poll_line() -> String {
    request_line(
        "GET",
        &catalog_path(&format!(
            "/{BUCKET}/namespaces/bronze/tables/events/maintenance-runs"
        )),
    )
}

/// A run as Cloudflare lists it: compaction, with `status` and `request_id`, and `extra`
/// fields on top.
fn run(run_id: i64, request_id: Option<&str>, status: &str, extra: Value) -> Value {
    let mut run = json!({
        "run_id": run_id,
        "configuration_type": "compaction",
        "status": status,
        "started_at": "2026-12-07T10:00:00Z",
        "operation_results": [],
    });
    if let Some(request_id) = request_id {
        run["request_id"] = json!(request_id);
    }
    if let (Some(run), Value::Object(extra)) = (run.as_object_mut(), extra) {
        run.extend(extra);
    }
    run
}

/// An answer listing `runs`, newest first.
fn page(runs: Vec<Value>) -> Reply {
    Reply::json("200 OK", &[], &success(json!({ "runs": runs })))
}

/// A raw server answering the polls with `pages` in turn, then with the last one.
fn server(pages: Vec<Reply>) -> RawServer {
    RawServer::start(move |poll| pages[poll.min(pages.len() - 1)].clone())
}

/// The maintenance handle of `bronze.events` on a client of `server`, with recorded sleeps.
fn maintenance_on(
    server: &RawServer,
    sleeps: &RecordedSleeps,
) -> cloudflare_r2_catalog::handles::TableMaintenanceHandle {
    events(&server.client(sleeps)).maintenance()
}

#[tokio::test]
async fn a_wait_polls_until_its_run_is_over_and_returns_it() {
    let other = run(
        40,
        Some("00000000-0000-4000-8000-000000000000"),
        "running",
        json!({}),
    );
    let succeeded = run(
        41,
        Some(REQUEST_ID),
        "succeeded",
        json!({"completed_at": "2026-12-07T10:01:00Z", "duration_ms": 60000}),
    );
    let server = server(vec![
        page(vec![other.clone()]),
        page(vec![
            run(41, Some(REQUEST_ID), "running", json!({})),
            other.clone(),
        ]),
        page(vec![succeeded.clone(), other]),
    ]);
    let sleeps = RecordedSleeps::default();
    let ended = maintenance_on(&server, &sleeps)
        .wait_for(&request_id(), &Waiting::new())
        .await
        .expect("the run ended");
    let expected: MaintenanceRun = serde_json::from_value(succeeded).expect("a run");
    assert_eq!(ended, expected);
    assert_eq!(server.request_lines(), vec![poll_line(); 3]);
    // At once, then after the first interval, then after twice it.
    assert_eq!(
        sleeps.waits(),
        [Duration::from_secs(5), Duration::from_secs(10)]
    );
}

#[tokio::test]
async fn following_a_run_gives_each_poll_then_ends_with_the_run_over() {
    let server = server(vec![
        page(vec![]),
        page(vec![run(7, Some(REQUEST_ID), "running", json!({}))]),
        page(vec![run(
            7,
            Some(REQUEST_ID),
            "failed",
            json!({"primary_error_code": 50002}),
        )]),
    ]);
    let sleeps = RecordedSleeps::default();
    let waiting = Waiting::new().poll_interval(Duration::from_secs(2));
    let progress: Vec<RunProgress> = maintenance_on(&server, &sleeps)
        .follow(&request_id(), &waiting)
        .map(|seen| seen.expect("a poll"))
        .collect()
        .await;
    let seen: Vec<_> = progress
        .iter()
        .map(|seen| {
            (
                seen.run.as_ref().map(|run| run.status.clone()),
                seen.is_over(),
            )
        })
        .collect();
    // A failed run ends the wait as a success would: it is what the wait found.
    assert_eq!(
        seen,
        [
            (None, false),
            (Some(RunStatus::Running), false),
            (Some(RunStatus::Failed), true),
        ]
    );
    assert_eq!(
        progress
            .last()
            .and_then(|seen| seen.run.as_ref()?.primary_error_code),
        Some(50002)
    );
    assert_eq!(
        progress.iter().map(|seen| seen.elapsed).collect::<Vec<_>>()[1..],
        [Duration::from_secs(2), Duration::from_secs(6)]
    );
    assert_eq!(server.request_lines().len(), 3);
}

/// A wait as `waiting` says for a run that is always `running`, to its timeout: the error it
/// ended with, the pauses it made, and the server it polled.
async fn waited_out(waiting: Waiting) -> (Error, Vec<Duration>, RawServer) {
    let server = server(vec![page(vec![run(
        7,
        Some(REQUEST_ID),
        "running",
        json!({}),
    )])]);
    let sleeps = RecordedSleeps::default();
    let error = maintenance_on(&server, &sleeps)
        .wait_for(&request_id(), &waiting)
        .await
        .expect_err("still running");
    (error, sleeps.waits(), server)
}

#[tokio::test]
async fn a_wait_ends_at_its_timeout_saying_the_run_goes_on() {
    let (error, waits, server) = waited_out(Waiting::new().timeout(Duration::from_secs(30))).await;
    let Error::RunNotOver(not_over) = &error else {
        panic!("not RunNotOver: {error:?}");
    };
    assert_eq!(
        *not_over,
        RunNotOver::new(
            request_id(),
            Duration::from_secs(30),
            Some(RunStatus::Running)
        )
    );
    assert_eq!(
        error.to_string(),
        format!(
            "the run queued as {REQUEST_ID} was still running after 30 s: it goes on; the \
             table's maintenance runs show how it ends"
        )
    );
    // The last interval is cut to the timeout, where the last poll is made.
    assert_eq!(waits, [5, 10, 15].map(Duration::from_secs));
    assert_eq!(server.request_lines(), vec![poll_line(); 4]);
}

#[tokio::test]
async fn a_run_never_listed_ends_the_wait_saying_the_scheduler_has_not_taken_it() {
    let server = server(vec![page(vec![])]);
    let sleeps = RecordedSleeps::default();
    let waiting = Waiting::new().timeout(Duration::from_secs(5));
    let error = maintenance_on(&server, &sleeps)
        .wait_for(&request_id(), &waiting)
        .await
        .expect_err("not listed");
    assert!(matches!(&error, Error::RunNotOver(not_over) if not_over.last_status().is_none()));
    assert_eq!(
        error.to_string(),
        format!(
            "the run queued as {REQUEST_ID} was not listed yet after 5 s: Cloudflare's scheduler \
             takes queued maintenance when it next polls; the table's maintenance runs show it \
             once it starts"
        )
    );
}

#[tokio::test]
async fn intervals_double_up_to_a_minute() {
    let (error, waits, _) = waited_out(Waiting::new().timeout(Duration::from_secs(300))).await;
    assert!(matches!(error, Error::RunNotOver(_)));
    assert_eq!(
        waits,
        [5, 10, 20, 40, 60, 60, 60, 45].map(Duration::from_secs)
    );
}

#[tokio::test]
async fn an_interval_under_a_second_is_a_second_and_a_longer_one_is_kept() {
    for (asked, expected) in [
        (Duration::ZERO, vec![1, 2, 4]),
        (Duration::from_secs(90), vec![90, 90, 90]),
    ] {
        let timeout = Duration::from_secs(expected.iter().sum());
        let (error, waits, _) =
            waited_out(Waiting::new().poll_interval(asked).timeout(timeout)).await;
        assert!(matches!(error, Error::RunNotOver(_)));
        assert_eq!(
            waits,
            expected
                .into_iter()
                .map(Duration::from_secs)
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn a_status_the_sdk_does_not_know_ends_the_wait_only_with_a_completion_time() {
    let server = server(vec![
        page(vec![run(7, Some(REQUEST_ID), "queued", json!({}))]),
        page(vec![run(
            7,
            Some(REQUEST_ID),
            "skipped",
            json!({"completed_at": "2026-12-07T10:00:01Z"}),
        )]),
    ]);
    let sleeps = RecordedSleeps::default();
    let ended = maintenance_on(&server, &sleeps)
        .wait_for(&request_id(), &Waiting::new())
        .await
        .expect("the run ended");
    assert_eq!(ended.status, RunStatus::Other("skipped".to_owned()));
    assert_eq!(server.request_lines().len(), 2);
}

#[tokio::test]
async fn the_run_is_found_by_its_request_id_in_any_case_at_its_latest_run() {
    // Listed out of order: the latest run is the one with the highest id.
    let server = server(vec![page(vec![
        run(9, None, "succeeded", json!({})),
        run(7, Some(REQUEST_ID), "succeeded", json!({})),
        run(8, Some(&REQUEST_ID.to_uppercase()), "cancelled", json!({})),
    ])]);
    let sleeps = RecordedSleeps::default();
    let ended = maintenance_on(&server, &sleeps)
        .wait_for(&request_id(), &Waiting::new())
        .await
        .expect("the run ended");
    assert_eq!((ended.run_id, ended.status), (8, RunStatus::Cancelled));
}

#[tokio::test]
async fn a_poll_that_fails_ends_the_wait_with_its_error_and_nothing_more_is_sent() {
    let server = server(vec![Reply::json(
        "404 Not Found",
        &[],
        &failure(40403, "Table not found"),
    )]);
    let sleeps = RecordedSleeps::default();
    let mut progress = maintenance_on(&server, &sleeps).follow(&request_id(), &Waiting::new());
    let error = progress.next().await.expect("an item").expect_err("failed");
    assert!(error.is_table_not_found(), "{error:?}");
    assert!(progress.next().await.is_none());
    assert_eq!(server.request_lines(), [poll_line()]);
    assert_eq!(sleeps.waits(), Vec::<Duration>::new());
}

/// Queues compaction of each of `tables` (of `bronze`) on `emulator`, returning each table's
/// handle and request id.
async fn queue_each(
    client: &cloudflare_r2_catalog::Client,
    tables: &[&str],
) -> Vec<(cloudflare_r2_catalog::handles::TableHandle, RequestId)> {
    let mut queued = Vec::new();
    for name in tables {
        let table = catalog(client).table("bronze", *name).expect("a table");
        let request_id = RequestId::random();
        table
            .maintenance()
            .queue(MaintenanceKind::Compaction, &request_id)
            .await
            .expect("queued");
        queued.push((table, request_id));
    }
    queued
}

/// `builder`'s emulator with `bronze.{name}` for each of `names`, its catalog enabled, and a
/// client with real sleeps.
async fn tables_on(
    builder: EmulatorBuilder,
    names: &[&str],
) -> (Emulator, cloudflare_r2_catalog::Client) {
    let emulator = builder.bucket(BUCKET).start().await.expect("starts");
    for name in names {
        emulator
            .add_table(BUCKET, "bronze", *name)
            .expect("a table");
    }
    let client = builder_at(emulator.base_url(), &RecordedSleeps::default())
        .retry(RetryConfig::default())
        .build()
        .expect("valid config");
    catalog(&client).enable().await.expect("enabled");
    (emulator, client)
}

/// An emulator whose runs last `duration` and end as `outcome`, with `bronze.events`,
/// `bronze.clicks` and `bronze.orders` (see [`tables_on`]).
async fn three_tables(
    duration: Duration,
    outcome: RunOutcome,
) -> (Emulator, cloudflare_r2_catalog::Client) {
    let builder = Emulator::builder()
        .run_duration(duration)
        .runs_end_as(outcome);
    tables_on(builder, &["events", "clicks", "orders"]).await
}

#[tokio::test]
async fn many_runs_are_waited_for_at_once_each_reported_as_it_ends() {
    let (emulator, client) = three_tables(Duration::from_secs(2), RunOutcome::failed()).await;
    let queued = queue_each(&client, &["events", "clicks", "orders"]).await;
    let before = emulator.requests().len();
    let waiting = Waiting::new().poll_interval(Duration::from_secs(1));
    let mut waited: Vec<_> = waiting
        .all(queued.clone())
        .map(|waited| {
            let run = waited.outcome.expect("the run ended");
            assert_eq!(run.request_id.as_deref(), Some(waited.request_id.as_ref()));
            (
                waited.table.name().to_string(),
                run.status,
                run.primary_error_code,
            )
        })
        .collect()
        .await;
    waited.sort_by(|a, b| a.0.cmp(&b.0));
    let failed = |name: &str| (name.to_owned(), RunStatus::Failed, Some(50002));
    assert_eq!(
        waited,
        [failed("clicks"), failed("events"), failed("orders")]
    );
    // The runs last 2 s, polled at once, after 1 s and after 2 s more: each table at most 3
    // times, only its runs listing.
    let polls = emulator.requests()[before..].to_vec();
    assert!((6..=9).contains(&polls.len()), "{} polls", polls.len());
    for (table, _) in &queued {
        let path = format!(
            "/namespaces/bronze/tables/{}/maintenance-runs",
            table.name()
        );
        let of_table = polls
            .iter()
            .filter(|poll| poll.path.ends_with(&path))
            .count();
        assert!((2..=3).contains(&of_table), "{of_table} polls of {path}");
    }
    assert!(polls.iter().all(|poll| poll.method == "GET"));
}

#[tokio::test]
async fn a_run_that_succeeds_on_the_emulator_is_seen_running_then_succeeded() {
    let (_emulator, client) = three_tables(Duration::from_secs(2), RunOutcome::Succeeded).await;
    let queued = queue_each(&client, &["events"]).await;
    let (table, request_id) = &queued[0];
    let waiting = Waiting::new().poll_interval(Duration::from_secs(1));
    let statuses: Vec<_> = table
        .maintenance()
        .follow(request_id, &waiting)
        .map(|seen| seen.expect("a poll").run.map(|run| run.status))
        .collect()
        .await;
    assert_eq!(statuses.first(), Some(&Some(RunStatus::Running)));
    assert_eq!(statuses.last(), Some(&Some(RunStatus::Succeeded)));
    assert!(statuses.len() <= 3, "{statuses:?}");
}

#[tokio::test]
async fn the_polls_of_many_runs_keep_to_the_rate_limit() {
    // 10 requests per 2 s: the enable, the queues and a poll of each table at once would
    // overrun it, and so would polls of six tables every second.
    let limit = RateLimit::new(10, Duration::from_secs(2))
        .and_then(|limit| limit.with_block(Duration::from_secs(1)))
        .expect("a valid limit");
    let builder = Emulator::builder()
        .rate_limit(limit)
        .run_duration(Duration::from_secs(3));
    let names = ["a", "b", "c", "d", "e", "f"];
    let (emulator, client) = tables_on(builder, &names).await;
    let queued = queue_each(&client, &names).await;
    let waiting = Waiting::new()
        .poll_interval(Duration::from_secs(1))
        .rate_share(RateShare::percent(50).expect("a share"));
    let ended = waiting
        .all(queued)
        .filter(|waited| std::future::ready(waited.outcome.is_ok()))
        .count()
        .await;
    assert_eq!(ended, names.len());
    assert_eq!(emulator.throttled(), 0);
}

#[tokio::test]
async fn a_run_no_longer_listed_is_kept_as_last_seen() {
    let running = run(7, Some(REQUEST_ID), "running", json!({}));
    let server = server(vec![
        page(vec![running.clone()]),
        page(vec![run(8, None, "succeeded", json!({}))]),
    ]);
    let sleeps = RecordedSleeps::default();
    let waiting = Waiting::new().timeout(Duration::from_secs(5));
    let progress: Vec<_> = maintenance_on(&server, &sleeps)
        .follow(&request_id(), &waiting)
        .collect()
        .await;
    let expected: MaintenanceRun = serde_json::from_value(running).expect("a run");
    // At once, and at the timeout, then no more.
    let [Ok(first), Ok(second), Err(Error::RunNotOver(not_over))] = &progress[..] else {
        panic!("two looks, then the timeout: {progress:?}");
    };
    assert_eq!(
        (&first.run, &second.run),
        (&Some(expected.clone()), &Some(expected))
    );
    assert_eq!(not_over.last_status(), Some(&RunStatus::Running));
}
