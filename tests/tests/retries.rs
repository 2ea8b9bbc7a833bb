//! The retry policy over real HTTP: what is retried, how often, how long it waits (recorded, not
//! slept), `Retry-After`, timeouts and dropped connections.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use cloudflare_r2_catalog::{Client, Error, config::RetryConfig, error::TransportErrorKind};
use common::*;
use httpmock::{Method::POST, MockServer};
use serde_json::json;

/// Answers `status` (with `headers`) `times` times, then success.
async fn fail_then_succeed<'a>(
    server: &'a MockServer,
    status: u16,
    headers: &[(&str, String)],
    times: usize,
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            let mut then = then.status(status).json_body(failure(10013, "try again"));
            for (name, value) in headers {
                then = then.header(name, value);
            }
        })
        .await;
    failing.up_to_n_times_async(times).await;
    let succeeding = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    (failing, succeeding)
}

#[tokio::test]
async fn retryable_statuses_are_retried_with_growing_jittered_backoff() {
    for status in [408, 409, 429, 500, 502, 503, 504] {
        let server = MockServer::start_async().await;
        let (failing, succeeding) = fail_then_succeed(&server, status, &[], 2).await;
        let sleeps = RecordedSleeps::default();
        let client = builder(&server, &sleeps).build().unwrap();

        store(&client)
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));

        failing.assert_calls_async(2).await;
        succeeding.assert_calls_async(1).await;
        let waits = sleeps.waits();
        assert_eq!(waits.len(), 2, "{status}");
        assert!(
            (Duration::from_millis(375)..=Duration::from_millis(500)).contains(&waits[0]),
            "{status}: first wait {:?}",
            waits[0]
        );
        assert!(
            (Duration::from_millis(750)..=Duration::from_millis(1000)).contains(&waits[1]),
            "{status}: second wait {:?}",
            waits[1]
        );
    }
}

#[tokio::test]
async fn retries_stop_at_the_configured_maximum_and_the_last_error_is_returned() {
    let server = MockServer::start_async().await;
    let (failing, succeeding) = fail_then_succeed(&server, 503, &[], 10).await;
    let sleeps = RecordedSleeps::default();
    let client = builder(&server, &sleeps)
        .retry(
            RetryConfig::default()
                .with_max_retries(3)
                .with_sleep(sleeps.clone()),
        )
        .build()
        .unwrap();

    let error = store(&client).await.unwrap_err();

    failing.assert_calls_async(4).await;
    succeeding.assert_calls_async(0).await;
    assert_eq!(sleeps.waits().len(), 3);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.codes(), vec![10013]);
}

#[tokio::test]
async fn zero_retries_makes_one_attempt() {
    let server = MockServer::start_async().await;
    let (failing, _) = fail_then_succeed(&server, 503, &[], 10).await;
    let sleeps = RecordedSleeps::default();
    let client = builder(&server, &sleeps).max_retries(0).build().unwrap();

    store(&client).await.unwrap_err();

    failing.assert_calls_async(1).await;
    assert!(sleeps.waits().is_empty());
}

#[tokio::test]
async fn other_client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 422] {
        let server = MockServer::start_async().await;
        let (failing, _) = fail_then_succeed(&server, status, &[], 10).await;
        let sleeps = RecordedSleeps::default();

        let error = store(&builder(&server, &sleeps).build().unwrap())
            .await
            .unwrap_err();

        failing.assert_calls_async(1).await;
        assert!(sleeps.waits().is_empty(), "{status}");
        assert!(!error.is_retryable(), "{status}");
    }
}

#[tokio::test]
async fn retry_after_headers_set_the_wait() {
    let cases = [
        ("retry-after", "7", Duration::from_secs(7)),
        ("retry-after-ms", "1500", Duration::from_millis(1500)),
    ];
    for (name, value, expected) in cases {
        let server = MockServer::start_async().await;
        fail_then_succeed(&server, 429, &[(name, value.to_owned())], 1).await;
        let sleeps = RecordedSleeps::default();
        let retry = RetryConfig::default()
            .with_max_retry_after(Duration::from_secs(20))
            .with_sleep(sleeps.clone());

        store(&builder(&server, &sleeps).retry(retry).build().unwrap())
            .await
            .unwrap();

        // The client's hold, set a moment before it is waited out.
        let waits = sleeps.waits();
        assert_eq!(waits.len(), 1, "{name}: {value}: {waits:?}");
        assert!(
            waits[0] <= expected && waits[0] > expected - Duration::from_millis(100),
            "{name}: {value}: {waits:?}"
        );
    }
}

