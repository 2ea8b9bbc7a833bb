//! The emulator (crate `cloudflare-r2-catalog-emulator`): the SDK's flows against it, every answer it gives checked
//! against the spec's schema for that operation and status, and its faults, credentials,
//! paging, recording and shutdown.

mod common;
#[path = "common/schema.rs"]
mod schema;

use std::time::Duration;

use cloudflare_r2_catalog::{
    Client, Error, ListOptions, MaintenanceKind, RequestId,
    config::PathFamily,
    input::Namespace,
    models::{
        CatalogStatus, CompactionUpdate, CredentialStatus, CredentialValidity, MaintenanceState,
        MaintenanceStep, MaintenanceUpdate, RunStatus, StepStatus, TargetFileSize,
    },
};
use cloudflare_r2_catalog_emulator::{
    DAILY_QUEUE_LIMIT, Emulator, EmulatorError, Fault, Operation, RECORDED_BYTES, Seed,
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
    let catalog = catalog(&client);

    let error = catalog.get().await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.codes(), [40401]);

    let enabled = catalog.enable().await.expect("enabled");
    let activation = enabled.result.expect("an activation");
    assert_eq!(activation.name, format!("{ACCOUNT_ID}_{BUCKET}"));
    assert!(catalog.enable().await.unwrap_err().is_conflict());

    let details = catalog.get().await.expect("found").result;
    assert_eq!(details.id, activation.id);
    assert_eq!(details.status, CatalogStatus::Active);
    assert_eq!(details.credential_status, Some(CredentialStatus::Absent));
    let defaults = details.maintenance_config.expect("maintenance");
    let compaction = defaults.compaction.expect("compaction");
    // Cloudflare starts a catalog with compaction on; it runs once a credential is stored.
    assert_eq!(compaction.state, MaintenanceState::Enabled);
    assert_eq!(compaction.target_size_mb, TargetFileSize::Mb128);
    let expiration = defaults.snapshot_expiration.expect("expiration");
    assert_eq!(expiration.max_snapshot_age, "7d");
    assert_eq!(expiration.min_snapshots_to_keep, 100);

    store(&client).await.expect("stored");
    let maintenance = catalog.maintenance().get().await.expect("read");
    assert_eq!(
        maintenance.result.credential_status,
        CredentialStatus::Present
    );

    let update = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            target_size_mb: Some(TargetFileSize::Mb256),
        }),
        ..MaintenanceUpdate::default()
    };
    let updated = catalog
        .maintenance()
        .update(&update)
        .await
        .expect("updated")
        .result
        .expect("a result");
    let read = catalog.maintenance().get().await.expect("read");
    let read_compaction = read
        .result
        .maintenance_config
        .compaction
        .expect("compaction");
    assert_eq!(read_compaction.state, MaintenanceState::Enabled);
    assert_eq!(read_compaction.target_size_mb, TargetFileSize::Mb256);
    assert_eq!(
        updated.compaction.map(|c| c.target_size_mb),
        Some(TargetFileSize::Mb256)
    );

    let listed = client.list_catalogs().await.expect("listed").result;
    assert_eq!(listed.warehouses.len(), 1);
    assert_eq!(listed.warehouses[0].bucket, BUCKET);
    let namespaces = catalog
        .namespaces()
        .list(ListOptions::new())
        .await
        .expect("listed");
    assert_eq!(namespaces.result.namespaces.len(), 1);
    let table = events(&client).get().await.expect("a table");
    assert_eq!(table.result.identifier.name, "events");

    catalog.disable().await.expect("disabled");
    let disabled = catalog.get().await.expect("found").result;
    assert_eq!(disabled.status, CatalogStatus::Inactive);

    let not_empty = catalog.delete().await.unwrap_err();
    assert!(not_empty.is_conflict(), "{not_empty}");
    catalog.delete().force(true).await.expect("deleted");
    let gone = catalog.get().await.unwrap_err();
    assert!(gone.is_not_found());
    let listed = client.list_catalogs().await.expect("listed").result;
    assert!(listed.warehouses.is_empty());

    // Enabled again, it starts empty: delete removed the namespaces and tables.
    catalog.enable().await.expect("enabled");
    catalog.delete().await.expect("empty, so deleted");
}

#[tokio::test]
async fn a_disabled_catalog_enabled_again_keeps_its_id() {
    let (_emulator, client, _) = emulator_and_client().await;
    let catalog = catalog(&client);
    let first = catalog.enable().await.unwrap().result.unwrap();
    catalog.disable().await.unwrap();
    let again = catalog.enable().await.unwrap().result.unwrap();
    assert_eq!(again.id, first.id);
    let details = catalog.get().await.unwrap().result;
    assert_eq!(details.status, CatalogStatus::Active);
}

