//! The Iceberg REST endpoint's config check, [`CatalogHandle::iceberg_config`], and where an
//! engine connects, [`CatalogHandle::connection`]: against the emulator's config route, and
//! against a loopback mock for the exact request, each kind of refusal, redirects, the body
//! limit, query encoding and dry runs; and the builder's checks of the endpoint's URL.
//!
//! [`CatalogHandle::iceberg_config`]: cloudflare_r2_catalog::handles::CatalogHandle::iceberg_config
//! [`CatalogHandle::connection`]: cloudflare_r2_catalog::handles::CatalogHandle::connection

mod common;

use std::time::Duration;

use cloudflare_r2_catalog::{
    Client, ClientBuilder, Error, config::ICEBERG_REST_ENDPOINT, error::ConfigError,
    models::IcebergConfig,
};
use cloudflare_r2_catalog_emulator::{Emulator, EmulatorBuilder};
use common::*;
use httpmock::Method::GET;
use httpmock::{MockServer, Then};
use serde_json::{Value, json};

/// The catalog's name, its warehouse: `<account_id>_<bucket>`.
fn warehouse() -> String {
    format!("{ACCOUNT_ID}_{BUCKET}")
}

/// The config route's path for [`BUCKET`] in [`ACCOUNT_ID`].
fn config_path() -> String {
    format!("/{ACCOUNT_ID}/{BUCKET}/v1/config")
}

/// A builder whose management API and Iceberg endpoint are both `server`.
fn iceberg_builder(server: &MockServer, sleeps: &RecordedSleeps) -> ClientBuilder {
    builder(server, sleeps).iceberg_url(server.base_url())
}

/// A client whose Iceberg endpoint is `server`.
fn iceberg_client(server: &MockServer) -> Client {
    iceberg_builder(server, &RecordedSleeps::default())
        .build()
        .expect("valid config")
}

/// `emulator` started with [`BUCKET`], and a client of both its management API and its
/// Iceberg endpoint, with recorded retry waits.
async fn emulator_and_iceberg_client(
    emulator: EmulatorBuilder,
) -> (Emulator, Client, RecordedSleeps) {
    let emulator = emulator.bucket(BUCKET).start().await.expect("starts");
    let sleeps = RecordedSleeps::default();
    let client = builder_at(emulator.base_url(), &sleeps)
        .iceberg_url(emulator.iceberg_url())
        .build()
        .expect("valid config");
    (emulator, client, sleeps)
}

/// An answer of `status` in the Iceberg REST error model (its `code` being `status`).
fn iceberg_error(status: u16, kind: &str, message: &str) -> impl FnOnce(Then) -> Then {
    let body = json!({"error": {"message": message, "type": kind, "code": status}});
    move |then| then.status(status).json_body(body)
}

/// An answer of `status` with the HTML page `page`.
fn html(status: u16, page: &'static str) -> impl FnOnce(Then) -> Then {
    move |then| {
        then.status(status)
            .header("content-type", "text/html")
            .body(page)
    }
}

/// The error `client`'s config check of [`warehouse`] fails with.
async fn config_error(client: &Client) -> Error {
    catalog(client)
        .iceberg_config(&warehouse())
        .await
        .expect_err("the config check fails")
}

/// The error `client`'s config check fails with when `server` answers every config request for
/// [`BUCKET`] as `answer` sets up; the server must have been asked exactly once.
async fn config_error_answered(
    server: &MockServer,
    client: &Client,
    answer: impl FnOnce(Then) -> Then,
) -> Error {
    let config = server
        .mock_async(|when, then| {
            when.method(GET).path(config_path());
            answer(then);
        })
        .await;
    let error = config_error(client).await;
    config.assert_calls_async(1).await;
    error
}

