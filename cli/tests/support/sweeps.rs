//! What the sweep suites share: a seeded emulator, the binary run against it, and readers of
//! the requests it received and of the JSON lines a sweep prints.

use std::collections::BTreeMap;
use std::process::{Output, Stdio};

use cloudflare_r2_catalog_emulator::{Emulator, EmulatorBuilder, Operation, RecordedRequest};
use serde_json::{Value, json};

use super::{borrowed, r2_catalog_into, token_env_at};
use crate::common::*;

/// The seeded catalog's tables, as `(namespace, table)`, sorted.
pub const TABLES: [(&str, &str); 5] = [
    ("a", "clicks"),
    ("a", "events"),
    ("a.x", "raw"),
    ("b", "orders"),
    ("b", "users"),
];

/// The listing requests a sweep of the whole seeded catalog makes: the top-level namespaces,
/// then for each of a, a.x and b its tables and the namespaces under it.
pub const CATALOG_LISTINGS: usize = 7;

/// `table maintenance get BUCKET --all-tables`.
pub const GET_ALL: [&str; 5] = ["table", "maintenance", "get", BUCKET, "--all-tables"];

/// `table maintenance update BUCKET --all-tables --compaction enabled`.
pub const UPDATE: [&str; 7] = [
    "table",
    "maintenance",
    "update",
    BUCKET,
    "--all-tables",
    "--compaction",
    "enabled",
];

/// The journal key (`operation`) of [`UPDATE`].
pub const UPDATE_KEY: &str = r#"update {"compaction":{"state":"enabled"}}"#;

/// The settings of a table the emulator seeded, once [`UPDATE`] turned compaction on.
pub fn compaction_enabled() -> Value {
    json!({
        "compaction": {"state": "enabled", "target_size_mb": "128"},
        "interval": "1h",
        "snapshot_expiration": {
            "max_snapshot_age": "7d",
            "min_snapshots_to_keep": 100,
            "state": "disabled",
        },
    })
}

/// An emulator holding [`TABLES`] in [`BUCKET`], whose catalog is enabled.
pub async fn seeded() -> Emulator {
    seeded_on(Emulator::builder()).await
}

/// [`seeded`] on an emulator built from `emulator` (with a rate limit of its own, say).
pub async fn seeded_on(emulator: EmulatorBuilder) -> Emulator {
    let emulator = emulator.bucket(BUCKET).start().await.expect("starts");
    let client = client_of(&emulator, &RecordedSleeps::default());
    for (namespace, table) in TABLES {
        emulator
            .add_table(BUCKET, namespace, table)
            .expect("a valid table");
    }
    catalog(&client).enable().await.expect("enabled");
    emulator
}

/// Runs the binary with `args` against `base_url`, off the runtime serving the emulator.
pub async fn cli(base_url: &str, args: &[&str]) -> Output {
    cli_into(base_url, args, Stdio::piped()).await
}

/// [`cli`] with its stdout going to `stdout`.
pub async fn cli_into(base_url: &str, args: &[&str], stdout: impl Into<Stdio>) -> Output {
    let env = token_env_at(base_url);
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let stdout = stdout.into();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        r2_catalog_into(&args, &borrowed(&env), "", stdout)
    })
    .await
    .expect("the run finishes")
}

/// The requests `emulator` received after the first `before`.
pub fn since(emulator: &Emulator, before: usize) -> Vec<RecordedRequest> {
    emulator.requests().split_off(before)
}

/// Those of `requests` that are `operation`.
pub fn of(requests: &[RecordedRequest], operation: Operation) -> Vec<&RecordedRequest> {
    requests
        .iter()
        .filter(|request| request.operation == Some(operation))
        .collect()
}

/// How many of `requests` are listings (of namespaces or of tables).
pub fn listings(requests: &[RecordedRequest]) -> usize {
    of(requests, Operation::ListNamespaces).len() + of(requests, Operation::ListTables).len()
}

/// The path of a table's maintenance configuration on the emulator (`tail` after it), the
/// namespace's levels joined by U+001F as the SDK sends it.
pub fn table_path(namespace: &str, table: &str, tail: &str) -> String {
    format!(
        "/client/v4/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/namespaces/{}/tables/{table}/maintenance-configs{tail}",
        namespace.replace('.', "%1F")
    )
}

/// The table whose maintenance path `path` is, as `(namespace, table)`.
pub fn table_of_path(path: &str) -> (String, String) {
    let rest = path.split_once("/namespaces/").expect("a table path").1;
    let mut segments = rest.split('/');
    let namespace = segments.next().expect("a namespace").replace("%1F", ".");
    assert_eq!(segments.next(), Some("tables"), "{path}");
    let table = segments.next().expect("a table").to_owned();
    (namespace, table)
}

/// The tables `requests` acted on, each as often as it was asked.
pub fn acted_on(requests: &[&RecordedRequest]) -> Vec<(String, String)> {
    let mut tables: Vec<_> = requests
        .iter()
        .map(|request| table_of_path(&request.path))
        .collect();
    tables.sort();
    tables
}

/// `tables` as owned pairs, sorted.
pub fn owned(tables: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut owned: Vec<_> = tables
        .iter()
        .map(|(namespace, table)| ((*namespace).to_owned(), (*table).to_owned()))
        .collect();
    owned.sort();
    owned
}

