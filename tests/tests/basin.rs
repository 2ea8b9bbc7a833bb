//! The Basin Catalog document over real HTTP: both path families, the three operations it added,
//! answers carrying values and fields the spec does not list, and the error codes the live
//! service answers with beyond its document.

mod common;

use cloudflare_r2_catalog::{
    Error, ListOptions, MaintenanceKind, RequestId,
    config::PathFamily,
    models::{
        CatalogStatus, CompactionUpdate, CredentialStatus, CredentialValidity, MaintenanceState,
        MaintenanceStep, MaintenanceUpdate, RunStatus, StepStatus, TargetFileSize,
    },
};
use common::*;
use futures_util::TryStreamExt;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::{Value, json};

/// The namespace of the table the shared fixture [`events`] gives.
const NAMESPACE: &str = "bronze";
/// The name of the table the shared fixture [`events`] gives.
const TABLE: &str = "events";
const REQUEST_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

fn table_path(rest: &str) -> String {
    catalog_path(&format!(
        "/{BUCKET}/namespaces/{NAMESPACE}/tables/{TABLE}{rest}"
    ))
}

/// Calls every operation once on `client`, answered by a server that says success to anything.
async fn call_every_operation(client: &cloudflare_r2_catalog::Client) {
    let catalog = catalog(client);
    let namespace = catalog.namespace(NAMESPACE).expect("a valid namespace");
    let table = events(client);
    let options = ListOptions::new();
    let _ = client.list_catalogs().await;
    let _ = catalog.get().await;
    let _ = catalog.enable().await;
    let _ = catalog.disable().await;
    let _ = catalog.delete().await;
    let _ = catalog.credential().store(CATALOG_TOKEN).await;
    let _ = catalog.credential().status().await;
    let _ = catalog.maintenance().get().await;
    let update = MaintenanceUpdate::default();
    let _ = catalog.maintenance().update(&update).await;
    let _ = catalog.namespaces().list(options.clone()).await;
    let _ = namespace.tables().list(options.clone()).await;
    let _ = table.get().await;
    let _ = table.maintenance().get().await;
    let _ = table.maintenance().update(&update).await;
    let _ = table
        .maintenance()
        .queue(MaintenanceKind::SnapshotExpiration, &RequestId::random())
        .await;
    let _ = table.maintenance().runs().list(options.clone()).await;
}

/// The request lines of the 16 operations, in [`call_every_operation`]'s order, under the base
/// path `base` and the family `family`; credential status under `status_family`.
fn every_request_line(base: &str, family: &str, status_family: &str) -> Vec<String> {
    let at = |family: &str, rest: &str| format!("{base}/accounts/{ACCOUNT_ID}/{family}{rest}");
    let table = format!("/{BUCKET}/namespaces/{NAMESPACE}/tables/{TABLE}");
    [
        ("GET", at(family, "")),
        ("GET", at(family, &format!("/{BUCKET}"))),
        ("POST", at(family, &format!("/{BUCKET}/enable"))),
        ("POST", at(family, &format!("/{BUCKET}/disable"))),
        ("POST", at(family, &format!("/{BUCKET}/delete"))),
        ("POST", at(family, &format!("/{BUCKET}/credential"))),
        (
            "GET",
            at(status_family, &format!("/{BUCKET}/credential/status")),
        ),
        ("GET", at(family, &format!("/{BUCKET}/maintenance-configs"))),
        (
            "POST",
            at(family, &format!("/{BUCKET}/maintenance-configs")),
        ),
        ("GET", at(family, &format!("/{BUCKET}/namespaces"))),
        (
            "GET",
            at(family, &format!("/{BUCKET}/namespaces/{NAMESPACE}/tables")),
        ),
        ("GET", at(family, &table)),
        ("GET", at(family, &format!("{table}/maintenance-configs"))),
        ("POST", at(family, &format!("{table}/maintenance-configs"))),
        (
            "POST",
            at(
                family,
                &format!("{table}/maintenance-configs/snapshot_expiration/queue"),
            ),
        ),
        ("GET", at(family, &format!("{table}/maintenance-runs"))),
    ]
    .iter()
    .map(|(method, path)| request_line(method, path))
    .collect()
}