/// What a refusal in the Iceberg REST error model said: `(status, type, message)`; any other
/// error fails the test.
fn refusal(error: &Error) -> (u16, Option<&str>, Option<&str>) {
    let Error::Iceberg(refused) = error else {
        panic!("expected an Iceberg refusal, got {error:?}")
    };
    (
        refused.status.as_u16(),
        refused.error_type.as_deref(),
        refused.message.as_deref(),
    )
}

/// The config `{defaults: {}, overrides: {prefix: warehouse}}`, built with the SDK's type.
fn config_with_prefix(warehouse: &str) -> IcebergConfig {
    let mut config = IcebergConfig::new();
    config
        .overrides
        .insert("prefix".to_owned(), json!(warehouse));
    config
}

/// The emulator's Iceberg config requests recorded so far.
fn config_requests(emulator: &Emulator) -> Vec<cloudflare_r2_catalog_emulator::RecordedRequest> {
    emulator
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with("/v1/config"))
        .collect()
}

#[tokio::test]
async fn the_emulator_answers_404_before_enable_and_its_config_after() {
    let (emulator, client, sleeps) = emulator_and_iceberg_client(Emulator::builder()).await;
    let catalog = catalog(&client);

    let error = config_error(&client).await;
    assert!(error.is_not_found(), "{error}");
    let no_catalog = format!("No active catalog on bucket {BUCKET}");
    assert_eq!(
        refusal(&error),
        (
            404,
            Some("NoSuchWarehouseException"),
            Some(no_catalog.as_str())
        )
    );
    assert_eq!(config_requests(&emulator).len(), 1);

    let enabled = catalog.enable().await.expect("enabled");
    let name = enabled.result.expect("an activation").name;
    assert_eq!(name, warehouse());
    let config = catalog.iceberg_config(&name).await.expect("the config");

    assert_eq!(config.result, config_with_prefix(&name));
    assert_eq!(config.result.endpoints, None);
    assert!(config.result.defaults.is_empty());
    assert!(!config.already_applied);
    let asked = config_requests(&emulator);
    assert_eq!(asked.len(), 2, "{asked:?}");
    let last = &asked[1];
    assert_eq!(last.method, "GET");
    assert_eq!(last.path, config_path());
    assert_eq!(last.query, Some(format!("warehouse={name}")));
    assert_eq!((last.operation, last.status), (None, Some(200)));
    assert!(last.body.is_empty());
    // The check is no call of the management API: no retries, no waits.
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());

    // Where an engine connects: the same endpoint, the catalog's two segments below it.
    let connection = catalog.connection(&name);
    assert_eq!(
        connection.uri,
        format!("{}/{ACCOUNT_ID}/{BUCKET}", emulator.iceberg_url())
    );
    assert_eq!(connection.warehouse, name);
}

#[tokio::test]
async fn the_emulator_refuses_a_token_it_does_not_accept_as_an_auth_error() {
    let only_the_right_token = Emulator::builder().accept_token("the-right-token");
    let (emulator, client, _) = emulator_and_iceberg_client(only_the_right_token).await;

    let error = config_error(&client).await;

    assert!(error.is_auth(), "{error}");
    let (status, kind, _) = refusal(&error);
    assert_eq!((status, kind), (401, Some("NotAuthorizedException")));
    assert_eq!(config_requests(&emulator).len(), 1);
}

