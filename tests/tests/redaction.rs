//! Secrets stay out of `Debug` and `Display` of every public type that holds or reports them.

mod common;

use cloudflare_r2_catalog::{
    Client,
    config::{Credentials, SecretString},
    input::CatalogToken,
};
use common::*;
use httpmock::{Method::POST, MockServer};

fn assert_hidden(shown: &str) {
    for secret in [API_TOKEN, API_KEY, CATALOG_TOKEN] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}

#[test]
fn secrets_and_credentials_are_redacted() {
    let token = SecretString::from(API_TOKEN);
    assert_eq!(format!("{token:?}"), "** redacted **");
    assert_eq!(format!("{token}"), "** redacted **");

    let credentials = Credentials::api_key(EMAIL, API_KEY);
    let shown = format!("{credentials:?}");
    assert_hidden(&shown);
    assert!(shown.contains(EMAIL), "the e-mail is not a secret: {shown}");
    assert_hidden(&format!("{:?}", Credentials::api_token(API_TOKEN)));
    assert_hidden(&format!("{:?}", CatalogToken::new(CATALOG_TOKEN).unwrap()));
}

#[test]
fn builders_and_clients_are_redacted() {
    let token_builder = Client::builder().api_token(API_TOKEN);
    let key_builder = Client::builder().api_key(EMAIL, API_KEY);
    assert_hidden(&format!("{token_builder:?}"));
    assert_hidden(&format!("{key_builder:?}"));

    let token_client = token_builder.build().unwrap();
    let key_client = key_builder.build().unwrap();
    for shown in [format!("{token_client:?}"), format!("{key_client:?}")] {
        assert_hidden(&shown);
        assert!(
            shown.contains("https://api.cloudflare.com/client/v4"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn errors_carry_no_secret() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            // A server that echoes the token back must not make the SDK print it either way:
            // the snippet is the server's text, so the test echoes only a non-secret.
            then.status(403)
                .json_body(failure(10000, "Authentication error"));
        })
        .await;
    for client in [
        client(&server),
        Client::builder()
            .api_key(EMAIL, API_KEY)
            .base_url(server.base_url())
            .build()
            .unwrap(),
    ] {
        // The API-key client has no default account: both name it.
        let error = client
            .account(ACCOUNT_ID)
            .expect("a valid account id")
            .catalog(BUCKET)
            .expect("a valid bucket")
            .credential()
            .store(CATALOG_TOKEN)
            .await
            .expect_err("403");
        assert_hidden(&format!("{error} {error:?} {error:#?}"));
    }

    let invalid = catalog(&client(&server))
        .credential()
        .store(format!("{CATALOG_TOKEN}\n"))
        .await
        .expect_err("newline rejected");
    assert_hidden(&format!("{invalid} {invalid:?}"));
}

#[tokio::test]
async fn a_secret_cut_by_a_length_limit_leaves_no_part_of_itself() {
    for secret in [API_TOKEN, CATALOG_TOKEN] {
        for (case, reply) in replies_echoing_across_cuts(secret) {
            let server = RawServer::always(reply);
            let client = builder_at(&server.url, &RecordedSleeps::default())
                .max_retries(0)
                .build()
                .expect("valid config");
            let error = store(&client).await.expect_err("not a success");
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shows_part_of(&shown, secret), "{case}: {shown}");
            }
            assert_eq!(server.requests().len(), 1, "{case}");
        }
    }
}

#[tokio::test]
async fn a_long_secret_echoed_again_and_again_leaves_no_part_of_itself() {
    // A replacement is shorter than a long secret, so the snippet's 200 characters reach far
    // into the body once a few are replaced.
    let long_token = format!("L0NG-{}", "s".repeat(295));
    let body = [long_token.as_str(); 6].join("a");
    let server = RawServer::always(Reply::http(
        "200 OK",
        &[("content-type", "text/plain")],
        body.as_bytes(),
    ));
    let client = builder_at(&server.url, &RecordedSleeps::default())
        .max_retries(0)
        .build()
        .expect("valid config");

    let error = catalog(&client)
        .credential()
        .store(long_token.as_str())
        .await
        .expect_err("not the envelope");

    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shows_part_of(&shown, &long_token), "{shown}");
        assert!(shown.contains("** redacted **a** redacted **"), "{shown}");
    }
}

#[tokio::test]
async fn a_secret_quoted_in_a_parse_error_is_redacted() {
    // serde_json quotes the value it rejects: here the token, where a boolean belongs.
    let server = RawServer::always(Reply::json(
        "200 OK",
        &[],
        &serde_json::json!({"success": CATALOG_TOKEN}),
    ));
    let client = builder_at(&server.url, &RecordedSleeps::default())
        .max_retries(0)
        .build()
        .expect("valid config");

    let error = store(&client).await.expect_err("not the envelope");

    let cloudflare_r2_catalog::Error::UnexpectedBody(body) = &error else {
        panic!("{error:?}")
    };
    assert!(body.reason.contains("** redacted **"), "{}", body.reason);
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shows_part_of(&shown, CATALOG_TOKEN), "{shown}");
    }
}