/// Every line of `text`, each a whole JSON object, without the fields that name the sweep,
/// which must say that it ran in [`ACCOUNT_ID`] against a server on loopback, on the
/// basin-catalog paths (see [`sweep_named`]).
pub fn json_lines(text: &str) -> Vec<Value> {
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a line left unfinished: {text:?}"
    );
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not a JSON line ({error}): {line:?}"));
            let (sweep, rest) = sweep_named(value);
            assert_eq!(sweep["account"], ACCOUNT_ID, "{line}");
            assert_eq!(sweep["paths"], "basin-catalog", "{line}");
            let endpoint = sweep["endpoint"].as_str().unwrap_or_default();
            assert!(endpoint.starts_with("http://127.0.0.1:"), "{line}");
            rest
        })
        .collect()
}

/// `line` split into the fields that name its sweep (account, endpoint, paths) and the rest.
pub fn sweep_named(line: Value) -> (Value, Value) {
    let Value::Object(mut fields) = line else {
        panic!("not a JSON object: {line}");
    };
    let sweep = ["account", "endpoint", "paths"].map(|field| {
        (
            field.to_owned(),
            fields.remove(field).unwrap_or(Value::Null),
        )
    });
    (
        Value::Object(sweep.into_iter().collect()),
        Value::Object(fields),
    )
}

/// `lines` by their table, `(namespace, table)`; panics if a table is reported twice.
pub fn by_table(lines: &[Value]) -> BTreeMap<(String, String), Value> {
    let mut tables = BTreeMap::new();
    for line in lines {
        let key = (
            line["namespace"].as_str().expect("a namespace").to_owned(),
            line["table"].as_str().expect("a table").to_owned(),
        );
        let again = tables.insert(key.clone(), line.clone());
        assert!(again.is_none(), "{key:?} reported twice: {lines:#?}");
    }
    tables
}

/// The line of a table that `operation` (its journal key) left with `result`.
pub fn ok_line(namespace: &str, table: &str, operation: &str, result: Value) -> Value {
    json!({
        "bucket": BUCKET,
        "operation": operation,
        "namespace": namespace,
        "table": table,
        "ok": true,
        "result": result,
    })
}

/// `summary` (one line, its newline included) without its timing and the 429s it counted,
/// ` (0.1 s, 42 tables/s, 0 answer(s) 429).`, whose form is checked.
pub fn untimed(summary: &str) -> &str {
    timed(summary).0
}

/// The 429 answers `summary` (as [`untimed`] takes it) counted.
pub fn throttled(summary: &str) -> u64 {
    timed(summary).1
}

fn timed(summary: &str) -> (&str, u64) {
    let line = summary
        .strip_suffix(" answer(s) 429).\n")
        .unwrap_or_else(|| panic!("no 429s counted at the end of {summary:?}"));
    let (text, timing) = line
        .rsplit_once(" (")
        .unwrap_or_else(|| panic!("no timing in {summary:?}"));
    let [seconds, rate, throttled] = timing.split(", ").collect::<Vec<_>>()[..] else {
        panic!("no seconds, rate and 429s in {summary:?}");
    };
    let rate = rate.strip_suffix(" tables/s");
    let seconds = seconds.strip_suffix(" s");
    assert!(
        seconds.is_some_and(|seconds| seconds.parse::<f64>().is_ok())
            && rate.is_some_and(|rate| rate.parse::<u64>().is_ok()),
        "{summary:?}"
    );
    let throttled = throttled
        .parse()
        .unwrap_or_else(|_| panic!("no count of 429s in {summary:?}"));
    assert!(!text.contains('\n'), "one line: {summary:?}");
    (text, throttled)
}

/// Runs the binary at a terminal (see [`run_at_terminal`](super::terminal::run_at_terminal)) against `base_url`, off the runtime.
pub async fn cli_at_terminal(
    base_url: &str,
    args: &[&str],
    on: super::terminal::On,
) -> super::terminal::AtTerminal {
    let env = at_terminal_env(base_url);
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        super::terminal::run_at_terminal(&args, &borrowed(&env), on, &[])
    })
    .await
    .expect("the run finishes")
}

/// [`token_env_at`] with the `TERM` a terminal sets: without one, indicatif draws no progress
/// line.
pub fn at_terminal_env(base_url: &str) -> Vec<(&'static str, String)> {
    let mut env = token_env_at(base_url);
    env.push(("TERM", "xterm-256color".to_owned()));
    env
}

/// Answers on httpmock `server` the listings of a catalog of one namespace, `a`, holding the
/// tables `names`; what each table answers is the caller's.
pub fn namespace_a_listings(server: &httpmock::MockServer, names: &[String]) {
    use httpmock::Method;
    let namespaces = catalog_path(&format!("/{BUCKET}/namespaces"));
    server.mock(|when, then| {
        when.method(Method::GET)
            .path(&namespaces)
            .query_param_missing("parent");
        then.status(200).json_body(success(
            json!({"namespaces": [["a"]], "next_page_token": null}),
        ));
    });
    server.mock(|when, then| {
        when.method(Method::GET)
            .path(&namespaces)
            .query_param("parent", "a");
        then.status(200)
            .json_body(success(json!({"namespaces": [], "next_page_token": null})));
    });
    let identifiers: Vec<Value> = names
        .iter()
        .map(|name| json!({"namespace": ["a"], "name": name}))
        .collect();
    server.mock(|when, then| {
        when.method(Method::GET)
            .path(catalog_path(&format!("/{BUCKET}/namespaces/a/tables")));
        then.status(200).json_body(success(
            json!({"identifiers": identifiers, "next_page_token": null}),
        ));
    });
}
