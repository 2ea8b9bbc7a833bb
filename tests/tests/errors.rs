//! How responses that are not a success become typed errors: Cloudflare's envelope with its
//! codes, messages, status and cf-ray; bodies that are not the envelope; `success: false` in a 200.

mod common;

use cloudflare_r2_catalog::{Client, Error, config::RetryConfig, models::Message};
use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::{Value, json};

/// A client that makes a single attempt, so each test sees exactly one response.
fn single_attempt_client(server: &MockServer) -> Client {
    builder(server, &RecordedSleeps::default())
        .retry(RetryConfig::disabled())
        .build()
        .expect("valid config")
}

/// Answers the credential path with `status`, `content_type` and `body`, once per call.
async fn respond<'a>(
    server: &'a MockServer,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> httpmock::Mock<'a> {
    let (content_type, body) = (content_type.to_owned(), body.to_vec());
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(status)
                .header("content-type", content_type)
                .header("cf-ray", CF_RAY)
                .body(body);
        })
        .await
}

async fn store(client: &Client) -> Error {
    catalog(client)
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect_err("the server said no")
}

fn json_bytes(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).expect("serialisable")
}

#[tokio::test]
async fn every_documented_error_status_is_an_api_error_with_what_cloudflare_said() {
    let cases: [(u16, i64, &str); 5] = [
        (400, 10001, "Bad request."),
        (401, 10000, "Authentication error"),
        (403, 10000, "Forbidden"),
        (404, 10006, "Catalog not found."),
        (500, 10002, "Internal server error."),
    ];
    for (status, code, message) in cases {
        let server = MockServer::start_async().await;
        let body = json!({
            "success": false,
            "errors": [{"code": code, "message": message}, {"code": 7003, "message": "second"}],
            "messages": [{"code": 1, "message": "see docs"}],
        });
        let mock = respond(&server, status, "application/json", &json_bytes(body)).await;

        let error = store(&single_attempt_client(&server)).await;

        mock.assert_calls_async(1).await;
        let Error::Api(api) = &error else {
            panic!("{status}: expected an API error, got {error:?}")
        };
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.codes(), vec![code, 7003]);
        assert_eq!(api.errors[0].message, message);
        assert_eq!(
            api.messages,
            vec![
                serde_json::from_value::<Message>(json!({"code": 1, "message": "see docs"}))
                    .unwrap()
            ]
        );
        assert_eq!(error.cf_ray(), Some(CF_RAY));
        assert_eq!(error.is_not_found(), status == 404, "{status}");
        assert_eq!(error.is_auth(), status == 401 || status == 403, "{status}");
        assert_eq!(error.is_retryable(), status == 500, "{status}");
        assert_eq!(
            error.to_string(),
            format!(
                "Cloudflare API error (HTTP {}): {code}: {message}; 7003: second [cf-ray {CF_RAY}]",
                api.status
            )
        );
        // The form for a terminal, which the CLI prints: one item per line.
        assert_eq!(
            format!("{:#}", error.report()),
            format!(
                "Cloudflare API error (HTTP {})\n  {code}: {message}\n  7003: second\n  cf-ray: {CF_RAY}",
                api.status
            )
        );
        assert_eq!(error.report().to_string(), error.to_string());
    }
}

#[tokio::test]
async fn success_false_inside_a_200_is_an_error_not_a_success() {
    let server = MockServer::start_async().await;
    let body = json!({
        "success": false,
        "errors": [{"code": 10042, "message": "token rejected"}],
        "messages": [],
        "result": null,
    });
    respond(&server, 200, "application/json", &json_bytes(body)).await;

    let error = store(&single_attempt_client(&server)).await;

    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.codes(), vec![10042]);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_undocumented_status_with_an_envelope_is_an_api_error() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        429,
        "application/json",
        &json_bytes(failure(971, "Please wait")),
    )
    .await;

    let error = store(&single_attempt_client(&server)).await;

    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.codes(), vec![971]);
    assert_eq!(error.cf_ray(), Some(CF_RAY));
}

#[tokio::test]
async fn bodies_that_are_not_the_envelope_are_reported_with_status_type_and_snippet() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>";
    let cases: [(u16, &str, &[u8], &str, &str); 5] = [
        (
            502,
            "text/html",
            html.as_bytes(),
            html,
            "expected value at line 1 column 1",
        ),
        (
            200,
            "application/json",
            b"{\"success\": true, \"errors\": [",
            "{\"success\": true, \"errors\": [",
            "EOF while parsing a list at line 1 column 29",
        ),
        (502, "application/json", b"", "", "empty body"),
        (
            400,
            "application/json",
            b"{\"error\": \"not an envelope\"}",
            "{\"error\": \"not an envelope\"}",
            "missing field `success`",
        ),
        (
            404,
            "text/plain",
            b"Unauthorized \xff",
            "Unauthorized \u{fffd}",
            "expected value at line 1 column 1",
        ),
    ];
    for (status, content_type, body, snippet, reason) in cases {
        let server = MockServer::start_async().await;
        respond(&server, status, content_type, body).await;

        let error = store(&single_attempt_client(&server)).await;

        let Error::UnexpectedBody(unexpected) = &error else {
            panic!("{status} {content_type}: expected UnexpectedBody, got {error:?}")
        };
        assert_eq!(unexpected.status.as_u16(), status);
        assert_eq!(unexpected.content_type.as_deref(), Some(content_type));
        assert_eq!(unexpected.snippet, snippet);
        assert!(
            unexpected.reason.contains(reason),
            "{status}: {}",
            unexpected.reason
        );
        assert_eq!(error.cf_ray(), Some(CF_RAY));
        assert!(error.codes().is_empty());
    }
}

#[tokio::test]
async fn the_snippet_of_a_long_body_is_cut_to_1000_characters() {
    let server = MockServer::start_async().await;
    let page = format!("<html>{}</html>", "é".repeat(5000));
    respond(&server, 503, "text/html; charset=utf-8", page.as_bytes()).await;

    let error = store(&single_attempt_client(&server)).await;

    let Error::UnexpectedBody(unexpected) = &error else {
        panic!("expected UnexpectedBody, got {error:?}")
    };
    assert_eq!(
        unexpected.snippet.chars().count(),
        1001,
        "1000 characters and an ellipsis"
    );
    assert!(unexpected.snippet.ends_with('…'));
    assert!(error.to_string().starts_with(
        "unexpected response (HTTP 503 Service Unavailable, content type text/html; charset=utf-8): not the JSON envelope (expected value at line 1 column 1): \"<html>é"
    ));
}

/// An empty 200: a read has nothing to return and says so; a change the server answered 2xx
/// was applied, and says it has no details.
#[tokio::test]
async fn an_empty_body_says_so_and_an_empty_success_of_a_change_is_one() {
    let server = MockServer::start_async().await;
    respond(&server, 200, "application/json", b"").await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(catalog_path(&format!("/{BUCKET}")));
            then.status(200)
                .header("content-type", "application/json")
                .header("cf-ray", CF_RAY);
        })
        .await;
    let client = single_attempt_client(&server);

    let catalog = catalog(&client);
    let read = catalog.get().await;
    let stored = catalog
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");

    assert_eq!(
        read.expect_err("nothing to read").to_string(),
        format!(
            "unexpected response (HTTP 200 OK, content type application/json): empty body [cf-ray {CF_RAY}]"
        )
    );
    assert!(stored.result.is_none() && stored.unparsed_result.is_none());
    assert_eq!(stored.cf_ray.as_deref(), Some(CF_RAY));
}
