//! `catalog connect`: each engine's configuration against the emulator, exactly as printed; the
//! token never in any output; and the refusals (an unknown engine, a catalog absent or off).

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use cloudflare_r2_catalog_emulator::Emulator;
use common::*;
use support::*;

const ENGINES: [&str; 4] = ["pyiceberg", "spark", "duckdb", "trino"];
const WAREHOUSE: &str = "0123456789abcdef0123456789abcdef_my-data-bucket";

/// An emulator that accepts only [`API_TOKEN`], with [`BUCKET`], its catalog enabled if
/// `enabled`.
async fn emulator(enabled: bool) -> Emulator {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .accept_token(API_TOKEN)
        .start()
        .await
        .expect("starts");
    if enabled {
        let client = client_of(&emulator, &RecordedSleeps::default());
        catalog(&client).enable().await.expect("enabled");
    }
    emulator
}

/// `r2-catalog args…` against `emulator`, its Iceberg endpoint included, with [`API_TOKEN`].
fn run_on(emulator: &Emulator, args: &[&str]) -> std::process::Output {
    let mut env = token_env_at(emulator.base_url());
    env.push(("CLOUDFLARE_ICEBERG_URL", emulator.iceberg_url().to_owned()));
    r2_catalog(args, &borrowed(&env), "")
}

/// The catalog's URI on `emulator`.
fn uri(emulator: &Emulator) -> String {
    format!(
        "{}/{ACCOUNT_ID}/{BUCKET}",
        emulator.iceberg_url().trim_end_matches('/')
    )
}

/// What `--engine engine` prints for the catalog at `uri`.
fn expected(engine: &str, uri: &str) -> String {
    match engine {
        "pyiceberg" => format!(
            r#"import os

from pyiceberg.catalog import load_catalog

catalog = load_catalog(
    "r2_catalog",
    type="rest",
    uri="{uri}",
    warehouse="{WAREHOUSE}",
    token=os.environ["CLOUDFLARE_API_TOKEN"],
)
"#
        ),
        "spark" => format!(
            r#"import os

from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.appName("r2_catalog")
    .config("spark.jars.packages", "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.6.1,org.apache.iceberg:iceberg-aws-bundle:1.6.1")
    .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
    .config("spark.sql.catalog.r2_catalog", "org.apache.iceberg.spark.SparkCatalog")
    .config("spark.sql.catalog.r2_catalog.type", "rest")
    .config("spark.sql.catalog.r2_catalog.uri", "{uri}")
    .config("spark.sql.catalog.r2_catalog.warehouse", "{WAREHOUSE}")
    .config("spark.sql.catalog.r2_catalog.token", os.environ["CLOUDFLARE_API_TOKEN"])
    .config("spark.sql.catalog.r2_catalog.header.X-Iceberg-Access-Delegation", "vended-credentials")
    .config("spark.sql.catalog.r2_catalog.s3.remote-signing-enabled", "false")
    .config("spark.sql.defaultCatalog", "r2_catalog")
    .getOrCreate()
)
"#
        ),
        "duckdb" => format!(
            "INSTALL iceberg;
LOAD iceberg;
INSTALL httpfs;
LOAD httpfs;
CREATE SECRET r2_catalog_secret (
    TYPE ICEBERG,
    TOKEN '<the value of CLOUDFLARE_API_TOKEN>'
);
ATTACH '{WAREHOUSE}' AS r2_catalog (
    TYPE ICEBERG,
    SECRET r2_catalog_secret,
    ENDPOINT '{uri}'
);
"
        ),
        "trino" => format!(
            "connector.name=iceberg
iceberg.catalog.type=rest
iceberg.rest-catalog.uri={uri}
iceberg.rest-catalog.warehouse={WAREHOUSE}
iceberg.rest-catalog.security=OAUTH2
iceberg.rest-catalog.oauth2.token=${{ENV:CLOUDFLARE_API_TOKEN}}
iceberg.rest-catalog.vended-credentials-enabled=true
fs.native-s3.enabled=true
s3.region=auto
"
        ),
        other => panic!("no such engine {other}"),
    }
}

