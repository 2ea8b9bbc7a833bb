//! A property: whatever a server on the other end of the socket sends (any status line, headers
//! with any `Retry-After`/`Retry-After-Ms` text, lengths that lie, any body, a connection closed
//! at any byte), every call returns `Ok` or a typed `Error` (never a panic) within the bounds
//! its configuration sets, and the error shows no control character and no secret the call
//! holds, even when the server echoes it.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudflare_r2_catalog::{Client, Error, ListOptions, config::RetryConfig};
use common::*;
use proptest::prelude::*;

/// One generated answer: the bytes of a response, possibly cut short.
#[derive(Debug, Clone)]
struct Answer {
    status_line: Vec<u8>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    cut_at: Option<usize>,
}

impl Answer {
    fn bytes(&self) -> Vec<u8> {
        let mut bytes = self.status_line.clone();
        bytes.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&self.body);
        if let Some(cut) = self.cut_at {
            bytes.truncate(cut);
        }
        bytes
    }
}

fn status_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (100u16..=999, "[A-Za-z ]{0,12}")
            .prop_map(|(code, reason)| format!("HTTP/1.1 {code} {reason}").into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ]
}

/// Text a header value may carry, from plausible to hostile.
fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(API_TOKEN.to_owned()),
        "[0-9]{1,30}",
        "-?[0-9]{1,6}(\\.[0-9]{1,6})?(e-?[0-9]{1,3})?",
        Just("inf".to_owned()),
        Just("NaN".to_owned()),
        Just("1e30".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        "[ -~]{0,40}",
        "\\PC{0,20}",
        Just(CATALOG_TOKEN.to_owned()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("retry-after".to_owned()),
        Just("retry-after-ms".to_owned()),
        Just("content-length".to_owned()),
        Just("transfer-encoding".to_owned()),
        Just("content-type".to_owned()),
        Just("location".to_owned()),
        Just("cf-ray".to_owned()),
        "x-[a-z]{1,8}",
    ];
    prop::collection::vec((name, header_text()), 0..6)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let envelope = prop_oneof![
        Just(r#"{"success":true,"errors":[],"messages":[],"result":null}"#.to_owned()),
        Just(r#"{"success":true,"errors":[],"messages":[],"result":{"namespaces":[["a"]],"next_page_token":"n"}}"#.to_owned()),
        "[ -~]{0,60}".prop_map(|text| format!(
            r#"{{"success":false,"errors":[{{"code":1,"message":"{}\u001b]0;x\u0007 {CATALOG_TOKEN}"}}],"messages":[]}}"#,
            text.replace(['"', '\\'], "")
        )),
    ];
    prop_oneof![
        envelope.prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..300),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        status_line(),
        headers(),
        body(),
        prop::option::of(0usize..400),
    )
        .prop_map(|(status_line, headers, body, cut_at)| Answer {
            status_line,
            headers,
            body,
            cut_at,
        })
}

const TIMEOUT: Duration = Duration::from_secs(2);
const MAX_WAIT: Duration = Duration::from_millis(20);
const RETRIES: u32 = 2;

/// The longest a call may take: every attempt to its timeout, every wait to its cap, and a
/// second of slack for a loaded machine.
fn bound() -> Duration {
    TIMEOUT * (RETRIES + 1) + MAX_WAIT * RETRIES + Duration::from_secs(1)
}

/// The calls tried on each answer: a POST with a secret body, a paged GET, and a 204 operation.
async fn call(client: &Client, which: u8) -> Result<(), Error> {
    match which % 3 {
        0 => store(client).await,
        1 => {
            use futures_util::TryStreamExt;
            let pages = catalog(client).namespaces().pages(ListOptions::new());
            pages.try_collect::<Vec<_>>().await.map(drop)
        }
        _ => catalog(client).disable().await.map(drop),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn any_answer_gives_ok_or_a_typed_error_in_bounded_time(answers in prop::collection::vec(answer(), 1..4), which in any::<u8>()) {
        let runtime = runtime();
        let replies = answers.iter().map(Answer::bytes).collect::<Vec<_>>();
        *server_replies().lock().expect("not poisoned") = replies;
        let client = Client::builder()
            .api_token(API_TOKEN)
            .account_id(ACCOUNT_ID)
            .base_url(&server().url)
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .max_response_bytes(64 * 1024)
            .retry(
                RetryConfig::default()
                    .with_max_retries(RETRIES)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(MAX_WAIT)
                    .with_max_retry_after(MAX_WAIT),
            )
            .build()
            .expect("valid config");

        let started = Instant::now();
        let outcome = runtime.block_on(async { tokio::time::timeout(bound(), call(&client, which)).await });

        let Ok(result) = outcome else {
            panic!("the call took longer than {:?}", bound());
        };
        prop_assert!(started.elapsed() <= bound());
        if let Err(error) = result {
            let shown = format!("{error}");
            prop_assert!(!shown.chars().any(char::is_control), "{shown}");
            // The secrets this call holds: the API token always, the catalog token when storing.
            prop_assert!(!shown.contains(API_TOKEN), "{shown}");
            prop_assert!(which % 3 != 0 || !shown.contains(CATALOG_TOKEN), "{shown}");
        }
    }
}

/// The answers the shared server gives, one per connection in turn, the last one repeated.
fn server_replies() -> &'static Mutex<Vec<Vec<u8>>> {
    static REPLIES: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    &REPLIES
}

/// One raw server for every case (a server per case would leave a thread per case behind).
fn server() -> &'static RawServer {
    static SERVER: std::sync::OnceLock<RawServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        RawServer::start(|_| {
            let mut replies = server_replies().lock().expect("not poisoned");
            let reply = if replies.len() > 1 {
                replies.remove(0)
            } else {
                replies.first().cloned().unwrap_or_default()
            };
            Reply::Bytes(reply)
        })
    })
}

fn runtime() -> Arc<tokio::runtime::Runtime> {
    static RUNTIME: std::sync::OnceLock<Arc<tokio::runtime::Runtime>> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Arc::new(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime"),
            )
        })
        .clone()
}