fn says_success() -> Reply {
    Reply::json(
        "200 OK",
        &[],
        &json!({"success": true, "errors": [], "messages": [], "result": null}),
    )
}

#[tokio::test]
async fn every_operation_goes_to_basin_catalog_paths_by_default() {
    let server = RawServer::always(says_success());
    let client = builder_at(&server.url, &RecordedSleeps::default())
        .build()
        .expect("a client");

    call_every_operation(&client).await;

    assert_eq!(
        server.request_lines(),
        every_request_line("", "basin-catalog", "basin-catalog")
    );
}

#[tokio::test]
async fn the_r2_catalog_family_moves_every_operation_but_credential_status() {
    let server = RawServer::always(says_success());
    let base = format!("{}/client/v4", server.url);
    let client = builder_at(&base, &RecordedSleeps::default())
        .paths(PathFamily::R2Catalog)
        .build()
        .expect("a client");

    call_every_operation(&client).await;

    assert_eq!(
        server.request_lines(),
        every_request_line("/client/v4", "r2-catalog", "basin-catalog")
    );
}

#[tokio::test]
async fn a_bucket_named_like_a_family_stays_a_bucket() {
    let server = RawServer::always(says_success());
    let client = builder_at(&server.url, &RecordedSleeps::default())
        .paths(PathFamily::R2Catalog)
        .build()
        .expect("a client");

    let _ = client
        .catalog("basin-catalog")
        .expect("a valid bucket")
        .get()
        .await;

    assert_eq!(
        server.request_lines(),
        [request_line(
            "GET",
            &format!("/accounts/{ACCOUNT_ID}/r2-catalog/basin-catalog")
        )]
    );
}

#[tokio::test]
async fn credential_status_is_read_with_unknown_values_kept() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/credential/status"));
    for (sent, expected) in [
        ("valid", CredentialValidity::Valid),
        ("absent", CredentialValidity::Absent),
        ("expired", CredentialValidity::Other("expired".to_owned())),
    ] {
        let mock = answer(
            &server,
            GET,
            path.clone(),
            success(json!({"status": sent, "checked_at": "2026-11-30T00:00:00Z"})),
        )
        .await;

        let status = catalog(&client(&server))
            .credential()
            .status()
            .await
            .expect("read");

        mock.assert_calls_async(1).await;
        mock.delete_async().await;
        assert_eq!(status.result.status, expected);
    }
}

#[tokio::test]
async fn queue_sends_the_kind_in_the_path_and_the_request_id_in_the_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(table_path("/maintenance-configs/compaction/queue"))
                .json_body(json!({"request_id": REQUEST_ID}));
            then.status(202).json_body(success(json!({
                "queued": true,
                "message": "Maintenance queued for the next poll",
                "request_id": REQUEST_ID,
                "position": 3,
            })));
        })
        .await;

    let queued = events(&client(&server))
        .maintenance()
        .queue(
            MaintenanceKind::Compaction,
            &RequestId::new(REQUEST_ID).unwrap(),
        )
        .await
        .expect("queued");

    mock.assert_calls_async(1).await;
    let queued = queued.result.expect("a result");
    assert!(queued.queued);
    assert_eq!(queued.message, "Maintenance queued for the next poll");
    assert_eq!(queued.request_id.as_deref(), Some(REQUEST_ID));
}

#[tokio::test]
async fn a_retried_queue_request_carries_the_same_request_id() {
    let server = RawServer::start(|connection| match connection {
        0 => Reply::json("503 Service Unavailable", &[], &failure(10013, "busy")),
        _ => Reply::json(
            "202 Accepted",
            &[],
            &success(json!({"queued": true, "message": "queued"})),
        ),
    });
    let sleeps = RecordedSleeps::default();

    let queued = events(&server.client(&sleeps))
        .maintenance()
        .queue(
            MaintenanceKind::SnapshotExpiration,
            &RequestId::new(REQUEST_ID).unwrap(),
        )
        .await
        .expect("queued on the retry");

    assert!(queued.result.is_some_and(|queued| queued.queued));
    let bodies: Vec<Value> = server
        .requests()
        .iter()
        .map(|request| {
            let body = request.split("\r\n\r\n").nth(1).expect("a body");
            serde_json::from_str(body).expect("JSON")
        })
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "the retry sends the same body");
    assert_eq!(bodies[0], json!({"request_id": REQUEST_ID}));
    assert_eq!(
        server.request_lines(),
        vec![
            request_line(
                "POST",
                &table_path("/maintenance-configs/snapshot_expiration/queue")
            );
            2
        ]
    );
}

