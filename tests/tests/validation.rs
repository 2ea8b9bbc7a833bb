//! Inputs are checked before anything is sent: each rule rejects with a typed error that names
//! the field and the rule, never echoes the value, and no request reaches the server. The account
//! id and the bucket name are checked as their handles are made (`Client::account`,
//! `AccountHandle::catalog`), the catalog token as `credential().store` is called.

mod common;

use cloudflare_r2_catalog::{
    Client, Error, ListOptions,
    error::ValidationError,
    input::{AccountId, BucketName, CatalogToken, SnapshotAge, TableName},
};
use common::*;
use httpmock::MockServer;
use proptest::prelude::*;

/// Stores `token` on the catalog of `bucket` in `account_id`: the handles' `ValidationError`
/// becomes `Error::InvalidInput` through `?`, as a call's does.
async fn store_at(
    client: &Client,
    account_id: &str,
    bucket: &str,
    token: &str,
) -> Result<(), Error> {
    client
        .account(account_id)?
        .catalog(bucket)?
        .credential()
        .store(token)
        .await
        .map(drop)
}

/// The refusal of `account_id` or `bucket` as the catalog's handle is made, before any call.
fn refused_handle(account_id: &str, bucket: &str) -> ValidationError {
    let client = Client::builder()
        .api_token(API_TOKEN)
        .build()
        .expect("valid config");
    client
        .account(account_id)
        .and_then(|account| account.catalog(bucket))
        .expect_err("refused as the handle is made")
}

#[tokio::test]
async fn a_client_without_a_default_account_says_so_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let client = Client::builder()
        .api_token(API_TOKEN)
        .base_url(server.base_url())
        .build()
        .expect("valid config");

    let refused = client.catalog(BUCKET).expect_err("no default account");
    assert_eq!(refused.field(), "account id");
    assert!(refused.rule().contains("Client::account"), "{refused}");
    let error = client
        .list_catalogs()
        .await
        .expect_err("no default account");
    assert!(
        matches!(&error, Error::InvalidInput(invalid) if invalid == &refused),
        "{error:?}"
    );
    // Naming the account works on the same client.
    assert!(
        client
            .account(ACCOUNT_ID)
            .and_then(|a| a.catalog(BUCKET))
            .is_ok()
    );
    catch_all.assert_calls_async(0).await;
}

async fn rejected(account_id: &str, bucket: &str, token: &str) -> (String, String) {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;

    let error = store_at(&client(&server), account_id, bucket, token)
        .await
        .expect_err("invalid input");

    catch_all.assert_calls_async(0).await;
    let Error::InvalidInput(invalid) = &error else {
        panic!("expected InvalidInput, got {error:?}")
    };
    assert!(!error.is_retryable());
    assert_eq!(error.status(), None);
    (invalid.field().to_owned(), error.to_string())
}

