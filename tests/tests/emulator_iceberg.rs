//! The emulator's Iceberg config route, `GET /{account_id}/{bucket}/v1/config?warehouse=…` on
//! [`Emulator::iceberg_url`], over real HTTP: each answer's status and exact JSON body.

mod common;

use cloudflare_r2_catalog::Client;
use cloudflare_r2_catalog_emulator::Emulator;
use common::*;
use reqwest::Method;
use reqwest::header::{ALLOW, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

/// An account the restricted emulator does not serve.
const OTHER_ACCOUNT: &str = "fedcba9876543210fedcba9876543210";

/// A config request; by default the right one for [`BUCKET`]'s catalog in [`ACCOUNT_ID`].
struct Ask {
    method: Method,
    /// `{account_id}/{bucket}`, as the path names them.
    catalog: String,
    /// Sent as the bearer token, if any.
    token: Option<&'static str>,
    query: String,
}

impl Default for Ask {
    fn default() -> Self {
        Self {
            method: Method::GET,
            catalog: format!("{ACCOUNT_ID}/{BUCKET}"),
            token: Some(API_TOKEN),
            query: format!("warehouse={ACCOUNT_ID}_{BUCKET}"),
        }
    }
}

/// Sends `ask` to the emulator's config route: the status, headers and JSON body (every answer
/// is JSON).
async fn config(emulator: &Emulator, ask: Ask) -> (u16, HeaderMap, Value) {
    let url = format!(
        "{}/{}/v1/config?{}",
        emulator.iceberg_url(),
        ask.catalog,
        ask.query
    );
    // reqwest is built here without a rustls provider (the SDK hands it one); the route is
    // plain HTTP, but reqwest wants one to build a client.
    #[allow(
        deprecated,
        reason = "rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange) and \
                  has no other way to build it; this client speaks plain HTTP"
    )]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http.request(ask.method, url);
    if let Some(token) = ask.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answered");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    assert_eq!(headers[CONTENT_TYPE], "application/json");
    let body = response.json().await.expect("a JSON body");
    (status, headers, body)
}

/// The status and body of `ask`'s answer.
async fn answer(emulator: &Emulator, ask: Ask) -> (u16, Value) {
    let (status, _, body) = config(emulator, ask).await;
    (status, body)
}

/// The Iceberg REST error model.
fn iceberg_error(code: u16, kind: &str, message: &str) -> (u16, Value) {
    let body = json!({"error": {"message": message, "type": kind, "code": code}});
    (code, body)
}

fn no_catalog(bucket: &str) -> (u16, Value) {
    let message = format!("No active catalog on bucket {bucket}");
    iceberg_error(404, "NoSuchWarehouseException", &message)
}

#[tokio::test]
async fn an_enabled_catalog_answers_its_config_and_the_request_is_recorded() {
    let (emulator, client, _) = emulator_and_client().await;
    let address = emulator.local_addr();
    assert_eq!(emulator.iceberg_url(), format!("http://{address}"));
    let enabled = catalog(&client).enable().await.unwrap().result.unwrap();
    assert_eq!(enabled.name, format!("{ACCOUNT_ID}_{BUCKET}"));

    let expected = json!({"defaults": {}, "overrides": {"prefix": enabled.name}});
    assert_eq!(answer(&emulator, Ask::default()).await, (200, expected));

    let recorded = emulator.requests().pop().expect("recorded");
    assert_eq!(recorded.method, "GET");
    assert_eq!(recorded.path, format!("/{ACCOUNT_ID}/{BUCKET}/v1/config"));
    assert_eq!(recorded.query, Some(Ask::default().query));
    assert_eq!((recorded.operation, recorded.status), (None, Some(200)));
}

