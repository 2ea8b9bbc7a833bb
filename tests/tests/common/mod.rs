//! Fixtures shared by every suite: the seed request's values, a client pointed at a mock server,
//! Cloudflare's envelopes, and recorders for retry waits and tracing output.
#![allow(dead_code)] // each suite uses its own subset

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudflare_r2_catalog::{
    Client, ClientBuilder,
    config::{RetryConfig, Sleep},
};
use cloudflare_r2_catalog_emulator::Emulator;
use httpmock::MockServer;
use serde_json::{Value, json};

pub const ACCOUNT_ID: &str = "0123456789abcdef0123456789abcdef";
pub const BUCKET: &str = "my-data-bucket";
/// The seed endpoint, under the default path family.
pub const CREDENTIAL_PATH: &str =
    "/accounts/0123456789abcdef0123456789abcdef/basin-catalog/my-data-bucket/credential";
/// The catalog token being stored: must never show anywhere but the request body.
pub const CATALOG_TOKEN: &str = "catalog-token-SECRET-9f8e7d";
/// The API token authenticating the client: must never show anywhere but its header.
pub const API_TOKEN: &str = "api-token-SECRET-1a2b3c";
pub const EMAIL: &str = "ops@example.com";
/// The legacy global API key: must never show anywhere but its header.
pub const API_KEY: &str = "global-key-SECRET-4d5e6f";
pub const CF_RAY: &str = "8f1e2d3c4b5a6978-AMS";
pub const USER_AGENT: &str = concat!("cloudflare-r2-catalog/", env!("CARGO_PKG_VERSION"));

/// The success envelope of the upstream example.
pub fn success(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

/// A failure envelope with one error.
pub fn failure(code: i64, message: &str) -> Value {
    json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null})
}

/// The first page of `bronze.events`'s maintenance runs, newest first.
pub async fn runs_of_events(client: &Client) -> Vec<cloudflare_r2_catalog::models::MaintenanceRun> {
    events(client)
        .maintenance()
        .runs()
        .list(cloudflare_r2_catalog::ListOptions::new())
        .await
        .expect("the runs are listed")
        .result
        .runs
}

/// Each step of `run` with its status, in order.
pub fn step_statuses(
    run: &cloudflare_r2_catalog::models::MaintenanceRun,
) -> Vec<(
    &cloudflare_r2_catalog::models::MaintenanceStep,
    &cloudflare_r2_catalog::models::StepStatus,
)> {
    run.operation_results
        .iter()
        .map(|step| (&step.operation, &step.status))
        .collect()
}

/// Records the waits the retry policy asks for, without waiting.
#[derive(Debug, Clone, Default)]
pub struct RecordedSleeps(Arc<Mutex<Vec<Duration>>>);

impl RecordedSleeps {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().expect("not poisoned").clone()
    }
}