#[tokio::test]
async fn a_bad_account_id_is_rejected_without_a_request() {
    for bad in [
        "",
        "0123456789abcdef",
        "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef0123456789abcdef0",
        "../../../../user/tokens",
    ] {
        let (field, message) = rejected(bad, BUCKET, CATALOG_TOKEN).await;
        assert_eq!(field, "account id", "{bad:?}");
        assert_eq!(
            message,
            "invalid account id: must be exactly 32 hexadecimal characters"
        );
        let invalid = refused_handle(bad, BUCKET);
        assert_eq!(
            (invalid.field(), invalid.rule()),
            ("account id", "must be exactly 32 hexadecimal characters"),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn a_bad_bucket_name_is_rejected_without_a_request() {
    let long = "a".repeat(64);
    let cases = [
        ("ab", "must be 3 to 63 characters long"),
        (long.as_str(), "must be 3 to 63 characters long"),
        (
            "My-Bucket",
            "may contain only lowercase letters, digits and hyphens",
        ),
        (
            "my_bucket",
            "may contain only lowercase letters, digits and hyphens",
        ),
        (
            "my.bucket",
            "may contain only lowercase letters, digits and hyphens",
        ),
        ("..", "must be 3 to 63 characters long"),
        (
            "...",
            "may contain only lowercase letters, digits and hyphens",
        ),
        (
            "a/b",
            "may contain only lowercase letters, digits and hyphens",
        ),
        (
            "-bucket",
            "must start and end with a lowercase letter or digit",
        ),
        (
            "bucket-",
            "must start and end with a lowercase letter or digit",
        ),
    ];
    for (bad, rule) in cases {
        let (field, message) = rejected(ACCOUNT_ID, bad, CATALOG_TOKEN).await;
        assert_eq!(field, "bucket name", "{bad:?}");
        assert_eq!(message, format!("invalid bucket name: {rule}"), "{bad:?}");
        let invalid = refused_handle(ACCOUNT_ID, bad);
        assert_eq!(
            (invalid.field(), invalid.rule()),
            ("bucket name", rule),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn a_bad_catalog_token_is_rejected_without_a_request_or_an_echo() {
    let cases = [
        (String::new(), "must not be empty"),
        (
            format!("{CATALOG_TOKEN} "),
            "must not contain whitespace or control characters",
        ),
        (
            format!("{CATALOG_TOKEN}\n"),
            "must not contain whitespace or control characters",
        ),
        (
            format!("a\tb{CATALOG_TOKEN}"),
            "must not contain whitespace or control characters",
        ),
        (
            format!("{CATALOG_TOKEN}\u{7}"),
            "must not contain whitespace or control characters",
        ),
        (
            format!("{CATALOG_TOKEN}\u{a0}"),
            "must not contain whitespace or control characters",
        ),
    ];
    for (bad, rule) in cases {
        let (field, message) = rejected(ACCOUNT_ID, BUCKET, &bad).await;
        assert_eq!(field, "catalog token");
        assert_eq!(message, format!("invalid catalog token: {rule}"));
        assert!(!message.contains(CATALOG_TOKEN));
    }
}

#[tokio::test]
async fn the_first_bad_input_is_reported() {
    let (field, _) = rejected("nope", "NOPE", "").await;
    assert_eq!(field, "account id");
    assert_eq!(refused_handle("nope", "NOPE").field(), "account id");
}

/// The spec's pattern for a component schema, read from the committed trimmed spec.
fn spec_pattern(schema: &str) -> regress::Regex {
    let pattern = spec()["components"]["schemas"][schema]["pattern"]
        .as_str()
        .expect("the schema has a pattern");
    regress::Regex::new(pattern).expect("the spec's pattern compiles")
}

fn spec_accepts_snapshot_age(age: &str) -> bool {
    static PATTERN: std::sync::OnceLock<regress::Regex> = std::sync::OnceLock::new();
    PATTERN
        .get_or_init(|| {
            let property = &spec()["components"]["schemas"]
                ["r2-data-catalog_snapshot-expiration-update-params"]["properties"]
                ["max_snapshot_age"]["pattern"];
            regress::Regex::new(property.as_str().expect("a pattern")).expect("compiles")
        })
        .find(age)
        .is_some()
}

#[test]
fn snapshot_ages_follow_the_spec_examples() {
    for good in ["7d", "48h", "2880m", "0s", "14d"] {
        assert!(SnapshotAge::new(good).is_ok(), "{good}");
    }
    for bad in ["", "d", "7", "7 d", "7D", "1w", "-1d", "7dd", "１d"] {
        let error = SnapshotAge::new(bad).unwrap_err();
        assert_eq!(error.field(), "max snapshot age", "{bad:?}");
    }
    assert!(TableName::new("events").is_ok());
}

fn spec_accepts_bucket(name: &str) -> bool {
    static PATTERN: std::sync::OnceLock<regress::Regex> = std::sync::OnceLock::new();
    let pattern = PATTERN.get_or_init(|| spec_pattern("r2-data-catalog_bucket-name"));
    (3..=63).contains(&name.chars().count()) && pattern.find(name).is_some()
}

fn spec_accepts_account(id: &str) -> bool {
    static PATTERN: std::sync::OnceLock<regress::Regex> = std::sync::OnceLock::new();
    PATTERN
        .get_or_init(|| spec_pattern("r2-data-catalog_account-id"))
        .find(id)
        .is_some()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn bucket_names_are_judged_exactly_as_the_spec_says(
        name in prop_oneof![
            "[a-z0-9-]{0,66}",
            "[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
            "[a-zA-Z0-9._/ %-]{1,70}",
            "\\PC{0,64}",
        ]
    ) {
        prop_assert_eq!(BucketName::new(name.as_str()).is_ok(), spec_accepts_bucket(&name), "{:?}", name);
    }

    #[test]
    fn account_ids_are_judged_exactly_as_the_spec_says(
        id in prop_oneof!["[0-9a-fA-F]{30,34}", "[0-9a-gA-G]{32}", "\\PC{0,40}"]
    ) {
        prop_assert_eq!(AccountId::new(id.as_str()).is_ok(), spec_accepts_account(&id), "{:?}", id);
    }

    #[test]
    fn snapshot_ages_are_judged_exactly_as_the_spec_says(
        age in prop_oneof!["[0-9]{0,4}[dhms]{0,2}", "[0-9a-z ]{0,6}", "\\PC{0,6}"]
    ) {
        prop_assert_eq!(SnapshotAge::new(age.as_str()).is_ok(), spec_accepts_snapshot_age(&age), "{:?}", age);
    }

    #[test]
    fn a_rejected_token_is_never_echoed(secret in "[A-Z0-9]{12}", tail in "[ \\t\\n\\x00-\\x1f]\\PC{0,8}") {
        let token = format!("{secret}{tail}");
        let error = CatalogToken::new(token.as_str()).expect_err("whitespace is rejected");
        let shown = format!("{error} {error:?}");
        prop_assert!(!shown.contains(&secret), "{}", shown);
    }
}

/// What each listing makes of `options`: its one-page call's error, and its streams' items.
async fn listed_with(
    client: &Client,
    options: ListOptions,
) -> Vec<(&'static str, Vec<Result<(), Error>>)> {
    use futures_util::StreamExt as _;
    let catalog = catalog(client);
    let bronze = catalog.namespace("bronze").expect("a namespace");
    let runs = events(client).maintenance().runs();
    vec![
        (
            "namespaces",
            vec![catalog.namespaces().list(options.clone()).await.map(drop)],
        ),
        (
            "namespace pages",
            outcomes(catalog.namespaces().pages(options.clone()).collect().await),
        ),
        (
            "namespace items",
            outcomes(catalog.namespaces().items(options.clone()).collect().await),
        ),
        (
            "tables",
            vec![bronze.tables().list(options.clone()).await.map(drop)],
        ),
        (
            "table pages",
            outcomes(bronze.tables().pages(options.clone()).collect().await),
        ),
        (
            "table items",
            outcomes(bronze.tables().items(options.clone()).collect().await),
        ),
        ("runs", vec![runs.list(options.clone()).await.map(drop)]),
        (
            "run pages",
            outcomes(runs.pages(options.clone()).collect().await),
        ),
        ("run items", outcomes(runs.items(options).collect().await)),
    ]
}

/// `items` without what they hold: whether each was an error, and which.
fn outcomes<T>(items: Vec<Result<T, Error>>) -> Vec<Result<(), Error>> {
    items.into_iter().map(|item| item.map(drop)).collect()
}

#[tokio::test]
async fn a_bad_list_option_is_reported_by_the_call_that_takes_it_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let client = client(&server);
    let sizes = "invalid page size: must be between 1 and 1000";
    let run_sizes = "invalid page size: must be between 1 and 100 for maintenance runs";
    let pages = "invalid max pages: must be at least 1";
    let refused = [
        (ListOptions::new().page_size(0), sizes, run_sizes),
        (ListOptions::new().page_size(1001), sizes, run_sizes),
        (ListOptions::new().page_size(u64::MAX), sizes, run_sizes),
        (ListOptions::new().max_pages(0), pages, pages),
    ];

    for (options, refusal, runs_refusal) in refused {
        for (listing, outcomes) in listed_with(&client, options.clone()).await {
            let [Err(Error::InvalidInput(error))] = outcomes.as_slice() else {
                panic!("{listing} with {options:?}: {outcomes:?}");
            };
            let expected = if listing.starts_with("run") {
                runs_refusal
            } else {
                refusal
            };
            assert_eq!(error.to_string(), expected, "{listing} with {options:?}");
        }
    }
    // 101 is a page of namespaces or tables, not of runs.
    let runs = events(&client).maintenance().runs();
    let refused = runs.list(ListOptions::new().page_size(101)).await;
    assert!(
        matches!(refused, Err(Error::InvalidInput(_))),
        "{refused:?}"
    );
    catch_all.assert_calls_async(0).await;
}
