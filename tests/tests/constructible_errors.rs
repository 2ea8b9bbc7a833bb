//! Errors users build in their own tests are the ones the client returns: an `ApiError` made
//! with its public constructors equals, field by field, the one a real answer with the same
//! status, code and message becomes, so the constructors cannot drift from what the SDK makes.

mod common;

use cloudflare_r2_catalog::{
    Error, codes,
    error::{ApiError, StatusCode},
    models::Message,
};
use common::*;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

/// The path of [`BUCKET`]'s catalog, which `CatalogHandle::get` reads.
fn catalog_path() -> String {
    format!("/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}")
}

/// The `ApiError` inside `error`, which must be one.
fn api_error(error: Error) -> ApiError {
    match error {
        Error::Api(api) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// `built` and `answered` agree on everything a caller reads: each field, the predicates over
/// them, and both forms of `Display`.
fn assert_same(built: &ApiError, answered: &ApiError) {
    assert_eq!(built.status, answered.status);
    assert_eq!(built.codes(), answered.codes());
    assert_eq!(built.errors, answered.errors);
    assert_eq!(built.omitted_errors, answered.omitted_errors);
    assert_eq!(built.messages, answered.messages);
    assert_eq!(built.cf_ray, answered.cf_ray);
    assert_eq!(built.to_string(), answered.to_string());
    assert_eq!(format!("{built:#}"), format!("{answered:#}"));
    let (built, answered) = (Error::from(built.clone()), Error::from(answered.clone()));
    assert_eq!(
        built.is_catalog_not_found(),
        answered.is_catalog_not_found()
    );
    assert_eq!(built.is_not_found(), answered.is_not_found());
    assert_eq!(built.is_retryable(), answered.is_retryable());
    assert_eq!(built.status(), answered.status());
    assert_eq!(built.cf_ray(), answered.cf_ray());
    assert_eq!(built.report().to_string(), answered.report().to_string());
}

#[tokio::test]
async fn a_built_api_error_equals_the_one_a_mock_servers_answer_becomes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(catalog_path());
            then.status(404)
                .header("content-type", "application/json")
                .header("cf-ray", CF_RAY)
                .json_body(json!({
                    "success": false,
                    "errors": [
                        {"code": 40401, "message": "Catalog not found"},
                        {"message": "an item without a code"},
                    ],
                    "messages": [{"code": 1, "message": "see the docs"}],
                    "result": null,
                }));
        })
        .await;

    let answered = api_error(catalog(&client(&server)).get().await.unwrap_err());

    let built = ApiError::new(
        StatusCode::NOT_FOUND,
        [
            Message::new(codes::CATALOG_NOT_FOUND, "Catalog not found"),
            Message::without_code("an item without a code"),
        ],
    )
    .with_messages([Message::new(1, "see the docs")])
    .with_cf_ray(CF_RAY);
    assert_same(&built, &answered);
    assert_eq!(built, answered);
    assert!(Error::from(built).is_catalog_not_found());
}

#[tokio::test]
async fn a_built_api_error_equals_the_one_the_emulators_answer_becomes() {
    // The bucket exists; its catalog was never enabled.
    let (_emulator, client, _) = emulator_and_client().await;

    let answered = api_error(catalog(&client).get().await.unwrap_err());

    // The emulator makes up a new cf-ray for every answer.
    let ray = answered
        .cf_ray
        .clone()
        .expect("the emulator sends a cf-ray");
    let built = ApiError::new(
        StatusCode::NOT_FOUND,
        [Message::new(40401, "Catalog not found")],
    )
    .with_cf_ray(ray);
    assert_same(&built, &answered);
    assert_eq!(built, answered);
}

#[tokio::test]
async fn a_built_retryable_api_error_equals_the_one_a_retried_answer_becomes() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(catalog_path());
            then.status(503)
                .header("cf-ray", CF_RAY)
                .json_body(failure(10002, "Service unavailable"));
        })
        .await;

    let answered = api_error(catalog(&client(&server)).get().await.unwrap_err());
    // The default policy: the first attempt and two retries, all answered 503.
    mock.assert_calls_async(3).await;

    let built = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        [Message::new(10002, "Service unavailable")],
    )
    .with_cf_ray(CF_RAY);
    // The retry policy decides what is retryable, not the status: a built error says so only
    // when told.
    assert_ne!(built, answered);
    let built = built.with_retryable(true);
    assert_same(&built, &answered);
    assert_eq!(built, answered);
    assert!(Error::from(built).is_retryable());
}
