//! The emulator (feature `emulator`): the SDK's flows against it, every answer it gives checked
//! against the spec's schema for that operation and status, and its faults, credentials,
//! paging, recording and shutdown.

mod common;
#[path = "common/schema.rs"]
mod schema;

use std::time::Duration;

use cloudflare_r2_catalog::emulator::{Emulator, EmulatorError, Fault, Operation, Seed};
use cloudflare_r2_catalog::{
    CatalogStatus, Client, CompactionUpdate, CredentialStatus, Error, ListOptions,
    MaintenanceState, MaintenanceUpdate, Namespace, PageSize, TargetFileSize,
};
use common::*;
use futures_util::TryStreamExt;
use schema::{body_violations, component, response_violations, violations};
use serde_json::{Value, json};

#[tokio::test]
async fn the_sdk_flow_enable_store_maintain_list_disable_delete() {
    let (emulator, client, _) = emulator_and_client().await;
    emulator
        .add_table(BUCKET, "bronze", "events")
        .expect("seeded");
    let catalogs = client.catalogs();

    let error = catalogs.get(ACCOUNT_ID, BUCKET).await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.codes(), [40401]);

    let enabled = catalogs.enable(ACCOUNT_ID, BUCKET).await.expect("enabled");
    let activation = enabled.result.expect("an activation");
    assert_eq!(activation.name, format!("{ACCOUNT_ID}_{BUCKET}"));
    assert!(
        catalogs
            .enable(ACCOUNT_ID, BUCKET)
            .await
            .unwrap_err()
            .is_conflict()
    );

    let catalog = catalogs
        .get(ACCOUNT_ID, BUCKET)
        .await
        .expect("found")
        .result;
    assert_eq!(catalog.id, activation.id);
    assert_eq!(catalog.status, CatalogStatus::Active);
    assert_eq!(catalog.credential_status, Some(CredentialStatus::Absent));
    let defaults = catalog.maintenance_config.expect("maintenance");
    let compaction = defaults.compaction.expect("compaction");
    assert_eq!(compaction.state, MaintenanceState::Disabled);
    assert_eq!(compaction.target_size_mb, TargetFileSize::X128);
    let expiration = defaults.snapshot_expiration.expect("expiration");
    assert_eq!(expiration.max_snapshot_age.as_ref(), "7d");
    assert_eq!(expiration.min_snapshots_to_keep.get(), 100);

    store(&client).await.expect("stored");
    let maintenance = client
        .maintenance()
        .get(ACCOUNT_ID, BUCKET)
        .await
        .expect("read");
    assert_eq!(
        maintenance.result.credential_status,
        CredentialStatus::Present
    );

    let update = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            target_size_mb: Some(TargetFileSize::X256),
        }),
        ..MaintenanceUpdate::default()
    };
    let updated = client
        .maintenance()
        .update(ACCOUNT_ID, BUCKET, &update)
        .await
        .expect("updated")
        .result
        .expect("a result");
    let read = client
        .maintenance()
        .get(ACCOUNT_ID, BUCKET)
        .await
        .expect("read");
    let read_compaction = read
        .result
        .maintenance_config
        .compaction
        .expect("compaction");
    assert_eq!(read_compaction.state, MaintenanceState::Enabled);
    assert_eq!(read_compaction.target_size_mb, TargetFileSize::X256);
    assert_eq!(
        updated.compaction.map(|c| c.target_size_mb),
        Some(TargetFileSize::X256)
    );

    let listed = catalogs.list(ACCOUNT_ID).await.expect("listed").result;
    assert_eq!(listed.warehouses.len(), 1);
    assert_eq!(listed.warehouses[0].bucket, BUCKET);
    let namespaces = client
        .namespaces()
        .list(ACCOUNT_ID, BUCKET, None, &ListOptions::new())
        .await
        .expect("listed");
    assert_eq!(namespaces.result.namespaces.len(), 1);
    let table = client
        .tables()
        .get(ACCOUNT_ID, BUCKET, "bronze", "events")
        .await
        .expect("a table");
    assert_eq!(table.result.identifier.name, "events");

    catalogs
        .disable(ACCOUNT_ID, BUCKET)
        .await
        .expect("disabled");
    let disabled = catalogs
        .get(ACCOUNT_ID, BUCKET)
        .await
        .expect("found")
        .result;
    assert_eq!(disabled.status, CatalogStatus::Inactive);

    let not_empty = catalogs
        .delete(ACCOUNT_ID, BUCKET, false)
        .await
        .unwrap_err();
    assert!(not_empty.is_conflict(), "{not_empty}");
    catalogs
        .delete(ACCOUNT_ID, BUCKET, true)
        .await
        .expect("deleted");
    let gone = catalogs.get(ACCOUNT_ID, BUCKET).await.unwrap_err();
    assert!(gone.is_not_found());
    let listed = catalogs.list(ACCOUNT_ID).await.expect("listed").result;
    assert!(listed.warehouses.is_empty());

    // Enabled again, it starts empty: delete removed the namespaces and tables.
    catalogs.enable(ACCOUNT_ID, BUCKET).await.expect("enabled");
    catalogs
        .delete(ACCOUNT_ID, BUCKET, false)
        .await
        .expect("empty, so deleted");
}

