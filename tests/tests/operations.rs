//! Every operation over real HTTP: the exact method, path, query and body it sends, and the
//! typed result it makes of Cloudflare's own example response (read from the committed spec).

mod common;

use std::num::NonZeroU64;

use cloudflare_r2_catalog::{
    Error, ListOptions, Response,
    handles::CatalogHandle,
    input::{AccountId, BucketName, Namespace, SnapshotAge},
    models::{
        CatalogStatus, CompactionUpdate, CredentialStatus, MaintenanceState, MaintenanceUpdate,
        NamespaceIdentifier, SnapshotExpirationUpdate, TablePage, TargetFileSize,
    },
};
use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn list_catalogs() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(""),
        upstream_example("list-catalogs"),
    )
    .await;

    let catalogs = client(&server).list_catalogs().await.expect("listed");

    mock.assert_calls_async(1).await;
    let warehouses = &catalogs.result.warehouses;
    assert_eq!(warehouses.len(), 2);
    assert_eq!(warehouses[0].bucket, "analytics-bucket");
    assert_eq!(warehouses[0].id, "550e8400-e29b-41d4-a716-446655440000");
    assert_eq!(warehouses[0].status, CatalogStatus::Active);
    let compaction = warehouses[0]
        .maintenance_config
        .as_ref()
        .and_then(|m| m.compaction.as_ref());
    assert_eq!(
        compaction.map(|c| c.target_size_mb.clone()),
        Some(TargetFileSize::Mb128)
    );
    assert_eq!(warehouses[1].bucket, "logs-bucket");
    let account = AccountId::new(ACCOUNT_ID).unwrap();
    let connection = warehouses[1].connection(&account).expect("a valid bucket");
    assert_eq!(
        connection.uri,
        format!("https://catalog.cloudflarestorage.com/{ACCOUNT_ID}/logs-bucket")
    );
    assert_eq!(connection.warehouse, "account123_logs-bucket");
}

#[tokio::test]
async fn get_catalog_details() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}")),
        upstream_example("get-catalog-details"),
    )
    .await;

    let catalog = catalog(&client(&server)).get().await.expect("found");

    mock.assert_calls_async(1).await;
    assert_eq!(catalog.result.name, "account123_analytics-bucket");
    assert_eq!(
        catalog.result.credential_status,
        Some(CredentialStatus::Present)
    );
    let expiration = catalog
        .result
        .maintenance_config
        .and_then(|m| m.snapshot_expiration)
        .expect("snapshot expiration");
    assert_eq!(expiration.max_snapshot_age, "7d");
    assert_eq!(expiration.min_snapshots_to_keep, 100);
    assert_eq!(expiration.state, MaintenanceState::Enabled);
}

#[tokio::test]
async fn a_status_this_sdk_does_not_know_is_kept_not_fatal() {
    let server = MockServer::start_async().await;
    let mut body = upstream_example("get-catalog-details");
    body["result"]["status"] = json!("migrating");
    body["result"]["credential_status"] = json!("expired");
    answer(&server, GET, catalog_path(&format!("/{BUCKET}")), body).await;

    let catalog = catalog(&client(&server))
        .get()
        .await
        .expect("an unknown status is not an error");

    assert_eq!(
        catalog.result.status,
        CatalogStatus::Other("migrating".to_owned())
    );
    assert_eq!(
        catalog
            .result
            .credential_status
            .map(|status| status.to_string()),
        Some("expired".to_owned())
    );
}

#[tokio::test]
async fn enable_catalog() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        POST,
        catalog_path(&format!("/{BUCKET}/enable")),
        upstream_example("enable-catalog"),
    )
    .await;

    let enabled = catalog(&client(&server)).enable().await.expect("enabled");

    mock.assert_calls_async(1).await;
    let enabled = enabled.result.expect("the example has a result");
    assert_eq!(enabled.id, "550e8400-e29b-41d4-a716-446655440000");
    assert_eq!(enabled.name, "account123_my-bucket");
    let (account, bucket) = (
        AccountId::new(ACCOUNT_ID).unwrap(),
        BucketName::new(BUCKET).unwrap(),
    );
    let connection = enabled.connection(&account, &bucket);
    assert_eq!(
        connection.uri,
        format!("https://catalog.cloudflarestorage.com/{ACCOUNT_ID}/{BUCKET}")
    );
    assert_eq!(connection.warehouse, "account123_my-bucket");
}

