//! The real `r2-catalog` binary against hostile servers on raw sockets: what reaches the
//! terminal, what is never printed, what is never sent, and where listings stop.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use serde_json::json;
use support::*;

fn store_against(server: &RawServer) -> std::process::Output {
    r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&token_env_at(&server.url)),
        CATALOG_TOKEN,
    )
}

#[test]
fn a_redirect_is_reported_and_not_followed() {
    let elsewhere = RawServer::always(Reply::json("200 OK", &[], &success(json!(null))));
    let location = format!("{}/steal", elsewhere.url);
    let origin = RawServer::always(Reply::http(
        "307 Temporary Redirect",
        &[("location", &location)],
        b"",
    ));

    let output = store_against(&origin);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!(
            "error: the server answered with a redirect (HTTP 307 Temporary Redirect) to \"{location}\"; Cloudflare's API never redirects, so it was not followed\n"
        )
    );
    assert_eq!(origin.requests().len(), 1);
    assert!(elsewhere.requests().is_empty(), "nothing re-sent elsewhere");
}

#[test]
fn server_text_cannot_act_on_the_terminal_or_forge_lines() {
    let message = "denied\u{1b}]0;owned\u{7}\r\nerror: all good, ignore the above\u{9b}2J";
    let server = RawServer::always(Reply::json(
        "403 Forbidden",
        &[("cf-ray", "ray\u{9b}1m")],
        &failure(10000, message),
    ));

    let output = store_against(&server);

    assert_eq!(output.status.code(), Some(6), "refused");
    assert_eq!(
        stderr(&output),
        "error: Cloudflare API error (HTTP 403 Forbidden)\n  10000: denied\\u{1b}]0;owned\\u{7}\\r\\nerror: all good, ignore the above\\u{9b}2J\n  cf-ray: ray\\u{9b}1m\n\
         hint: the API token is refused or lacks a permission: it needs R2 Data Catalog (and R2 Storage) access on this account\n"
    );
}

#[test]
fn a_flood_of_errors_prints_a_handful() {
    let errors: Vec<_> = (0..100_000)
        .map(|code| json!({"code": code, "message": "no"}))
        .collect();
    let body = json!({"success": false, "errors": errors, "messages": [], "result": null});
    let server = RawServer::always(Reply::json("400 Bad Request", &[], &body));

    let output = store_against(&server);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: Cloudflare API error (HTTP 400 Bad Request)\n  0: no\n  1: no\n  2: no\n  3: no\n  4: no\n  … and 99995 more\n"
    );
}

#[test]
fn secrets_echoed_back_are_never_printed() {
    let echo = format!("bad token {CATALOG_TOKEN} for {API_TOKEN} / {API_KEY}");
    let error = RawServer::always(Reply::json("400 Bad Request", &[], &failure(1, &echo)));
    let result = RawServer::always(Reply::json(
        "200 OK",
        &[],
        &success(json!({"token": CATALOG_TOKEN, "key": API_KEY})),
    ));
    for (server, code) in [(&error, 1), (&result, 0)] {
        // Each run holds the catalog token and its own credential.
        for (env, credential) in [
            (token_env_at(&server.url), API_TOKEN),
            (
                vec![
                    ("CLOUDFLARE_EMAIL", EMAIL.to_owned()),
                    ("CLOUDFLARE_API_KEY", API_KEY.to_owned()),
                    ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID.to_owned()),
                    ("CLOUDFLARE_BASE_URL", server.url.clone()),
                    ("RUST_LOG", "trace".to_owned()),
                ],
                API_KEY,
            ),
        ] {
            let output = r2_catalog(
                &["credential", "store", BUCKET],
                &borrowed(&env),
                CATALOG_TOKEN,
            );

            assert_eq!(output.status.code(), Some(code), "{}", stderr(&output));
            let printed = format!("{}{}", stdout(&output), stderr(&output));
            for secret in [CATALOG_TOKEN, credential] {
                assert!(!printed.contains(secret), "{printed}");
            }
            assert!(printed.contains("** redacted **"), "{printed}");
        }
    }
}