#[tokio::test]
async fn an_unknown_bucket_cannot_be_enabled_and_accounts_do_not_share_catalogs() {
    let (_emulator, client, _) = emulator_and_client().await;
    let no_such_bucket = client.catalog("no-such-bucket").unwrap();
    let error = no_such_bucket.enable().await.unwrap_err();
    assert!(error.is_bucket_not_found(), "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.codes(), [40406]);
    // Without a bucket there is no catalog to read either.
    let error = no_such_bucket.get().await.unwrap_err();
    assert!(
        error.is_catalog_not_found() && !error.is_bucket_not_found(),
        "{error}"
    );

    catalog(&client).enable().await.unwrap();
    let other = client.account("fedcba9876543210fedcba9876543210").unwrap();
    let listed = other.list_catalogs().await.unwrap().result;
    assert!(listed.warehouses.is_empty());
    assert!(
        other
            .catalog(BUCKET)
            .unwrap()
            .get()
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
    let catalog = catalog(&client);
    catalog.enable().await.unwrap();

    let options = ListOptions::new().page_size(100);
    let pages: Vec<_> = catalog
        .namespaces()
        .pages(options.clone())
        .try_collect()
        .await
        .expect("every page");
    let sizes: Vec<usize> = pages.iter().map(|page| page.namespaces.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(pages[2].namespaces[49].0, ["ns-249"]);

    let parent = Namespace::new(["ns-000"]).unwrap();
    let children = catalog
        .namespace(&parent)
        .unwrap()
        .namespaces()
        .list(options.with_uuids())
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

    let catalog = catalog(&client);
    catalog.enable().await.expect("third try");
    // The client's hold, set a moment before it is waited out: up to the 2 s asked, well
    // over the 1.5 s the emulator had in mind.
    let held = sleeps.waits()[0];
    assert!(
        held > Duration::from_millis(1900) && held <= Duration::from_secs(2),
        "Retry-After rounded up: {held:?}"
    );
    catalog.get().await.expect("second try");

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
    let error = wrong.list_catalogs().await.unwrap_err();
    assert!(error.is_auth(), "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));

    let right = Client::builder()
        .api_token("the-right-token")
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    right
        .account(ACCOUNT_ID)
        .unwrap()
        .list_catalogs()
        .await
        .expect("accepted");
    let forbidden = right
        .account("fedcba9876543210fedcba9876543210")
        .unwrap()
        .list_catalogs()
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
    catalog(&client).enable().await.unwrap();
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
    let seeded = client.catalog("seeded-bucket").unwrap();
    seeded.enable().await.unwrap();
    let top = seeded
        .namespaces()
        .list(ListOptions::new())
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

#[tokio::test]
async fn a_nested_namespace_without_its_parent_refuses_the_whole_seed() {
    let emulator = Emulator::builder().bucket(BUCKET).start().await.unwrap();
    let refused = |seed: Value| {
        let seed: Seed = serde_json::from_value(seed).expect("a seed");
        emulator.seed(&seed).expect_err("refused").to_string()
    };
    // A listed namespace, and a table's, need their parents; the other bucket named first
    // (buckets go in name order) is not seeded either.
    assert_eq!(
        refused(
            json!({"buckets": {"another-bucket": {"namespaces": [["gold"]]}, BUCKET: {
                "namespaces": [["bronze"], ["silver", "raw"]],
            }}})
        ),
        format!(
            "namespace silver.raw of bucket {BUCKET} has no parent: seed namespace silver too (a namespace is listed only under its parent)"
        )
    );
    assert_eq!(
        refused(json!({"buckets": {BUCKET: {
            "tables": [{"namespace": ["silver", "raw"], "name": "events"}],
        }}})),
        format!(
            "namespace silver.raw of bucket {BUCKET} has no parent: seed namespace silver too (a namespace is listed only under its parent)"
        )
    );
    assert!(
        emulator
            .add_namespace("another-bucket", "gold")
            .is_err_and(|error| matches!(error, EmulatorError::UnknownBucket(_))),
        "nothing of a refused seed is applied"
    );
    let error = emulator
        .add_table(BUCKET, Namespace::new(["a", "b"]).unwrap(), "t")
        .unwrap_err();
    let EmulatorError::MissingParent {
        bucket,
        namespace,
        parent,
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        (bucket.as_ref(), namespace.levels(), parent.levels()),
        (
            BUCKET,
            &["a".to_owned(), "b".to_owned()][..],
            &["a".to_owned()][..]
        )
    );

    // In any order, a parent named anywhere in the seed (or a table's namespace) will do.
    let seed: Seed = serde_json::from_value(json!({"buckets": {BUCKET: {
        "namespaces": [["bronze", "raw"], ["bronze"]],
        "tables": [{"namespace": ["bronze", "raw", "deep"], "name": "events"}],
    }}}))
    .unwrap();
    emulator.seed(&seed).expect("seeded");
    let client = client_of(&emulator, &RecordedSleeps::default());
    catalog(&client).enable().await.unwrap();
    let handle = catalog(&client);
    let mut children = Vec::new();
    for parent in [&["bronze"][..], &["bronze", "raw"]] {
        let parent = handle
            .namespace(Namespace::new(parent.iter().copied()).unwrap())
            .unwrap();
        let listed = parent.namespaces().list(ListOptions::new()).await.unwrap();
        let names: Vec<Vec<String>> = listed.result.namespaces.into_iter().map(|n| n.0).collect();
        children.push(names);
    }
    assert_eq!(
        children,
        [
            vec![vec!["bronze", "raw"]],
            vec![vec!["bronze", "raw", "deep"]]
        ]
    );
}

#[tokio::test]
async fn a_body_that_stops_coming_is_answered_408_and_its_connection_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .body_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let path = format!("/client/v4/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/credential");
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .expect("connects");
    // A head announcing 64 KiB, a few bytes of it, then nothing.
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {API_TOKEN}\r\nContent-Length: 65536\r\n\r\n{{\"tok",
        emulator.local_addr()
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("answered and closed well before 20 s")
        .expect("read");
    let answer = String::from_utf8(answer).expect("UTF-8");
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    let body = &answer[answer.find("\r\n\r\n").expect("a head") + 4..];
    assert_eq!(
        serde_json::from_str::<Value>(body).expect("JSON"),
        failure(40801, "request body not received whole within 200ms")
    );
    let recorded = emulator.requests().pop().expect("recorded");
    assert_eq!(
        (recorded.operation, recorded.status, recorded.body.len()),
        (Some(Operation::StoreCredentials), Some(408), 0)
    );
}

#[tokio::test]
async fn the_record_keeps_at_most_recorded_bytes_of_the_latest_requests() {
    let emulator = Emulator::builder().start().await.unwrap();
    // reqwest is built here without a rustls provider (the SDK hands it one); the route is
    // plain HTTP, but reqwest wants one to build a client.
    #[allow(
        deprecated,
        reason = "rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange) and \
                  has no other way to build it; this client speaks plain HTTP"
    )]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let body = vec![b'x'; 64 * 1024];
    let query = format!("q={}", "y".repeat(60_000));
    let path = |index: usize| format!("/client/v4/unknown/{index:04}");
    let each = "POST".len() + path(0).len() + query.len() + body.len();
    let sent = RECORDED_BYTES / each + 10;
    for index in 0..sent {
        let url = format!("{}{}?{query}", emulator.iceberg_url(), path(index));
        let answer = http.post(url).body(body.clone()).send().await.unwrap();
        assert_eq!(answer.status(), 404);
    }
    let recorded = emulator.requests();
    let kept = RECORDED_BYTES / each;
    let paths: Vec<String> = recorded.iter().map(|r| r.path.clone()).collect();
    let latest: Vec<String> = (sent - kept..sent).map(path).collect();
    assert_eq!(paths, latest, "the latest {kept} of {sent}, oldest first");
    assert!(
        recorded
            .iter()
            .all(|r| r.body == body && r.query.as_deref() == Some(query.as_str())),
        "kept whole"
    );
}

/// A raw request to the emulator: what the SDK would never send.
struct Raw {
    method: &'static str,
    path: String,
    query: &'static str,
    body: Option<Value>,
    authenticated: bool,
    /// A fault injected just before it is sent.
    fault: Option<Fault>,
    /// The error code its answer must carry, if any.
    code: Option<i64>,
}

fn raw(method: &'static str, path: impl Into<String>) -> Raw {
    Raw {
        method,
        path: path.into(),
        query: "",
        body: None,
        authenticated: true,
        fault: None,
        code: None,
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
    fn after(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }
    fn code(mut self, code: i64) -> Self {
        self.code = Some(code);
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

/// The code of the first error of a failure envelope.
fn first_code(body: &[u8]) -> Option<i64> {
    serde_json::from_slice::<Value>(body).ok()?["errors"][0]["code"].as_i64()
}

/// The daily queue limit of the fidelity scenario: its table accepts this many queue requests,
/// then answers 429.
const SCENARIO_QUEUE_LIMIT: u32 = 3;

#[tokio::test]
async fn every_answer_matches_the_spec_for_its_operation_and_status() {
    for family in ["basin-catalog", "r2-catalog"] {
        every_answer_of_a_family_matches_the_spec(family).await;
    }
}

/// The fidelity scenario under `/accounts/{account}/{family}/…`: every operation, every status
/// the emulator gives it, each body checked against the spec and each failure's code.
async fn every_answer_of_a_family_matches_the_spec(family: &str) {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .bucket("empty-bucket")
        .account(ACCOUNT_ID)
        .daily_queue_limit(SCENARIO_QUEUE_LIMIT)
        .start()
        .await
        .unwrap();
    emulator.add_table(BUCKET, "bronze", "events").unwrap();
    emulator.add_table(BUCKET, "bronze", "clicks").unwrap();
    emulator
        .add_namespace(BUCKET, Namespace::new(["bronze", "raw"]).unwrap())
        .unwrap();
    for index in 0..3 {
        emulator
            .add_namespace(BUCKET, format!("extra-{index}"))
            .unwrap();
    }
    let c = format!("/accounts/{ACCOUNT_ID}/{family}");
    let b = format!("{c}/{BUCKET}");
    // Credential status is documented, and served, only under basin-catalog.
    let basin = format!("/accounts/{ACCOUNT_ID}/basin-catalog");
    let s = format!("{basin}/{BUCKET}/credential/status");
    let t = format!("{b}/namespaces/bronze/tables/events");
    let queue = format!("{t}/maintenance-configs/compaction/queue");
    let runs = format!("{t}/maintenance-runs");
    let request_id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let update = json!({"compaction": {"state": "enabled", "target_size_mb": "512"},
                        "snapshot_expiration": {"max_snapshot_age": "14d", "min_snapshots_to_keep": 5}});
    let mut scenario: Vec<(Operation, Raw, u16)> = vec![
        (Operation::ListCatalogs, raw("GET", &c), 200),
        (Operation::ListCatalogs, raw("GET", &c).anonymous(), 401),
        (
            Operation::ListCatalogs,
            raw("GET", format!("/accounts/not-an-id/{family}")),
            400,
        ),
        (
            Operation::ListCatalogs,
            raw(
                "GET",
                format!("/accounts/fedcba9876543210fedcba9876543210/{family}"),
            ),
            403,
        ),
        (
            Operation::GetCatalogDetails,
            raw("GET", &b).code(40401),
            404,
        ),
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
            Operation::GetCredentialStatus,
            raw("GET", &s).code(40401),
            404,
        ),
        (
            Operation::GetCredentialStatus,
            raw("GET", format!("{basin}/Bad_Bucket/credential/status")),
            400,
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
            Operation::QueueTableMaintenance,
            raw("POST", &queue).body(json!({})).code(40401),
            404,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).code(40401),
            404,
        ),
        (
            Operation::EnableCatalog,
            raw("POST", format!("{c}/no-such-bucket/enable")).code(40406),
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
        (Operation::GetCredentialStatus, raw("GET", &s), 200),
        // Turning a job on needs a credential at the catalog level, not at the table level.
        (
            Operation::UpdateMaintenanceConfig,
            raw("POST", format!("{b}/maintenance-configs"))
                .body(update.clone())
                .code(40001),
            400,
        ),
        (
            Operation::UpdateTableMaintenanceConfig,
            raw("POST", format!("{t}/maintenance-configs")).body(update.clone()),
            200,
        ),
        // Not while the catalog's snapshot expiration is off.
        (
            Operation::UpdateTableMaintenanceConfig,
            raw("POST", format!("{t}/maintenance-configs"))
                .body(json!({"snapshot_expiration": {"state": "enabled"}}))
                .code(40013),
            400,
        ),
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
        (Operation::GetCredentialStatus, raw("GET", &s), 200),
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
            raw("GET", format!("{b}/namespaces"))
                .query("parent=nowhere")
                .code(40404),
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
            raw("GET", format!("{b}/namespaces/nowhere/tables")).code(40404),
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
            raw("GET", format!("{b}/namespaces/bronze/tables/missing")).code(40403),
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
        // An empty listing, then queue requests: with, without and with a null request id.
        (Operation::ListTableMaintenanceRuns, raw("GET", &runs), 200),
        (
            Operation::QueueTableMaintenance,
            raw("POST", &queue).body(json!({"request_id": request_id})),
            202,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{t}/maintenance-configs/snapshot_expiration/queue"),
            )
            .body(json!({})),
            202,
        ),
        (
            Operation::QueueTableMaintenance,
            raw("POST", &queue).body(json!({"request_id": null})),
            202,
        ),
        // The limit of 3 is reached: the next is refused, by rule and on demand alike.
        (
            Operation::QueueTableMaintenance,
            raw("POST", &queue).body(json!({})).code(42901),
            429,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/compaction/queue"),
            )
            .body(json!({}))
            .after(Fault::daily_limit_reached().only(Operation::QueueTableMaintenance))
            .code(42901),
            429,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/compaction/queue"),
            )
            .body(json!({}))
            .after(Fault::queue_conflict().only(Operation::QueueTableMaintenance))
            .code(40903),
            409,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/compaction/queue"),
            )
            .body(json!({"request_id": "not-a-uuid"}))
            .code(40001),
            400,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/compaction/queue"),
            )
            .body(json!({"request_id": 7})),
            400,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/compaction/queue"),
            )
            .body(json!([request_id])),
            400,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/compaction/queue"),
            ),
            400,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!("{b}/namespaces/bronze/tables/clicks/maintenance-configs/vacuum/queue"),
            )
            .body(json!({}))
            .code(40405),
            404,
        ),
        (
            Operation::QueueTableMaintenance,
            raw(
                "POST",
                format!(
                    "{b}/namespaces/bronze/tables/missing/maintenance-configs/compaction/queue"
                ),
            )
            .body(json!({}))
            .code(40403),
            404,
        ),
        (Operation::ListTableMaintenanceRuns, raw("GET", &runs), 200),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).query("page_size=1"),
            200,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).query("page_size=100&page_token=emulator-page-2"),
            200,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).query("page_size=101"),
            400,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).query("page_size=0"),
            400,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).query("page_token=forged"),
            400,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).query("page_token=emulator-page-4"),
            400,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw(
                "GET",
                format!("{b}/namespaces/bronze/tables/missing/maintenance-runs"),
            )
            .code(40403),
            404,
        ),
        (
            Operation::DisableCatalog,
            raw("POST", format!("{b}/disable")),
            204,
        ),
        // A disabled catalog still answers for itself, not for what it holds.
        (Operation::GetCredentialStatus, raw("GET", &s), 200),
        (
            Operation::ListNamespaces,
            raw("GET", format!("{b}/namespaces")).code(40402),
            404,
        ),
        (
            Operation::ListTables,
            raw("GET", format!("{b}/namespaces/bronze/tables")).code(40402),
            404,
        ),
        (Operation::GetTable, raw("GET", &t).code(40402), 404),
        (
            Operation::GetTableMaintenanceConfig,
            raw("GET", format!("{t}/maintenance-configs")).code(40402),
            404,
        ),
        (
            Operation::UpdateTableMaintenanceConfig,
            raw("POST", format!("{t}/maintenance-configs"))
                .body(json!({}))
                .code(40402),
            404,
        ),
        (
            Operation::QueueTableMaintenance,
            raw("POST", &queue).body(json!({})).code(40402),
            404,
        ),
        (
            Operation::ListTableMaintenanceRuns,
            raw("GET", &runs).code(40402),
            404,
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
    if family != "basin-catalog" {
        scenario.push((
            Operation::GetCredentialStatus,
            raw("GET", format!("{b}/credential/status")).code(7000),
            404,
        ));
    }
    let sent: Vec<String> = scenario
        .iter()
        .map(|(_, request, _)| format!("/client/v4{}", request.path))
        .collect();
    let mut problems = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for (operation, request, expected) in scenario {
        if let Some(fault) = request.fault.clone() {
            emulator.inject(fault);
        }
        let (status, body) = send(&emulator, &request).await;
        let label = format!("{} {}?{}", request.method, request.path, request.query);
        if status != expected {
            problems.push(format!("{label}: HTTP {status}, expected {expected}"));
        }
        if request.code.is_some() && first_code(&body) != request.code {
            problems.push(format!(
                "{label}: code {:?}, expected {:?}",
                first_code(&body),
                request.code
            ));
        }
        for violation in response_violations(operation.id(), status, &body) {
            problems.push(format!("{label}: {violation}"));
        }
        covered.insert(operation);
    }
    assert_eq!(
        covered,
        Operation::ALL.iter().copied().collect(),
        "every operation is exercised ({family})"
    );
    assert!(problems.is_empty(), "{family}: {problems:#?}");
    // Every request was recorded, each with its path as sent, in order.
    let recorded: Vec<String> = emulator
        .requests()
        .into_iter()
        .map(|request| request.path)
        .collect();
    assert_eq!(recorded, sent, "{family}");

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
        (
            raw("GET", format!("/accounts/{ACCOUNT_ID}/data-catalog")),
            404,
        ),
        (raw("DELETE", &b), 404),
        (raw("GET", &queue), 404),
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
    let error = catalog(&client).maintenance().get().await.unwrap_err();
    assert!(matches!(error, Error::Api(_)));
    assert_eq!(error.codes(), [40401]);
}