#[tokio::test]
async fn the_request_is_a_get_of_the_config_route_with_the_warehouse_and_exactly_these_headers() {
    let server = MockServer::start_async().await;
    let expected_headers = vec![
        ("authorization", format!("Bearer {API_TOKEN}")),
        ("accept", "application/json".to_owned()),
        ("user-agent", USER_AGENT.to_owned()),
    ];
    let body = json!({
        "defaults": {"clients": "4"},
        "overrides": {"prefix": warehouse()},
        "endpoints": ["GET /v1/{prefix}/namespaces"],
        "a-newer-field": true,
    });
    let config = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(config_path())
                .is_true(|request| {
                    request.query_params() == [("warehouse".to_owned(), warehouse())]
                })
                .is_true(move |request| has_exactly_headers(request, &expected_headers));
            then.status(200).header("cf-ray", CF_RAY).json_body(body);
        })
        .await;
    let client = iceberg_client(&server);

    let answer = catalog(&client)
        .iceberg_config(&warehouse())
        .await
        .expect("the config");

    config.assert_calls_async(1).await;
    let mut expected = config_with_prefix(&warehouse());
    expected.defaults.insert("clients".to_owned(), json!("4"));
    expected.endpoints = Some(vec!["GET /v1/{prefix}/namespaces".to_owned()]);
    assert_eq!(answer.result, expected);
    assert_eq!(answer.cf_ray.as_deref(), Some(CF_RAY));
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn an_endpoint_with_a_path_keeps_it_and_the_catalog_segments_go_below_it() {
    let server = MockServer::start_async().await;
    let config = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/iceberg/{ACCOUNT_ID}/{BUCKET}/v1/config"))
                .query_param("warehouse", warehouse());
            then.status(200)
                .json_body(json!({"defaults": {}, "overrides": {}}));
        })
        .await;
    let endpoint = format!("{}/iceberg/", server.base_url());
    let client = builder(&server, &RecordedSleeps::default())
        .iceberg_url(&endpoint)
        .build()
        .expect("valid config");

    let answer = catalog(&client).iceberg_config(&warehouse()).await;

    assert_eq!(answer.expect("the config").result, IcebergConfig::new());
    config.assert_calls_async(1).await;
    let connection = catalog(&client).connection(&warehouse());
    assert_eq!(
        connection.uri,
        format!("{}/iceberg/{ACCOUNT_ID}/{BUCKET}", server.base_url())
    );
}

#[tokio::test]
async fn a_401_in_the_iceberg_error_model_is_an_iceberg_auth_error() {
    let server = MockServer::start_async().await;
    let sleeps = RecordedSleeps::default();
    let client = iceberg_builder(&server, &sleeps).build().unwrap();
    let message = "Not authorized: the token lacks R2 Data Catalog permission";
    let refused = iceberg_error(401, "NotAuthorizedException", message);

    let error = config_error_answered(&server, &client, refused).await;

    assert_eq!(
        refusal(&error),
        (401, Some("NotAuthorizedException"), Some(message))
    );
    assert_eq!(error.cf_ray(), None);
    assert!(error.is_auth() && !error.is_not_found() && !error.is_retryable());
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    assert!(error.codes().is_empty());
    assert_eq!(
        error.to_string(),
        format!(
            "the Iceberg endpoint answered HTTP 401 Unauthorized NotAuthorizedException: {message}"
        )
    );
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
}

