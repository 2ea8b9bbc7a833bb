//! What the SDK writes to `tracing`: one event per attempt with its status and cf-ray, one per
//! retry, a summary with the attempt count, and never a secret, at any level.
//!
//! This suite installs one global subscriber for its whole process and runs its tests one at a
//! time: `tracing` caches per call site whether anyone listens, so thread-local subscribers in
//! parallel tests would miss events.

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use cloudflare_r2_catalog::Client;
use common::*;
use httpmock::{Method::POST, MockServer};
use serde_json::json;
use tracing_subscriber::filter::{LevelFilter, filter_fn};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// Everything the client side wrote to `tracing` at every level (the SDK, reqwest, hyper). The
/// mock server's own logs are left out: it prints the requests it receives, secrets included,
/// and it is not part of what a user runs.
fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let client_side = filter_fn(|metadata| !metadata.target().starts_with("httpmock"));
        tracing_subscriber::registry()
            .with(
                fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || LogWriter(writer.clone()))
                    .with_filter(LevelFilter::TRACE)
                    .with_filter(client_side),
            )
            .init();
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `work` alone and returns what it logged.
async fn logged(work: impl Future<Output = ()>) -> String {
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let buffer = log_buffer();
    buffer.lock().unwrap_or_else(|e| e.into_inner()).clear();
    work.await;
    String::from_utf8_lossy(&buffer.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

async fn answer_503_twice_then_succeed(server: &MockServer) {
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(503)
                .header("cf-ray", CF_RAY)
                .json_body(failure(10013, "try again"));
        })
        .await;
    failing.up_to_n_times_async(2).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200).json_body(success(json!(null)));
        })
        .await;
}

fn count(text: &str, needle: &str) -> usize {
    text.lines().filter(|line| line.contains(needle)).count()
}

#[tokio::test]
async fn each_attempt_and_retry_is_logged() {
    let server = MockServer::start_async().await;
    answer_503_twice_then_succeed(&server).await;
    let client = client(&server);

    let text = logged(async {
        catalog(&client)
            .credential()
            .store(CATALOG_TOKEN)
            .await
            .expect("third attempt succeeds");
    })
    .await;

    assert_eq!(count(&text, "retrying"), 2, "{text}");
    // Each response in its attempt's span: `r2_catalog.attempt{attempt=N}:…: response status=S`.
    let responses = |attempt: u32, status: u16| {
        text.lines()
            .filter(|line| {
                line.contains(&format!("r2_catalog.attempt{{attempt={attempt}}}"))
                    && line.contains(&format!("response status={status}"))
            })
            .count()
    };
    assert_eq!(responses(1, 503), 1, "{text}");
    assert_eq!(responses(2, 503), 1, "{text}");
    assert_eq!(responses(3, 200), 1, "{text}");
    assert_eq!(count(&text, &format!("cf_ray=\"{CF_RAY}\"")), 2, "{text}");
    let finished: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("finished"))
        .collect();
    assert_eq!(finished.len(), 1, "{text}");
    assert!(finished[0].contains("attempts=3"), "{text}");
    assert!(text.contains("operation=\"store_credentials\""), "{text}");
}

#[tokio::test]
async fn no_secret_reaches_the_logs_at_any_level() {
    let server = MockServer::start_async().await;
    answer_503_twice_then_succeed(&server).await;
    let token_client = client(&server);
    let key_client = Client::builder()
        .api_key(EMAIL, API_KEY)
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .expect("valid config");

    let text = logged(async {
        catalog(&token_client)
            .credential()
            .store(CATALOG_TOKEN)
            .await
            .expect("third attempt succeeds");
        // A failing call too: errors are where secrets most often leak.
        key_client
            .account(ACCOUNT_ID)
            .expect("a valid account")
            .catalog(BUCKET)
            .expect("a valid bucket")
            .credential()
            .store(CATALOG_TOKEN)
            .await
            .expect("the mock answers 200 now");
        let rejected = catalog(&token_client)
            .credential()
            .store(format!("{CATALOG_TOKEN} with spaces"))
            .await
            .expect_err("whitespace is rejected");
        tracing::error!(error = %rejected, debug = ?rejected, "as an application would log it");
    })
    .await;

    assert!(
        count(&text, "hyper") > 0,
        "the capture must include the HTTP stack: {text}"
    );
    for secret in [API_TOKEN, API_KEY, CATALOG_TOKEN] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the logs:\n{text}"
        );
    }
}
