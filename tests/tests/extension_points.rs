//! What a caller can add to or bound in the client: headers of their own (treated as secrets),
//! their own `reqwest::Client`, and an operation timeout over a whole call, for every call or
//! for some. Each is checked on the wire: the exact headers a server receives, how many attempts
//! reach it, and what the call returns.

mod common;

use std::time::Duration;

use cloudflare_r2_catalog::{Client, Error, config::RetryConfig, error::ConfigError};
use common::*;
use httpmock::{Method::POST, MockServer};
use serde_json::json;

const ACCESS_SECRET: &str = "access-secret-VALUE-77aa";

/// A mock answering every store-credential request with `status` and `body`.
async fn answer_store(
    server: &MockServer,
    status: u16,
    body: serde_json::Value,
) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(status).json_body(body);
        })
        .await
}

/// A builder aimed at `server` with two added headers: an Access secret and a trace id.
fn with_added_headers(server: &MockServer) -> cloudflare_r2_catalog::ClientBuilder {
    builder(server, &RecordedSleeps::default())
        .header("CF-Access-Client-Secret", ACCESS_SECRET)
        .header("x-trace", "trace-0001")
}

#[tokio::test]
async fn added_headers_go_out_on_every_request_and_their_values_stay_secret() {
    let server = MockServer::start_async().await;
    let mut expected = common_headers();
    expected.push(("authorization", format!("Bearer {API_TOKEN}")));
    expected.push(("cf-access-client-secret", ACCESS_SECRET.to_owned()));
    expected.push(("x-trace", "trace-0001".to_owned()));
    let refused = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(CREDENTIAL_PATH)
                .is_true(move |request| has_exactly_headers(request, &expected));
            // A server that echoes the header it was sent.
            then.status(400)
                .json_body(failure(10000, &format!("bad access {ACCESS_SECRET}")));
        })
        .await;
    let builder = with_added_headers(&server);
    assert!(!format!("{builder:?}").contains(ACCESS_SECRET));
    let client = builder.build().expect("valid config");

    let error = store(&client).await.expect_err("refused");

    refused.assert_calls_async(1).await;
    assert_eq!(error.codes(), [10000]);
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        error.report().to_string(),
    ] {
        assert!(!shown.contains(ACCESS_SECRET), "{shown}");
        assert!(shown.contains("bad access ** redacted **"), "{shown}");
    }
    assert!(!format!("{client:?}").contains(ACCESS_SECRET));
}

#[tokio::test]
async fn a_header_given_twice_goes_out_with_both_values() {
    let server = MockServer::start_async().await;
    let both = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH).is_true(|request| {
                let values: Vec<String> = request
                    .headers()
                    .get_all("x-team")
                    .iter()
                    .map(|value| value.to_str().unwrap_or_default().to_owned())
                    .collect();
                values == ["data", "platform"]
            });
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    let client = builder(&server, &RecordedSleeps::default())
        .header("x-team", "data")
        .header("x-team", "platform")
        .build()
        .expect("valid config");

    store(&client).await.expect("stored");

    both.assert_calls_async(1).await;
}

#[test]
fn the_builders_debug_shows_no_secret() {
    let builder = Client::builder()
        .api_token(API_TOKEN)
        .header("cf-access-client-secret", ACCESS_SECRET)
        .proxy("http://proxy-user:proxy-PASSWORD-1@127.0.0.1:3128")
        .base_url("https://user:base-PASSWORD-2@api.example.com/client/v4");
    let shown = format!("{builder:?}");
    for secret in [
        API_TOKEN,
        ACCESS_SECRET,
        "proxy-PASSWORD-1",
        "base-PASSWORD-2",
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("cf-access-client-secret"), "{shown}");
}

#[tokio::test]
async fn headers_the_sdk_or_http_sets_and_unsendable_ones_are_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    for (name, value, reason) in [
        (
            "Authorization",
            "Bearer other",
            "the SDK or HTTP sets this header itself",
        ),
        (
            "user-agent",
            "other/1.0",
            "the SDK or HTTP sets this header itself",
        ),
        (
            "host",
            "example.com",
            "the SDK or HTTP sets this header itself",
        ),
        ("bad name", "x", "not a valid header name"),
        (
            "x-ok",
            "line\r\nX-Injected: 1",
            "the value is not a valid header value",
        ),
    ] {
        let refused = builder(&server, &RecordedSleeps::default())
            .header(name, value)
            .build()
            .map(drop)
            .expect_err("refused");
        let ConfigError::Header {
            name: shown,
            reason: why,
        } = &refused
        else {
            panic!("{name}: {refused:?}")
        };
        assert_eq!((shown.as_str(), *why), (name, reason));
        assert!(!refused.to_string().contains("X-Injected"), "{refused}");
    }
    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_callers_http_client_sends_the_sdks_requests_with_its_own_defaults_too() {
    let server = MockServer::start_async().await;
    let mut expected = common_headers();
    expected.push(("authorization", format!("Bearer {API_TOKEN}")));
    expected.push(("x-from-caller", "yes".to_owned()));
    let stored = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(CREDENTIAL_PATH)
                .json_body(json!({ "token": CATALOG_TOKEN }))
                .is_true(move |request| has_exactly_headers(request, &expected));
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    let mut defaults = reqwest::header::HeaderMap::new();
    defaults.insert("x-from-caller", "yes".parse().expect("a header value"));
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(no_tls())
        .default_headers(defaults)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    let client = Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(server.base_url())
        .http_client(http.clone())
        .build()
        .expect("valid config");

    store(&client).await.expect("stored");
    stored.assert_calls_async(1).await;

    for (builder, setting) in [
        (Client::builder().timeout(Duration::from_secs(1)), "timeout"),
        (
            Client::builder().connect_timeout(Duration::from_secs(1)),
            "connect_timeout",
        ),
        (Client::builder().no_proxy(), "proxy or no_proxy"),
        (
            Client::builder().add_root_certificate("-----BEGIN CERTIFICATE-----"),
            "add_root_certificate",
        ),
    ] {
        let refused = builder
            .api_token(API_TOKEN)
            .http_client(http.clone())
            .build()
            .map(drop);
        assert_eq!(refused, Err(ConfigError::HttpClientSetting { setting }));
    }
}

