//! delete-catalog over real HTTP: the exact request with and without `force`, its 204, its final
//! 409, and the statuses the spec declares without a body.

mod common;

use cloudflare_r2_catalog::{Client, Error, Response};
use common::*;
use httpmock::{Method::POST, MockServer};
use serde_json::json;

fn delete_path() -> String {
    catalog_path(&format!("/{BUCKET}/delete"))
}

/// The headers of a delete request: no body, so no `content-type`.
fn delete_headers() -> Vec<(&'static str, String)> {
    let mut headers: Vec<_> = common_headers()
        .into_iter()
        .filter(|(name, _)| *name != "content-type")
        .collect();
    headers.push(("authorization", format!("Bearer {API_TOKEN}")));
    headers
}

async fn delete(client: &Client, force: bool) -> Result<Response<()>, Error> {
    delete_in(client, BUCKET, force).await
}

/// Deletes `bucket`'s catalog, as `catalog(bucket)?.delete()`, with `.force(true)` when `force`.
async fn delete_in(client: &Client, bucket: &str, force: bool) -> Result<Response<()>, Error> {
    let catalog = client.catalog(bucket)?;
    if force {
        catalog.delete().force(true).await
    } else {
        catalog.delete().await
    }
}

/// A mock answering every delete request with `status`, and `body` as JSON when there is one.
async fn answer_delete(
    server: &MockServer,
    status: u16,
    body: Option<serde_json::Value>,
) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path(delete_path());
            let then = then.status(status).header("cf-ray", CF_RAY);
            if let Some(body) = body {
                then.json_body(body);
            }
        })
        .await
}

#[tokio::test]
async fn sends_the_exact_request_with_force_true_only_when_asked_and_takes_204_as_success() {
    for (force, query) in [(false, vec![]), (true, vec![("force", "true")])] {
        let server = MockServer::start_async().await;
        let headers = delete_headers();
        let query: Vec<(String, String)> = query
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let mock = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(delete_path())
                    .is_true(move |request| request.query_params() == query)
                    .is_true(move |request| has_exactly_headers(request, &headers))
                    .body("");
                then.status(204).header("cf-ray", CF_RAY);
            })
            .await;

        let deleted = delete(&client(&server), force).await.expect("204");

        mock.assert_calls_async(1).await;
        assert_eq!(deleted.result, ());
        assert!(deleted.messages.is_empty());
        assert_eq!(deleted.cf_ray.as_deref(), Some(CF_RAY));
    }
}

#[tokio::test]
async fn a_success_envelope_in_a_200_is_accepted_too() {
    let server = MockServer::start_async().await;
    let envelope =
        json!({"success": true, "errors": [], "messages": [{"code": 1000, "message": "deleted"}]});
    let mock = answer_delete(&server, 200, Some(envelope)).await;

    let deleted = delete(&client(&server), false)
        .await
        .expect("success envelope");

    mock.assert_calls_async(1).await;
    assert_eq!(deleted.messages.len(), 1);
}

#[tokio::test]
async fn a_conflict_is_final_not_retried_with_cloudflares_code_and_message() {
    let server = MockServer::start_async().await;
    let mock = answer_delete(&server, 409, Some(failure(40902, "Catalog is not empty"))).await;
    let sleeps = RecordedSleeps::default();

    let error = delete(&builder(&server, &sleeps).build().unwrap(), false)
        .await
        .expect_err("409");

    mock.assert_calls_async(1).await;
    assert!(sleeps.waits().is_empty());
    assert!(error.is_conflict(), "{error:?}");
    assert!(!error.is_retryable(), "no retry can empty the catalog");
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.errors[0].code, Some(40902));
    assert_eq!(api.errors[0].message, "Catalog is not empty");
    assert_eq!(
        error.to_string(),
        format!(
            "Cloudflare API error (HTTP 409 Conflict): 40902: Catalog is not empty [cf-ray {CF_RAY}]"
        )
    );
}

#[tokio::test]
async fn statuses_declared_without_a_body_are_typed_errors_that_keep_the_status() {
    for (status, not_found, auth) in [(401, false, true), (404, true, false)] {
        let server = MockServer::start_async().await;
        let mock = answer_delete(&server, status, None).await;
        let sleeps = RecordedSleeps::default();

        let error = delete(&builder(&server, &sleeps).build().unwrap(), false)
            .await
            .expect_err("error status");

        mock.assert_calls_async(1).await;
        assert!(sleeps.waits().is_empty(), "{status}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.is_not_found(), not_found, "{status}");
        assert_eq!(error.is_auth(), auth, "{status}");
        assert!(!error.is_retryable(), "{status}");
        assert_eq!(error.cf_ray(), Some(CF_RAY));
        let Error::UnexpectedBody(unexpected) = &error else {
            panic!("{status}: expected UnexpectedBody, got {error:?}")
        };
        assert_eq!(unexpected.reason, "empty body");
    }
}

#[tokio::test]
async fn a_bare_500_is_retried_like_any_server_error() {
    let server = MockServer::start_async().await;
    let failing = answer_delete(&server, 500, None).await;
    failing.up_to_n_times_async(2).await;
    let succeeding = answer_delete(&server, 204, None).await;
    let sleeps = RecordedSleeps::default();

    delete(&builder(&server, &sleeps).build().unwrap(), false)
        .await
        .expect("third attempt");

    failing.assert_calls_async(2).await;
    succeeding.assert_calls_async(1).await;
    assert_eq!(sleeps.waits().len(), 2);
}

#[tokio::test]
async fn a_bare_500_on_every_attempt_is_reported_with_its_status() {
    let server = MockServer::start_async().await;
    let mock = answer_delete(&server, 500, None).await;
    let sleeps = RecordedSleeps::default();

    let error = delete(&builder(&server, &sleeps).build().unwrap(), false)
        .await
        .expect_err("500");

    mock.assert_calls_async(3).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(error.is_retryable());
    assert!(matches!(error, Error::UnexpectedBody(_)), "{error:?}");
}

#[tokio::test]
async fn a_404_with_cloudflares_envelope_keeps_its_code() {
    let server = MockServer::start_async().await;
    answer_delete(&server, 404, Some(failure(40401, "Catalog not found"))).await;

    let error = delete(&client(&server), true).await.expect_err("404");

    assert!(error.is_not_found());
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.codes(), vec![40401]);
}

#[tokio::test]
async fn bad_input_sends_nothing() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;

    let error = delete_in(&client(&server), "Not_A_Bucket", true)
        .await
        .expect_err("invalid bucket");

    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    anything.assert_calls_async(0).await;
}
