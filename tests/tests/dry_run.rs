//! Dry runs ([`Client::with_dry_run`]): every call builds its request exactly as the client
//! would send it (path family, base path, query, JSON body) and sends nothing, failing with
//! [`Error::DryRun`]. Checked against a loopback server that must receive no request: the exact
//! method, URL and body of each change and of the reads, secrets redacted, inputs still checked
//! first, and the client it came from still sending.

mod common;

use std::fmt::Debug;
use std::num::NonZeroU64;

use cloudflare_r2_catalog::{
    __cli::REDACTED,
    Client, Error, ListOptions, MaintenanceKind, RequestId,
    config::{PathFamily, RetryConfig},
    error::DryRun,
    input::SnapshotAge,
    models::{
        CompactionUpdate, MaintenanceState, MaintenanceUpdate, SnapshotExpirationUpdate,
        TargetFileSize,
    },
};
use common::*;
use futures_util::StreamExt;
use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

const REQUEST_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

/// The request `error` planned; any other error fails the test.
fn dry_run(error: &Error) -> &DryRun {
    match error {
        Error::DryRun(plan) => plan,
        other => panic!("expected a dry run, got {other:?}"),
    }
}

/// Asserts that `outcome` is a dry run that planned exactly `method url`, with exactly `body`.
#[track_caller]
fn assert_planned<T: Debug>(
    outcome: Result<T, Error>,
    method: &str,
    url: impl AsRef<str>,
    body: Option<Value>,
) {
    let error = outcome.expect_err("a dry run");
    let plan = dry_run(&error);
    assert_eq!(
        (plan.method.as_str(), plan.url.as_str(), plan.body.as_ref()),
        (method, url.as_ref(), body.as_ref())
    );
}

/// Asserts that `outcome` is a refusal of invalid input, for exactly `field`.
#[track_caller]
fn assert_invalid<T: Debug>(outcome: Result<T, Error>, field: &str) {
    match outcome {
        Err(Error::InvalidInput(invalid)) => assert_eq!(invalid.field(), field),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The full URL of `path` on `server`.
fn url(server: &MockServer, path: &str) -> String {
    format!("{}{path}", server.base_url())
}

/// The full URL on `server` of [`BUCKET`]'s catalog (default path family) followed by `rest`.
fn bucket_url(server: &MockServer, rest: &str) -> String {
    url(server, &catalog_path(&format!("/{BUCKET}{rest}")))
}

/// A dry-run client of `server` (see [`builder`]); a mock on `server` answering anything, to
/// prove that nothing reached it; and the client's recorded retry waits.
async fn dry_run_of(server: &MockServer) -> (Client, Mock<'_>, RecordedSleeps) {
    let nothing = catch_all(server).await;
    let sleeps = RecordedSleeps::default();
    let dry = builder(server, &sleeps)
        .build()
        .expect("valid config")
        .with_dry_run();
    (dry, nothing, sleeps)
}

/// The update of Cloudflare's request example, built with the SDK's types.
fn example_update() -> MaintenanceUpdate {
    MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            target_size_mb: Some(TargetFileSize::Mb256),
        }),
        snapshot_expiration: Some(SnapshotExpirationUpdate {
            max_snapshot_age: Some(SnapshotAge::new("14d").unwrap()),
            min_snapshots_to_keep: NonZeroU64::new(5),
            state: Some(MaintenanceState::Enabled),
        }),
    }
}

/// The example update as JSON: what the SDK sends for [`example_update`].
fn example_update_json() -> Value {
    json!({
        "compaction": {"state": "enabled", "target_size_mb": "256"},
        "snapshot_expiration": {"max_snapshot_age": "14d", "min_snapshots_to_keep": 5, "state": "enabled"},
    })
}

/// The body of a queue request: [`REQUEST_ID`].
fn queue_body() -> Value {
    json!({"request_id": REQUEST_ID})
}