/// The (method, path after `/client/v4/accounts/{ACCOUNT_ID}`, status) of each request the
/// emulator received.
fn exchanges(emulator: &Emulator) -> Vec<(String, String, Option<u16>)> {
    let prefix = format!("/client/v4/accounts/{ACCOUNT_ID}");
    emulator
        .requests()
        .into_iter()
        .map(|request| {
            let path = request
                .path
                .strip_prefix(&prefix)
                .unwrap_or(&request.path)
                .to_owned();
            (request.method, path, request.status)
        })
        .collect()
}

/// The statuses of the queue requests the emulator received, in order.
fn queue_statuses(emulator: &Emulator) -> Vec<Option<u16>> {
    emulator
        .requests()
        .iter()
        .filter(|request| request.operation == Some(Operation::QueueTableMaintenance))
        .map(|request| request.status)
        .collect()
}

/// An emulator with [`BUCKET`] holding `bronze.events`, its catalog enabled, and a client.
async fn emulator_with_a_table() -> (Emulator, Client, RecordedSleeps) {
    let (emulator, client, sleeps) = emulator_and_client().await;
    let (emulator, client) = with_a_table(emulator, client).await;
    (emulator, client, sleeps)
}

/// Queues compaction of `bronze.events` with `request_id` (a random one when `None`), and
/// returns the request id Cloudflare echoes.
async fn queue(client: &Client, request_id: Option<RequestId>) -> Result<String, Error> {
    let request_id = request_id.unwrap_or_else(RequestId::random);
    let queued = queue_compaction(client, &request_id)
        .await?
        .result
        .expect("a queued result");
    assert!(queued.queued);
    Ok(queued.request_id.expect("a request id"))
}

