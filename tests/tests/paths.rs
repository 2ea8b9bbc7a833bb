//! What reaches the wire for nested namespaces and odd table names: each becomes exactly one
//! percent-encoded path segment, and dot segments are refused before anything is sent.

mod common;

use cloudflare_r2_catalog::{
    Client, Error, Response,
    input::{Input, Namespace},
    models::Table,
};
use common::*;
use httpmock::Method::GET;
use httpmock::MockServer;
use proptest::prelude::*;

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

/// Gets `table` of `namespace` in `bucket`'s catalog, in the client's default account
/// ([`ACCOUNT_ID`]): the handles' `ValidationError` becomes `Error::InvalidInput` through `?`,
/// as a call's does.
async fn get_table(
    client: &Client,
    bucket: &str,
    namespace: impl Input<Namespace>,
    table: &str,
) -> Result<Response<Table>, Error> {
    client.catalog(bucket)?.table(namespace, table)?.get().await
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

    get_table(&client(&server), BUCKET, &namespace, "events")
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

        get_table(&client(&server), BUCKET, "ns/with slash", table)
            .await
            .unwrap_or_else(|error| panic!("{table:?}: {error}"));

        mock.assert_calls_async(1).await;
    }
}

/// The path a raw request asked for, split into its segments, each percent-decoded (`None`
/// for a segment that does not decode to UTF-8).
fn decoded_path(request: &str) -> Vec<Option<String>> {
    let target = request.split(' ').nth(1).unwrap_or_default();
    target
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .skip(1)
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .ok()
                .map(|text| text.into_owned())
        })
        .collect()
}

/// Asks for `table` of `namespace` in `bucket` through a server that answers anything, and
/// checks what reached it: nothing when the SDK refused an input, otherwise exactly the
/// table's path, each identifier one segment that decodes back to what was given. True when
/// the request was sent.
fn get_table_lands_in_its_segments(
    server: &RawServer,
    bucket: &str,
    levels: &[String],
    table: &str,
) -> Result<bool, TestCaseError> {
    let before = server.requests().len();
    let client = server.client(&RecordedSleeps::default());
    let asked = runtime().block_on(get_table(&client, bucket, levels.to_vec(), table));
    let requests = server.requests();
    if let Err(Error::InvalidInput(_)) = asked {
        prop_assert_eq!(requests.len(), before, "a refused input was sent");
        return Ok(false);
    }
    prop_assert_eq!(requests.len(), before + 1, "{:?}", asked.err());
    let expected: Vec<Option<String>> = [
        "accounts",
        ACCOUNT_ID,
        "basin-catalog",
        bucket,
        "namespaces",
        &levels.join("\u{1f}"),
        "tables",
        table,
    ]
    .iter()
    .map(|segment| Some((*segment).to_owned()))
    .collect();
    prop_assert_eq!(decoded_path(&requests[before]), expected);
    Ok(true)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// A server that answers every request with the spec's table.
fn table_server() -> RawServer {
    RawServer::always(Reply::json("200 OK", &[], &upstream_example("get-table")))
}

/// The one server the property's cases share (its tests run one after the other).
fn shared_table_server() -> &'static RawServer {
    static SERVER: std::sync::OnceLock<RawServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(table_server)
}

/// Identifiers made to break out of a path segment: dots, both slashes, percent signs and
/// encoded dots, query and fragment marks, controls, and any other text.
fn identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => r"[./\\%2eE?#;:@a-z\x00-\x1f\x7f é]{0,10}",
        1 => prop::sample::select(vec!["..", ".", "", r"..\x", r"..\..\..", "%2e%2e", "%2E.", "./..", "a/../b"])
            .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_identifier_is_one_segment_or_refused(
        bucket in prop_oneof![3 => "[a-z0-9][a-z0-9-]{1,8}[a-z0-9]", 1 => identifier()],
        levels in prop::collection::vec(identifier(), 1..4),
        table in identifier(),
    ) {
        get_table_lands_in_its_segments(shared_table_server(), &bucket, &levels, &table)?;
    }
}