#[tokio::test]
async fn a_missing_warehouse_is_400_and_a_wrong_one_404() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.unwrap();
    let query = |query: &str| Ask {
        query: query.to_owned(),
        ..Ask::default()
    };

    let missing = "Warehouse name missing in query param";
    for empty in ["", "warehouse=", "prefix=x"] {
        let expected = iceberg_error(400, "BadRequestException", missing);
        assert_eq!(answer(&emulator, query(empty)).await, expected, "{empty:?}");
    }
    let wrong = r#"Warehouse "other_warehouse" not found at this path"#;
    assert_eq!(
        answer(&emulator, query("warehouse=other_warehouse")).await,
        iceberg_error(404, "NoSuchWarehouseException", wrong)
    );
}

#[tokio::test]
async fn a_catalog_never_enabled_disabled_or_deleted_is_404_as_is_a_missing_bucket() {
    let (emulator, client, _) = emulator_and_client().await;
    let get = || answer(&emulator, Ask::default());
    assert_eq!(get().await, no_catalog(BUCKET), "never enabled");
    catalog(&client).enable().await.unwrap();
    assert_eq!(get().await.0, 200);
    catalog(&client).disable().await.unwrap();
    assert_eq!(get().await, no_catalog(BUCKET), "disabled");
    catalog(&client).enable().await.unwrap();
    catalog(&client).delete().await.unwrap();
    assert_eq!(get().await, no_catalog(BUCKET), "deleted");

    let elsewhere = Ask {
        catalog: format!("{ACCOUNT_ID}/no-such-bucket"),
        query: format!("warehouse={ACCOUNT_ID}_no-such-bucket"),
        ..Ask::default()
    };
    assert_eq!(
        answer(&emulator, elsewhere).await,
        no_catalog("no-such-bucket")
    );
}

#[tokio::test]
async fn credentials_and_accounts_are_judged_as_the_management_api_judges_them() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .account(ACCOUNT_ID)
        .accept_token("the-right-token")
        .start()
        .await
        .unwrap();
    let refused = "Not authorized: the token is missing or refused";
    for token in [Some(API_TOKEN), None] {
        let ask = Ask {
            token,
            ..Ask::default()
        };
        let expected = iceberg_error(401, "NotAuthorizedException", refused);
        assert_eq!(answer(&emulator, ask).await, expected, "{token:?}");
    }

    let right = |catalog: String| Ask {
        catalog,
        token: Some("the-right-token"),
        ..Ask::default()
    };
    let unserved = right(format!("{OTHER_ACCOUNT}/{BUCKET}"));
    let forbidden = "Forbidden: these credentials have no access to that account";
    assert_eq!(
        answer(&emulator, unserved).await,
        iceberg_error(403, "ForbiddenException", forbidden)
    );

    let client = Client::builder()
        .api_token("the-right-token")
        .account_id(ACCOUNT_ID)
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    catalog(&client).enable().await.unwrap();
    let ours = right(Ask::default().catalog);
    assert_eq!(answer(&emulator, ours).await.0, 200);
}

#[tokio::test]
async fn any_method_but_get_is_405() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.unwrap();
    let post = Ask {
        method: Method::POST,
        ..Ask::default()
    };
    let (status, headers, body) = config(&emulator, post).await;
    let message = "Method POST is not allowed on the config route: use GET";
    assert_eq!(
        (status, body),
        iceberg_error(405, "MethodNotAllowedException", message)
    );
    assert_eq!(headers[ALLOW], "GET");
}

#[tokio::test]
async fn an_invalid_account_or_bucket_segment_is_404() {
    let (emulator, _client, _) = emulator_and_client().await;
    let invalid = "No warehouse at this path: the account id or bucket name is not valid";
    for catalog in [
        format!("not-an-account/{BUCKET}"),
        format!("%FF/{BUCKET}"),
        format!("{ACCOUNT_ID}%2F{BUCKET}/{BUCKET}"),
        format!("{ACCOUNT_ID}/{BUCKET}%2Fx"),
        format!("{ACCOUNT_ID}/My_Bucket"),
        format!("{ACCOUNT_ID}/ab"),
    ] {
        let ask = Ask {
            catalog: catalog.clone(),
            ..Ask::default()
        };
        let expected = iceberg_error(404, "NoSuchWarehouseException", invalid);
        assert_eq!(answer(&emulator, ask).await, expected, "{catalog}");
    }
}