#[tokio::test]
async fn an_error_body_echoing_the_api_token_has_it_redacted() {
    let server = MockServer::start_async().await;
    let echoed = format!("token {API_TOKEN} is not allowed here");
    let refused = iceberg_error(403, "ForbiddenException", &echoed);

    let error = config_error_answered(&server, &iceberg_client(&server), refused).await;

    let redacted = "token ** redacted ** is not allowed here";
    assert_eq!(
        refusal(&error),
        (403, Some("ForbiddenException"), Some(redacted))
    );
    assert!(error.is_auth());
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        format!("{:#}", error.report()),
    ] {
        assert!(!shows_part_of(&shown, API_TOKEN), "{shown}");
        assert!(shown.contains("token ** redacted ** is not"), "{shown}");
    }
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let server = MockServer::start_async().await;
    let sleeps = RecordedSleeps::default();
    let client = iceberg_builder(&server, &sleeps)
        .max_retries(3)
        .build()
        .unwrap();
    let failing = iceberg_error(500, "ServiceFailureException", "internal error");

    let error = config_error_answered(&server, &client, failing).await;

    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
    assert_eq!(
        refusal(&error),
        (500, Some("ServiceFailureException"), Some("internal error"))
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_error_status_with_a_body_outside_the_model_keeps_only_its_status() {
    let server = MockServer::start_async().await;
    let page = html(502, "<html>bad gateway</html>");

    let error = config_error_answered(&server, &iceberg_client(&server), page).await;

    assert_eq!(refusal(&error), (502, None, None));
    assert_eq!(
        error.to_string(),
        "the Iceberg endpoint answered HTTP 502 Bad Gateway"
    );
}

#[tokio::test]
async fn a_200_that_is_not_a_config_is_an_unexpected_body() {
    let server = MockServer::start_async().await;
    let page = html(200, "<html>a login page</html>");

    let error = config_error_answered(&server, &iceberg_client(&server), page).await;

    let Error::UnexpectedBody(unexpected) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(unexpected.status.as_u16(), 200);
    assert_eq!(unexpected.snippet, "<html>a login page</html>");
    assert_eq!(unexpected.content_type.as_deref(), Some("text/html"));
}

#[tokio::test]
async fn a_redirect_is_reported_and_not_followed() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let nothing_elsewhere = catch_all(&elsewhere).await;
    let target = format!("{}{}", elsewhere.base_url(), config_path());
    let redirect = |then: Then| then.status(307).header("location", &target);

    let error = config_error_answered(&server, &iceberg_client(&server), redirect).await;

    nothing_elsewhere.assert_calls_async(0).await;
    let Error::Redirected(redirected) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(redirected.status.as_u16(), 307);
    assert_eq!(redirected.location.as_deref(), Some(target.as_str()));
}

#[tokio::test]
async fn a_body_over_the_clients_limit_is_too_large() {
    let server = MockServer::start_async().await;
    let overrides: serde_json::Map<String, Value> = (0..100)
        .map(|index| (format!("key-{index}"), json!("value")))
        .collect();
    let large = |then: Then| {
        then.status(200)
            .json_body(json!({"defaults": {}, "overrides": overrides}))
    };
    let client = iceberg_builder(&server, &RecordedSleeps::default())
        .max_response_bytes(256)
        .build()
        .unwrap();

    let error = config_error_answered(&server, &client, large).await;

    let Error::ResponseTooLarge(too_large) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(too_large.status.as_u16(), 200);
    assert_eq!(too_large.limit, 256);
}

#[tokio::test]
async fn a_warehouse_with_reserved_characters_is_sent_as_one_query_value() {
    let server = MockServer::start_async().await;
    let odd = "a&b=c #d/e f+g%20h?i";
    let config = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(config_path())
                .is_true(move |request| {
                    request.query_params() == [("warehouse".to_owned(), odd.to_owned())]
                });
            then.status(200)
                .json_body(json!({"defaults": {}, "overrides": {"prefix": odd}}));
        })
        .await;
    let client = iceberg_client(&server);

    let answer = catalog(&client)
        .iceberg_config(odd)
        .await
        .expect("the config");

    config.assert_calls_async(1).await;
    assert_eq!(answer.result, config_with_prefix(odd));
}