#[tokio::test]
async fn the_queues_refusals_are_told_apart_and_not_retried() {
    for (status, code, message) in [
        (
            409,
            40903,
            "A maintenance executor conflict prevents the request",
        ),
        (
            429,
            42901,
            "The daily accepted-request limit has been reached",
        ),
    ] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(table_path("/maintenance-configs/compaction/queue"));
                then.status(status)
                    .header("retry-after", "1")
                    .json_body(failure(code, message));
            })
            .await;

        let error = events(&client(&server))
            .maintenance()
            .queue(MaintenanceKind::Compaction, &RequestId::random())
            .await
            .expect_err("refused");

        mock.assert_calls_async(1).await;
        assert_eq!(error.is_queue_conflict(), code == 40903, "{error}");
        assert_eq!(error.is_daily_limit_reached(), code == 42901, "{error}");
        assert!(!error.is_retryable(), "{error}");
    }
}

#[tokio::test]
async fn values_the_sdk_does_not_know_are_refused_in_requests_before_sending() {
    let server = MockServer::start_async().await;
    let nothing = catch_all(&server).await;
    let client = client(&server);
    let table = events(&client);

    let queue = table
        .maintenance()
        .queue(MaintenanceKind::from("vacuum"), &RequestId::random())
        .await;
    let paused = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::from("paused")),
            target_size_mb: None,
        }),
        ..MaintenanceUpdate::default()
    };
    let update = catalog(&client).maintenance().update(&paused).await;
    let huge = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: None,
            target_size_mb: Some(TargetFileSize::from("1024")),
        }),
        ..MaintenanceUpdate::default()
    };
    let table_update = table.maintenance().update(&huge).await;
    let runs = table
        .maintenance()
        .runs()
        .list(ListOptions::new().page_size(101))
        .await;

    let with_uuids = table
        .maintenance()
        .runs()
        .list(ListOptions::new().with_uuids())
        .await;

    for (outcome, field) in [
        (with_uuids.map(drop), "list options"),
        (queue.map(drop), "maintenance kind"),
        (update.map(drop), "maintenance state"),
        (table_update.map(drop), "target file size"),
        (runs.map(drop), "page size"),
    ] {
        match outcome {
            Err(Error::InvalidInput(invalid)) => assert_eq!(invalid.field(), field),
            other => panic!("{field}: expected InvalidInput, got {other:?}"),
        }
    }
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn maintenance_runs_are_paged_with_unknown_statuses_kept() {
    let server = MockServer::start_async().await;
    let run = |id: i64, status: &str, step: &str| {
        json!({
            "run_id": id,
            "configuration_type": "compaction",
            "status": status,
            "started_at": "2026-11-30T10:00:00Z",
            "completed_at": null,
            "request_id": REQUEST_ID,
            "executor": "the-new-one",
            "operation_results": [{
                "operation": step, "status": "deferred", "duration_ms": 12,
                "metrics": {"files_rewritten": 4},
            }],
        })
    };
    let first = success(
        json!({"runs": [run(2, "succeeded", "rewrite_manifests")], "next_page_token": "p2"}),
    );
    let last = success(json!({"runs": [run(1, "paused", "sorting")], "next_page_token": null}));
    let mocks = serve_pages(
        &server,
        &table_path("/maintenance-runs"),
        &[(None, first), (Some("p2"), last)],
    )
    .await;
    let options = ListOptions::new().page_size(1);

    let pages: Vec<_> = events(&client(&server))
        .maintenance()
        .runs()
        .pages(options)
        .try_collect()
        .await
        .expect("every page");

    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    let runs: Vec<_> = pages.iter().flat_map(|page| &page.runs).collect();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].run_id, 2);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    assert_eq!(runs[0].configuration_type, MaintenanceKind::Compaction);
    assert_eq!(runs[0].request_id.as_deref(), Some(REQUEST_ID));
    let step = &runs[0].operation_results[0];
    assert_eq!(step.operation, MaintenanceStep::RewriteManifests);
    assert_eq!(step.status, StepStatus::Other("deferred".to_owned()));
    assert_eq!(runs[1].status, RunStatus::Other("paused".to_owned()));
    assert_eq!(
        runs[1].operation_results[0].operation,
        MaintenanceStep::Other("sorting".to_owned())
    );
}

