//! The real `r2-catalog` binary at the edges a reviewer reproduced: a table name made to climb
//! out of its path segment, a change whose answer was lost, and proxy variables with a loopback
//! base URL. What the server received, the exit code and the message are checked exactly.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use serde_json::json;
use support::*;

#[test]
fn a_backslashed_table_name_updates_that_table_not_the_catalog() {
    let server = RawServer::always(Reply::json(
        "200 OK",
        &[],
        &upstream_example("update-table-maintenance-config"),
    ));

    let output = run_at(
        &server.url,
        &[
            "table",
            "maintenance",
            "update",
            BUCKET,
            "bronze",
            r"..\..\..",
            "--compaction",
            "disabled",
        ],
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.request_lines(),
        [request_line(
            "POST",
            &catalog_path(&format!(
                "/{BUCKET}/namespaces/bronze/tables/..%5C..%5C../maintenance-configs"
            ))
        )]
    );
}

#[test]
fn an_enable_whose_answer_was_lost_succeeds_when_the_retry_finds_it_enabled() {
    let server = RawServer::losing_the_first_answer(Reply::json(
        "409 Conflict",
        &[],
        &failure(40901, "Catalog already enabled"),
    ));

    let output = run_at(&server.url, &["catalog", "enable", BUCKET]);

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let enable_line = request_line("POST", &catalog_path(&format!("/{BUCKET}/enable")));
    assert_eq!(server.request_lines(), [enable_line.clone(), enable_line]);
    assert_eq!(
        stderr(&output),
        format!(
            "an attempt's answer was lost (connection broken or 5xx) and the retry found the catalog of bucket {BUCKET} enabled: most likely that attempt made the change\n\
             done: Cloudflare applied the change and answered without details\n"
        )
    );
    assert_eq!(stdout(&output), "null\n");
}

#[test]
fn proxy_variables_never_see_a_loopback_request() {
    let proxy = RawServer::always(Reply::http("502 Bad Gateway", &[], b""));
    let server = RawServer::always(Reply::json("200 OK", &[], &success(json!(null))));
    let mut env = token_env_at(&server.url);
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        env.push((variable, proxy.url.clone()));
    }

    let output = r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&env),
        CATALOG_TOKEN,
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.request_lines(),
        [request_line("POST", CREDENTIAL_PATH)]
    );
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
}

#[test]
fn a_secret_cut_by_a_length_limit_leaves_no_part_of_itself_on_the_terminal() {
    for secret in [API_TOKEN, CATALOG_TOKEN] {
        for (case, reply) in replies_echoing_across_cuts(secret) {
            let server = RawServer::always(reply);

            let output = r2_catalog(
                &["credential", "store", BUCKET],
                &borrowed(&token_env_at(&server.url)),
                CATALOG_TOKEN,
            );

            // A failure of some kind (its code depends on the status), never a panic.
            let code = output.status.code();
            assert!(
                code.is_some_and(|code| (1..=7).contains(&code)),
                "{case}: {code:?}"
            );
            let (stdout, stderr) = (stdout(&output), stderr(&output));
            assert_eq!(stdout, "", "{case}");
            // The hint after an error is the CLI's own words and the bucket from the command
            // line, never server text; its `catalog` would read as the start of the catalog
            // token.
            let server_text: Vec<&str> = stderr
                .lines()
                .filter(|line| !line.starts_with("hint: "))
                .collect();
            let server_text = server_text.join("\n");
            assert!(!shows_part_of(&server_text, secret), "{case}: {stderr}");
        }
    }
}

#[test]
fn a_level_with_a_dot_is_named_with_an_escape() {
    let server = RawServer::always(Reply::json("200 OK", &[], &upstream_example("get-table")));

    let output = run_at(
        &server.url,
        &["table", "get", BUCKET, r"v1\.2.raw", "events"],
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.request_lines(),
        [request_line(
            "GET",
            &catalog_path(&format!("/{BUCKET}/namespaces/v1.2%1Fraw/tables/events"))
        )]
    );
}