/// Neither stdout nor stderr of `output` holds the token, nor a part of it.
fn assert_no_token(output: &std::process::Output) {
    for shown in [stdout(output), stderr(output)] {
        assert!(!shown.contains(API_TOKEN), "{shown}");
        assert!(!shown.contains("SECRET-1a2b3c"), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_engine_gets_its_configuration_with_the_emulators_uri_and_no_token() {
    let emulator = emulator(true).await;
    let uri = uri(&emulator);
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");

    for engine in ENGINES {
        let output = run_on(
            &emulator,
            &[
                "catalog", "connect", BUCKET, "--engine", engine, "--output", "text",
            ],
        );

        assert_eq!(
            output.status.code(),
            Some(0),
            "{engine}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), expected(engine, &uri), "{engine}");
        // The hint is for a person at a terminal only.
        assert_eq!(stderr(&output), "", "{engine}");
        assert_no_token(&output);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn as_json_each_engine_gives_its_parts_and_the_same_configuration() {
    let emulator = emulator(true).await;
    let uri = uri(&emulator);

    for engine in ENGINES {
        // Piped, with no --output: JSON, as every command prints for scripts.
        let output = run_on(
            &emulator,
            &["catalog", "connect", BUCKET, "--engine", engine],
        );

        assert_no_token(&output);
        assert_eq!(
            json_out(&output),
            serde_json::json!({
                "engine": engine,
                "uri": uri,
                "warehouse": WAREHOUSE,
                "token_env": "CLOUDFLARE_API_TOKEN",
                "config": expected(engine, &uri),
            }),
            "{engine}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_configuration_names_the_uri_catalog_get_prints() {
    let emulator = emulator(true).await;

    let got = json_out(&run_on(&emulator, &["catalog", "get", BUCKET]));
    let connect = json_out(&run_on(
        &emulator,
        &["catalog", "connect", BUCKET, "--engine", "trino"],
    ));

    assert_eq!(got["connection"]["uri"], connect["uri"]);
    assert_eq!(got["connection"]["warehouse"], connect["warehouse"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_engine_is_refused_before_anything_is_sent() {
    let emulator = emulator(true).await;

    let output = run_on(
        &emulator,
        &["catalog", "connect", BUCKET, "--engine", "hive"],
    );

    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let text = stderr(&output);
    assert!(
        text.contains("invalid value 'hive' for '--engine <ENGINE>'"),
        "{text}"
    );
    assert!(text.contains("pyiceberg, spark, duckdb, trino"), "{text}");
    assert_no_token(&output);
}

/// What `output` printed on stderr, but the line of the request's cf-ray, which differs from
/// one request to the next.
fn without_ray(output: &std::process::Output) -> String {
    let text = stderr(output);
    assert!(text.contains("  cf-ray: "), "{text}");
    text.lines()
        .filter(|line| !line.starts_with("  cf-ray: "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_never_enabled_fails_as_catalog_get_does() {
    let emulator = emulator(false).await;

    let got = run_on(&emulator, &["catalog", "get", BUCKET]);
    for engine in ENGINES {
        let output = run_on(
            &emulator,
            &[
                "catalog", "connect", BUCKET, "--engine", engine, "--output", "text",
            ],
        );

        assert_eq!(output.status.code(), got.status.code(), "{engine}");
        assert_eq!(output.status.code(), Some(3), "{engine}: not found");
        assert_eq!(stdout(&output), "", "{engine}");
        assert_eq!(without_ray(&output), without_ray(&got), "{engine}");
        assert_no_token(&output);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_turned_off_is_refused_with_the_command_that_turns_it_on() {
    let emulator = emulator(true).await;
    let disabled = run_on(&emulator, &["catalog", "disable", BUCKET, "--yes"]);
    assert_eq!(disabled.status.code(), Some(0), "{}", stderr(&disabled));

    for engine in ENGINES {
        let output = run_on(
            &emulator,
            &[
                "catalog", "connect", BUCKET, "--engine", engine, "--output", "text",
            ],
        );

        assert_eq!(output.status.code(), Some(1), "{engine}");
        assert_eq!(stdout(&output), "", "{engine}");
        let text = stderr(&output);
        assert!(
            text.contains(&format!(
                "the catalog of bucket {BUCKET} is inactive: no engine can connect to it; turn it on: r2-catalog catalog enable {BUCKET}"
            )),
            "{engine}: {text}"
        );
        assert_no_token(&output);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_a_terminal_the_snippet_is_text_and_stderr_says_to_set_the_token() {
    use support::terminal::{On, run_at_terminal};
    let emulator = emulator(true).await;
    let uri = uri(&emulator);
    let mut env = token_env_at(emulator.base_url());
    env.push(("CLOUDFLARE_ICEBERG_URL", emulator.iceberg_url().to_owned()));
    let both = On::OUTPUT;

    for engine in ENGINES {
        let ran = run_at_terminal(
            &["catalog", "connect", BUCKET, "--engine", engine],
            &borrowed(&env),
            both,
            &[],
        );

        assert_eq!(ran.code, Some(0), "{engine}: {}", ran.shown);
        let hint = if engine == "duckdb" {
            "note: put the value of CLOUDFLARE_API_TOKEN (an API token with R2 Data Catalog and R2 Storage permissions) where the snippet says\n"
        } else {
            "note: set CLOUDFLARE_API_TOKEN to an API token with R2 Data Catalog and R2 Storage permissions where the engine runs\n"
        };
        assert_eq!(
            ran.shown,
            format!("{hint}{}", expected(engine, &uri)),
            "{engine}"
        );
        assert!(!ran.shown.contains(API_TOKEN), "{}", ran.shown);
    }
}

#[tokio::test]
async fn a_warehouse_that_would_add_lines_to_a_configuration_is_refused() {
    // A hostile server names a warehouse whose line break would add a property of its own:
    // a Trino catalog sending the token to another URI.
    let server = httpmock::MockServer::start_async().await;
    let mut details = upstream_example("get-catalog-details");
    details["result"]["name"] = serde_json::json!(
        "account123_analytics-bucket\niceberg.rest-catalog.uri=https://evil.example"
    );
    let path = catalog_path(&format!("/{BUCKET}"));
    let mock = answer(&server, httpmock::Method::GET, path, details).await;

    for engine in ENGINES {
        let output = run(&server, &["catalog", "connect", BUCKET, "--engine", engine]);

        assert_eq!(
            output.status.code(),
            Some(1),
            "{engine}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{engine}");
        assert!(
            stderr(&output).contains("holds characters no engine's configuration can carry"),
            "{engine}: {}",
            stderr(&output)
        );
        assert_no_token(&output);
    }
    mock.assert_calls_async(ENGINES.len()).await;
}