#[tokio::test]
async fn enabling_an_enabled_catalog_is_a_conflict_returned_without_retrying() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/enable")));
            then.status(409)
                .header("cf-ray", CF_RAY)
                .json_body(failure(40901, "Catalog already enabled"));
        })
        .await;
    let sleeps = RecordedSleeps::default();

    let error = catalog(&builder(&server, &sleeps).build().unwrap())
        .enable()
        .await
        .expect_err("409");

    mock.assert_calls_async(1).await;
    assert!(sleeps.waits().is_empty());
    assert!(error.is_conflict(), "{error:?}");
    assert!(matches!(error, Error::Api(_)));
    assert_eq!(error.codes(), vec![40901]);
    assert_eq!(error.cf_ray(), Some(CF_RAY));
}

#[tokio::test]
async fn disable_catalog_accepts_204_with_no_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/disable")))
                .body("");
            then.status(204).header("cf-ray", CF_RAY);
        })
        .await;

    let disabled = catalog(&client(&server)).disable().await.expect("204");

    mock.assert_calls_async(1).await;
    assert_eq!(disabled.result, ());
    assert_eq!(disabled.cf_ray.as_deref(), Some(CF_RAY));
}

#[tokio::test]
async fn disable_catalog_also_accepts_a_success_envelope_and_rejects_a_failure_in_a_200() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/disable"));
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path(path.clone());
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    ok.up_to_n_times_async(1).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(path.clone());
            then.status(200)
                .json_body(failure(10006, "Catalog not found."));
        })
        .await;
    let catalog = catalog(&client(&server));

    catalog.disable().await.expect("success envelope");
    let error = catalog.disable().await.expect_err("failure envelope");

    assert_eq!(error.codes(), vec![10006]);
}

/// Success envelopes that carry no result: without the key, and with `result: null`. The spec
/// allows both for every operation.
fn resultless_successes() -> [serde_json::Value; 2] {
    [
        json!({"success": true, "errors": [], "messages": []}),
        success(json!(null)),
    ]
}

/// A mock answering every `method` request, whatever its path, with 200 and `body`.
async fn answer_every(
    server: &MockServer,
    method: httpmock::Method,
    body: serde_json::Value,
) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(method);
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn every_change_the_server_says_it_applied_succeeds_without_a_result() {
    for body in resultless_successes() {
        let server = MockServer::start_async().await;
        let mock = answer_every(&server, POST, body.clone()).await;
        let (client, update) = (client(&server), example_update());
        let (catalog, events) = (catalog(&client), events(&client));

        let enabled = catalog.enable().await;
        let updated = catalog.maintenance().update(&update).await;
        let table = events.maintenance().update(&update).await;
        let stored = catalog.credential().store(CATALOG_TOKEN).await;
        let disabled = catalog.disable().await;
        let deleted = catalog.delete().await;

        mock.assert_calls_async(6).await;
        assert!(enabled.expect("enable").result.is_none(), "{body}");
        assert!(updated.expect("maintenance update").result.is_none());
        assert!(table.expect("table maintenance update").result.is_none());
        assert_eq!(stored.expect("store").result, None);
        assert_eq!(disabled.expect("disable").result, ());
        assert_eq!(deleted.expect("delete").result, ());
    }
}

#[tokio::test]
async fn a_read_whose_success_envelope_has_no_result_is_reported() {
    for body in resultless_successes() {
        let server = MockServer::start_async().await;
        let mock = answer_every(&server, GET, body.clone()).await;
        let client = client(&server);
        let (catalog, events, options) = (catalog(&client), events(&client), ListOptions::new());
        let bronze = catalog.namespace("bronze").expect("a valid namespace");

        let errors = [
            client.list_catalogs().await.map(drop),
            catalog.get().await.map(drop),
            catalog.maintenance().get().await.map(drop),
            catalog.namespaces().list(options.clone()).await.map(drop),
            bronze.tables().list(options.clone()).await.map(drop),
            events.get().await.map(drop),
            events.maintenance().get().await.map(drop),
        ];

        mock.assert_calls_async(7).await;
        for error in errors {
            let error = error.expect_err("no result");
            let Error::UnexpectedBody(unexpected) = &error else {
                panic!("expected UnexpectedBody, got {error:?}")
            };
            assert_eq!(unexpected.reason, "the success envelope has no result");
            assert_eq!(unexpected.status.as_u16(), 200);
            assert!(!error.is_retryable());
        }
    }
}