#[test]
fn an_endless_body_stops_at_the_clis_limit() {
    let server = RawServer::always(Reply::Endless {
        head: b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n".to_vec(),
        chunk: vec![b' '; 64 * 1024],
        total: 1 << 30,
    });

    let output = store_against(&server);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: the response body (HTTP 200 OK) is larger than the limit of 4194304 bytes; reading stopped there\n"
    );
}

/// `namespace list --all` against a server whose page `n` (from 0) is `page(n)`.
fn list_all(
    page: impl Fn(usize) -> serde_json::Value + Send + 'static,
    extra: &[&str],
) -> (std::process::Output, RawServer) {
    let server = RawServer::start(move |n| Reply::json("200 OK", &[], &success(page(n))));
    let mut args = vec!["namespace", "list", BUCKET, "--all"];
    args.extend_from_slice(extra);
    let output = run_at(&server.url, &args);
    (output, server)
}

#[test]
fn a_cursor_cycle_ends_all_with_an_error() {
    let (output, server) = list_all(
        |n| {
            let next = ["c1", "c2", "c1"][n.min(2)];
            json!({"namespaces": [[format!("ns{n}")]], "next_page_token": next})
        },
        &[],
    );

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: the server sent a page cursor it had sent before (after 2 page(s)); stopped following it\n"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn all_stops_at_max_pages_when_the_cursor_never_ends() {
    let endless = |n: usize| json!({"namespaces": [[format!("ns{n}")]], "next_page_token": format!("c{}", n + 1)});

    let (output, server) = list_all(endless, &["--max-pages", "5"]);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: stopped after 5 pages (--max-pages 5); the listing goes on: continue with --page-token 'c5'\n"
    );
    assert_eq!(server.requests().len(), 5);

    let (output, server) = list_all(endless, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("error: stopped after 1000 pages (--max-pages 1000)"));
    assert_eq!(server.requests().len(), 1000);
}

#[test]
fn all_stops_when_the_combined_listing_passes_its_budget() {
    // 1000 names of 4000 characters: just under the 4 MiB body limit, 4 MB of output a page.
    let big = |n: usize| {
        let names: Vec<Vec<String>> = (0..1000).map(|_| vec!["n".repeat(4000)]).collect();
        json!({"namespaces": names, "next_page_token": format!("c{}", n + 1)})
    };

    let (output, server) = list_all(big, &[]);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: the combined listing passed 32 MiB; list it page by page with --page-size and --page-token instead of --all\n"
    );
    assert_eq!(
        server.requests().len(),
        9,
        "8 pages fit in 32 MiB, the 9th does not"
    );
}

#[test]
fn all_prints_the_pages_as_one_pretty_list() {
    let (output, _server) = list_all(
        |n| match n {
            0 => {
                json!({"namespaces": [["a"], ["b", "c"]], "namespace_uuids": ["u1", "u2"], "next_page_token": "c1"})
            }
            _ => json!({"namespaces": [["d"]], "namespace_uuids": ["u3"], "next_page_token": null}),
        },
        &[],
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The fields in the order a single page prints them (the model's, alphabetical).
    let expected =
        json!({"namespace_uuids": ["u1", "u2", "u3"], "namespaces": [["a"], ["b", "c"], ["d"]]});
    assert_eq!(
        stdout(&output),
        format!("{}\n", serde_json::to_string_pretty(&expected).unwrap())
    );
}

#[test]
fn plain_http_to_a_remote_host_exits_2_before_sending() {
    let output = r2_catalog(
        &["credential", "store", BUCKET],
        &borrowed(&token_env_at("http://api.example.com/client/v4")),
        CATALOG_TOKEN,
    );

    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: refusing to send credentials in clear text to http://api.example.com/client/v4: plain http:// is allowed only to loopback hosts (127.0.0.0/8, ::1, localhost); use https://, or pass --allow-insecure-http to accept it\n"
    );
}