#[tokio::test]
async fn credential_status_is_absent_until_a_credential_is_stored_then_valid() {
    let (emulator, client, _) = emulator_and_client().await;
    let catalog = catalog(&client);
    let missing = catalog.credential().status().await.unwrap_err();
    assert!(missing.is_catalog_not_found(), "{missing}");

    catalog.enable().await.unwrap();
    let before = catalog.credential().status().await.unwrap();
    assert_eq!(before.result.status, CredentialValidity::Absent);
    store(&client).await.unwrap();
    let after = catalog.credential().status().await.unwrap();
    assert_eq!(after.result.status, CredentialValidity::Valid);

    let status_path = format!("/basin-catalog/{BUCKET}/credential/status");
    assert_eq!(
        exchanges(&emulator)
            .into_iter()
            .filter(|(_, path, _)| *path == status_path)
            .map(|(method, _, status)| (method, status))
            .collect::<Vec<_>>(),
        [
            ("GET".to_owned(), Some(404)),
            ("GET".to_owned(), Some(200)),
            ("GET".to_owned(), Some(200)),
        ]
    );
}

#[tokio::test]
async fn a_catalog_token_is_authenticated_when_stored() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .accept_token(API_TOKEN)
        .start()
        .await
        .unwrap();
    let client = client_of(&emulator, &RecordedSleeps::default());
    let catalog = catalog(&client);
    catalog.enable().await.unwrap();

    // CATALOG_TOKEN is not one the emulator accepts: Cloudflare would not authenticate it.
    let refused = store(&client).await.unwrap_err();
    assert!(refused.is_invalid_credential(), "{refused}");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(refused.codes(), [30004]);
    let status = catalog.credential().status().await.unwrap();
    assert_eq!(status.result.status, CredentialValidity::Absent);

    catalog
        .credential()
        .store(API_TOKEN)
        .await
        .expect("an accepted token is stored");
    let status = catalog.credential().status().await.unwrap();
    assert_eq!(status.result.status, CredentialValidity::Valid);
}