#[tokio::test]
async fn a_disabled_catalog_enabled_again_keeps_its_id() {
    let (_emulator, client, _) = emulator_and_client().await;
    let catalogs = client.catalogs();
    let first = catalogs
        .enable(ACCOUNT_ID, BUCKET)
        .await
        .unwrap()
        .result
        .unwrap();
    catalogs.disable(ACCOUNT_ID, BUCKET).await.unwrap();
    let again = catalogs
        .enable(ACCOUNT_ID, BUCKET)
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(again.id, first.id);
    let catalog = catalogs.get(ACCOUNT_ID, BUCKET).await.unwrap().result;
    assert_eq!(catalog.status, CatalogStatus::Active);
}

#[tokio::test]
async fn an_unknown_bucket_cannot_be_enabled_and_accounts_do_not_share_catalogs() {
    let (_emulator, client, _) = emulator_and_client().await;
    let error = client
        .catalogs()
        .enable(ACCOUNT_ID, "no-such-bucket")
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(error.codes(), [40402]);

    client.catalogs().enable(ACCOUNT_ID, BUCKET).await.unwrap();
    let other = "fedcba9876543210fedcba9876543210";
    let listed = client.catalogs().list(other).await.unwrap().result;
    assert!(listed.warehouses.is_empty());
    assert!(
        client
            .catalogs()
            .get(other, BUCKET)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn the_paging_stream_walks_every_page() {
    let (emulator, client, _) = emulator_and_client().await;
    for index in 0..250 {
        emulator
            .add_namespace(BUCKET, format!("ns-{index:03}"))
            .expect("seeded");
    }
    emulator
        .add_namespace(BUCKET, Namespace::new(["ns-000", "child"]).unwrap())
        .unwrap();
    client.catalogs().enable(ACCOUNT_ID, BUCKET).await.unwrap();

    let options = ListOptions::new().page_size(PageSize::new(100).unwrap());
    let pages: Vec<_> = client
        .namespaces()
        .pages(ACCOUNT_ID, BUCKET, None, options.clone())
        .try_collect()
        .await
        .expect("every page");
    let sizes: Vec<usize> = pages.iter().map(|page| page.namespaces.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(pages[2].namespaces[49].0, ["ns-249"]);

    let parent = Namespace::new(["ns-000"]).unwrap();
    let children = client
        .namespaces()
        .list(ACCOUNT_ID, BUCKET, Some(&parent), &options.with_uuids())
        .await
        .unwrap()
        .result;
    assert_eq!(children.namespaces.len(), 1);
    assert_eq!(children.namespaces[0].0, ["ns-000", "child"]);
    assert_eq!(children.namespace_uuids.map(|uuids| uuids.len()), Some(1));
}

#[tokio::test]
async fn injected_faults_are_retried_by_the_sdk() {
    let (emulator, client, sleeps) = emulator_and_client().await;
    emulator.inject(
        Fault::rate_limited(Duration::from_millis(1500))
            .times(1)
            .only(Operation::EnableCatalog),
    );
    emulator.inject(
        Fault::server_error(503)
            .unwrap()
            .only(Operation::EnableCatalog),
    );
    emulator.inject(Fault::disconnect().only(Operation::GetCatalogDetails));

    client
        .catalogs()
        .enable(ACCOUNT_ID, BUCKET)
        .await
        .expect("third try");
    assert_eq!(
        sleeps.waits()[0],
        Duration::from_secs(2),
        "Retry-After rounded up"
    );
    client
        .catalogs()
        .get(ACCOUNT_ID, BUCKET)
        .await
        .expect("second try");

    let statuses: Vec<(Option<Operation>, Option<u16>)> = emulator
        .requests()
        .iter()
        .map(|request| (request.operation, request.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (Some(Operation::EnableCatalog), Some(429)),
            (Some(Operation::EnableCatalog), Some(503)),
            (Some(Operation::EnableCatalog), Some(200)),
            (Some(Operation::GetCatalogDetails), None),
            (Some(Operation::GetCatalogDetails), Some(200)),
        ]
    );
    assert!(matches!(
        Fault::server_error(404),
        Err(EmulatorError::NotAServerError(404))
    ));
}

#[tokio::test]
async fn only_the_credentials_and_accounts_named_are_accepted() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .account(ACCOUNT_ID)
        .accept_token("the-right-token")
        .start()
        .await
        .unwrap();
    let wrong = client_of(&emulator, &RecordedSleeps::default());
    let error = wrong.catalogs().list(ACCOUNT_ID).await.unwrap_err();
    assert!(error.is_auth(), "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));

    let right = Client::builder()
        .api_token("the-right-token")
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    right.catalogs().list(ACCOUNT_ID).await.expect("accepted");
    let forbidden = right
        .catalogs()
        .list("fedcba9876543210fedcba9876543210")
        .await
        .unwrap_err();
    assert_eq!(forbidden.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn it_listens_on_loopback_only_and_frees_its_port_when_shut_down() {
    let public = Emulator::builder()
        .listen("0.0.0.0:0".parse().unwrap())
        .start()
        .await;
    assert!(matches!(public, Err(EmulatorError::NotLoopback(_))));
    let invalid = Emulator::builder().bucket("Not_A_Bucket").start().await;
    assert!(matches!(invalid, Err(EmulatorError::InvalidInput(_))));

    let emulator = Emulator::builder().start().await.unwrap();
    let address = emulator.local_addr();
    assert_eq!(emulator.base_url(), format!("http://{address}/client/v4"));
    emulator.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
    // Its port is free again at once: another emulator can take it.
    let again = Emulator::builder().listen(address).start().await;
    again.expect("the address is free").shutdown().await;
}

#[tokio::test]
async fn a_recorded_request_does_not_show_its_body_in_debug() {
    let (emulator, client, _) = emulator_and_client().await;
    client.catalogs().enable(ACCOUNT_ID, BUCKET).await.unwrap();
    store(&client).await.unwrap();
    let stored = emulator.requests().pop().expect("recorded");
    assert_eq!(stored.operation, Some(Operation::StoreCredentials));
    assert_eq!(
        stored.body,
        json!({"token": CATALOG_TOKEN}).to_string().as_bytes()
    );
    let debug = format!("{stored:?}");
    assert!(!debug.contains(CATALOG_TOKEN), "{debug}");
}

#[tokio::test]
async fn a_seed_file_names_buckets_namespaces_and_tables() {
    let seed: Seed = serde_json::from_value(json!({"buckets": {"seeded-bucket": {
        "namespaces": [["bronze"], ["bronze", "raw"]],
        "tables": [{"namespace": ["silver"], "name": "events"}],
    }}}))
    .unwrap();
    let emulator = Emulator::builder().start().await.unwrap();
    emulator.seed(&seed).expect("seeded");
    let client = client_of(&emulator, &RecordedSleeps::default());
    client
        .catalogs()
        .enable(ACCOUNT_ID, "seeded-bucket")
        .await
        .unwrap();
    let top = client
        .namespaces()
        .list(ACCOUNT_ID, "seeded-bucket", None, &ListOptions::new())
        .await
        .unwrap()
        .result;
    let names: Vec<Vec<String>> = top.namespaces.into_iter().map(|n| n.0).collect();
    assert_eq!(
        names,
        [vec!["bronze".to_owned()], vec!["silver".to_owned()]]
    );
    assert!(
        emulator
            .add_namespace("never-named", "x")
            .is_err_and(|error| matches!(error, EmulatorError::UnknownBucket(_)))
    );
    let typo: Result<Seed, _> = serde_json::from_value(json!({"bucket": {}}));
    assert!(typo.is_err(), "unknown fields are refused");
}

/// A raw request to the emulator: what the SDK would never send.
struct Raw {
    method: &'static str,
    path: String,
    query: &'static str,
    body: Option<Value>,
    authenticated: bool,
}

fn raw(method: &'static str, path: impl Into<String>) -> Raw {
    Raw {
        method,
        path: path.into(),
        query: "",
        body: None,
        authenticated: true,
    }
}

impl Raw {
    fn query(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn anonymous(mut self) -> Self {
        self.authenticated = false;
        self
    }
}

/// Sends `request` over a plain TCP connection (HTTP/1.1, `Connection: close`) and returns the
/// status and body: a client with no opinions about what it sends.
async fn send(emulator: &Emulator, request: &Raw) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut target = format!("/client/v4{}", request.path);
    if !request.query.is_empty() {
        target = format!("{target}?{}", request.query);
    }
    let body = request
        .body
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default();
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method,
        emulator.local_addr(),
        body.len()
    );
    if request.authenticated {
        head.push_str(&format!("Authorization: Bearer {API_TOKEN}\r\n"));
    }
    if request.body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .expect("connects");
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .await
        .expect("sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("an answer");
    let split = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a head");
    let status_line = String::from_utf8_lossy(&answer[..split]).to_string();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    (status, answer[split + 4..].to_vec())
}

#[tokio::test]
async fn every_answer_matches_the_spec_for_its_operation_and_status() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .bucket("empty-bucket")
        .account(ACCOUNT_ID)
        .start()
        .await
        .unwrap();
    emulator.add_table(BUCKET, "bronze", "events").unwrap();
    emulator
        .add_namespace(BUCKET, Namespace::new(["bronze", "raw"]).unwrap())
        .unwrap();
    for index in 0..3 {
        emulator
            .add_namespace(BUCKET, format!("extra-{index}"))
            .unwrap();
    }
    let c = format!("/accounts/{ACCOUNT_ID}/r2-catalog");
    let b = format!("{c}/{BUCKET}");
    let t = format!("{b}/namespaces/bronze/tables/events");
    let update = json!({"compaction": {"state": "enabled", "target_size_mb": "512"},
                        "snapshot_expiration": {"max_snapshot_age": "14d", "min_snapshots_to_keep": 5}});
    let scenario: Vec<(Operation, Raw, u16)> = vec![
        (Operation::ListCatalogs, raw("GET", &c), 200),
        (Operation::ListCatalogs, raw("GET", &c).anonymous(), 401),
        (
            Operation::ListCatalogs,
            raw("GET", "/accounts/not-an-id/r2-catalog"),
            400,
        ),
        (
            Operation::ListCatalogs,
            raw(
                "GET",
                "/accounts/fedcba9876543210fedcba9876543210/r2-catalog",
            ),
            403,
        ),
        (Operation::GetCatalogDetails, raw("GET", &b), 404),
        (
            Operation::GetCatalogDetails,
            raw("GET", format!("{c}/Bad_Bucket")),
            400,
        ),
        (
            Operation::StoreCredentials,
            raw("POST", format!("{b}/credential")).body(json!({"token": "t"})),
            404,
        ),
        (
            Operation::DisableCatalog,
            raw("POST", format!("{b}/disable")),
            404,
        ),
        (
            Operation::DeleteCatalog,
            raw("POST", format!("{b}/delete")),
            404,
        ),
        (
            Operation::GetMaintenanceConfig,
            raw("GET", format!("{b}/maintenance-configs")),
            404,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")),
            404,
        ),
        (
            Operation::EnableCatalog,
            raw("POST", format!("{c}/no-such-bucket/enable")),
            404,
        ),
        (
            Operation::EnableCatalog,
            raw("POST", format!("{b}/enable")),
            200,
        ),
        (
            Operation::EnableCatalog,
            raw("POST", format!("{b}/enable")),
            409,
        ),
        (Operation::ListCatalogs, raw("GET", &c), 200),
        (Operation::GetCatalogDetails, raw("GET", &b), 200),
        (
            Operation::StoreCredentials,
            raw("POST", format!("{b}/credential")).body(json!({"token": "t"})),
            200,
        ),
        (
            Operation::StoreCredentials,
            raw("POST", format!("{b}/credential")).body(json!({"token": ""})),
            400,
        ),
        (
            Operation::StoreCredentials,
            raw("POST", format!("{b}/credential")).body(json!([1])),
            400,
        ),
        (
            Operation::GetMaintenanceConfig,
            raw("GET", format!("{b}/maintenance-configs")),
            200,
        ),
        (
            Operation::UpdateMaintenanceConfig,
            raw("POST", format!("{b}/maintenance-configs")).body(update.clone()),
            200,
        ),
        (
            Operation::UpdateMaintenanceConfig,
            raw("POST", format!("{b}/maintenance-configs"))
                .body(json!({"compaction": {"target_size_mb": "100"}})),
            400,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")),
            200,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces"))
                .query("page_size=2&return_uuids=true&return_details=true"),
            200,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).query("page_size=2&page_token=emulator-page-2"),
            200,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).query("parent=bronze&return_details=true"),
            200,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).query("page_size=0"),
            400,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).query("page_token=forged"),
            400,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).query("return_uuids=yes"),
            400,
        ),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).query("parent=nowhere"),
            404,
        ),
        (
            Operation::ListTables,
            raw("GET", format!("{b}/namespaces/bronze/tables"))
                .query("return_uuids=true&return_details=true"),
            200,
        ),
        (
            Operation::ListTables,
            raw("GET", format!("{b}/namespaces/nowhere/tables")),
            404,
        ),
        (
            Operation::ListTables,
            raw("GET", format!("{b}/namespaces/bronze%1F/tables")),
            400,
        ),
        (Operation::GetTable, raw("GET", &t), 200),
        (
            Operation::GetTable,
            raw("GET", format!("{b}/namespaces/bronze/tables/missing")),
            404,
        ),
        (
            Operation::GetTableMaintenanceConfig,
            raw("GET", format!("{t}/maintenance-configs")),
            200,
        ),
        (
            Operation::UpdateTableMaintenanceConfig,
            raw("POST", format!("{t}/maintenance-configs")).body(update),
            200,
        ),
        (
            Operation::UpdateTableMaintenanceConfig,
            raw("POST", format!("{t}/maintenance-configs"))
                .body(json!({"snapshot_expiration": {"max_snapshot_age": "soon"}})),
            400,
        ),
        (
            Operation::DisableCatalog,
            raw("POST", format!("{b}/disable")),
            204,
        ),
        (
            Operation::DeleteCatalog,
            raw("POST", format!("{b}/delete")),
            409,
        ),
        (
            Operation::DeleteCatalog,
            raw("POST", format!("{b}/delete")).query("force=maybe"),
            400,
        ),
        (
            Operation::DeleteCatalog,
            raw("POST", format!("{b}/delete")).query("force=true"),
            204,
        ),
        (
            Operation::EnableCatalog,
            raw("POST", format!("{c}/empty-bucket/enable")),
            200,
        ),
        (
            Operation::DeleteCatalog,
            raw("POST", format!("{c}/empty-bucket/delete")),
            204,
        ),
    ];
    let mut problems = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for (operation, request, expected) in &scenario {
        let (status, body) = send(&emulator, request).await;
        let label = format!("{} {}?{}", request.method, request.path, request.query);
        if status != *expected {
            problems.push(format!("{label}: HTTP {status}, expected {expected}"));
        }
        for violation in response_violations(operation.id(), status, &body) {
            problems.push(format!("{label}: {violation}"));
        }
        covered.insert(*operation);
    }
    assert_eq!(
        covered.len(),
        Operation::ALL.len(),
        "every operation is exercised"
    );
    assert!(problems.is_empty(), "{problems:#?}");

    // What the spec does not declare (an unknown route, a wrong method, injected faults) still
    // answers with Cloudflare's failure envelope.
    let failure = component("r2-data-catalog_api-response-common-failure");
    emulator.inject(Fault::rate_limited(Duration::from_secs(3)).only(Operation::ListCatalogs));
    emulator.inject(
        Fault::server_error(502)
            .unwrap()
            .only(Operation::ListCatalogs),
    );
    for (request, expected) in [
        (raw("GET", "/no/such/route"), 404),
        (raw("DELETE", &b), 404),
        (raw("GET", &c), 429),
        (raw("GET", &c), 502),
    ] {
        let (status, body) = send(&emulator, &request).await;
        assert_eq!(status, expected, "{} {}", request.method, request.path);
        assert_eq!(body_violations(failure, &body), Vec::<String>::new());
    }
}