#[tokio::test]
async fn runs_ask_with_the_page_size_and_token_given() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(table_path("/maintenance-runs"))
                .query_param("page_size", "100")
                .query_param("page_token", "t1");
            then.status(200)
                .json_body(success(json!({"runs": [], "next_page_token": null})));
        })
        .await;
    let options = ListOptions::new().page_size(100).page_token("t1");

    let page = events(&client(&server))
        .maintenance()
        .runs()
        .list(options.clone())
        .await
        .expect("a page");

    mock.assert_calls_async(1).await;
    assert!(page.result.runs.is_empty() && page.result.next_page_token.is_none());
}

/// A catalog as a newer Cloudflare may describe it: a fourth maintenance state, a target size
/// of 1024 MB, an age written another way, a count of 0, and fields no spec lists.
fn catalog_from_the_future() -> Value {
    json!({
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "name": format!("{ACCOUNT_ID}_{BUCKET}"),
        "bucket": BUCKET,
        "status": "migrating",
        "credential_status": "expiring",
        "region": "weur",
        "maintenance_config": {
            "interval": "1h",
            "compaction": {"state": "paused", "target_size_mb": "1024", "strategy": "sort"},
            "snapshot_expiration": {
                "state": "enabled", "max_snapshot_age": "168h0m0s", "min_snapshots_to_keep": 0,
            },
            "orphan_cleanup": {"state": "enabled"},
        },
    })
}

#[tokio::test]
async fn reads_keep_values_and_skip_fields_the_spec_does_not_know() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        GET,
        catalog_path(""),
        success(json!({"warehouses": [catalog_from_the_future()], "total": 1})),
    )
    .await;
    answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/maintenance-configs")),
        success(json!({
            "credential_status": "present",
            "maintenance_config": catalog_from_the_future()["maintenance_config"],
        })),
    )
    .await;
    answer(
        &server,
        GET,
        table_path("/maintenance-configs"),
        success(json!({"maintenance_config": {
            "interval": "30m",
            "compaction": {
                "state": "enabled", "target_size_mb": "2048",
                "next_eligible_at": "2026-11-30T11:00:00Z", "backlog_mb": 12,
            },
            "snapshot_expiration": {
                "state": "throttled", "max_snapshot_age": "7d", "min_snapshots_to_keep": 100,
                "next_eligible_at": null,
            },
        }})),
    )
    .await;
    let client = client(&server);

    let listed = client
        .account(ACCOUNT_ID)
        .expect("a valid account")
        .list_catalogs()
        .await
        .expect("listed");
    let catalog_maintenance = catalog(&client).maintenance().get().await.expect("read");
    let table = events(&client).maintenance().get().await.expect("read");

    let catalog = &listed.result.warehouses[0];
    assert_eq!(catalog.status, CatalogStatus::Other("migrating".to_owned()));
    assert_eq!(
        catalog.credential_status,
        Some(CredentialStatus::Other("expiring".to_owned()))
    );
    let config = catalog.maintenance_config.as_ref().expect("a config");
    assert_eq!(config.interval.as_deref(), Some("1h"));
    let compaction = config.compaction.as_ref().expect("compaction");
    assert_eq!(
        compaction.state,
        MaintenanceState::Other("paused".to_owned())
    );
    assert_eq!(
        compaction.target_size_mb,
        TargetFileSize::Other("1024".to_owned())
    );
    let expiration = config.snapshot_expiration.as_ref().expect("expiration");
    assert_eq!(expiration.max_snapshot_age, "168h0m0s");
    assert_eq!(expiration.min_snapshots_to_keep, 0);
    assert_eq!(
        catalog_maintenance.result.maintenance_config.compaction, config.compaction,
        "models compare"
    );
    let table = table.result.maintenance_config;
    assert_eq!(table.interval.as_deref(), Some("30m"));
    let compaction = table.compaction.expect("compaction");
    assert_eq!(
        compaction.target_size_mb,
        TargetFileSize::Other("2048".to_owned())
    );
    assert_eq!(
        compaction.next_eligible_at.as_deref(),
        Some("2026-11-30T11:00:00Z")
    );
    let expiration = table.snapshot_expiration.expect("expiration");
    assert_eq!(
        expiration.state,
        MaintenanceState::Other("throttled".to_owned())
    );
    assert_eq!(expiration.next_eligible_at, None);
}

