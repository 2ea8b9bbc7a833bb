//! What a person at a terminal sees, and what scripts get through pipes: text (labelled
//! values, tables, sentences) when stdout is a terminal, JSON when it is not, either on request;
//! the token asked for with echo off; the progress line of `--all`.

#![cfg(unix)]

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use cloudflare_r2_catalog_emulator::Emulator;
use common::*;
use httpmock::MockServer;
use serde_json::json;
use support::terminal::{AtTerminal, CTRL_BACKSLASH, CTRL_C, On, SIGTERM, run_at_terminal};
use support::*;

/// stdin and stderr on the terminal (a question and its answer); stdout a pipe.
const ASKED: On = On {
    stdin: true,
    stdout: false,
    stderr: true,
};

/// The environment of an operator aimed at `emulator`, its Iceberg endpoint included.
fn emulator_env(emulator: &Emulator) -> Vec<(&'static str, String)> {
    let mut env = token_env_at(emulator.base_url());
    env.push(("CLOUDFLARE_ICEBERG_URL", emulator.iceberg_url().to_owned()));
    env
}

fn at_terminal(emulator: &Emulator, args: &[&str], on: On) -> AtTerminal {
    run_at_terminal(args, &borrowed(&emulator_env(emulator)), on, &[])
}

/// An emulator with [`BUCKET`] holding `bronze.events`, its catalog enabled; and the catalog's
/// id.
async fn enabled_catalog() -> (Emulator, String) {
    let (emulator, client, _) = emulator_and_client().await;
    let (emulator, client) = with_a_table(emulator, client).await;
    let id = catalog(&client).get().await.expect("the catalog").result.id;
    (emulator, id)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_at_a_terminal_reads_labelled_values_and_tables() {
    let (emulator, id) = enabled_catalog().await;
    let iceberg = emulator.iceberg_url().trim_end_matches('/').to_owned();

    let got = at_terminal(&emulator, &["catalog", "get", BUCKET], On::STDOUT);
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(
        got.shown,
        format!(
            "Bucket:            {BUCKET}
Status:            active
Catalog URI:       {iceberg}/{ACCOUNT_ID}/{BUCKET}
Warehouse:         {ACCOUNT_ID}_{BUCKET}
ID:                {id}
Credential status: absent
Maintenance config:
  Compaction:
    State:          enabled
    Target size MB: 128
  Interval: 1h
  Snapshot expiration:
    Max snapshot age:      7d
    Min snapshots to keep: 100
    State:                 disabled
"
        )
    );

    let listed = at_terminal(&emulator, &["namespace", "list", BUCKET], On::STDOUT);
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert_eq!(listed.shown, "NAMESPACE\nbronze\n");

    let catalogs = at_terminal(&emulator, &["catalog", "list"], On::STDOUT);
    assert_eq!(
        catalogs.shown,
        format!(
            "BUCKET          STATUS  CREDENTIAL STATUS  CATALOG URI
{BUCKET}  active  absent             {iceberg}/{ACCOUNT_ID}/{BUCKET}
"
        )
    );

    let tables = at_terminal(&emulator, &["table", "list", BUCKET, "bronze"], On::STDOUT);
    assert_eq!(tables.shown, "NAMESPACE  TABLE\nbronze     events\n");

    let disabled = at_terminal(
        &emulator,
        &["catalog", "disable", BUCKET, "--yes"],
        On::STDOUT,
    );
    assert_eq!(disabled.code, Some(0), "{}", disabled.stderr);
    assert_eq!(
        disabled.shown,
        format!("Disabled the catalog of bucket {BUCKET}.\n")
    );
    assert_eq!(disabled.stderr, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn scripts_get_json_through_a_pipe_and_either_format_on_request() {
    let (emulator, _) = enabled_catalog().await;
    let env = emulator_env(&emulator);
    let env = borrowed(&env);

    let piped = r2_catalog(&["namespace", "list", BUCKET], &env, "");
    assert_eq!(json_out(&piped), json!({"namespaces": [["bronze"]]}));

    let text = r2_catalog(&["namespace", "list", BUCKET, "--output", "text"], &env, "");
    assert_eq!(stdout(&text), "NAMESPACE\nbronze\n");

    for flags in [&["--json"][..], &["--output", "json"]] {
        let mut args = vec!["namespace", "list", BUCKET];
        args.extend_from_slice(flags);
        let forced = at_terminal(&emulator, &args, On::STDOUT);
        assert_eq!(forced.code, Some(0), "{flags:?}: {}", forced.stderr);
        let shown: serde_json::Value = serde_json::from_str(&forced.shown).expect("JSON");
        assert_eq!(shown, json!({"namespaces": [["bronze"]]}), "{flags:?}");
    }

    let both = r2_catalog(&["catalog", "list", "--json", "--output", "text"], &env, "");
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[tokio::test(flavor = "multi_thread")]
async fn server_text_stays_on_its_line_and_secrets_stay_out_of_text() {
    let server = MockServer::start_async().await;
    // A namespace level carrying the API token, a newline that would forge a line, and an
    // escape sequence that would act on the terminal.
    let hostile = format!("a\n{API_TOKEN}\u{1b}[2J");
    answer(
        &server,
        httpmock::Method::GET,
        catalog_path(&format!("/{BUCKET}/namespaces")),
        success(json!({"namespaces": [[hostile]]})),
    )
    .await;

    let ran = run_at_terminal(
        &["namespace", "list", BUCKET],
        &borrowed(&token_env(&server)),
        On::STDOUT,
        &[],
    );

    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.shown, "NAMESPACE\na\\n** redacted **\\u001b[2J\n");

    // A key becomes a label: the secret in it is taken out before it is reworded. An answer
    // of a shape this version does not know is shown as it came.
    let key = format!("x_{API_TOKEN}");
    answer(
        &server,
        httpmock::Method::POST,
        catalog_path(&format!("/{BUCKET}/enable")),
        success(json!({ key: "v" })),
    )
    .await;
    let got = run_at_terminal(
        &["catalog", "enable", BUCKET],
        &borrowed(&token_env(&server)),
        On::STDOUT,
        &[],
    );
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(
        got.shown,
        format!(
            "Enabled the catalog of bucket {BUCKET}. Cloudflare's answer has a shape this version does not know:\nX ** redacted **: v\n"
        )
    );
    let shown = got.shown.to_lowercase();
    assert!(
        !shown.contains(&API_TOKEN.to_lowercase()[..12]),
        "{}",
        got.shown
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn credential_store_asks_at_the_terminal_without_echo() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .accept_token(API_TOKEN)
        .accept_token(CATALOG_TOKEN)
        .start()
        .await
        .expect("starts");
    let client = client_of(&emulator, &RecordedSleeps::default());
    catalog(&client).enable().await.expect("enabled");
    let env = emulator_env(&emulator);
    let question = format!("Catalog token for bucket {BUCKET} (typing is not shown): ");

    let typed = format!("{CATALOG_TOKEN}\n");
    let ran = run_at_terminal(
        &["credential", "store", BUCKET],
        &borrowed(&env),
        ASKED,
        &[(&question, &typed)],
    );

    assert_eq!(ran.code, Some(0), "{}", ran.shown);
    assert_eq!(ran.shown, format!("{question}\n"));
    assert!(ran.echo_after, "echo stays off");
    let printed: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(
        (&printed["bucket"], &printed["stored"], &printed["result"]),
        (&json!(BUCKET), &json!(true), &json!(null))
    );
    let status = catalog(&client)
        .credential()
        .status()
        .await
        .expect("status");
    assert_eq!(status.result.status.as_str(), "valid");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_at_the_token_question_sends_nothing_and_gives_the_echo_back() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    let before = emulator.requests().len();
    let question = "(typing is not shown): ";

    let ran = run_at_terminal(
        &["credential", "store", BUCKET],
        &borrowed(&emulator_env(&emulator)),
        ASKED,
        &[(question, "half-a-tok"), ("", CTRL_C)],
    );

    assert_eq!(ran.code, Some(2), "{}", ran.shown);
    assert!(ran.echo_after, "echo stays off");
    assert!(!ran.shown.contains("half-a-tok"), "{}", ran.shown);
    assert!(
        ran.shown
            .ends_with("\n`credential store` cancelled; nothing was sent\n"),
        "{}",
        ran.shown
    );
    // The catalog was looked up before the question; nothing was stored.
    assert_eq!(methods_since(&emulator, before), ["GET"]);
}

/// Every signal that stops the command at the token question gives the echo back: dash, unlike
/// bash, does not repair a terminal a killed command left without echo.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_or_ctrl_backslash_at_the_token_question_send_nothing_and_give_the_echo_back() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    let question = "(typing is not shown): ";

    for signal in [SIGTERM, CTRL_BACKSLASH] {
        let before = emulator.requests().len();

        let ran = run_at_terminal(
            &["credential", "store", BUCKET],
            &borrowed(&emulator_env(&emulator)),
            ASKED,
            &[(question, signal)],
        );

        assert_eq!(ran.code, Some(2), "{signal:?}: {}", ran.shown);
        assert!(ran.echo_after, "{signal:?}: echo stays off");
        assert!(
            ran.shown
                .ends_with("\n`credential store` cancelled; nothing was sent\n"),
            "{signal:?}: {}",
            ran.shown
        );
        assert_eq!(methods_since(&emulator, before), ["GET"], "{signal:?}");
    }
}

/// A terminal keeps 4,095 bytes of a line and drops the rest (on Linux): a token that long
/// may be cut, so it is refused, never stored short.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_token_as_long_as_a_terminal_line_is_refused_not_stored_cut_short() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    let before = emulator.requests().len();
    let pasted = format!("{}\n", "t".repeat(5000));

    let ran = run_at_terminal(
        &["credential", "store", BUCKET],
        &borrowed(&emulator_env(&emulator)),
        ASKED,
        &[("(typing is not shown): ", &pasted)],
    );

    assert_eq!(ran.code, Some(2), "{}", ran.shown);
    assert!(ran.echo_after, "echo stays off");
    assert!(
        ran.shown.ends_with(
            "error: the token typed is 4095 bytes or longer, where a terminal cuts a line, so it may not be whole: pipe it on stdin instead\n"
        ),
        "{}",
        ran.shown
    );
    assert_eq!(
        methods_since(&emulator, before),
        ["GET"],
        "the catalog looked up, nothing stored"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_not_asked_for_a_catalog_that_is_not_there() {
    let (emulator, _, _) = emulator_and_client().await;

    let ran = at_terminal(&emulator, &["credential", "store", BUCKET], ASKED);

    assert_eq!(ran.code, Some(3), "{}", ran.shown);
    assert!(!ran.shown.contains("typing is not shown"), "{}", ran.shown);
    assert!(
        ran.shown
            .contains("hint: turn the catalog on: r2-catalog catalog enable my-data-bucket"),
        "{}",
        ran.shown
    );

    let invalid = at_terminal(&emulator, &["credential", "store", "Not_A_Bucket"], ASKED);
    assert_eq!(invalid.code, Some(2), "{}", invalid.shown);
    assert!(
        !invalid.shown.contains("typing is not shown"),
        "{}",
        invalid.shown
    );
}

#[tokio::test]
async fn a_piped_token_of_the_longest_length_is_stored_whatever_its_line_ending() {
    let server = MockServer::start_async().await;
    let longest = "t".repeat(4096);
    let stored = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path(catalog_path(&format!("/{BUCKET}/credential")))
                .json_body(json!({"token": longest}));
            then.status(200).json_body(success(json!(null)));
        })
        .await;
    for ending in ["\n", "\r\n", ""] {
        let ran = r2_catalog(
            &["credential", "store", BUCKET],
            &borrowed(&token_env(&server)),
            &format!("{longest}{ending}"),
        );
        assert_eq!(ran.status.code(), Some(0), "{ending:?}: {}", stderr(&ran));
    }
    stored.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_piped_token_longer_than_the_bound_is_refused_unsent() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;

    let long = format!("{}\n", "t".repeat(4097));
    let ran = r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&token_env(&server)),
        &long,
    );

    assert_eq!(ran.status.code(), Some(2));
    assert_eq!(
        stderr(&ran),
        "error: cannot read the token from stdin: longer than 4096 bytes\n"
    );
    anything.assert_calls_async(0).await;
}