#[tokio::test]
async fn queued_runs_are_listed_newest_first_with_their_request_ids_across_pages() {
    // Runs that end as they are queued, so each is listed final at once.
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .run_duration(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = client_of(&emulator, &RecordedSleeps::default());
    let (emulator, client) = with_a_table(emulator, client).await;
    let given = RequestId::new("6ba7b810-9dad-11d1-80b4-00c04fd430c8").unwrap();
    let first = queue(&client, Some(given.clone())).await.unwrap();
    assert_eq!(first, given.to_string());
    let events = events(&client);
    let expiration = events
        .maintenance()
        .queue(MaintenanceKind::SnapshotExpiration, &RequestId::random())
        .await
        .unwrap()
        .result
        .unwrap();
    let second = expiration.request_id.expect("a request id");
    let third = queue(&client, None).await.unwrap();
    assert!(RequestId::new(second.as_str()).is_ok() && RequestId::new(third.as_str()).is_ok());
    assert!(second != first && third != second);
    assert_eq!(queue_statuses(&emulator), [Some(202), Some(202), Some(202)]);

    let options = ListOptions::new().page_size(2);
    let pages: Vec<_> = events
        .maintenance()
        .runs()
        .pages(options.clone())
        .try_collect()
        .await
        .expect("every page");
    let sizes: Vec<usize> = pages.iter().map(|page| page.runs.len()).collect();
    assert_eq!(sizes, [2, 1]);
    assert_eq!(pages[1].next_page_token, None);
    let runs: Vec<_> = pages.into_iter().flat_map(|page| page.runs).collect();
    let ids: Vec<Option<&str>> = runs.iter().map(|run| run.request_id.as_deref()).collect();
    assert_eq!(
        ids,
        [
            Some(third.as_str()),
            Some(second.as_str()),
            Some(first.as_str())
        ],
        "newest first"
    );
    assert!(runs.windows(2).all(|pair| pair[0].run_id > pair[1].run_id));
    let kinds: Vec<&MaintenanceKind> = runs.iter().map(|run| &run.configuration_type).collect();
    assert_eq!(
        kinds,
        [
            &MaintenanceKind::Compaction,
            &MaintenanceKind::SnapshotExpiration,
            &MaintenanceKind::Compaction
        ]
    );
    let oldest = &runs[2];
    assert_eq!(oldest.status, RunStatus::Succeeded);
    assert_eq!(
        oldest.completed_at.as_deref(),
        Some(oldest.started_at.as_str())
    );
    assert_eq!(
        step_statuses(oldest),
        [
            (&MaintenanceStep::RewriteManifests, &StepStatus::Skipped),
            (&MaintenanceStep::Compaction, &StepStatus::Skipped),
        ]
    );

    // One page by hand: its token leads to the rest.
    let page = events
        .maintenance()
        .runs()
        .list(options.clone())
        .await
        .unwrap()
        .result;
    let token = page.next_page_token.expect("more runs");
    let rest = events
        .maintenance()
        .runs()
        .list(options.clone().page_token(token))
        .await
        .unwrap()
        .result;
    assert_eq!(rest.runs.len(), 1);
    assert_eq!(rest.runs[0].request_id.as_deref(), Some(first.as_str()));

    // The runs one by one, as every listing gives its items: the same runs, in order, over
    // the same two pages.
    let before = emulator.requests().len();
    let items: Vec<_> = events
        .maintenance()
        .runs()
        .items(options)
        .try_collect()
        .await
        .expect("every run");
    assert_eq!(items, runs);
    assert_eq!(emulator.requests().len() - before, 2);
}

#[tokio::test]
async fn queue_refusals_on_demand_map_to_their_predicates_and_are_not_retried() {
    let (emulator, client, sleeps) = emulator_with_a_table().await;
    emulator.inject(Fault::queue_conflict().only(Operation::QueueTableMaintenance));
    let conflict = queue(&client, None).await.unwrap_err();
    assert!(conflict.is_queue_conflict(), "{conflict}");
    assert!(!conflict.is_daily_limit_reached() && !conflict.is_retryable());
    assert_eq!(conflict.status().map(|s| s.as_u16()), Some(409));

    emulator.inject(
        Fault::failure(
            429,
            42901,
            "The daily accepted-request limit has been reached",
        )
        .unwrap()
        .only(Operation::QueueTableMaintenance),
    );
    let limited = queue(&client, None).await.unwrap_err();
    assert!(limited.is_daily_limit_reached(), "{limited}");
    assert!(!limited.is_queue_conflict() && !limited.is_retryable());
    assert_eq!(limited.status().map(|s| s.as_u16()), Some(429));

    emulator.inject(Fault::daily_limit_reached().only(Operation::QueueTableMaintenance));
    assert!(
        queue(&client, None)
            .await
            .unwrap_err()
            .is_daily_limit_reached()
    );

    // Each fault was used once, and each refusal was asked once: no retry, no wait.
    queue(&client, None).await.expect("accepted again");
    assert_eq!(
        queue_statuses(&emulator),
        [Some(409), Some(429), Some(429), Some(202)]
    );
    assert_eq!(sleeps.waits(), Vec::<Duration>::new());
    let runs = runs_of_events(&client).await;
    assert_eq!(runs.len(), 1, "only the accepted request queued a run");

    assert!(matches!(
        Fault::failure(302, 1, "not a failure"),
        Err(EmulatorError::NotAFailure(302))
    ));
    assert!(Fault::failure(400, 1, "a failure").is_ok());
}

#[tokio::test]
async fn the_daily_queue_limit_refuses_a_tables_next_request_without_retry() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .daily_queue_limit(2)
        .start()
        .await
        .unwrap();
    emulator.add_table(BUCKET, "bronze", "events").unwrap();
    emulator.add_table(BUCKET, "bronze", "clicks").unwrap();
    let sleeps = RecordedSleeps::default();
    let client = client_of(&emulator, &sleeps);
    let catalog = catalog(&client);
    catalog.enable().await.unwrap();

    queue(&client, None).await.expect("first");
    queue(&client, None).await.expect("second");
    let limited = queue(&client, None).await.unwrap_err();
    assert!(limited.is_daily_limit_reached(), "{limited}");
    assert_eq!(limited.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(limited.codes(), [42901]);
    // The limit is per table.
    catalog
        .table("bronze", "clicks")
        .unwrap()
        .maintenance()
        .queue(MaintenanceKind::Compaction, &RequestId::random())
        .await
        .expect("another table has its own count");

    assert_eq!(
        queue_statuses(&emulator),
        [Some(202), Some(202), Some(429), Some(202)]
    );
    assert_eq!(sleeps.waits(), Vec::<Duration>::new());
    let runs = runs_of_events(&client).await;
    assert_eq!(runs.len(), 2);
}

#[tokio::test]
async fn by_default_a_table_accepts_24_queue_requests_a_day_as_on_cloudflare() {
    assert_eq!(DAILY_QUEUE_LIMIT, 24);
    let (emulator, client, sleeps) = emulator_with_a_table().await;
    for index in 0..24 {
        queue(&client, None)
            .await
            .unwrap_or_else(|error| panic!("request {index}: {error}"));
    }
    let limited = queue(&client, None).await.unwrap_err();
    assert!(limited.is_daily_limit_reached(), "{limited}");
    assert_eq!(limited.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(limited.codes(), [42901]);
    assert_eq!(
        queue_statuses(&emulator),
        [vec![Some(202); 24], vec![Some(429)]].concat()
    );
    assert_eq!(sleeps.waits(), Vec::<Duration>::new());
    let runs = runs_of_events(&client).await;
    assert_eq!(runs.len(), 24);
}

#[tokio::test]
async fn without_the_daily_limit_a_table_accepts_every_queue_request() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .no_daily_queue_limit()
        .start()
        .await
        .unwrap();
    let client = client_of(&emulator, &RecordedSleeps::default());
    let (emulator, client) = with_a_table(emulator, client).await;
    for index in 0..30 {
        queue(&client, None)
            .await
            .unwrap_or_else(|error| panic!("request {index}: {error}"));
    }
    assert_eq!(queue_statuses(&emulator), vec![Some(202); 30]);
}

#[tokio::test]
async fn a_repeated_request_id_answers_the_original_result_and_queues_nothing() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .daily_queue_limit(2)
        .start()
        .await
        .unwrap();
    let client = client_of(&emulator, &RecordedSleeps::default());
    let (emulator, client) = with_a_table(emulator, client).await;
    let configs = format!(
        "/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/namespaces/bronze/tables/events/maintenance-configs"
    );
    let queue_with = |kind: &str, id: &str| {
        raw("POST", format!("{configs}/{kind}/queue")).body(json!({"request_id": id}))
    };
    let id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    let first = send(&emulator, &queue_with("compaction", id)).await;
    assert_eq!(first.0, 202);
    let result = &serde_json::from_slice::<Value>(&first.1).unwrap()["result"];
    assert_eq!(result["request_id"], json!(id));
    assert_eq!(send(&emulator, &queue_with("compaction", id)).await, first);
    // The same UUID in capitals, for the other kind: the same request, answered as then.
    let upper = id.to_uppercase();
    let repeated = send(&emulator, &queue_with("snapshot_expiration", &upper)).await;
    assert_eq!(repeated, first);

    // Nothing of the repeats counted against the day's 2: another id is accepted, then the
    // limit. A refused request is not remembered: its repeat is refused again.
    let other = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
    assert_eq!(
        send(&emulator, &queue_with("compaction", other)).await.0,
        202
    );
    let third = "6ba7b812-9dad-11d1-80b4-00c04fd430c8";
    for _ in 0..2 {
        let (status, body) = send(&emulator, &queue_with("compaction", third)).await;
        assert_eq!((status, first_code(&body)), (429, Some(42901)));
    }
    assert_eq!(
        queue_statuses(&emulator),
        [
            Some(202),
            Some(202),
            Some(202),
            Some(202),
            Some(429),
            Some(429)
        ]
    );
    let runs = runs_of_events(&client).await;
    let listed: Vec<_> = runs
        .iter()
        .map(|run| (run.configuration_type.clone(), run.request_id.clone()))
        .collect();
    assert_eq!(
        listed,
        [
            (MaintenanceKind::Compaction, Some(other.to_owned())),
            (MaintenanceKind::Compaction, Some(id.to_owned())),
        ]
    );
}

