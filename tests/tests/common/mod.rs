//! Fixtures shared by every suite: the seed request's values, a client pointed at a mock server,
//! Cloudflare's envelopes, and recorders for retry waits and tracing output.
#![allow(dead_code)] // each suite uses its own subset

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudflare_r2_catalog::{Client, ClientBuilder, RetryConfig, Sleep};
use httpmock::MockServer;
use serde_json::{Value, json};

pub const ACCOUNT_ID: &str = "0123456789abcdef0123456789abcdef";
pub const BUCKET: &str = "my-data-bucket";
pub const CREDENTIAL_PATH: &str =
    "/accounts/0123456789abcdef0123456789abcdef/r2-catalog/my-data-bucket/credential";
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

/// A builder aimed at `server`, authenticated with [`API_TOKEN`], retrying with recorded waits.
pub fn builder(server: &MockServer, sleeps: &RecordedSleeps) -> ClientBuilder {
    Client::builder()
        .api_token(API_TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .retry(RetryConfig::default().with_sleep(sleeps.clone()))
}

/// A client aimed at `server` (see [`builder`]).
pub fn client(server: &MockServer) -> Client {
    builder(server, &RecordedSleeps::default())
        .build()
        .expect("valid config")
}

/// The headers a store-credentials request carries besides its authentication, as
/// `(name, value)`; `host` and `content-length` are checked by the HTTP layer itself.
pub fn common_headers() -> Vec<(&'static str, String)> {
    vec![
        ("accept", "application/json".to_owned()),
        ("content-type", "application/json".to_owned()),
        ("user-agent", USER_AGENT.to_owned()),
        ("api-version", "4.0.0".to_owned()),
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

/// The committed trimmed spec.
pub fn spec() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(include_str!("../../../openapi/r2-data-catalog.json"))
            .expect("the spec is JSON")
    })
}

/// The operation named `operation_id` in the spec.
pub fn operation(operation_id: &str) -> &'static Value {
    spec()["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("the spec has no operation {operation_id}"))
}

/// Cloudflare's example success body for `operation_id`, from the spec.
pub fn upstream_example(operation_id: &str) -> Value {
    operation(operation_id)["responses"]["200"]["content"]["application/json"]["example"].clone()
}

/// Cloudflare's example request body for `operation_id`, from the spec.
pub fn upstream_request_example(operation_id: &str) -> Value {
    operation(operation_id)["requestBody"]["content"]["application/json"]["example"].clone()
}

/// `/accounts/{ACCOUNT_ID}/r2-catalog` followed by `rest`.
pub fn catalog_path(rest: &str) -> String {
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
