//! `r2-catalog credential store`, the real binary against httpmock: exit codes, stdout, stderr.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use httpmock::{Method::POST, MockServer};
use serde_json::json;
use support::*;

#[tokio::test]
async fn store_reads_the_token_from_stdin_and_prints_the_result() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(CREDENTIAL_PATH)
                .header("authorization", format!("Bearer {API_TOKEN}"))
                .json_body(json!({"token": CATALOG_TOKEN}));
            then.status(200)
                .header("cf-ray", CF_RAY)
                .json_body(success(json!(null)));
        })
        .await;

    for line_ending in ["\n", "\r\n", ""] {
        let output = r2_catalog(
            &["credential", "store", BUCKET],
            &borrowed(&token_env(&server)),
            &format!("{CATALOG_TOKEN}{line_ending}"),
        );

        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(
            json_out(&output),
            json!({"bucket": BUCKET, "stored": true, "cf_ray": CF_RAY, "messages": [], "result": null})
        );
        assert_eq!(stderr(&output), "");
    }
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn flags_override_the_environment() {
    let server = MockServer::start_async().await;
    let other_account = "fedcba9876543210fedcba9876543210";
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(format!(
                "/accounts/{other_account}/r2-catalog/{BUCKET}/credential"
            ));
            then.status(200)
                .json_body(success(json!({"credential_status": "present"})));
        })
        .await;
    let base_url = server.base_url();
    let env = [
        ("CLOUDFLARE_API_TOKEN", API_TOKEN),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
        ("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9"),
        ("CLOUDFLARE_CATALOG_PATHS", "basin-catalog"),
    ];

    let output = r2_catalog(
        &[
            "credential",
            "store",
            BUCKET,
            "--account-id",
            other_account,
            "--base-url",
            &base_url,
            "--paths",
            "r2-catalog",
        ],
        &env,
        CATALOG_TOKEN,
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        json_out(&output)["result"],
        json!({"credential_status": "present"})
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn legacy_key_auth_comes_from_the_environment() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(CREDENTIAL_PATH)
                .header("x-auth-email", EMAIL)
                .header("x-auth-key", API_KEY)
                .header_missing("authorization");
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    let base_url = server.base_url();
    let env = [
        ("CLOUDFLARE_EMAIL", EMAIL),
        ("CLOUDFLARE_API_KEY", API_KEY),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
        ("CLOUDFLARE_BASE_URL", base_url.as_str()),
    ];

    let output = r2_catalog(&["credential", "store", BUCKET], &env, CATALOG_TOKEN);

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_api_error_prints_status_codes_cf_ray_and_the_next_step_and_exits_3_for_not_found() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(404).header("cf-ray", CF_RAY).json_body(json!({
                "success": false,
                "errors": [{"code": 10006, "message": "Catalog not found."}, {"code": 7000, "message": "No route"}],
                "messages": [],
            }));
        })
        .await;

    let output = r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&token_env(&server)),
        CATALOG_TOKEN,
    );

    assert_eq!(output.status.code(), Some(3), "not found");
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!(
            "error: Cloudflare API error (HTTP 404 Not Found)\n  10006: Catalog not found.\n  7000: No route\n  cf-ray: {CF_RAY}\n\
             hint: this account has no R2 bucket {BUCKET}: create it (wrangler r2 bucket create {BUCKET}) or check --account-id\n"
        )
    );
}

#[tokio::test]
async fn a_body_that_is_not_the_envelope_exits_6_for_a_403_with_what_came_back() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(403)
                .header("content-type", "text/html")
                .header("cf-ray", CF_RAY)
                .body("<html>Access denied</html>");
        })
        .await;

    let output = r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&token_env(&server)),
        CATALOG_TOKEN,
    );

    assert_eq!(output.status.code(), Some(6), "refused");
    assert_eq!(
        stderr(&output),
        format!(
            "error: unexpected response (HTTP 403 Forbidden, content type text/html): not the JSON envelope (expected value at line 1 column 1): \"<html>Access denied</html>\" [cf-ray {CF_RAY}]\n\
             hint: the API token is refused or lacks a permission: it needs R2 Data Catalog (and R2 Storage) access on this account\n"
        )
    );
}

#[tokio::test]
async fn bad_input_exits_2_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let env = token_env(&server);
    let no_account: Vec<_> = env
        .iter()
        .filter(|(name, _)| *name != "CLOUDFLARE_ACCOUNT_ID")
        .cloned()
        .collect();
    let no_auth: Vec<_> = env
        .iter()
        .filter(|(name, _)| *name != "CLOUDFLARE_API_TOKEN")
        .cloned()
        .collect();

    let cases: [(&[&str], &Env, &str, &str); 5] = [
        (
            &["credential", "store", "Bad_Bucket"],
            &env,
            CATALOG_TOKEN,
            "error: invalid bucket name: may contain only lowercase letters, digits and hyphens\n",
        ),
        (
            &["credential", "store", BUCKET],
            &env,
            "",
            "error: invalid catalog token: must not be empty\n",
        ),
        (
            &["credential", "store", BUCKET, "--account-id", "xyz"],
            &env,
            CATALOG_TOKEN,
            "error: invalid account id: must be exactly 32 hexadecimal characters\n",
        ),
        (
            &["credential", "store", BUCKET],
            &no_account,
            CATALOG_TOKEN,
            "error: no account id: pass --account-id or set CLOUDFLARE_ACCOUNT_ID\n",
        ),
        (
            &["credential", "store", BUCKET],
            &no_auth,
            CATALOG_TOKEN,
            "error: no credentials: set an API token (CLOUDFLARE_API_TOKEN) or an e-mail and global API key (CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY)\n",
        ),
    ];
    for (args, env, stdin, message) in cases {
        let output = r2_catalog(args, &borrowed(env), stdin);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), message, "{args:?}");
        assert_eq!(stdout(&output), "");
    }
    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn rust_log_shows_the_sdk_tracing_without_secrets() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(CREDENTIAL_PATH);
            then.status(200)
                .header("cf-ray", CF_RAY)
                .json_body(success(json!(null)));
        })
        .await;
    let mut env = token_env(&server);
    env.push(("RUST_LOG", "trace".to_owned()));

    let output = r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&env),
        CATALOG_TOKEN,
    );

    assert_eq!(output.status.code(), Some(0));
    let logs = stderr(&output);
    assert!(logs.contains("r2_catalog.request"), "{logs}");
    assert!(logs.contains("status=200"), "{logs}");
    assert!(logs.contains(CF_RAY), "{logs}");
    for secret in [API_TOKEN, CATALOG_TOKEN] {
        assert!(!logs.contains(secret), "{secret} leaked:\n{logs}");
    }
}
