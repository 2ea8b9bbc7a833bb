//! The seed operation over real HTTP: the exact request for both auth schemes, and the success
//! envelope parsed.

mod common;

use cloudflare_r2_catalog::{Client, models::Message};
use common::*;
use httpmock::{Method::POST, MockServer};
use serde_json::json;

/// Stores [`CATALOG_TOKEN`] on [`BUCKET`]'s catalog in [`ACCOUNT_ID`], named explicitly: for the
/// clients built here without a default account.
async fn stored_on_account(client: &Client) {
    client
        .account(ACCOUNT_ID)
        .expect("a valid account id")
        .catalog(BUCKET)
        .expect("a valid bucket")
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");
}

#[tokio::test]
async fn sends_the_exact_request_with_an_api_token_and_parses_success() {
    let server = MockServer::start_async().await;
    let mut headers = common_headers();
    headers.push(("authorization", format!("Bearer {API_TOKEN}")));
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(CREDENTIAL_PATH)
                .is_true(move |request| has_exactly_headers(request, &headers))
                .json_body(json!({"token": CATALOG_TOKEN}));
            then.status(200)
                .header("content-type", "application/json")
                .header("cf-ray", CF_RAY)
                .json_body(success(json!(null)));
        })
        .await;

    let stored = catalog(&client(&server))
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");

    mock.assert_calls_async(1).await;
    assert_eq!(stored.result, None);
    assert!(stored.messages.is_empty());
    assert_eq!(stored.cf_ray.as_deref(), Some(CF_RAY));
}

#[tokio::test]
async fn sends_the_exact_request_with_an_email_and_global_key() {
    let server = MockServer::start_async().await;
    let mut headers = common_headers();
    headers.push(("x-auth-email", EMAIL.to_owned()));
    headers.push(("x-auth-key", API_KEY.to_owned()));
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(CREDENTIAL_PATH)
                .is_true(move |request| has_exactly_headers(request, &headers))
                .json_body(json!({"token": CATALOG_TOKEN}));
            then.status(200).json_body(success(json!(null)));
        })
        .await;

    let client = Client::builder()
        .api_key(EMAIL, API_KEY)
        .base_url(server.base_url())
        .build()
        .expect("valid config");
    stored_on_account(&client).await;

    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_object_result_and_messages_are_returned() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200).json_body(json!({
                "success": true,
                "errors": [],
                "messages": [{"code": 1000, "message": "credential replaced"}],
                "result": {"credential_status": "present"},
            }));
        })
        .await;

    let stored = catalog(&client(&server))
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");

    let result = stored.result.expect("an object");
    assert_eq!(result.get("credential_status"), Some(&json!("present")));
    assert_eq!(stored.messages.len(), 1);
    assert_eq!(stored.messages[0].code, Some(1000));
    assert_eq!(stored.messages[0].message, "credential replaced");
    assert_eq!(stored.messages[0].to_string(), "1000: credential replaced");
    let _: &Message = &stored.messages[0];
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_does_not_double_the_path_separator() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    let client = Client::builder()
        .api_token(API_TOKEN)
        .base_url(format!("{}/", server.base_url()))
        .build()
        .expect("valid config");

    stored_on_account(&client).await;
    mock.assert_calls_async(1).await;
}