#[test]
fn an_unknown_value_in_a_shown_status_is_escaped() {
    let status = CatalogStatus::from("pau\u{1b}[2Jsed");
    assert_eq!(status.to_string(), "pau\\u{1b}[2Jsed");
    assert_eq!(status.as_str(), "pau\u{1b}[2Jsed");
}

#[tokio::test]
async fn a_change_whose_result_has_an_unknown_shape_is_applied_with_the_raw_result_kept() {
    let server = MockServer::start_async().await;
    let odd = json!({"compaction": "enabled", "applied_at": 1764500000});
    let mock = answer(
        &server,
        POST,
        catalog_path(&format!("/{BUCKET}/maintenance-configs")),
        success(odd.clone()),
    )
    .await;

    let updated = catalog(&client(&server))
        .maintenance()
        .update(&MaintenanceUpdate::default())
        .await
        .expect("applied");

    mock.assert_calls_async(1).await;
    assert!(updated.result.is_none());
    assert_eq!(updated.unparsed_result, Some(odd));
}

#[tokio::test]
async fn a_change_with_new_values_in_its_result_parses_them() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        POST,
        table_path("/maintenance-configs"),
        success(
            json!({"compaction": {"state": "paused", "target_size_mb": "1024"}, "extra": true}),
        ),
    )
    .await;

    let updated = events(&client(&server))
        .maintenance()
        .update(&MaintenanceUpdate::default())
        .await
        .expect("applied");

    let compaction = updated.result.and_then(|config| config.compaction);
    assert_eq!(
        compaction.map(|compaction| compaction.state),
        Some(MaintenanceState::Other("paused".to_owned()))
    );
    assert_eq!(updated.unparsed_result, None);
}

#[tokio::test]
async fn undocumented_success_statuses_and_bodies_of_changes_are_successes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/enable")));
            then.status(201).json_body(success(json!({
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "name": format!("{ACCOUNT_ID}_{BUCKET}"),
            })));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/disable")));
            then.status(200).body("");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/delete")));
            then.status(200)
                .json_body(success(json!({"deleted": {"tables": 3}})));
        })
        .await;
    let client = client(&server);

    let catalog = catalog(&client);
    let enabled = catalog.enable().await;
    let disabled = catalog.disable().await;
    let deleted = catalog.delete().force(true).await;

    let enabled = enabled.expect("enabled").result.expect("an activation");
    assert_eq!(enabled.name, format!("{ACCOUNT_ID}_{BUCKET}"));
    assert!(disabled.is_ok(), "{disabled:?}");
    assert!(deleted.is_ok(), "{deleted:?}");
}

#[tokio::test]
async fn a_read_whose_result_does_not_parse_is_still_an_unexpected_body() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}")),
        success(json!({"id": 7})),
    )
    .await;

    let error = catalog(&client(&server))
        .get()
        .await
        .expect_err("no catalog in it");

    let Error::UnexpectedBody(unexpected) = &error else {
        panic!("expected UnexpectedBody, got {error:?}")
    };
    assert!(
        unexpected
            .reason
            .starts_with("the result is not the expected model"),
        "{error}"
    );
}

/// What each predicate says of an error envelope with `code` (and `message`) at `status`.
fn predicates(error: &Error) -> [bool; 8] {
    [
        error.is_catalog_not_found(),
        error.is_catalog_inactive(),
        error.is_bucket_not_found(),
        error.is_table_not_found(),
        error.is_route_not_found(),
        error.is_invalid_credential(),
        error.is_credential_missing(),
        error.is_not_found(),
    ]
}