#[tokio::test]
async fn a_retry_after_longer_than_a_call_may_wait_fails_it_at_once_saying_until_when() {
    let in_90s = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(90));
    let cases = [
        ("retry-after", "3600".to_owned(), Duration::from_secs(3600)),
        ("retry-after", in_90s, Duration::from_secs(90)),
    ];
    for (name, value, asked) in cases {
        let server = MockServer::start_async().await;
        let (failing, succeeding) =
            fail_then_succeed(&server, 429, &[(name, value.clone())], 1).await;
        let sleeps = RecordedSleeps::default();
        let retry = RetryConfig::default()
            .with_max_retry_after(Duration::from_secs(20))
            .with_sleep(sleeps.clone());
        let client = builder(&server, &sleeps).retry(retry).build().unwrap();
        let failed_at = std::time::SystemTime::now();

        let error = store(&client).await.unwrap_err();

        let Error::RateLimited(limited) = &error else {
            panic!("{name}: {value}: {error:?}");
        };
        assert!(limited.is_block());
        // An HTTP date has whole seconds: up to one less than asked.
        assert!(
            limited.wait() <= asked && limited.wait() + Duration::from_secs(2) > asked,
            "{value}: {limited:?}"
        );
        let until = limited.until().duration_since(failed_at).unwrap();
        assert!(
            until.abs_diff(limited.wait()) < Duration::from_secs(2),
            "{until:?}"
        );
        assert_eq!(error.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(error.codes(), [10013]);
        assert!(error.is_rate_limited() && error.is_retryable());
        let seconds = limited.wait().as_secs() + u64::from(limited.wait().subsec_nanos() > 0);
        assert!(
            error.to_string().starts_with(&format!(
                "Cloudflare blocks this token's API calls for {seconds} s, until "
            )),
            "{error}"
        );
        assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
        failing.assert_calls_async(1).await;
        succeeding.assert_calls_async(0).await;

        // Every call of the client is held: the next one is not sent either.
        let held = store(&client).await.unwrap_err();
        assert!(matches!(held, Error::RateLimited(_)), "{held:?}");
        assert_eq!(held.status(), None, "nothing was sent");
        failing.assert_calls_async(1).await;
        succeeding.assert_calls_async(0).await;
        assert_eq!(client.rate_limit().throttled, 1);
        assert!(client.rate_limit().held_until.is_some());
    }
}

#[tokio::test]
async fn an_http_date_retry_after_is_honoured() {
    let server = MockServer::start_async().await;
    let in_5s = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(5));
    fail_then_succeed(&server, 503, &[("retry-after", in_5s)], 1).await;
    let sleeps = RecordedSleeps::default();

    store(&builder(&server, &sleeps).build().unwrap())
        .await
        .unwrap();

    let waits = sleeps.waits();
    assert_eq!(waits.len(), 1);
    // HTTP dates have one-second resolution, and a moment passes before the header is read.
    assert!(
        (Duration::from_secs(3)..=Duration::from_secs(5)).contains(&waits[0]),
        "{:?}",
        waits[0]
    );
}

#[tokio::test]
async fn timeouts_are_retried_then_reported_as_timeouts() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200)
                .delay(Duration::from_secs(2))
                .json_body(success(json!(null)));
        })
        .await;
    let sleeps = RecordedSleeps::default();
    let client = builder(&server, &sleeps)
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();

    let error = store(&client).await.unwrap_err();

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert_eq!(transport.attempts(), 3);
    let source = std::error::Error::source(transport).expect("reqwest's error");
    let source = source
        .downcast_ref::<reqwest::Error>()
        .expect("reqwest's error");
    assert!(source.is_timeout(), "{source:?}");
    assert_eq!(error.to_string(), "timed out after 3 attempt(s)");
    assert!(
        error
            .report()
            .to_string()
            .starts_with("timed out after 3 attempt(s): "),
        "{}",
        error.report()
    );
    assert!(error.is_retryable());
    assert_eq!(sleeps.waits().len(), 2);
    slow.assert_calls_async(3).await;
}

#[tokio::test]
async fn broken_connections_are_retried_then_reported_as_interrupted() {
    let half_a_body: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"success\":";
    for (case, reply) in [("no answer", &b""[..]), ("half a body", half_a_body)] {
        let server = RawServer::always(Reply::Bytes(reply.to_vec()));
        let sleeps = RecordedSleeps::default();

        let error = store(&server.client(&sleeps)).await.unwrap_err();

        let Error::Transport(transport) = &error else {
            panic!("{case}: expected a transport error, got {error:?}")
        };
        assert_eq!(transport.kind(), TransportErrorKind::Interrupted, "{case}");
        assert_eq!(transport.attempts(), 3, "{case}");
        assert_eq!(server.requests().len(), 3, "{case}");
        assert_eq!(sleeps.waits().len(), 2, "{case}");
    }
}

#[tokio::test]
async fn refused_connections_are_reported_as_connect_failures() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.local_addr().expect("address").port()
    };
    let sleeps = RecordedSleeps::default();
    let client = Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(
            RetryConfig::default()
                .with_max_retries(1)
                .with_sleep(sleeps.clone()),
        )
        .build()
        .unwrap();

    let error = store(&client).await.unwrap_err();

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect);
    assert_eq!(transport.attempts(), 2);
}

#[tokio::test]
async fn a_client_with_another_retry_policy_shares_everything_else() {
    let server = MockServer::start_async().await;
    let busy = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(503).json_body(failure(10013, "busy"));
        })
        .await;
    let sleeps = RecordedSleeps::default();
    let patient = builder(&server, &sleeps).build().expect("a client");
    let hasty = patient.with_retry(RetryConfig::disabled());

    let once = store(&hasty).await.expect_err("busy");
    busy.assert_calls_async(1).await;
    let thrice = store(&patient).await.expect_err("still busy");

    assert_eq!(once.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(thrice.status().map(|s| s.as_u16()), Some(503));
    busy.assert_calls_async(4).await;
    assert_eq!(sleeps.waits().len(), 2, "only the patient client waited");
    assert_eq!(hasty.base_url(), patient.base_url());
    assert_eq!(hasty.paths(), patient.paths());
}
