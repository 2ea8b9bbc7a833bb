//! What reaches the wire for nested namespaces and odd table names: each becomes exactly one
//! percent-encoded path segment, and dot segments are refused before anything is sent.

mod common;

use cloudflare_r2_catalog::{Error, ListOptions, Namespace};
use common::*;
use httpmock::Method::GET;
use httpmock::MockServer;

/// Serves `get-table` at exactly the raw (still percent-encoded) path `raw_path`.
async fn table_at<'a>(server: &'a MockServer, raw_path: String) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .is_true(move |request| request.uri().path() == raw_path);
            then.status(200).json_body(upstream_example("get-table"));
        })
        .await
}

#[tokio::test]
async fn nested_namespaces_are_joined_with_the_unit_separator() {
    let server = MockServer::start_async().await;
    let mock = table_at(
        &server,
        catalog_path(&format!(
            "/{BUCKET}/namespaces/bronze%1Fanalytics%1Fdaily/tables/events"
        )),
    )
    .await;
    let namespace = Namespace::new(["bronze", "analytics", "daily"]).unwrap();

    client(&server)
        .tables()
        .get(ACCOUNT_ID, BUCKET, &namespace, "events")
        .await
        .expect("found");

    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn odd_table_names_reach_the_server_as_one_segment() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("q1 report", "q1%20report"),
        ("100%", "100%25"),
        ("what?#", "what%3F%23"),
        ("...", "..."),
        ("é", "%C3%A9"),
    ];
    for (table, encoded) in cases {
        let server = MockServer::start_async().await;
        let mock = table_at(
            &server,
            catalog_path(&format!(
                "/{BUCKET}/namespaces/ns%2Fwith%20slash/tables/{encoded}"
            )),
        )
        .await;

        client(&server)
            .tables()
            .get(ACCOUNT_ID, BUCKET, "ns/with slash", table)
            .await
            .unwrap_or_else(|error| panic!("{table:?}: {error}"));

        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn dot_segments_and_empty_levels_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let client = client(&server);

    for table in ["", ".", ".."] {
        let error = client
            .tables()
            .get(ACCOUNT_ID, BUCKET, "bronze", table)
            .await
            .expect_err("dot segment");
        assert_eq!(
            error.to_string(),
            "invalid table name: must not be empty, \".\" or \"..\""
        );
    }
    for levels in [
        vec![""],
        vec!["."],
        vec![".."],
        vec!["bronze", ".."],
        vec!["a", ""],
    ] {
        let error = client
            .tables()
            .maintenance(ACCOUNT_ID, BUCKET, levels.clone(), "events")
            .await
            .expect_err("dot level");
        assert_eq!(
            error.to_string(),
            "invalid namespace: a level must not be empty, \".\" or \"..\"",
            "{levels:?}"
        );
    }
    let too_deep = vec!["n"; 17];
    let error = client
        .tables()
        .list(ACCOUNT_ID, BUCKET, too_deep, &ListOptions::new())
        .await
        .expect_err("17 levels");
    assert_eq!(
        error.to_string(),
        "invalid namespace: must have 1 to 16 levels"
    );
    let error = client
        .tables()
        .list(ACCOUNT_ID, BUCKET, "a\u{1f}b", &ListOptions::new())
        .await
        .expect_err("separator inside a level");
    assert!(matches!(error, Error::InvalidInput(_)));

    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_dotted_cli_namespace_parses_into_levels() {
    let namespace = Namespace::parse_dotted("bronze.analytics").unwrap();
    assert_eq!(namespace.levels(), ["bronze", "analytics"]);
    assert!(Namespace::parse_dotted("bronze..analytics").is_err());
    assert!(Namespace::parse_dotted("").is_err());
}