#[tokio::test]
async fn errors_are_told_apart_by_cloudflare_code_not_only_status() {
    let cases: [(u16, i64, String, [bool; 8]); 10] = [
        (
            404,
            40401,
            "Warehouse not found".into(),
            [true, false, false, false, false, false, false, true],
        ),
        (
            404,
            40402,
            "Warehouse inactive".into(),
            [false, true, false, false, false, false, false, true],
        ),
        (
            404,
            40406,
            "NoSuchBucket".into(),
            [false, false, true, false, false, false, false, true],
        ),
        (
            404,
            10006,
            "The specified bucket does not exist.".into(),
            [false, false, true, false, false, false, false, true],
        ),
        (
            404,
            40403,
            "Table not found".into(),
            [false, false, false, true, false, false, false, true],
        ),
        (
            404,
            10001,
            "Table not found".into(),
            [false, false, false, true, false, false, false, true],
        ),
        (
            400,
            10001,
            "Bad JSON".into(),
            [false, false, false, false, false, false, false, false],
        ),
        (
            404,
            7003,
            "Could not route to /accounts".into(),
            [false, false, false, false, true, false, false, true],
        ),
        (
            400,
            30004,
            "Invalid credential".into(),
            [false, false, false, false, false, true, false, false],
        ),
        (
            400,
            40001,
            format!("A credential is not present for the warehouse={ACCOUNT_ID}_{BUCKET}"),
            [false, false, false, false, false, false, true, false],
        ),
    ];
    for (status, code, message, expected) in cases {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(status).json_body(failure(code, &message));
            })
            .await;

        let error = catalog(&client(&server))
            .maintenance()
            .get()
            .await
            .expect_err("refused");

        mock.assert_calls_async(1).await;
        assert_eq!(predicates(&error), expected, "{code}: {error}");
        assert!(error.has_code(code));
    }
}

#[tokio::test]
async fn a_plain_text_422_keeps_its_text() {
    let server = MockServer::start_async().await;
    let text = "Failed to deserialize the JSON body into the target type: snapshot_expiration: \
                missing field `max_snapshot_age` at line 6 column 7";
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(422)
                .header("content-type", "text/plain; charset=utf-8")
                .body(text);
        })
        .await;

    let error = catalog(&client(&server))
        .maintenance()
        .update(&MaintenanceUpdate::default())
        .await
        .expect_err("refused");

    let Error::UnexpectedBody(unexpected) = &error else {
        panic!("expected UnexpectedBody, got {error:?}")
    };
    assert_eq!(unexpected.status.as_u16(), 422);
    assert_eq!(unexpected.snippet, text);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_fresh_bucket_or_catalog_not_found_is_reported_at_once_not_retried() {
    for code in [40406, 40401] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(404).json_body(failure(code, "not yet"));
            })
            .await;

        let error = catalog(&client(&server))
            .enable()
            .await
            .expect_err("not found");

        mock.assert_calls_async(1).await;
        assert!(!error.is_retryable());
        assert!(error.is_bucket_not_found() || error.is_catalog_not_found());
    }
}

/// `value` with a field no spec lists added to every object in it.
fn with_unknown_fields(value: Value) -> Value {
    match value {
        Value::Object(fields) => {
            let mut fields: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|(key, value)| (key, with_unknown_fields(value)))
                .collect();
            fields.insert(
                "added_later".to_owned(),
                json!({"by": ["cloudflare", 2027]}),
            );
            Value::Object(fields)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(with_unknown_fields).collect()),
        other => other,
    }
}

#[tokio::test]
async fn every_other_read_skips_fields_added_at_every_level() {
    let server = MockServer::start_async().await;
    let reads = [
        ("get-catalog-details", catalog_path(&format!("/{BUCKET}"))),
        (
            "list-namespaces",
            catalog_path(&format!("/{BUCKET}/namespaces")),
        ),
        (
            "list-tables",
            catalog_path(&format!("/{BUCKET}/namespaces/{NAMESPACE}/tables")),
        ),
        ("get-table", table_path("")),
    ];
    for (operation, path) in &reads {
        answer(
            &server,
            GET,
            path.clone(),
            with_unknown_fields(upstream_example(operation)),
        )
        .await;
    }
    let client = client(&server);
    let catalog_handle = catalog(&client);
    let options = ListOptions::new();

    let catalog = catalog_handle.get().await;
    let namespaces = catalog_handle.namespaces().list(options.clone()).await;
    let listed = catalog_handle
        .namespace(NAMESPACE)
        .expect("a valid namespace")
        .tables()
        .list(options.clone())
        .await;
    let table = events(&client).get().await;

    assert_eq!(catalog.expect("read").result.bucket, "analytics-bucket");
    let expected = upstream_example("list-namespaces")["result"]["namespaces"]
        .as_array()
        .map(Vec::len);
    assert_eq!(
        Some(namespaces.expect("read").result.namespaces.len()),
        expected
    );
    let expected = upstream_example("list-tables")["result"]["identifiers"]
        .as_array()
        .map(Vec::len);
    assert_eq!(
        Some(listed.expect("read").result.identifiers.len()),
        expected
    );
    let expected = upstream_example("get-table")["result"]["table_uuid"].clone();
    assert_eq!(json!(table.expect("read").result.table_uuid), expected);
}

