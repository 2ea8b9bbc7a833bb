//! `--dry-run`: every command that changes something prints the request it would send,
//! secrets redacted, sends nothing, asks nothing, and exits 0.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::{Value, json};
use support::*;

/// The URL under the catalog API of `server` for `rest`.
fn url(server: &MockServer, rest: &str) -> String {
    format!("{}{}", server.base_url(), catalog_path(rest))
}

#[tokio::test]
async fn every_change_prints_its_request_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    let table = format!("/{BUCKET}/namespaces/bronze/tables/events/maintenance-configs");
    let cases = [
        case(
            &["catalog", "enable", BUCKET],
            POST,
            format!("/{BUCKET}/enable"),
            Value::Null,
        ),
        case(
            &["catalog", "disable", BUCKET],
            POST,
            format!("/{BUCKET}/disable"),
            Value::Null,
        ),
        case(
            &["catalog", "delete", BUCKET, "--force"],
            POST,
            format!("/{BUCKET}/delete?force=true"),
            Value::Null,
        ),
        case(
            &["maintenance", "update", BUCKET, "--compaction", "enabled"],
            POST,
            format!("/{BUCKET}/maintenance-configs"),
            json!({"compaction": {"state": "enabled"}}),
        ),
        case(
            &[
                "table",
                "maintenance",
                "update",
                BUCKET,
                "bronze",
                "events",
                "--max-snapshot-age",
                "2d",
            ],
            POST,
            table.as_str(),
            json!({"snapshot_expiration": {"max_snapshot_age": "2d"}}),
        ),
        case(
            &[
                "table",
                "maintenance",
                "queue",
                BUCKET,
                "bronze",
                "events",
                "compaction",
                "--request-id",
                "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            ],
            POST,
            format!("{table}/compaction/queue"),
            json!({"request_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}),
        ),
    ];
    for Case {
        mut args,
        method,
        path,
        expected: body,
    } in cases
    {
        // Disable and delete would ask first: a dry run has nothing to ask about.
        args.push("--dry-run");

        let output = run(&server, &args);

        assert_eq!(
            json_out(&output),
            json!({"dry_run": {
                "method": method.to_string(),
                "url": url(&server, &path),
                "body": body,
            }}),
            "{args:?}"
        );
    }
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_dry_run_store_reads_the_token_and_shows_it_redacted_even_when_short() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    let env = token_env(&server);
    for token in [CATALOG_TOKEN, "zq7"] {
        let output = r2_catalog(
            &["credential", "store", BUCKET, "--dry-run"],
            &borrowed(&env),
            &format!("{token}\n"),
        );

        let expected = json!({"dry_run": {
            "method": "POST",
            "url": url(&server, &format!("/{BUCKET}/credential")),
            "body": {"token": "** redacted **"},
        }});
        assert_eq!(json_out(&output), expected, "{token}");
        assert!(!stdout(&output).contains(token) && !stderr(&output).contains(token));
    }
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn as_text_a_dry_run_says_nothing_was_sent() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;

    let output = run(
        &server,
        &[
            "maintenance",
            "update",
            BUCKET,
            "--target-size-mb",
            "256",
            "--dry-run",
            "--output",
            "text",
        ],
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!(
            "Dry run: nothing was sent. The request would be:
POST {}
{{
  \"compaction\": {{
    \"target_size_mb\": \"256\"
  }}
}}
",
            url(&server, &format!("/{BUCKET}/maintenance-configs"))
        )
    );
    assert_eq!(stderr(&output), "");
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn input_is_still_checked_before_a_dry_run() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;

    let output = run(&server, &["catalog", "enable", "Not_A_Bucket", "--dry-run"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).starts_with("error: invalid bucket name"),
        "{}",
        stderr(&output)
    );
    anything.assert_calls_async(0).await;
}