#[tokio::test]
async fn a_tables_job_cannot_be_turned_on_while_the_catalogs_is_off() {
    let (emulator, client, _) = emulator_with_a_table().await;
    let catalog_configs =
        format!("/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/maintenance-configs");
    let table_configs = format!(
        "/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/namespaces/bronze/tables/events/maintenance-configs"
    );
    let update = |path: &str, body: Value| raw("POST", path.to_owned()).body(body);
    let refusal = |code: i64, message: &str| {
        (
            400,
            json!({
                "success": false,
                "errors": [{"code": code, "message": message}],
                "messages": [],
                "result": null,
            }),
        )
    };
    let answer =
        |(status, body): (u16, Vec<u8>)| (status, serde_json::from_slice::<Value>(&body).unwrap());
    let compaction_refused = refusal(
        40012,
        "Compaction cannot be enabled for the table while it is disabled for the catalog",
    );
    let expiration_refused = refusal(
        40013,
        "Snapshot expiration cannot be enabled for the table while it is disabled for the catalog",
    );
    let compaction_on = json!({"compaction": {"state": "enabled"}});
    let expiration_on = json!({"snapshot_expiration": {"state": "enabled"}});

    // A new catalog has compaction on and snapshot expiration off.
    let sent = send(&emulator, &update(&table_configs, expiration_on.clone())).await;
    assert_eq!(answer(sent), expiration_refused);
    let sent = send(&emulator, &update(&table_configs, compaction_on.clone())).await;
    assert_eq!(sent.0, 200);

    // Turning the catalog's compaction off needs no credential; then the table's cannot be
    // turned on, and of an update refused nothing is applied (compaction judged first).
    let off = json!({"compaction": {"state": "disabled"}});
    assert_eq!(
        send(&emulator, &update(&catalog_configs, off.clone()))
            .await
            .0,
        200
    );
    assert_eq!(send(&emulator, &update(&table_configs, off)).await.0, 200);
    let both = json!({"compaction": {"state": "enabled", "target_size_mb": "256"},
                      "snapshot_expiration": {"state": "enabled", "max_snapshot_age": "2d"}});
    let sent = send(&emulator, &update(&table_configs, both.clone())).await;
    assert_eq!(answer(sent), compaction_refused);
    let sent = send(&emulator, &update(&table_configs, compaction_on.clone())).await;
    assert_eq!(answer(sent), compaction_refused);
    // What turns nothing on is applied.
    let resize = json!({"compaction": {"target_size_mb": "64"}});
    assert_eq!(
        send(&emulator, &update(&table_configs, resize)).await.0,
        200
    );
    let table = events(&client).maintenance().get().await.unwrap().result;
    let config = table.maintenance_config;
    let compaction = config.compaction.expect("compaction");
    let expiration = config.snapshot_expiration.expect("snapshot expiration");
    assert_eq!(
        (
            compaction.state,
            compaction.target_size_mb,
            expiration.state,
            expiration.max_snapshot_age
        ),
        (
            MaintenanceState::Disabled,
            TargetFileSize::Mb64,
            MaintenanceState::Disabled,
            "7d".to_owned()
        )
    );

    // With both on for the catalog (a credential stored first), both can be on for the table.
    store(&client).await.unwrap();
    let catalog_both = json!({"compaction": {"state": "enabled"},
                              "snapshot_expiration": {"state": "enabled"}});
    assert_eq!(
        send(&emulator, &update(&catalog_configs, catalog_both))
            .await
            .0,
        200
    );
    let sent = send(&emulator, &update(&table_configs, both)).await;
    assert_eq!(sent.0, 200, "{}", String::from_utf8_lossy(&sent.1));
}