#[test]
fn backslashes_and_encoded_dots_stay_in_their_segment() {
    let server = table_server();
    for (levels, table) in [
        (vec!["bronze"], r"..\..\.."),
        (vec!["bronze"], r"..\x"),
        (vec![r"..\x"], "events"),
        (vec![r"..\..", "a"], "events"),
        (vec!["%2e%2e"], "%2e%2e"),
        (vec!["bronze"], "%2E%2E"),
    ] {
        let levels: Vec<String> = levels.into_iter().map(str::to_owned).collect();
        let sent = get_table_lands_in_its_segments(&server, BUCKET, &levels, table)
            .unwrap_or_else(|failure| panic!("{levels:?} {table:?}: {failure}"));
        assert!(sent, "{levels:?} {table:?} is a valid name and was refused");
    }
}

#[tokio::test]
async fn dot_segments_and_empty_levels_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let catalog = catalog(&client(&server));

    // Each is refused as its handle is made, with the error a call would return.
    for table in ["", ".", ".."] {
        let error = catalog.table("bronze", table).expect_err("dot segment");
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
        let error = catalog
            .table(levels.clone(), "events")
            .expect_err("dot level");
        assert_eq!(
            error.to_string(),
            "invalid namespace: a level must not be empty, \".\" or \"..\"",
            "{levels:?}"
        );
    }
    let too_deep = vec!["n"; 17];
    let error = catalog.namespace(too_deep).expect_err("17 levels");
    assert_eq!(
        error.to_string(),
        "invalid namespace: must have 1 to 16 levels"
    );
    let error = catalog
        .namespace("a\u{1f}b")
        .expect_err("separator inside a level");
    assert!(matches!(Error::from(error), Error::InvalidInput(_)));

    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn text_names_a_nested_namespace_as_display_writes_it() {
    let server = MockServer::start_async().await;
    let nested = table_at(
        &server,
        catalog_path(&format!(
            "/{BUCKET}/namespaces/bronze%1Fanalytics/tables/events"
        )),
    )
    .await;
    let dotted_level = table_at(
        &server,
        catalog_path(&format!(
            "/{BUCKET}/namespaces/v1.2%1Fraw%5Cdata/tables/events"
        )),
    )
    .await;
    let client = client(&server);

    get_table(&client, BUCKET, "bronze.analytics", "events")
        .await
        .expect("found");
    let levels = Namespace::new(["v1.2", r"raw\data"]).unwrap();
    assert_eq!(levels.to_string(), r"v1\.2.raw\\data");
    get_table(&client, BUCKET, levels.to_string(), "events")
        .await
        .expect("found");

    nested.assert_calls_async(1).await;
    dotted_level.assert_calls_async(1).await;
}

#[test]
fn namespace_text_is_refused_when_it_names_no_valid_namespace() {
    for text in [
        "",
        "bronze..analytics",
        ".bronze",
        "bronze.",
        r"a\",
        r"a\b",
        r"\...",
    ] {
        let refused = text.parse::<Namespace>().unwrap_err();
        assert_eq!(refused.field(), "namespace", "{text:?}");
    }
    assert_eq!(
        Namespace::parse_dotted(r"a\.\\.b").unwrap().levels(),
        [r"a.\", "b"]
    );
}

proptest! {
    #[test]
    fn a_namespace_parses_back_from_its_display(
        levels in prop::collection::vec(identifier(), 1..5),
    ) {
        if let Ok(namespace) = Namespace::new(levels) {
            let text = namespace.to_string();
            prop_assert_eq!(text.parse::<Namespace>(), Ok(namespace.clone()));
            prop_assert_eq!(Namespace::try_from(text.as_str()), Ok(namespace));
        }
    }
}