#[tokio::test]
async fn get_maintenance_config() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/maintenance-configs")),
        upstream_example("get-maintenance-config"),
    )
    .await;

    let maintenance = catalog(&client(&server))
        .maintenance()
        .get()
        .await
        .expect("got");

    mock.assert_calls_async(1).await;
    assert_eq!(
        maintenance.result.credential_status,
        CredentialStatus::Present
    );
    let compaction = maintenance
        .result
        .maintenance_config
        .compaction
        .expect("compaction");
    assert_eq!(compaction.state, MaintenanceState::Enabled);
    assert_eq!(compaction.target_size_mb, TargetFileSize::Mb128);
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

#[tokio::test]
async fn update_maintenance_config_sends_exactly_the_fields_set() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/maintenance-configs"));
    let full = answer_update_example(&server, path.clone(), "update-maintenance-config").await;
    let partial = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.clone())
                .json_body(json!({"compaction": {"state": "disabled"}}));
            then.status(200)
                .json_body(upstream_example("update-maintenance-config"));
        })
        .await;
    let catalog = catalog(&client(&server));

    let updated = catalog
        .maintenance()
        .update(&example_update())
        .await
        .expect("updated");
    let only_compaction = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Disabled),
            ..CompactionUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    };
    catalog
        .maintenance()
        .update(&only_compaction)
        .await
        .expect("updated");

    full.assert_calls_async(1).await;
    partial.assert_calls_async(1).await;
    let updated = updated.result.expect("the example has a result");
    let expiration = updated.snapshot_expiration.expect("expiration");
    assert_eq!(expiration.max_snapshot_age.to_string(), "14d");
    assert_eq!(expiration.min_snapshots_to_keep, 5);
}

#[tokio::test]
async fn list_namespaces_with_every_option() {
    let server = MockServer::start_async().await;
    // Cloudflare's example, with the invalid UUID its July 2026 document carried: ids are kept
    // as sent, not parsed, so one malformed id cannot fail a page.
    let mut example = upstream_example("list-namespaces");
    example["result"]["details"][2]["namespace_uuid"] =
        json!("0199b99c-3d99-73c4-9dcc-532f1f9g3868");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(catalog_path(&format!("/{BUCKET}/namespaces")))
                .query_param("page_size", "2")
                .query_param("page_token", "cursor-1")
                .query_param("parent", "bronze\u{1f}analytics")
                .query_param("return_uuids", "true")
                .query_param("return_details", "true")
                .is_true(|request| request.query_params().len() == 5)
                .is_true(|request| {
                    request
                        .uri()
                        .query()
                        .is_some_and(|q| q.contains("parent=bronze%1Fanalytics"))
                });
            then.status(200).json_body(example);
        })
        .await;
    let parent = Namespace::new(["bronze", "analytics"]).unwrap();
    let options = ListOptions::new()
        .page_size(2)
        .page_token("cursor-1")
        .with_uuids()
        .with_details();

    let page = catalog(&client(&server))
        .namespace(&parent)
        .expect("a valid namespace")
        .namespaces()
        .list(options.clone())
        .await
        .expect("listed");

    mock.assert_calls_async(1).await;
    let namespaces: Vec<Vec<String>> = page.result.namespaces.iter().map(|n| n.0.clone()).collect();
    assert_eq!(namespaces, [["bronze"], ["silver"], ["gold"]]);
    let details = page.result.details.expect("details asked for");
    assert_eq!(
        details[2].namespace_uuid, "0199b99c-3d99-73c4-9dcc-532f1f9g3868",
        "kept as sent, invalid UUID and all"
    );
    assert_eq!(details[1].updated_at, None);
    assert_eq!(page.result.namespace_uuids.map(|u| u.len()), Some(3));
}