impl Sleep for RecordedSleeps {
    fn sleep(&self, duration: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().expect("not poisoned").push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// Stores [`CATALOG_TOKEN`] on [`BUCKET`]'s catalog, keeping only whether it worked.
pub async fn store(client: &Client) -> Result<(), cloudflare_r2_catalog::Error> {
    catalog(client)
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .map(drop)
}

/// The catalog of [`BUCKET`] in the client's default account, [`ACCOUNT_ID`].
pub fn catalog(client: &Client) -> cloudflare_r2_catalog::handles::CatalogHandle {
    client.catalog(BUCKET).expect("a valid bucket")
}

/// The table `bronze.events` of [`BUCKET`]'s catalog.
pub fn events(client: &Client) -> cloudflare_r2_catalog::handles::TableHandle {
    catalog(client)
        .table("bronze", "events")
        .expect("a valid table")
}

/// A builder aimed at `server`, authenticated with [`API_TOKEN`], acting on [`ACCOUNT_ID`],
/// retrying with recorded waits.
pub fn builder(server: &MockServer, sleeps: &RecordedSleeps) -> ClientBuilder {
    builder_at(server.base_url(), sleeps)
}

/// A builder aimed at `base_url` (an emulator, a raw server), as [`builder`] configures it,
/// with [`ACCOUNT_ID`] for its default account.
pub fn builder_at(base_url: impl Into<String>, sleeps: &RecordedSleeps) -> ClientBuilder {
    Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry(RetryConfig::default().with_sleep(sleeps.clone()))
}

/// A client aimed at `server` (see [`builder`]).
pub fn client(server: &MockServer) -> Client {
    builder(server, &RecordedSleeps::default())
        .build()
        .expect("valid config")
}

/// The methods of the requests `emulator` received after the first `before`, in order.
pub fn methods_since(emulator: &Emulator, before: usize) -> Vec<String> {
    emulator.requests()[before..]
        .iter()
        .map(|request| request.method.clone())
        .collect()
}

/// An emulator with [`BUCKET`], and an SDK client on it with recorded retry waits.
pub async fn emulator_and_client() -> (Emulator, Client, RecordedSleeps) {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .start()
        .await
        .expect("starts");
    let sleeps = RecordedSleeps::default();
    let client = client_of(&emulator, &sleeps);
    (emulator, client, sleeps)
}

/// `emulator` given [`BUCKET`] holding `bronze.events`, with its catalog enabled by `client`.
pub async fn with_a_table(emulator: Emulator, client: Client) -> (Emulator, Client) {
    emulator
        .add_table(BUCKET, "bronze", "events")
        .expect("a valid table");
    catalog(&client).enable().await.expect("enabled");
    (emulator, client)
}

/// Queues compaction of `bronze.events` in [`BUCKET`] with `request_id`.
pub async fn queue_compaction(
    client: &Client,
    request_id: &cloudflare_r2_catalog::RequestId,
) -> Result<
    cloudflare_r2_catalog::Response<Option<cloudflare_r2_catalog::models::QueuedMaintenance>>,
    cloudflare_r2_catalog::Error,
> {
    events(client)
        .maintenance()
        .queue(
            cloudflare_r2_catalog::MaintenanceKind::Compaction,
            request_id,
        )
        .await
}

/// A client on `emulator` (see [`builder_at`]), trusting its certificate when it serves TLS.
pub fn client_of(emulator: &Emulator, sleeps: &RecordedSleeps) -> Client {
    let builder = builder_at(emulator.base_url(), sleeps);
    let builder = match emulator.root_certificate_pem() {
        Some(root) => builder.add_root_certificate(root),
        None => builder,
    };
    builder.build().expect("valid config")
}

/// The headers a store-credentials request carries besides its authentication, as
/// `(name, value)`; `host` and `content-length` are checked by the HTTP layer itself.
pub fn common_headers() -> Vec<(&'static str, String)> {
    vec![
        ("accept", "application/json".to_owned()),
        ("content-type", "application/json".to_owned()),
        ("user-agent", USER_AGENT.to_owned()),
    ]
}

/// Whether `request` carries exactly `expected` plus `host` and `content-length`: no header more,
/// none less, each with exactly that value.
pub fn has_exactly_headers(
    request: &httpmock::HttpMockRequest,
    expected: &[(&str, String)],
) -> bool {
    let headers = request.headers();
    let mut names: Vec<String> = headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name != "host" && name != "content-length")
        .collect();
    names.sort();
    let mut wanted: Vec<String> = expected.iter().map(|(name, _)| name.to_string()).collect();
    wanted.sort();
    names == wanted
        && expected.iter().all(|(name, value)| {
            headers
                .get_all(*name)
                .iter()
                .map(|v| v.to_str().unwrap_or(""))
                .eq([value.as_str()])
        })
}

/// A mock that answers anything with 500, to prove that nothing reached the server.
pub async fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500)
                .json_body(failure(10000, "nothing should reach the server"));
        })
        .await
}

/// The committed trimmed spec: Cloudflare's Basin Catalog document.
pub fn spec() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(include_str!("../../../openapi/basin-catalog.json"))
            .expect("the spec is JSON")
    })
}

/// The operation named `operation_id` (without the spec's `basin-` prefix, as the emulator and
/// the SDK name operations) in the spec.
pub fn operation(operation_id: &str) -> &'static Value {
    let wanted = format!("basin-{operation_id}");
    spec()["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op["operationId"] == wanted.as_str())
        .unwrap_or_else(|| panic!("the spec has no operation {wanted}"))
}