#[tokio::test]
async fn every_change_is_planned_with_its_exact_method_url_and_body_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let (dry, nothing, sleeps) = dry_run_of(&server).await;
    let catalog = catalog(&dry);
    let table = events(&dry);
    let request_id = RequestId::new(REQUEST_ID).unwrap();
    let update = example_update();
    let only_compaction = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Disabled),
            target_size_mb: None,
        }),
        ..MaintenanceUpdate::default()
    };
    let bucket = |rest: &str| bucket_url(&server, rest);
    let on_table = |rest: &str| bucket(&format!("/namespaces/bronze/tables/events{rest}"));

    assert_planned(catalog.enable().await, "POST", bucket("/enable"), None);
    assert_planned(catalog.disable().await, "POST", bucket("/disable"), None);
    assert_planned(catalog.delete().await, "POST", bucket("/delete"), None);
    let without_force = catalog.delete().force(false).await;
    assert_planned(without_force, "POST", bucket("/delete"), None);
    let with_force = catalog.delete().force(true).await;
    assert_planned(with_force, "POST", bucket("/delete?force=true"), None);
    let stored = catalog.credential().store(CATALOG_TOKEN).await;
    let redacted = json!({"token": REDACTED});
    assert_planned(stored, "POST", bucket("/credential"), Some(redacted));

    let (maintenance, example) = (bucket("/maintenance-configs"), Some(example_update_json()));
    let updated = catalog.maintenance().update(&update).await;
    assert_planned(updated, "POST", &maintenance, example.clone());
    let partly = catalog.maintenance().update(&only_compaction).await;
    let disabled = json!({"compaction": {"state": "disabled"}});
    assert_planned(partly, "POST", &maintenance, Some(disabled));
    let on_the_table = table.maintenance().update(&update).await;
    let table_configs = on_table("/maintenance-configs");
    assert_planned(on_the_table, "POST", table_configs, example);

    for (kind, segment) in [
        (MaintenanceKind::Compaction, "compaction"),
        (MaintenanceKind::SnapshotExpiration, "snapshot_expiration"),
    ] {
        let queued = table.maintenance().queue(kind, &request_id).await;
        let queue = on_table(&format!("/maintenance-configs/{segment}/queue"));
        assert_planned(queued, "POST", queue, Some(queue_body()));
    }

    nothing.assert_calls_async(0).await;
    // A plan is no failure to retry.
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
}

#[tokio::test]
async fn reads_are_planned_too_and_a_listing_stream_yields_the_plan_once() {
    let server = MockServer::start_async().await;
    let (dry, nothing, sleeps) = dry_run_of(&server).await;
    let catalog = catalog(&dry);
    let bucket = |rest: &str| bucket_url(&server, rest);

    assert_planned(catalog.get().await, "GET", bucket(""), None);
    let all = url(&server, &catalog_path(""));
    assert_planned(dry.list_catalogs().await, "GET", all, None);
    let status = catalog.credential().status().await;
    assert_planned(status, "GET", bucket("/credential/status"), None);

    let options = ListOptions::new().page_size(5).with_uuids();
    let namespaces: Vec<_> = catalog.namespaces().items(options.clone()).collect().await;
    assert_eq!(
        namespaces.len(),
        1,
        "the plan ends the stream: {namespaces:?}"
    );
    let first = namespaces.into_iter().next().unwrap();
    let listed = bucket("/namespaces?page_size=5&return_uuids=true");
    assert_planned(first, "GET", listed, None);

    let bronze = catalog.namespace("bronze").unwrap();
    let pages: Vec<_> = bronze
        .tables()
        .pages(options.page_token("cursor-2"))
        .collect()
        .await;
    assert_eq!(pages.len(), 1, "the plan ends the stream: {pages:?}");
    let first = pages.into_iter().next().unwrap();
    let listed =
        bucket("/namespaces/bronze/tables?page_size=5&page_token=cursor-2&return_uuids=true");
    assert_planned(first, "GET", listed, None);

    nothing.assert_calls_async(0).await;
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
}

#[tokio::test]
async fn a_dry_run_connects_to_nothing_so_an_unreachable_server_makes_no_difference() {
    // Nothing listens on port 1: a request sent would fail to connect (and be retried).
    let sleeps = RecordedSleeps::default();
    let dry = builder_at("http://127.0.0.1:1", &sleeps)
        .build()
        .expect("valid config")
        .with_dry_run();

    let enabled = catalog(&dry).enable().await;

    let path = catalog_path(&format!("/{BUCKET}/enable"));
    assert_planned(enabled, "POST", format!("http://127.0.0.1:1{path}"), None);
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
}