#[tokio::test]
async fn list_namespaces_sends_no_query_by_default() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/namespaces")),
        upstream_example("list-namespaces"),
    )
    .await;

    catalog(&client(&server))
        .namespaces()
        .list(ListOptions::new())
        .await
        .expect("listed");

    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn list_tables() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables")),
        upstream_example("list-tables"),
    )
    .await;

    let page = catalog(&client(&server))
        .namespace("bronze")
        .expect("a valid namespace")
        .tables()
        .list(ListOptions::new())
        .await
        .expect("listed");

    mock.assert_calls_async(1).await;
    assert_eq!(page.result.identifiers[0].name, "events");
    assert_eq!(page.result.identifiers[0].namespace.0, ["bronze"]);
    let details = page.result.details.expect("details in the example");
    assert_eq!(
        details[0].location.as_deref(),
        Some("s3://my-bucket/__r2_data_catalog/wh-id/table-id/")
    );
}

#[tokio::test]
async fn get_table() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables/events")),
        upstream_example("get-table"),
    )
    .await;

    let table = events(&client(&server)).get().await.expect("found");

    mock.assert_calls_async(1).await;
    let expected = &upstream_example("get-table")["result"];
    assert_eq!(table.result.identifier.name, "events");
    assert_eq!(
        table.result.table_uuid,
        expected["table_uuid"].as_str().unwrap()
    );
    assert_eq!(
        table.result.total_snapshots,
        expected["total_snapshots"].as_u64().unwrap()
    );
    assert_eq!(table.result.metadata.get("format-version"), Some(&json!(2)));
}

#[tokio::test]
async fn table_maintenance_get_and_update() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!(
        "/{BUCKET}/namespaces/bronze/tables/events/maintenance-configs"
    ));
    let get = answer(
        &server,
        GET,
        path.clone(),
        upstream_example("get-table-maintenance-config"),
    )
    .await;
    let update =
        answer_update_example(&server, path.clone(), "update-table-maintenance-config").await;
    let events = events(&client(&server));

    let current = events.maintenance().get().await.expect("got");
    let updated = events
        .maintenance()
        .update(&example_update())
        .await
        .expect("updated");

    get.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
    let compaction = current
        .result
        .maintenance_config
        .compaction
        .expect("compaction");
    assert_eq!(compaction.target_size_mb, TargetFileSize::Mb128);
    let updated = updated.result.expect("the example has a result");
    let compaction = updated.compaction.expect("compaction");
    assert_eq!(compaction.target_size_mb, TargetFileSize::Mb256);
}

/// The first page of the tables of the namespace `listed` in `catalog`: the namespace's
/// `ValidationError` becomes `Error::InvalidInput` through `?`, as a call's does.
async fn tables_of(
    catalog: &CatalogHandle,
    listed: &NamespaceIdentifier,
    options: &ListOptions,
) -> Result<Response<TablePage>, Error> {
    catalog
        .namespace(listed)?
        .tables()
        .list(options.clone())
        .await
}

#[tokio::test]
async fn a_listed_namespace_is_passed_straight_back_and_a_bad_one_refused() {
    let server = MockServer::start_async().await;
    let mut listed = upstream_example("list-namespaces");
    listed["result"]["namespaces"][1] = json!(["..", "x"]);
    let namespaces = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/namespaces")),
        listed,
    )
    .await;
    let tables = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables")),
        upstream_example("list-tables"),
    )
    .await;
    let catalog = catalog(&client(&server));
    let options = ListOptions::new();

    let page = catalog
        .namespaces()
        .list(options.clone())
        .await
        .expect("listed")
        .result;
    let bronze = tables_of(&catalog, &page.namespaces[0], &options).await;
    let dots = tables_of(&catalog, &page.namespaces[1], &options).await;

    assert!(bronze.is_ok(), "{bronze:?}");
    // Refused before sending, as the namespace's handle is made: a request would have met no
    // mock and failed otherwise.
    match dots {
        Err(Error::InvalidInput(invalid)) => assert_eq!(invalid.field(), "namespace"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    namespaces.assert_calls_async(1).await;
    tables.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_user_agent_suffix_is_sent_after_the_sdks_own() {
    let server = RawServer::always(Reply::json(
        "200 OK",
        &[],
        &success(json!({"warehouses": []})),
    ));
    let client = builder_at(&server.url, &RecordedSleeps::default())
        .user_agent_suffix("my-app/2.3")
        .build()
        .expect("a client");

    client.list_catalogs().await.expect("listed");

    let request = &server.requests()[0];
    let agents: Vec<&str> = request
        .lines()
        .filter_map(|line| line.strip_prefix("user-agent: "))
        .collect();
    assert_eq!(agents, [format!("{USER_AGENT} my-app/2.3")], "{request}");
}