/// The examples of Cloudflare's August document, by operation id: the current one has none.
fn august_examples() -> &'static Value {
    static EXAMPLES: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    EXAMPLES.get_or_init(|| {
        serde_json::from_str(include_str!("../../fixtures/august-examples.json"))
            .expect("the examples are JSON")
    })
}

/// Cloudflare's example success body for `operation_id` (August document).
pub fn upstream_example(operation_id: &str) -> Value {
    let example = &august_examples()["operations"][operation_id]["responses"]["200"];
    assert!(!example.is_null(), "no example response for {operation_id}");
    example.clone()
}

/// Cloudflare's example request body for `operation_id` (August document).
pub fn upstream_request_example(operation_id: &str) -> Value {
    let example = &august_examples()["operations"][operation_id]["request"];
    assert!(!example.is_null(), "no example request for {operation_id}");
    example.clone()
}

/// `/accounts/{ACCOUNT_ID}/basin-catalog` (the default path family) followed by `rest`.
pub fn catalog_path(rest: &str) -> String {
    format!("/accounts/{ACCOUNT_ID}/basin-catalog{rest}")
}

/// `/accounts/{ACCOUNT_ID}/r2-catalog` (the R2 Data Catalog path family) followed by `rest`.
pub fn r2_catalog_path(rest: &str) -> String {
    format!("/accounts/{ACCOUNT_ID}/r2-catalog{rest}")
}

/// A mock answering `method path`, asked with no query string at all, with `body` and status 200.
pub async fn answer<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: String,
    body: Value,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(method)
                .path(path)
                .is_true(|request| request.query_params().is_empty());
            then.status(200).json_body(body);
        })
        .await
}

/// A mock answering `POST path` whose JSON body is Cloudflare's example request for the update
/// operation `operation_id`, with that operation's example response.
pub async fn answer_update_example<'a>(
    server: &'a MockServer,
    path: String,
    operation_id: &str,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path(path)
                .json_body(upstream_request_example(operation_id));
            then.status(200).json_body(upstream_example(operation_id));
        })
        .await
}

/// Serves cursor pages at `path`: each body answers the request asked with its `page_token`
/// (`None`: asked with none, the first page).
pub async fn serve_pages<'a>(
    server: &'a MockServer,
    path: &str,
    pages: &[(Option<&str>, Value)],
) -> Vec<httpmock::Mock<'a>> {
    let mut mocks = Vec::new();
    for (token, body) in pages {
        let (token, body) = (token.map(str::to_owned), body.clone());
        let mock = server
            .mock_async(|when, then| {
                let when = when.method(httpmock::Method::GET).path(path);
                match token {
                    Some(token) => when.query_param("page_token", token),
                    None => when.query_param_missing("page_token"),
                };
                then.status(200).json_body(body);
            })
            .await;
        mocks.push(mock);
    }
    mocks
}

/// What a [`RawServer`] writes back on one connection before hanging up.
#[derive(Clone)]
pub enum Reply {
    /// These bytes, exactly (possibly nothing, or not HTTP at all).
    Bytes(Vec<u8>),
    /// `head`, then `chunk` over and over until `total` body bytes are out or the client
    /// hangs up: a body larger than memory, never held in full.
    Endless {
        head: Vec<u8>,
        chunk: Vec<u8>,
        total: u64,
    },
}

impl Reply {
    /// A well-formed HTTP/1.1 response with `status`, `headers` and `body` and its length. It
    /// says `connection: close`, as the server does close it: a client that kept the
    /// connection for its next request would find it closed and retry, a retry no test asked
    /// for.
    pub fn http(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let mut bytes = format!(
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            bytes.push_str(&format!("{name}: {value}\r\n"));
        }
        bytes.push_str("\r\n");
        let mut bytes = bytes.into_bytes();
        bytes.extend_from_slice(body);
        Self::Bytes(bytes)
    }

    /// [`Reply::http`] with a JSON body.
    pub fn json(status: &str, headers: &[(&str, &str)], body: &Value) -> Self {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        Self::http(status, &all, body.to_string().as_bytes())
    }
}