#[tokio::test]
async fn a_stored_credential_answered_with_any_result_is_stored_without_the_secrets() {
    let server = MockServer::start_async().await;
    let echoed = json!([
        format!("stored {CATALOG_TOKEN} for {API_TOKEN}"),
        {CATALOG_TOKEN: [1, {"by": API_TOKEN}]},
    ]);
    let echoed_object = json!({"token": CATALOG_TOKEN, CATALOG_TOKEN: {"by": [API_TOKEN]}});
    answer(
        &server,
        POST,
        catalog_path(&format!("/{BUCKET}/credential")),
        success(echoed),
    )
    .await;

    let stored = catalog(&client(&server))
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");

    assert!(stored.result.is_none());
    assert_eq!(
        stored.unparsed_result,
        Some(json!([
            "stored ** redacted ** for ** redacted **",
            {"** redacted **": [1, {"by": "** redacted **"}]},
        ]))
    );

    // An object is the result's documented shape: parsed, and redacted all the same.
    let server = MockServer::start_async().await;
    answer(
        &server,
        POST,
        catalog_path(&format!("/{BUCKET}/credential")),
        success(echoed_object),
    )
    .await;

    let stored = catalog(&client(&server))
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");

    assert_eq!(
        stored.result.map(Value::Object),
        Some(json!({"token": "** redacted **", "** redacted **": {"by": ["** redacted **"]}}))
    );
    assert_eq!(stored.unparsed_result, None);
}

#[tokio::test]
async fn a_last_runs_page_may_leave_out_its_null_token() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        GET,
        table_path("/maintenance-runs"),
        success(json!({"runs": []})),
    )
    .await;

    let pages: Vec<_> = events(&client(&server))
        .maintenance()
        .runs()
        .pages(ListOptions::new())
        .try_collect()
        .await
        .expect("one page");

    assert_eq!(pages.len(), 1);
    assert!(pages[0].runs.is_empty() && pages[0].next_page_token.is_none());
}

#[tokio::test]
async fn null_lists_in_a_success_envelope_and_an_empty_202_are_successes() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        POST,
        catalog_path(&format!("/{BUCKET}/maintenance-configs")),
        json!({"success": true, "errors": null, "messages": null, "result": {}}),
    )
    .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(table_path("/maintenance-configs/compaction/queue"));
            then.status(202);
        })
        .await;
    let client = client(&server);

    let updated = catalog(&client)
        .maintenance()
        .update(&MaintenanceUpdate::default())
        .await
        .expect("applied");
    let queued = events(&client)
        .maintenance()
        .queue(MaintenanceKind::Compaction, &RequestId::random())
        .await
        .expect("queued");

    let config = updated.result.expect("an empty config");
    assert!(config.compaction.is_none() && config.snapshot_expiration.is_none());
    assert!(updated.messages.is_empty());
    assert!(queued.result.is_none() && queued.unparsed_result.is_none());
    assert!(!updated.already_applied && !queued.already_applied);
}

#[tokio::test]
async fn a_target_size_written_as_a_number_is_read_as_its_text() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        GET,
        table_path("/maintenance-configs"),
        success(json!({"maintenance_config": {
            "compaction": {"state": "enabled", "target_size_mb": 128},
            "snapshot_expiration": {"state": "disabled", "max_snapshot_age": "7d", "min_snapshots_to_keep": 100},
        }})),
    )
    .await;

    let read = events(&client(&server))
        .maintenance()
        .get()
        .await
        .expect("read");

    let compaction = read
        .result
        .maintenance_config
        .compaction
        .expect("compaction");
    assert_eq!(compaction.target_size_mb, TargetFileSize::Mb128);
}