/// A TLS configuration that trusts nothing: reqwest needs one to build, and these tests speak
/// plain HTTP on loopback.
#[allow(
    deprecated,
    reason = "rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange) and has \
              no other way to build it; this configuration is never used for a handshake"
)]
fn no_tls() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports TLS 1.2 and 1.3")
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth()
}

#[tokio::test]
async fn an_attempt_in_flight_at_the_operation_timeout_is_abandoned_and_said_so() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200)
                .delay(Duration::from_secs(3))
                .json_body(success(json!(null)));
        })
        .await;
    let client = builder(&server, &RecordedSleeps::default())
        .operation_timeout(Duration::from_millis(200))
        .build()
        .expect("valid config");

    let error = store(&client).await.expect_err("cut off");

    let Error::OperationTimeout(timeout) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(timeout.limit(), Duration::from_millis(200));
    assert_eq!(timeout.attempts(), 1);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("outcome is unknown"), "{error}");
    slow.assert_calls_async(1).await;
}

#[tokio::test]
async fn no_retry_waits_past_the_operation_timeout_and_the_last_answer_is_returned() {
    let server = MockServer::start_async().await;
    let unavailable = answer_store(&server, 503, failure(10013, "try again")).await;
    let sleeps = RecordedSleeps::default();
    // Backoff of at least 375 ms (500 ms, jittered by up to a quarter) against a budget of 300.
    let retry = RetryConfig::default()
        .with_max_retries(5)
        .with_sleep(sleeps.clone());
    let bounded = builder(&server, &sleeps)
        .retry(retry)
        .operation_timeout(Duration::from_millis(300))
        .build()
        .expect("valid config");

    let error = store(&bounded).await.expect_err("503");

    assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(error.codes(), [10013]);
    unavailable.assert_calls_async(1).await;
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());

    // The same client without the bound retries, waiting as its policy says: the bound was
    // what stopped it. And the bound set for one call only, on a clone, stops that call alone.
    let unbounded = builder(&server, &sleeps)
        .retry(RetryConfig::default().with_sleep(sleeps.clone()))
        .build()
        .expect("valid config");
    store(&unbounded).await.expect_err("503 three times");
    unavailable.assert_calls_async(4).await;
    store(&unbounded.with_operation_timeout(Duration::from_millis(300)))
        .await
        .expect_err("503 once");
    unavailable.assert_calls_async(5).await;
}

/// A wait that takes a quarter of a second, whatever it was asked for.
#[derive(Debug, Clone)]
struct Oversleeps;

impl cloudflare_r2_catalog::config::Sleep for Oversleeps {
    fn sleep(&self, _: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(Duration::from_millis(250)))
    }
}

#[tokio::test]
async fn no_attempt_starts_after_a_wait_that_ended_past_the_operation_timeout() {
    let server = MockServer::start_async().await;
    let unavailable = answer_store(&server, 503, failure(10013, "try again")).await;
    // Asked waits of a millisecond, which the policy lets through; each takes 250 ms.
    let retry = RetryConfig::default()
        .with_max_retries(5)
        .with_initial_backoff(Duration::from_millis(1))
        .with_sleep(Oversleeps);
    let client = builder(&server, &RecordedSleeps::default())
        .retry(retry)
        .operation_timeout(Duration::from_millis(400))
        .build()
        .expect("valid config");

    let error = store(&client).await.expect_err("503");

    // Attempt 1, a wait, attempt 2, a wait ending past the deadline: the last answer, a 503,
    // rather than a third attempt cut off with an unknown outcome.
    assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
    unavailable.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_operation_timeout_too_far_off_to_reach_is_none() {
    let server = MockServer::start_async().await;
    let stored = answer_store(&server, 200, success(json!(null))).await;
    let client = builder(&server, &RecordedSleeps::default())
        .build()
        .expect("valid config")
        .with_operation_timeout(Duration::MAX);

    store(&client).await.expect("stored");

    stored.assert_calls_async(1).await;
}