/// Answers that echo `secret` across each place the SDK cuts server text, at every offset that
/// leaves part of it on either side: the 1000-character body snippet of a body that is not the
/// envelope (HTTP 200, HTML), the 2048-character `Location` of a redirect (307), and the
/// 64-character `cf-ray` of an API error (404). None of them is retried. Each comes with a name.
pub fn replies_echoing_across_cuts(secret: &str) -> Vec<(String, Reply)> {
    let around = |cut: usize| (cut - secret.len() - 1)..=(cut + 1);
    let mut replies = Vec::new();
    for at in around(1000) {
        let body = format!("{}{secret}{}", "x".repeat(at), "x".repeat(50));
        let reply = Reply::http("200 OK", &[("content-type", "text/html")], body.as_bytes());
        replies.push((format!("body with the secret at {at}"), reply));
    }
    let elsewhere = "https://elsewhere.example/";
    for at in around(2048) {
        let location = format!("{elsewhere}{}{secret}", "x".repeat(at - elsewhere.len()));
        let reply = Reply::http("307 Temporary Redirect", &[("location", &location)], b"");
        replies.push((format!("location with the secret at {at}"), reply));
    }
    for at in around(64) {
        let ray = format!("{}{secret}", "x".repeat(at));
        let body = failure(40401, "Catalog not found");
        let reply = Reply::json("404 Not Found", &[("cf-ray", &ray)], &body);
        replies.push((format!("cf-ray with the secret at {at}"), reply));
    }
    replies
}

/// Whether `text` shows the first five characters of `secret` (or more of it).
pub fn shows_part_of(text: &str, secret: &str) -> bool {
    text.contains(&secret[..5])
}

/// The request line of `method` on `path`, as a [`RawServer`] reads it.
pub fn request_line(method: &str, path: &str) -> String {
    format!("{method} {path} HTTP/1.1")
}

/// A loopback server on raw sockets, for answers an HTTP library would tidy up: each
/// connection's request is read in full and kept, the reply that `reply` picks for it (by
/// connection number, from 0) is written, and the connection is closed.
pub struct RawServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    written: Arc<std::sync::atomic::AtomicU64>,
    replies_ended: Arc<std::sync::atomic::AtomicUsize>,
}

impl RawServer {
    pub fn start(reply: impl Fn(usize) -> Reply + Send + 'static) -> Self {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let replies_ended = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (kept, counter, ended) = (requests.clone(), written.clone(), replies_ended.clone());
        std::thread::spawn(move || {
            use std::sync::atomic::Ordering::SeqCst;
            for (index, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let request = read_request(&mut stream);
                kept.lock().expect("not poisoned").push(request);
                match reply(index) {
                    Reply::Bytes(bytes) => {
                        let _ = stream.write_all(&bytes);
                    }
                    Reply::Endless { head, chunk, total } => {
                        let mut sent = 0u64;
                        let mut result = stream.write_all(&head);
                        while result.is_ok() && sent < total {
                            result = stream.write_all(&chunk);
                            if result.is_ok() {
                                sent += chunk.len() as u64;
                                counter.fetch_add(chunk.len() as u64, SeqCst);
                            }
                        }
                    }
                }
                let _ = stream.shutdown(std::net::Shutdown::Both);
                ended.fetch_add(1, SeqCst);
            }
        });
        Self {
            url,
            requests,
            written,
            replies_ended,
        }
    }

    /// A server that closes the first connection without an answer (as when a response is lost
    /// on its way back), then answers every other one with `then`.
    pub fn losing_the_first_answer(then: Reply) -> Self {
        Self::start(move |connection| match connection {
            0 => Reply::Bytes(Vec::new()),
            _ => then.clone(),
        })
    }

    /// [`RawServer::start`] answering every connection with the same reply.
    pub fn always(reply: Reply) -> Self {
        Self::start(move |_| reply.clone())
    }

    /// Every request received so far, as text.
    pub fn requests(&self) -> Vec<String> {
        let requests = self.requests.lock().expect("not poisoned");
        requests
            .iter()
            .map(|request| String::from_utf8_lossy(request).into_owned())
            .collect()
    }