#[tokio::test]
async fn turning_catalog_maintenance_on_needs_a_stored_credential_but_not_for_a_table() {
    let (_emulator, client, _) = emulator_with_a_table().await;
    let enable_compaction = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            target_size_mb: None,
        }),
        ..MaintenanceUpdate::default()
    };
    let catalog = catalog(&client);
    let refused = catalog
        .maintenance()
        .update(&enable_compaction)
        .await
        .unwrap_err();
    assert!(refused.is_credential_missing(), "{refused}");
    let Error::Api(api) = &refused else {
        panic!("an API error: {refused}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(
        api.errors[0].message,
        format!("A credential is not present for the warehouse={ACCOUNT_ID}_{BUCKET}")
    );
    let unchanged = catalog.maintenance().get().await.unwrap();
    let compaction = unchanged.result.maintenance_config.compaction.unwrap();
    assert_eq!(
        (compaction.state, compaction.target_size_mb),
        (MaintenanceState::Enabled, TargetFileSize::Mb128),
        "a new catalog's compaction, untouched"
    );

    // A table's update needs no credential (the catalog's compaction is on from the start);
    // nor do settings that turn nothing on.
    let table = events(&client)
        .maintenance()
        .update(&enable_compaction)
        .await
        .expect("a table's update needs no credential");
    let table_state = table
        .result
        .and_then(|config| config.compaction)
        .map(|c| c.state);
    assert_eq!(table_state, Some(MaintenanceState::Enabled));
    let resize = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Disabled),
            target_size_mb: Some(TargetFileSize::Mb64),
        }),
        ..MaintenanceUpdate::default()
    };
    catalog
        .maintenance()
        .update(&resize)
        .await
        .expect("nothing turned on");

    store(&client).await.unwrap();
    let updated = catalog
        .maintenance()
        .update(&enable_compaction)
        .await
        .expect("with a credential")
        .result
        .and_then(|config| config.compaction)
        .expect("compaction");
    assert_eq!(updated.state, MaintenanceState::Enabled);
    assert_eq!(updated.target_size_mb, TargetFileSize::Mb64);
}