#[tokio::test]
async fn the_catalog_token_and_the_clients_secrets_show_nowhere_in_a_planned_store() {
    const ACCESS_SECRET: &str = "access-secret-VALUE-77aa";
    let server = MockServer::start_async().await;
    let nothing = catch_all(&server).await;
    let dry = builder(&server, &RecordedSleeps::default())
        .header("cf-access-client-secret", ACCESS_SECRET)
        .build()
        .expect("valid config")
        .with_dry_run();

    let error = catalog(&dry)
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect_err("a dry run");

    let plan = dry_run(&error);
    assert_eq!(plan.body, Some(json!({"token": "** redacted **"})));
    assert_eq!(REDACTED, "** redacted **");
    let expected_url = url(&server, CREDENTIAL_PATH);
    assert_eq!(plan.url, expected_url);
    for shown in [
        format!("{error}"),
        format!("{error:?}"),
        format!("{:#}", error.report()),
        format!("{}", error.report()),
        format!("{plan:?}"),
    ] {
        for secret in [CATALOG_TOKEN, API_TOKEN, ACCESS_SECRET] {
            assert!(!shown.contains(secret), "{secret} shows in {shown}");
        }
    }
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_dry_run_shows_as_its_method_and_url_not_sent() {
    let server = MockServer::start_async().await;
    let (dry, nothing, _) = dry_run_of(&server).await;

    let error = catalog(&dry)
        .delete()
        .force(true)
        .await
        .expect_err("a dry run");

    let url = bucket_url(&server, "/delete?force=true");
    let expected = format!("dry run: POST {url} was not sent");
    assert_eq!(dry_run(&error).to_string(), expected);
    assert_eq!(error.to_string(), expected);
    // Nothing under it: the report is the same one line, plain or alternate.
    assert_eq!(error.report().to_string(), expected);
    assert_eq!(format!("{:#}", error.report()), expected);
    assert!(std::error::Error::source(&error).is_none());
    // It is no answer: no status, no codes, no ray, nothing to retry.
    assert_eq!(error.status(), None);
    assert!(error.codes().is_empty());
    assert_eq!(error.cf_ray(), None);
    assert!(!error.is_retryable());
    assert!(!error.is_not_found() && !error.is_conflict() && !error.is_auth());
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_r2_catalog_family_is_planned_under_its_paths_and_the_base_path_but_credential_status_stays_basin()
 {
    let server = MockServer::start_async().await;
    let nothing = catch_all(&server).await;
    let base = format!("{}/client/v4/", server.base_url());
    let dry = builder_at(&base, &RecordedSleeps::default())
        .paths(PathFamily::R2Catalog)
        .build()
        .expect("valid config")
        .with_dry_run();
    assert_eq!(dry.paths(), PathFamily::R2Catalog);
    let under = |path: String| format!("{}/client/v4{path}", server.base_url());
    let r2 = |rest: &str| under(r2_catalog_path(&format!("/{BUCKET}{rest}")));
    let catalog = catalog(&dry);
    let request_id = RequestId::new(REQUEST_ID).unwrap();

    assert_planned(catalog.enable().await, "POST", r2("/enable"), None);
    let with_force = catalog.delete().force(true).await;
    assert_planned(with_force, "POST", r2("/delete?force=true"), None);
    let stored = catalog.credential().store(CATALOG_TOKEN).await;
    let redacted = json!({"token": REDACTED});
    assert_planned(stored, "POST", r2("/credential"), Some(redacted));
    let (table, compaction) = (events(&dry), MaintenanceKind::Compaction);
    let queued = table.maintenance().queue(compaction, &request_id).await;
    let queue = r2("/namespaces/bronze/tables/events/maintenance-configs/compaction/queue");
    assert_planned(queued, "POST", queue, Some(queue_body()));
    let status = catalog.credential().status().await;
    let basin = under(catalog_path(&format!("/{BUCKET}/credential/status")));
    assert_planned(status, "GET", basin, None);
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn invalid_input_is_still_refused_before_anything_is_planned() {
    let server = MockServer::start_async().await;
    let (dry, nothing, _) = dry_run_of(&server).await;
    let catalog = catalog(&dry);
    let table = events(&dry);

    let paused = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::from("paused")),
            target_size_mb: None,
        }),
        ..MaintenanceUpdate::default()
    };
    let too_big = ListOptions::new().page_size(101);

    let credential = catalog.credential();
    assert_invalid(credential.store("two words").await, "catalog token");
    assert_invalid(credential.store("").await, "catalog token");
    let maintenance = table.maintenance();
    let state = "maintenance state";
    assert_invalid(catalog.maintenance().update(&paused).await, state);
    assert_invalid(maintenance.update(&paused).await, state);
    let vacuum = MaintenanceKind::from("vacuum");
    let queued = maintenance.queue(vacuum, &RequestId::random()).await;
    assert_invalid(queued, "maintenance kind");
    assert_invalid(maintenance.runs().list(too_big.clone()).await, "page size");
    let runs: Vec<_> = maintenance.runs().pages(too_big).collect().await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_invalid(runs.into_iter().next().unwrap(), "page size");
    // Handles check their names when they are made, dry run or not.
    assert_eq!(
        dry.catalog("Not_A_Bucket").unwrap_err().field(),
        "bucket name"
    );
    assert_eq!(
        dry.account("not-an-account").unwrap_err().field(),
        "account id"
    );
    assert_eq!(
        catalog.table("bronze", "").unwrap_err().field(),
        "table name"
    );

    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_client_a_dry_run_came_from_still_sends_and_its_handles_stay_live() {
    let server = MockServer::start_async().await;
    let enable_path = catalog_path(&format!("/{BUCKET}/enable"));
    let enabled = server
        .mock_async(|when, then| {
            when.method(POST).path(enable_path.clone());
            then.status(200).json_body(success(json!({
                "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                "name": format!("{ACCOUNT_ID}_{BUCKET}"),
            })));
        })
        .await;
    let live = client(&server);
    let live_catalog = catalog(&live);
    let dry = live.with_dry_run();
    assert_eq!(dry.base_url(), live.base_url());
    assert_eq!(dry.account_id(), live.account_id());
    assert_eq!(dry.auth_scheme(), live.auth_scheme());

    let planned = catalog(&dry).enable().await;
    assert_planned(planned, "POST", url(&server, &enable_path), None);
    enabled.assert_calls_async(0).await;

    let answer = live.catalog(BUCKET).unwrap().enable().await.expect("sent");
    let activation = answer.result.expect("an activation");
    assert_eq!(activation.name, format!("{ACCOUNT_ID}_{BUCKET}"));
    enabled.assert_calls_async(1).await;
    // A handle made from the live client before the dry run was derived stays live.
    live_catalog.enable().await.expect("sent");
    enabled.assert_calls_async(2).await;
}