    /// The first line of each request received so far: `POST /accounts/… HTTP/1.1`.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|request| request.lines().next().unwrap_or_default().to_owned())
            .collect()
    }

    /// Body bytes of [`Reply::Endless`] replies written so far, chunk by chunk.
    pub fn body_bytes_written(&self) -> u64 {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits up to `deadline` for `count` replies to end: written in full, or cut short because
    /// the client hung up. A client that keeps a connection open without reading leaves an
    /// endless reply blocked, and this false.
    pub async fn replies_ended_within(&self, count: usize, deadline: Duration) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < deadline {
            if self.replies_ended.load(std::sync::atomic::Ordering::SeqCst) >= count {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// A client of this server with [`API_TOKEN`], short timeouts and recorded retry waits.
    pub fn client(&self, sleeps: &RecordedSleeps) -> Client {
        builder_at(&self.url, sleeps).build().expect("valid config")
    }
}

/// Reads one request: the head, then as many body bytes as its `content-length` says.
fn read_request(stream: &mut std::net::TcpStream) -> Vec<u8> {
    use std::io::Read;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return request;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return request,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
}

/// The catalog the `catalog report` suites read, in [`BUCKET`] (tables in name order):
///
/// - `bronze.clicks`: compaction on, its last compaction failed (code 50002, a message with an
///   escape sequence in it) after one that succeeded;
/// - `bronze.events`: compaction on, its last compaction and expiration succeeded;
/// - `gold.live`: compaction on, its last compaction still running after one that failed;
/// - `silver.archive`: maintenance off, no run;
/// - `silver.orders`: compaction on, no run.
pub fn report_seed() -> cloudflare_r2_catalog_emulator::Seed {
    serde_json::from_value(json!({"buckets": {BUCKET: {"tables": [
        {"namespace": ["bronze"], "name": "clicks", "runs": [
            {"kind": "compaction", "status": "failed", "started_at": "2026-11-24T14:30:45Z",
             "duration_ms": 4200, "error_code": 50002,
             "customer_message": "Compaction failed: \u{1b}[31mno credential"},
            {"kind": "compaction", "status": "succeeded", "started_at": "2026-11-24T02:00:00Z",
             "duration_ms": 1500},
        ]},
        {"namespace": ["bronze"], "name": "events", "runs": [
            {"kind": "snapshot_expiration", "status": "succeeded",
             "started_at": "2026-11-24T15:00:00Z", "duration_ms": 800},
            {"kind": "compaction", "status": "succeeded", "started_at": "2026-11-24T14:00:00Z",
             "duration_ms": 61000},
        ]},
        {"namespace": ["gold"], "name": "live", "runs": [
            {"kind": "compaction", "status": "running", "started_at": "2026-11-24T16:00:00Z"},
            {"kind": "compaction", "status": "failed", "started_at": "2026-11-24T13:00:00Z",
             "duration_ms": 100},
        ]},
        {"namespace": ["silver"], "name": "archive"},
        {"namespace": ["silver"], "name": "orders"},
    ]}}}))
    .expect("a seed")
}

/// The tables of [`report_seed`] with compaction on.
pub const COMPACTED: [(&str, &str); 4] = [
    ("bronze", "clicks"),
    ("bronze", "events"),
    ("gold", "live"),
    ("silver", "orders"),
];

/// An emulator built from `emulator` with [`BUCKET`] seeded with [`report_seed`], its catalog
/// enabled and compaction turned on for [`COMPACTED`]; and the client that did it.
pub async fn reported_catalog(
    emulator: cloudflare_r2_catalog_emulator::EmulatorBuilder,
) -> (Emulator, Client) {
    use cloudflare_r2_catalog::models::{CompactionUpdate, MaintenanceState, MaintenanceUpdate};

    let emulator = emulator.bucket(BUCKET).start().await.expect("starts");
    emulator.seed(&report_seed()).expect("seeded");
    let client = client_of(&emulator, &RecordedSleeps::default());
    catalog(&client).enable().await.expect("enabled");
    let compaction_on = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            ..CompactionUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    };
    for (namespace, table) in COMPACTED {
        catalog(&client)
            .table(namespace, table)
            .expect("a valid table")
            .maintenance()
            .update(&compaction_on)
            .await
            .expect("compaction on");
    }
    (emulator, client)
}