#[tokio::test]
async fn both_path_families_reach_the_same_catalogs() {
    let (emulator, basin, _) = emulator_with_a_table().await;
    let r2 = builder_at(emulator.base_url(), &RecordedSleeps::default())
        .paths(PathFamily::R2Catalog)
        .build()
        .unwrap();

    // Enabled through basin-catalog (with_a_table), seen through r2-catalog.
    let (r2_catalog, basin_catalog) = (catalog(&r2), catalog(&basin));
    let details = r2_catalog.get().await.unwrap().result;
    assert_eq!(details.status, CatalogStatus::Active);
    r2_catalog.credential().store(CATALOG_TOKEN).await.unwrap();
    let status = basin_catalog.credential().status().await.unwrap();
    assert_eq!(status.result.status, CredentialValidity::Valid);
    let request_id = queue(&r2, None).await.unwrap();
    let runs = events(&basin)
        .maintenance()
        .runs()
        .list(ListOptions::new())
        .await
        .unwrap()
        .result;
    assert_eq!(runs.runs.len(), 1);
    assert_eq!(
        runs.runs[0].request_id.as_deref(),
        Some(request_id.as_str())
    );
    r2_catalog.disable().await.unwrap();
    let disabled = basin_catalog.get().await.unwrap().result;
    assert_eq!(disabled.status, CatalogStatus::Inactive);
    // The SDK sends credential status to basin-catalog whatever the family; the emulator
    // answers it under r2-catalog too (checked in the fidelity scenario).
    r2_catalog.credential().status().await.unwrap();

    let table = format!("/{BUCKET}/namespaces/bronze/tables/events");
    let expected = [
        ("POST", format!("/basin-catalog/{BUCKET}/enable"), 200),
        ("GET", format!("/r2-catalog/{BUCKET}"), 200),
        ("POST", format!("/r2-catalog/{BUCKET}/credential"), 200),
        (
            "GET",
            format!("/basin-catalog/{BUCKET}/credential/status"),
            200,
        ),
        (
            "POST",
            format!("/r2-catalog{table}/maintenance-configs/compaction/queue"),
            202,
        ),
        (
            "GET",
            format!("/basin-catalog{table}/maintenance-runs"),
            200,
        ),
        ("POST", format!("/r2-catalog/{BUCKET}/disable"), 204),
        ("GET", format!("/basin-catalog/{BUCKET}"), 200),
        (
            "GET",
            format!("/basin-catalog/{BUCKET}/credential/status"),
            200,
        ),
    ]
    .map(|(method, path, status)| (method.to_owned(), path, Some(status)));
    assert_eq!(exchanges(&emulator), expected);
}

#[tokio::test]
async fn a_disabled_catalog_hides_its_namespaces_tables_and_runs() {
    let (_emulator, client, _) = emulator_with_a_table().await;
    let catalog = catalog(&client);
    catalog.disable().await.unwrap();
    let bronze = catalog.namespace("bronze").unwrap();
    let events = events(&client);
    let errors = [
        catalog
            .namespaces()
            .list(ListOptions::new())
            .await
            .unwrap_err(),
        bronze.tables().list(ListOptions::new()).await.unwrap_err(),
        events.get().await.unwrap_err(),
        events.maintenance().get().await.unwrap_err(),
        queue(&client, None).await.unwrap_err(),
        events
            .maintenance()
            .runs()
            .list(ListOptions::new())
            .await
            .unwrap_err(),
    ];
    for error in &errors {
        assert!(error.is_catalog_inactive(), "{error}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
        assert_eq!(error.codes(), [40402]);
    }
    // The catalog itself still answers; enabled again, its contents are back.
    catalog.maintenance().get().await.unwrap();
    catalog.enable().await.unwrap();
    events.get().await.expect("reachable again");
}

#[tokio::test]
async fn missing_tables_and_namespaces_answer_their_own_codes() {
    let (_emulator, client, _) = emulator_with_a_table().await;
    let catalog = catalog(&client);
    let missing = catalog.table("bronze", "missing").unwrap();
    let missing_table = [
        missing.get().await.unwrap_err(),
        missing
            .maintenance()
            .runs()
            .list(ListOptions::new())
            .await
            .unwrap_err(),
    ];
    for error in &missing_table {
        assert!(error.is_table_not_found(), "{error}");
        assert_eq!(error.codes(), [40403]);
    }
    let missing_namespace = catalog
        .namespace("nowhere")
        .unwrap()
        .tables()
        .list(ListOptions::new())
        .await
        .unwrap_err();
    assert!(missing_namespace.is_not_found());
    assert!(!missing_namespace.is_table_not_found() && !missing_namespace.is_catalog_inactive());
    assert_eq!(missing_namespace.codes(), [40404]);
}