#[test]
fn the_schema_checker_catches_what_it_should() {
    let catalog = component("r2-data-catalog_catalog");
    let good = json!({
        "bucket": "b", "id": "550e8400-e29b-41d4-a716-446655440000", "name": "a_b",
        "status": "active", "credential_status": null,
    });
    assert_eq!(violations(catalog, &good), Vec::<String>::new());
    let mut bad = good.clone();
    bad["id"] = "not-a-uuid".into();
    bad["status"] = 3.into();
    bad.as_object_mut().map(|object| object.remove("name"));
    let found = violations(catalog, &bad).join("\n");
    for expected in [
        "is not a \"uuid\"",
        "$.status: expected string",
        "missing required \"name\"",
    ] {
        assert!(found.contains(expected), "{expected} in {found}");
    }
    let unknown_keyword = json!({"type": "string", "const": "x"});
    assert_eq!(violations(&unknown_keyword, &"x".into()).len(), 1);
    assert_eq!(
        response_violations("delete-catalog", 404, b"{}"),
        ["HTTP 404 of delete-catalog declares no body, got 2 bytes"]
    );
    assert_eq!(
        response_violations("list-catalogs", 404, b""),
        ["list-catalogs does not declare HTTP 404"]
    );
}

#[tokio::test]
async fn sdk_errors_from_the_emulator_keep_cloudflare_codes() {
    let (_emulator, client, _) = emulator_and_client().await;
    let error = client
        .maintenance()
        .get(ACCOUNT_ID, BUCKET)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api(_)));
    assert_eq!(error.codes(), [40401]);
}