/// Three pages of namespaces, each answered after a pause long enough for a progress line.
async fn slow_pages(server: &MockServer) {
    let path = catalog_path(&format!("/{BUCKET}/namespaces"));
    let pages = [
        (None, Some("p2"), "a"),
        (Some("p2"), Some("p3"), "b"),
        (Some("p3"), None, "c"),
    ];
    for (token, next, level) in pages {
        server
            .mock_async(|when, then| {
                let when = when.method(httpmock::Method::GET).path(&path);
                match token {
                    Some(token) => when.query_param("page_token", token),
                    None => when.query_param_missing("page_token"),
                };
                then.status(200)
                    .delay(std::time::Duration::from_millis(400))
                    .json_body(success(json!({
                        "namespaces": [[level]],
                        "next_page_token": next,
                    })));
            })
            .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn all_shows_its_progress_at_a_terminal_and_nothing_elsewhere() {
    let server = MockServer::start_async().await;
    slow_pages(&server).await;
    let args = ["namespace", "list", BUCKET, "--all", "--output", "text"];

    let stderr_on = On {
        stdin: false,
        stdout: false,
        stderr: true,
    };
    // A terminal that can move its cursor (indicatif draws nothing on a dumb one).
    let mut env = token_env(&server);
    env.push(("TERM", "xterm-256color".to_owned()));
    let ran = run_at_terminal(&args, &borrowed(&env), stderr_on, &[]);

    assert_eq!(ran.code, Some(0), "{}", ran.shown);
    assert_eq!(ran.stdout, "NAMESPACE\na\nb\nc\n");
    assert!(
        ran.shown.contains("listing: pages 2, items 2"),
        "{:?}",
        ran.shown
    );
    // Wiped at the end: the line is cleared, and the cursor is back at its start.
    assert!(ran.shown.ends_with("\r\u{1b}[2K"), "{:?}", ran.shown);

    let piped = r2_catalog(&args, &borrowed(&token_env(&server)), "");
    assert_eq!(piped.status.code(), Some(0));
    assert_eq!(stdout(&piped), "NAMESPACE\na\nb\nc\n");
    assert_eq!(stderr(&piped), "");
}