#[tokio::test]
async fn a_client_with_a_global_api_key_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let nothing = catch_all(&server).await;
    let client = Client::builder()
        .api_key(EMAIL, API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(server.base_url())
        .iceberg_url(server.base_url())
        .build()
        .expect("valid config");

    let dry = client.with_dry_run();

    for error in [config_error(&client).await, config_error(&dry).await] {
        let Error::InvalidInput(invalid) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(invalid.field(), "credentials");
        assert_eq!(
            invalid.rule(),
            "the Iceberg endpoint takes an API token, not a global API key"
        );
        assert!(!format!("{error:?}").contains(API_KEY));
    }
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_dry_run_plans_the_config_request_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let nothing = catch_all(&server).await;
    let dry = iceberg_client(&server).with_dry_run();

    let error = config_error(&dry).await;

    let Error::DryRun(plan) = &error else {
        panic!("{error:?}")
    };
    let url = format!(
        "{}{}?warehouse={}",
        server.base_url(),
        config_path(),
        warehouse()
    );
    assert_eq!(plan.method.as_str(), "GET");
    assert_eq!(plan.url, url);
    assert_eq!(plan.body, None);
    assert_eq!(
        error.to_string(),
        format!("dry run: GET {url} was not sent")
    );
    assert!(!format!("{error:?}").contains(API_TOKEN));
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_operation_timeout_bounds_the_check() {
    let server = MockServer::start_async().await;
    let slow = |then: Then| {
        then.status(200)
            .delay(Duration::from_secs(3))
            .json_body(json!({"defaults": {}, "overrides": {}}))
    };
    let client = iceberg_builder(&server, &RecordedSleeps::default())
        .operation_timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = config_error_answered(&server, &client, slow).await;

    let Error::OperationTimeout(timeout) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(timeout.limit(), Duration::from_millis(200));
    assert_eq!(timeout.attempts(), 1);
}

#[test]
fn the_builder_checks_the_iceberg_url() {
    let with = |url: &str| {
        Client::builder()
            .api_token(API_TOKEN)
            .account_id(ACCOUNT_ID)
            .iceberg_url(url)
            .build()
            .map(drop)
    };
    assert_eq!(
        with("http://example.com"),
        Err(ConfigError::InsecureBaseUrl {
            url: "http://example.com".to_owned()
        })
    );
    assert_eq!(
        with("ftp://x"),
        Err(ConfigError::IcebergUrl {
            url: "ftp://x".to_owned(),
            reason: "the scheme must be http or https".to_owned(),
        })
    );
    let Err(ConfigError::IcebergUrl { url, .. }) = with("https://user:hunter2@catalog.example")
    else {
        panic!("a URL with a password is refused")
    };
    assert_eq!(url, "https://***@catalog.example");
    let Err(ConfigError::IcebergUrl { .. }) = with("not a url") else {
        panic!("a relative URL is refused")
    };
    assert_eq!(with("http://127.0.0.1:1"), Ok(()));
    assert_eq!(with("https://catalog.example/iceberg"), Ok(()));
    // Plain http to a remote host, once allowed.
    let allowed = Client::builder()
        .api_token(API_TOKEN)
        .iceberg_url("http://example.com")
        .allow_insecure_http(true)
        .build()
        .map(drop);
    assert_eq!(allowed, Ok(()));
}

#[test]
fn a_connection_is_the_endpoint_then_the_account_and_bucket_without_a_double_slash() {
    let at = |endpoint: Option<&str>| {
        let builder = Client::builder()
            .api_token(API_TOKEN)
            .account_id(ACCOUNT_ID);
        let builder = match endpoint {
            Some(endpoint) => builder.iceberg_url(endpoint),
            None => builder,
        };
        let client = builder.build().expect("valid config");
        catalog(&client).connection("the-warehouse")
    };
    for (endpoint, uri) in [
        (
            None,
            format!("{ICEBERG_REST_ENDPOINT}/{ACCOUNT_ID}/{BUCKET}"),
        ),
        (
            Some("http://127.0.0.1:1"),
            format!("http://127.0.0.1:1/{ACCOUNT_ID}/{BUCKET}"),
        ),
        (
            Some("http://127.0.0.1:1/"),
            format!("http://127.0.0.1:1/{ACCOUNT_ID}/{BUCKET}"),
        ),
        (
            Some("https://catalog.example/iceberg//"),
            format!("https://catalog.example/iceberg/{ACCOUNT_ID}/{BUCKET}"),
        ),
    ] {
        let connection = at(endpoint);
        assert_eq!(connection.uri, uri, "{endpoint:?}");
        assert_eq!(connection.warehouse, "the-warehouse");
    }
    assert_eq!(
        ICEBERG_REST_ENDPOINT,
        "https://catalog.cloudflarestorage.com"
    );
}
