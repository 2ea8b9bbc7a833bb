//! Following cursors: single pages, and the stream that walks every page lazily, with the retry
//! policy applying to each page.

mod common;

use cloudflare_r2_catalog::{
    Error, ListOptions,
    models::{NamespacePage, TablePage},
};
use common::*;
use futures_util::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::{Value, json};

fn namespace_page(names: &[&str], next: Option<&str>) -> Value {
    let namespaces: Vec<Value> = names.iter().map(|name| json!([name])).collect();
    success(json!({"namespaces": namespaces, "next_page_token": next}))
}

/// Serves namespace pages keyed by the `page_token` they are asked with (none for the first).
async fn serve_namespace_pages<'a>(
    server: &'a MockServer,
    pages: &[(Option<&str>, Value)],
) -> Vec<httpmock::Mock<'a>> {
    serve_pages(
        server,
        &catalog_path(&format!("/{BUCKET}/namespaces")),
        pages,
    )
    .await
}

fn names(pages: &[NamespacePage]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|page| page.namespaces.iter().map(|n| n.0.join(".")))
        .collect()
}

#[tokio::test]
async fn the_stream_follows_the_cursor_to_the_last_page() {
    let server = MockServer::start_async().await;
    let mocks = serve_namespace_pages(
        &server,
        &[
            (None, namespace_page(&["a", "b"], Some("t2"))),
            (Some("t2"), namespace_page(&["c", "d"], Some("t3"))),
            (Some("t3"), namespace_page(&["e"], None)),
        ],
    )
    .await;

    let pages: Vec<NamespacePage> = catalog(&client(&server))
        .namespaces()
        .pages(ListOptions::new())
        .try_collect()
        .await
        .expect("every page");

    assert_eq!(names(&pages), ["a", "b", "c", "d", "e"]);
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn the_stream_is_lazy() {
    let server = MockServer::start_async().await;
    let mocks = serve_namespace_pages(
        &server,
        &[
            (None, namespace_page(&["a"], Some("t2"))),
            (Some("t2"), namespace_page(&["b"], None)),
        ],
    )
    .await;
    let client = client(&server);

    let stream = catalog(&client).namespaces().pages(ListOptions::new());
    mocks[0].assert_calls_async(0).await;
    let first: Vec<_> = stream.take(1).collect().await;

    assert_eq!(first.len(), 1);
    mocks[0].assert_calls_async(1).await;
    mocks[1].assert_calls_async(0).await;
}

#[tokio::test]
async fn the_stream_starts_at_the_given_token_and_an_empty_token_ends_it() {
    let server = MockServer::start_async().await;
    let mocks =
        serve_namespace_pages(&server, &[(Some("t5"), namespace_page(&["x"], Some("")))]).await;

    let pages: Vec<NamespacePage> = catalog(&client(&server))
        .namespaces()
        .pages(ListOptions::new().page_token("t5"))
        .try_collect()
        .await
        .expect("one page");

    assert_eq!(names(&pages), ["x"]);
    mocks[0].assert_calls_async(1).await;
}

#[tokio::test]
async fn each_page_is_retried_on_its_own() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables"));
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .query_param_missing("page_token");
            then.status(200).json_body(success(json!({
                "identifiers": [{"namespace": ["bronze"], "name": "t1"}],
                "next_page_token": "p2",
            })));
        })
        .await;
    let flaky = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .query_param("page_token", "p2");
            then.status(503).json_body(failure(10013, "busy"));
        })
        .await;
    flaky.up_to_n_times_async(2).await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .query_param("page_token", "p2");
            then.status(200).json_body(success(json!({
                "identifiers": [{"namespace": ["bronze"], "name": "t2"}],
                "next_page_token": null,
            })));
        })
        .await;
    let sleeps = RecordedSleeps::default();

    let client = builder(&server, &sleeps).build().unwrap();
    let pages: Vec<TablePage> = catalog(&client)
        .namespace("bronze")
        .expect("a valid namespace")
        .tables()
        .pages(ListOptions::new())
        .try_collect()
        .await
        .expect("both pages");

    let tables: Vec<&str> = pages
        .iter()
        .flat_map(|page| page.identifiers.iter().map(|id| id.name.as_str()))
        .collect();
    assert_eq!(tables, ["t1", "t2"]);
    first.assert_calls_async(1).await;
    flaky.assert_calls_async(2).await;
    second.assert_calls_async(1).await;
    assert_eq!(sleeps.waits().len(), 2);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_pages_before_it() {
    let server = MockServer::start_async().await;
    serve_namespace_pages(&server, &[(None, namespace_page(&["a"], Some("t2")))]).await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("page_token", "t2");
            then.status(404)
                .json_body(failure(10006, "Catalog not found."));
        })
        .await;

    let items: Vec<Result<NamespacePage, Error>> = catalog(&client(&server))
        .namespaces()
        .pages(ListOptions::new())
        .collect()
        .await;

    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(items[1].as_ref().is_err_and(Error::is_not_found));
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_page_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let client = client(&server);

    // The bucket name is checked when its catalog's handle is made, before any stream of
    // pages exists: `?` turns the refusal into the `Error` a call would return.
    let refused = client
        .catalog("Bad_Bucket")
        .expect_err("an invalid bucket name is refused");

    assert!(matches!(Error::from(refused), Error::InvalidInput(_)));
    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn items_pair_each_namespace_with_its_uuid_and_its_own_details() {
    let server = MockServer::start_async().await;
    let details = |name: &str, uuid: &str| json!({"namespace": [name], "namespace_uuid": uuid, "created_at": "2026-11-30T00:00:00Z"});
    let first = success(json!({
        "namespaces": [["bronze"], ["silver"]],
        "namespace_uuids": ["u-bronze", "u-silver"],
        // Out of order: matched by the namespace they name, not by position.
        "details": [details("silver", "u-silver"), details("bronze", "u-bronze")],
        "next_page_token": "p2",
    }));
    let last = success(json!({
        "namespaces": [["gold"]],
        "namespace_uuids": ["u-gold"],
        // The server left gold's details out: none rather than another's.
        "details": [details("platinum", "u-platinum")],
        "next_page_token": null,
    }));
    let mocks = serve_namespace_pages(&server, &[(None, first), (Some("p2"), last)]).await;
    let options = ListOptions::new().with_uuids().with_details();

    let items: Vec<_> = catalog(&client(&server))
        .namespaces()
        .items(options)
        .try_collect()
        .await
        .expect("every item");

    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    let rows: Vec<(String, Option<&str>, Option<&str>)> = items
        .iter()
        .map(|item| {
            (
                item.namespace.0.join("."),
                item.uuid.as_deref(),
                item.details
                    .as_ref()
                    .map(|details| details.namespace_uuid.as_str()),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("bronze".to_owned(), Some("u-bronze"), Some("u-bronze")),
            ("silver".to_owned(), Some("u-silver"), Some("u-silver")),
            ("gold".to_owned(), Some("u-gold"), None),
        ]
    );
}

#[tokio::test]
async fn table_items_end_with_the_error_that_ends_the_pages() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables"));
    let first = success(json!({
        "identifiers": [{"namespace": ["bronze"], "name": "events"}],
        "next_page_token": "p2",
    }));
    let mocks = serve_pages(
        &server,
        &path,
        &[
            (None, first),
            (Some("p2"), failure(10000, "Authentication error")),
        ],
    )
    .await;

    let items: Vec<_> = catalog(&client(&server))
        .namespace("bronze")
        .expect("a valid namespace")
        .tables()
        .items(ListOptions::new())
        .collect()
        .await;

    assert_eq!(items.len(), 2);
    let first = items[0].as_ref().expect("the first page's table");
    assert_eq!(first.identifier.name, "events");
    assert!(first.uuid.is_none() && first.details.is_none());
    assert!(items[1].is_err());
    mocks[1].assert_calls_async(1).await;
}
