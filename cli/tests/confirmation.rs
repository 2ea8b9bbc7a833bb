//! `catalog disable` and `catalog delete` ask before they act: at a real (pseudo-)terminal they
//! say what will happen and wait for `y`; `--yes` skips the question; with no terminal and no
//! `--yes` they refuse. Wherever the answer is not yes, nothing reaches the server.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::json;
use support::*;

/// Command-line flags after `catalog <action> <BUCKET>`.
type Flags = &'static [&'static str];
/// A query string as `(name, value)` pairs.
type Query = &'static [(&'static str, &'static str)];

/// A mock answering `POST …/{BUCKET}/{action}` with 204, asked with exactly `query`.
async fn answers_204<'a>(server: &'a MockServer, action: &str, query: Query) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/{action}")))
                .is_true(move |request| {
                    let expected: Vec<(String, String)> = query
                        .iter()
                        .map(|(name, value)| (name.to_string(), value.to_string()))
                        .collect();
                    request.query_params() == expected
                });
            then.status(204);
        })
        .await
}

#[tokio::test]
async fn without_a_terminal_and_without_yes_nothing_is_sent_and_the_message_names_yes() {
    for action in ["disable", "delete"] {
        let server = MockServer::start_async().await;
        let anything = catch_all(&server).await;

        let output = run(&server, &["catalog", action, BUCKET]);

        assert_eq!(output.status.code(), Some(2), "{action}");
        assert_eq!(
            stderr(&output),
            format!(
                "error: `catalog {action}` needs confirmation and there is no terminal to ask at; pass --yes to go ahead\n"
            )
        );
        assert!(output.stdout.is_empty());
        anything.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn yes_skips_the_question() {
    let cases: [(Flags, &str, Query, &str); 4] = [
        (&["--yes"], "disable", &[], "Disabled"),
        (&["-y"], "disable", &[], "Disabled"),
        (&["--yes"], "delete", &[], "Deleted"),
        (
            &["--force", "--yes"],
            "delete",
            &[("force", "true")],
            "Deleted",
        ),
    ];
    for (flags, action, query, done) in cases {
        let server = MockServer::start_async().await;
        let mock = answers_204(&server, action, query).await;
        let mut args = vec!["catalog", action, BUCKET];
        args.extend_from_slice(flags);

        let output = run(&server, &args);

        assert_eq!(json_out(&output), json!(null), "{args:?}");
        assert_eq!(
            stderr(&output),
            format!("{done} the catalog of bucket {BUCKET}.\n")
        );
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_invalid_bucket_is_refused_before_any_question() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;

    let output = run(&server, &["catalog", "delete", "Not_A_Bucket", "--yes"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("error: invalid bucket name"),
        "{}",
        stderr(&output)
    );
    anything.assert_calls_async(0).await;
}

#[cfg(unix)]
mod at_a_terminal {
    use super::*;

    use support::terminal::{AtTerminal, CTRL_C, On, SIGTERM, run_at_terminal};

    /// Runs `r2-catalog args…` against `server` with stdin and stderr on a pseudo-terminal
    /// (stdout a pipe), and types `typed` once the question shows.
    fn run_at_terminal_against(server: &MockServer, args: &[&str], typed: &str) -> AtTerminal {
        let on = On {
            stdin: true,
            stdout: false,
            stderr: true,
        };
        let script: &[(&str, &str)] = if typed.is_empty() {
            &[]
        } else {
            &[("[y/N] ", typed)]
        };
        run_at_terminal(args, &borrowed(&token_env(server)), on, script)
    }

    #[tokio::test]
    async fn yes_at_the_terminal_goes_ahead_after_saying_what_will_happen() {
        let cases: [(Flags, &str, Query, &str, &str); 3] = [
            (
                &[],
                "disable",
                &[],
                "y\n",
                "This turns off the data catalog of bucket my-data-bucket: its namespaces and tables remain, but writes stop.",
            ),
            (
                &[],
                "delete",
                &[],
                "yes\n",
                "This deletes the catalog metadata of bucket my-data-bucket; the bucket's objects are kept.",
            ),
            (
                &["--force"],
                "delete",
                &[("force", "true")],
                "Y\n",
                "With --force, its namespaces, tables, views and maintenance metadata are removed first.",
            ),
        ];
        for (flags, action, query, typed, consequence) in cases {
            let server = MockServer::start_async().await;
            let mock = answers_204(&server, action, query).await;
            let mut args = vec!["catalog", action, BUCKET];
            args.extend_from_slice(flags);

            let ran = run_at_terminal_against(&server, &args, typed);

            assert_eq!(ran.code, Some(0), "{args:?}: {}", ran.shown);
            assert_eq!(ran.stdout, "null\n");
            assert!(ran.shown.contains(consequence), "{}", ran.shown);
            let question = format!("catalog of bucket {BUCKET}? [y/N] ");
            assert!(ran.shown.contains(&question), "{}", ran.shown);
            mock.assert_calls_async(1).await;
        }
    }

    #[tokio::test]
    async fn anything_but_yes_at_the_terminal_sends_nothing() {
        // "n", an empty line (the default is no), another word, end of input (Ctrl-D), and the
        // signals that stop a command, answered while the question waits.
        for typed in ["n\n", "\n", "sure\n", "\u{4}", CTRL_C, SIGTERM] {
            for action in ["disable", "delete"] {
                let server = MockServer::start_async().await;
                let anything = catch_all(&server).await;

                let ran = run_at_terminal_against(&server, &["catalog", action, BUCKET], typed);

                assert_eq!(ran.code, Some(2), "{action} {typed:?}: {}", ran.shown);
                assert!(ran.stdout.is_empty());
                assert!(ran.shown.contains("[y/N] "), "{}", ran.shown);
                assert!(
                    ran.shown
                        .contains(&format!("`catalog {action}` cancelled; nothing was sent")),
                    "{}",
                    ran.shown
                );
                anything.assert_calls_async(0).await;
            }
        }
    }

    #[tokio::test]
    async fn yes_at_a_terminal_does_not_ask() {
        let server = MockServer::start_async().await;
        let mock = answers_204(&server, "delete", &[]).await;

        let ran = run_at_terminal_against(&server, &["catalog", "delete", BUCKET, "--yes"], "");

        assert_eq!(ran.code, Some(0), "{}", ran.shown);
        assert!(!ran.shown.contains("[y/N]"), "{}", ran.shown);
        mock.assert_calls_async(1).await;
    }
}