#[tokio::test]
async fn handles_and_clients_made_from_a_dry_run_are_dry_runs_too() {
    let server = MockServer::start_async().await;
    let (dry, nothing, sleeps) = dry_run_of(&server).await;
    let enable = bucket_url(&server, "/enable");

    // Through the account handle, a clone, and a task.
    let through_account = dry.account(ACCOUNT_ID).unwrap().catalog(BUCKET).unwrap();
    assert_planned(through_account.enable().await, "POST", &enable, None);
    let cloned = catalog(&dry).clone();
    assert_planned(cloned.enable().await, "POST", &enable, None);
    let in_a_task = catalog(&dry);
    let from_task = tokio::spawn(async move { in_a_task.enable().await })
        .await
        .expect("the task ran");
    assert_planned(from_task, "POST", &enable, None);
    // The clients derived from a dry run keep it: another retry policy, an operation timeout,
    // a clone, a dry run of the dry run.
    for derived in [
        dry.with_retry(RetryConfig::disabled()),
        dry.with_operation_timeout(std::time::Duration::from_secs(1)),
        dry.clone(),
        dry.with_dry_run(),
    ] {
        assert_planned(catalog(&derived).enable().await, "POST", &enable, None);
    }

    nothing.assert_calls_async(0).await;
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
}

#[tokio::test]
async fn a_secret_the_client_holds_is_redacted_from_a_planned_url() {
    let server = MockServer::start_async().await;
    let (dry, nothing, _) = dry_run_of(&server).await;

    // A caller who pastes the API token where a page token goes.
    let listed = catalog(&dry)
        .namespaces()
        .list(ListOptions::new().page_token(API_TOKEN))
        .await;

    let redacted = bucket_url(&server, &format!("/namespaces?page_token={REDACTED}"));
    assert_planned(listed, "GET", redacted, None);
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_short_catalog_token_is_redacted_from_a_planned_store_too() {
    const SHORT_TOKEN: &str = "tok-7ch";
    let server = MockServer::start_async().await;
    let (dry, nothing, _) = dry_run_of(&server).await;

    let error = catalog(&dry)
        .credential()
        .store(SHORT_TOKEN)
        .await
        .expect_err("a dry run");

    nothing.assert_calls_async(0).await;
    assert_eq!(dry_run(&error).body, Some(json!({"token": REDACTED})));
    assert!(!format!("{error:?}").contains(SHORT_TOKEN), "{error:?}");
}
