//! `table maintenance get|update|queue BUCKET --all-tables`: the sweep over every table of a
//! catalog (or of `--namespace NS` and those under it), run by the real binary against the
//! emulator (or an httpmock server answering slowly, to stop it midway). Pinned by the
//! emulator's request log and by the exact lines printed:
//!
//! - one JSON line per table, one request per table with the update's body, the summary on
//!   stderr, `--namespace` reaching a namespace and its descendants only;
//! - a failed table: its line with the status, every other table done, exit 1; rate limits
//!   waited out within one retry per 429; a dry run lists but sends no table request;
//! - `--journal`: a rerun acts on the tables not recorded done, and a rerun with other
//!   settings on every table; queueing's request id per table; what is refused;
//! - at a terminal: the settings table, the failure line, the summary on stdout; Ctrl-C (at a
//!   terminal or not) lets the tables in flight finish and report, starts no other, exits 130.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use cloudflare_r2_catalog_emulator::{Fault, Operation, RecordedRequest};
use common::*;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};
use support::sweeps::*;
use support::terminal::{CTRL_C, On, run_at_terminal};
use support::*;

/// `text` with the emulator's random ray ids (`[cf-ray 0123456789abcdef-EMU]`) as `RAY`.
fn rays_masked(text: &str) -> String {
    let mut masked = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("[cf-ray ") {
        let start = at + "[cf-ray ".len();
        masked.push_str(&rest[..start]);
        let end = rest[start..].find("-EMU]").expect("an emulator ray") + start;
        assert_eq!(end - start, 16, "{text}");
        masked.push_str("RAY");
        rest = &rest[end..];
    }
    masked.push_str(rest);
    masked
}

/// The message a table's line carries for the injected 403.
const FORBIDDEN: &str =
    "Cloudflare API error (HTTP 403 Forbidden): 10000: Authentication error [cf-ray RAY-EMU]";

fn forbidden() -> Fault {
    Fault::failure(403, 10000, "Authentication error").expect("a failure status")
}

/// The one table whose request of `operation` was answered 403 among `requests`.
fn the_forbidden(requests: &[RecordedRequest], operation: Operation) -> (String, String) {
    let refused: Vec<_> = of(requests, operation)
        .into_iter()
        .filter(|request| request.status == Some(403))
        .collect();
    assert_eq!(refused.len(), 1, "{requests:#?}");
    table_of_path(&refused[0].path)
}

/// The line of a table refused with the injected 403, its ray masked.
fn forbidden_line(namespace: &str, table: &str, operation: &str) -> Value {
    json!({
        "bucket": BUCKET,
        "operation": operation,
        "namespace": namespace,
        "table": table,
        "ok": false,
        "error": {"message": FORBIDDEN, "status": 403, "codes": [10000]},
    })
}

/// `line` with the ray of its error's message masked.
fn line_masked(mut line: Value) -> Value {
    if let Some(message) = line["error"]["message"].as_str() {
        line["error"]["message"] = json!(rays_masked(message));
    }
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_of_all_tables_sends_one_request_per_table_and_prints_one_line_each() {
    let emulator = seeded().await;
    let before = emulator.requests().len();

    let output = cli(emulator.base_url(), &UPDATE).await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = json_lines(&stdout(&output));
    assert_eq!(lines.len(), TABLES.len(), "{lines:#?}");
    let expected: BTreeMap<_, _> = TABLES
        .iter()
        .map(|(namespace, table)| {
            (
                ((*namespace).to_owned(), (*table).to_owned()),
                ok_line(namespace, table, UPDATE_KEY, compaction_enabled()),
            )
        })
        .collect();
    assert_eq!(by_table(&lines), expected);
    assert_eq!(
        untimed(&stderr(&output)),
        "Updated the maintenance of 5 table(s)"
    );

    let requests = since(&emulator, before);
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(acted_on(&updates), owned(&TABLES));
    for update in &updates {
        assert_eq!(update.method, "POST");
        assert_eq!(update.status, Some(200));
        let body: Value = serde_json::from_slice(&update.body).expect("a JSON body");
        assert_eq!(body, json!({"compaction": {"state": "enabled"}}));
    }
    assert_eq!(listings(&requests), CATALOG_LISTINGS);
    assert_eq!(
        requests.len(),
        CATALOG_LISTINGS + TABLES.len(),
        "{requests:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_sweep_reaches_that_namespace_and_those_under_it_only() {
    let emulator = seeded().await;
    let before = emulator.requests().len();

    let output = cli(
        emulator.base_url(),
        &[&UPDATE[..], &["--namespace", "a"]].concat(),
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let under_a = [("a", "clicks"), ("a", "events"), ("a.x", "raw")];
    let lines = by_table(&json_lines(&stdout(&output)));
    assert_eq!(lines.keys().cloned().collect::<Vec<_>>(), owned(&under_a));
    for (namespace, table) in under_a {
        assert_eq!(
            lines[&(namespace.to_owned(), table.to_owned())],
            ok_line(namespace, table, UPDATE_KEY, compaction_enabled())
        );
    }
    assert_eq!(
        untimed(&stderr(&output)),
        "Updated the maintenance of 3 table(s)"
    );
    let requests = since(&emulator, before);
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(acted_on(&updates), owned(&under_a));
    // a's tables and the namespaces under a, then a.x's: never the catalog's top level, nor b.
    let mut listed: Vec<_> = requests
        .iter()
        .filter(|request| request.operation != Some(Operation::UpdateTableMaintenanceConfig))
        .map(|request| {
            let path = request.path.rsplit_once(BUCKET).expect("a catalog path").1;
            format!("{path}?{}", request.query.as_deref().unwrap_or_default())
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "/namespaces/a%1Fx/tables?page_size=1000",
            "/namespaces/a/tables?page_size=1000",
            "/namespaces?page_size=1000&parent=a",
            "/namespaces?page_size=1000&parent=a%1Fx",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_refused_is_reported_with_its_status_and_the_sweep_exits_1() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    emulator.inject(forbidden().only(Operation::UpdateTableMaintenanceConfig));

    let output = cli(emulator.base_url(), &UPDATE).await;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let requests = since(&emulator, before);
    let (namespace, table) = the_forbidden(&requests, Operation::UpdateTableMaintenanceConfig);
    let lines = by_table(&json_lines(&stdout(&output)));
    assert_eq!(lines.len(), TABLES.len());
    for ((line_namespace, line_table), line) in lines {
        let expected = if (&line_namespace, &line_table) == (&namespace, &table) {
            forbidden_line(&namespace, &table, UPDATE_KEY)
        } else {
            ok_line(
                &line_namespace,
                &line_table,
                UPDATE_KEY,
                compaction_enabled(),
            )
        };
        assert_eq!(line_masked(line), expected);
    }
    assert_eq!(
        untimed(&stderr(&output)),
        "Updated the maintenance of 4 table(s); 1 failed"
    );
    // A 403 is not retried: one request per table.
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(acted_on(&updates), owned(&TABLES));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_listing_is_one_line_in_place_of_its_tables_and_the_sweep_exits_1() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    // The first table listing, breadth first after the top-level namespaces: a's.
    emulator.inject(forbidden().only(Operation::ListTables));

    let output = cli(emulator.base_url(), &UPDATE).await;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let mut lines = json_lines(&stdout(&output));
    let unlisted = lines
        .iter()
        .position(|line| line.get("unlisted").is_some())
        .expect("the failed listing's line");
    let unlisted = lines.remove(unlisted);
    assert_eq!(
        line_masked(unlisted),
        json!({
            "bucket": BUCKET,
            "operation": UPDATE_KEY,
            "namespace": "a",
            "ok": false,
            "unlisted": true,
            "error": {"message": FORBIDDEN, "status": 403, "codes": [10000]},
        })
    );
    // a.x is listed on its own, under a.
    let reached = [("a.x", "raw"), ("b", "orders"), ("b", "users")];
    let lines = by_table(&lines);
    assert_eq!(lines.keys().cloned().collect::<Vec<_>>(), owned(&reached));
    for ((namespace, table), line) in lines {
        assert_eq!(
            line,
            ok_line(&namespace, &table, UPDATE_KEY, compaction_enabled())
        );
    }
    assert_eq!(
        untimed(&stderr(&output)),
        "Updated the maintenance of 3 table(s); 1 listing(s) failed, their tables not reached"
    );
    let requests = since(&emulator, before);
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(acted_on(&updates), owned(&reached));
    let refused: Vec<_> = requests
        .iter()
        .filter(|request| request.status == Some(403))
        .map(|request| request.path.rsplit_once(BUCKET).expect("a catalog path").1)
        .collect();
    assert_eq!(refused, ["/namespaces/a/tables"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out_and_every_table_ends_done() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    emulator.inject(
        Fault::rate_limited(Duration::from_secs(1))
            .times(3)
            .only(Operation::UpdateTableMaintenanceConfig),
    );
    let started = Instant::now();

    let output = cli(emulator.base_url(), &UPDATE).await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = by_table(&json_lines(&stdout(&output)));
    assert_eq!(lines.keys().cloned().collect::<Vec<_>>(), owned(&TABLES));
    for ((namespace, table), line) in lines {
        assert_eq!(
            line,
            ok_line(&namespace, &table, UPDATE_KEY, compaction_enabled())
        );
    }
    assert_eq!(
        untimed(&stderr(&output)),
        "Updated the maintenance of 5 table(s)"
    );
    assert_eq!(throttled(&stderr(&output)), 3);
    // The server's Retry-After was kept to.
    assert!(started.elapsed() >= Duration::from_secs(1));
    let requests = since(&emulator, before);
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    let limited = updates
        .iter()
        .filter(|request| request.status == Some(429))
        .count();
    assert_eq!(limited, 3, "{requests:#?}");
    // Each 429 cost one retry, no more: the tables once each, plus the three retries.
    assert_eq!(updates.len(), TABLES.len() + 3, "{requests:#?}");
    assert!(requests.len() <= listings(&requests) + TABLES.len() + 3);
    assert_eq!(listings(&requests), CATALOG_LISTINGS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_lists_the_tables_and_prints_each_request_without_sending_it() {
    let emulator = seeded().await;
    let before = emulator.requests().len();

    let output = cli(emulator.base_url(), &[&UPDATE[..], &["--dry-run"]].concat()).await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = by_table(&json_lines(&stdout(&output)));
    let expected: BTreeMap<_, _> = TABLES
        .iter()
        .map(|(namespace, table)| {
            let url = format!(
                "{}{}",
                emulator.base_url().trim_end_matches("/client/v4"),
                table_path(namespace, table, "")
            );
            let line = json!({
                "bucket": BUCKET,
                "operation": UPDATE_KEY,
                "namespace": namespace,
                "table": table,
                "dry_run": {
                    "method": "POST",
                    "url": url,
                    "body": {"compaction": {"state": "enabled"}},
                },
            });
            (((*namespace).to_owned(), (*table).to_owned()), line)
        })
        .collect();
    assert_eq!(lines, expected);
    assert_eq!(
        untimed(&stderr(&output)),
        "Dry run: 5 table request(s) printed, none sent"
    );
    let requests = since(&emulator, before);
    assert_eq!(listings(&requests), CATALOG_LISTINGS);
    assert_eq!(
        requests.len(),
        CATALOG_LISTINGS,
        "only listings: {requests:#?}"
    );
    assert!(requests.iter().all(|request| request.method == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_resumes_with_the_failed_tables_only_and_only_for_the_same_settings() {
    let emulator = seeded().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("sweep.jsonl");
    let journal_arg = journal.to_str().expect("a UTF-8 path");
    let with_journal = [&UPDATE[..], &["--journal", journal_arg]].concat();
    emulator.inject(forbidden().only(Operation::UpdateTableMaintenanceConfig));

    let before = emulator.requests().len();
    let first = cli(emulator.base_url(), &with_journal).await;

    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let (namespace, table) = the_forbidden(
        &since(&emulator, before),
        Operation::UpdateTableMaintenanceConfig,
    );
    let written = std::fs::read_to_string(&journal).expect("the journal");
    assert_eq!(
        written,
        stdout(&first),
        "the journal holds the lines printed"
    );
    assert_eq!(json_lines(&written).len(), TABLES.len());

    // The same command again: only the table that failed.
    let before = emulator.requests().len();
    let second = cli(emulator.base_url(), &with_journal).await;

    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(
        json_lines(&stdout(&second)),
        [ok_line(
            &namespace,
            &table,
            UPDATE_KEY,
            compaction_enabled()
        )]
    );
    assert_eq!(
        untimed(&stderr(&second)),
        "Updated the maintenance of 1 table(s); 4 skipped, done in an earlier run"
    );
    let requests = since(&emulator, before);
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(acted_on(&updates), [(namespace.clone(), table.clone())]);
    // Listed again in full: the skipped tables are those listed and recorded done.
    assert_eq!(listings(&requests), CATALOG_LISTINGS);
    let appended = std::fs::read_to_string(&journal).expect("the journal");
    assert_eq!(appended, format!("{written}{}", stdout(&second)));

    // Everything done now: a third run sends no update.
    let before = emulator.requests().len();
    let third = cli(emulator.base_url(), &with_journal).await;

    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert_eq!(stdout(&third), "");
    assert_eq!(
        untimed(&stderr(&third)),
        "Updated the maintenance of 0 table(s); 5 skipped, done in an earlier run"
    );
    let requests = since(&emulator, before);
    assert!(of(&requests, Operation::UpdateTableMaintenanceConfig).is_empty());

    // Other settings are another sweep: nothing of the journal is skipped.
    let before = emulator.requests().len();
    let disabling = cli(
        emulator.base_url(),
        &[
            "table",
            "maintenance",
            "update",
            BUCKET,
            "--all-tables",
            "--compaction",
            "disabled",
            "--journal",
            journal_arg,
        ],
    )
    .await;

    assert_eq!(disabling.status.code(), Some(0), "{}", stderr(&disabling));
    assert_eq!(
        untimed(&stderr(&disabling)),
        "Updated the maintenance of 5 table(s)"
    );
    let lines = by_table(&json_lines(&stdout(&disabling)));
    assert_eq!(lines.keys().cloned().collect::<Vec<_>>(), owned(&TABLES));
    let disabled_key = r#"update {"compaction":{"state":"disabled"}}"#;
    assert!(lines.values().all(|line| line["operation"] == disabled_key
        && line["ok"] == true
        && line["result"]["compaction"]["state"] == "disabled"));
    let requests = since(&emulator, before);
    let updates = of(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(acted_on(&updates), owned(&TABLES));
    for update in updates {
        let body: Value = serde_json::from_slice(&update.body).expect("a JSON body");
        assert_eq!(body, json!({"compaction": {"state": "disabled"}}));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queueing_for_all_tables_sends_a_request_id_of_its_own_for_each_table() {
    let emulator = seeded().await;
    let before = emulator.requests().len();

    let output = cli(
        emulator.base_url(),
        &[
            "table",
            "maintenance",
            "queue",
            BUCKET,
            "compaction",
            "--all-tables",
        ],
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        untimed(&stderr(&output)),
        "Queued compaction for 5 table(s)"
    );
    let requests = since(&emulator, before);
    let queued = of(&requests, Operation::QueueTableMaintenance);
    assert_eq!(acted_on(&queued), owned(&TABLES));
    let mut sent = BTreeMap::new();
    for request in &queued {
        assert_eq!(request.method, "POST");
        let (namespace, table) = table_of_path(&request.path);
        assert_eq!(
            request.path,
            table_path(&namespace, &table, "/compaction/queue")
        );
        let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
        let id = body["request_id"]
            .as_str()
            .expect("a request id")
            .to_owned();
        assert_eq!(body, json!({"request_id": id}));
        sent.insert((namespace, table), id);
    }
    let distinct: BTreeSet<_> = sent.values().collect();
    assert_eq!(distinct.len(), TABLES.len(), "{sent:?}");

    let lines = by_table(&json_lines(&stdout(&output)));
    assert_eq!(
        lines.keys().collect::<Vec<_>>(),
        sent.keys().collect::<Vec<_>>()
    );
    for (key, line) in lines {
        let id = &sent[&key];
        let expected = ok_line(
            &key.0,
            &key.1,
            "queue compaction",
            json!({
                "request_id": id,
                "queued": {
                    "message": "Maintenance queued: it runs when the scheduler next polls",
                    "queued": true,
                    "request_id": id,
                },
                "already_applied": false,
            }),
        );
        assert_eq!(line, expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_named_with_all_tables_is_refused_before_anything_is_sent() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "table",
                "maintenance",
                "queue",
                BUCKET,
                "a",
                "clicks",
                "compaction",
                "--all-tables",
            ],
            "error: with --all-tables, give the KIND alone (no NAMESPACE or TABLE)\n",
        ),
        (
            &["table", "maintenance", "get", BUCKET, "a", "--all-tables"],
            "error: the argument '[NAMESPACE]' cannot be used with '--all-tables'\n",
        ),
        (
            &["table", "maintenance", "get", BUCKET, "--namespace", "a"],
            "error: the following required arguments were not provided:\n",
        ),
    ];

    for (args, first_line) in cases {
        let output = cli(emulator.base_url(), args).await;

        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
        let printed = stderr(&output);
        assert!(printed.starts_with(first_line), "{args:?}: {printed}");
    }
    assert_eq!(since(&emulator, before), []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_terminal_get_prints_the_settings_table_the_failure_and_the_summary() {
    let emulator = seeded().await;
    let get = GET_ALL;
    let header = "NAMESPACE  TABLE   COMPACTION  TARGET SIZE MB  SNAPSHOT EXPIRATION";
    let row = |namespace: &str, table: &str| {
        format!("{namespace:<9}  {table:<6}  disabled    128             disabled")
    };

    // The table and summary on stdout, at the terminal; the failure on stderr, a pipe.
    let before = emulator.requests().len();
    emulator.inject(forbidden().only(Operation::GetTableMaintenanceConfig));
    let on_stdout = On::STDOUT;
    let ran = cli_at_terminal(emulator.base_url(), &get, on_stdout).await;

    assert_eq!(ran.code, Some(1), "{}{}", ran.shown, ran.stderr);
    let (namespace, table) = the_forbidden(
        &since(&emulator, before),
        Operation::GetTableMaintenanceConfig,
    );
    let mut expected = vec![header.to_owned()];
    expected.extend(
        TABLES
            .iter()
            .filter(|(n, t)| (*n, *t) != (namespace.as_str(), table.as_str()))
            .map(|(n, t)| row(n, t)),
    );
    let shown: Vec<&str> = ran.shown.lines().collect();
    let (summary, rows) = shown.split_last().expect("a summary");
    assert_eq!(rows, expected, "{}", ran.shown);
    assert_eq!(
        untimed(&format!("{summary}\n")),
        "Read the maintenance of 4 table(s); 1 failed"
    );
    assert_eq!(
        rays_masked(&ran.stderr),
        format!("✗ {namespace}.{table}: {FORBIDDEN}\n")
    );
    assert_eq!(ran.stdout, "");

    // Both at the terminal: the failure above the table.
    emulator.inject(forbidden().only(Operation::GetTableMaintenanceConfig));
    let on_both = On::OUTPUT;
    let ran = cli_at_terminal(emulator.base_url(), &get, on_both).await;

    assert_eq!(ran.code, Some(1), "{}", ran.shown);
    let shown = rays_masked(&ran.shown);
    let failure = shown.find("✗ ").expect("a failure line");
    let table_at = shown.find(header).expect("the settings table");
    let summary = shown
        .find("Read the maintenance of 4 table(s); 1 failed (")
        .expect("the summary");
    assert!(failure < table_at && table_at < summary, "{shown}");
    assert_eq!(shown.matches("✗ ").count(), 1, "{shown}");
    assert!(shown.contains(&format!(": {FORBIDDEN}\n")), "{shown}");
}

/// An httpmock catalog of one namespace, `a`, holding `t0` … `t{tables - 1}`, whose maintenance
/// (`method`: `GET` reads it, `POST` updates it) answers `result` at once for `t0` and after
/// `delay` for the others; the mocks of the tables, in order.
fn slow_catalog<'a>(
    server: &'a MockServer,
    tables: usize,
    method: &str,
    result: &Value,
    delay: Duration,
) -> Vec<Mock<'a>> {
    let names: Vec<String> = (0..tables).map(|n| format!("t{n}")).collect();
    namespace_a_listings(server, &names);
    names
        .iter()
        .enumerate()
        .map(|(n, name)| {
            server.mock(|when, then| {
                when.method(method).path(catalog_path(&format!(
                    "/{BUCKET}/namespaces/a/tables/{name}/maintenance-configs"
                )));
                let then = then.status(200).json_body(success(result.clone()));
                if n > 0 {
                    then.delay(delay);
                }
            })
        })
        .collect()
}

/// The tables whose mock was asked, by name, and checks none was asked twice.
fn asked(mocks: &[Mock<'_>]) -> Vec<String> {
    mocks
        .iter()
        .enumerate()
        .filter_map(|(n, mock)| {
            let calls = mock.calls();
            assert!(calls <= 1, "t{n} asked {calls} times");
            (calls == 1).then(|| format!("t{n}"))
        })
        .collect()
}

/// Waits (20 s at most) until `mock` has been asked.
fn wait_until_asked(mock: &Mock<'_>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while mock.calls() == 0 {
        assert!(Instant::now() < deadline, "never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
}

const STOPPED_WITHOUT_JOURNAL: &str = "stopped: the tables in flight finished, the others were not started; a sweep run with --journal FILE resumes from FILE (the JSON lines it prints are FILE's lines)\n";

const STOPPED_WITH_JOURNAL: &str = "stopped: the tables in flight finished, the others were not started; run the same command with the same --journal to go on\n";

#[test]
fn ctrl_c_at_a_terminal_lets_the_tables_in_flight_finish_and_report_then_exits_130() {
    let server = MockServer::start();
    let maintenance = json!({"maintenance_config": {
        "compaction": {"state": "enabled", "target_size_mb": "256"},
        "interval": "1h",
        "snapshot_expiration": {"max_snapshot_age": "7d", "min_snapshots_to_keep": 100, "state": "disabled"},
    }});
    let mocks = slow_catalog(&server, 6, "GET", &maintenance, Duration::from_secs(2));
    let env = at_terminal_env(&server.base_url());
    let on_both = On::OUTPUT;

    // Two at a time: t0 answers at once, t1 and t2 are in flight when Ctrl-C comes.
    let ran = run_at_terminal(
        &[
            "table",
            "maintenance",
            "get",
            BUCKET,
            "--all-tables",
            "--concurrency",
            "2",
        ],
        &borrowed(&env),
        on_both,
        &[("tables: 1/", CTRL_C)],
    );

    assert_eq!(ran.code, Some(130), "{}", ran.shown);
    let reached = asked(&mocks);
    assert!(
        reached.starts_with(&["t0".to_owned(), "t1".to_owned()]) && reached.len() <= 3,
        "{reached:?}"
    );
    let shown = ran.shown;
    let table_at = shown
        .find("NAMESPACE  TABLE  COMPACTION  TARGET SIZE MB  SNAPSHOT EXPIRATION\n")
        .unwrap_or_else(|| panic!("no settings table in {shown:?}"));
    let after: Vec<&str> = shown[table_at..].lines().collect();
    let rows: Vec<String> = reached
        .iter()
        .map(|table| format!("a          {table}     enabled     256             disabled"))
        .collect();
    assert_eq!(after[1..=reached.len()], rows, "{shown}");
    let summary = format!("{}\n", after[reached.len() + 1]);
    assert_eq!(
        untimed(&summary),
        format!("Read the maintenance of {} table(s)", reached.len())
    );
    assert_eq!(
        after[reached.len() + 2..],
        [STOPPED_WITHOUT_JOURNAL.trim_end()]
    );
}

/// The update settings the slow server answers.
fn updated_settings() -> Value {
    json!({
        "compaction": {"state": "enabled", "target_size_mb": "128"},
        "interval": "1h",
        "snapshot_expiration": {"max_snapshot_age": "7d", "min_snapshots_to_keep": 100, "state": "disabled"},
    })
}

/// Ctrl-C, or SIGTERM from a service manager or a CI job's timeout: the tables in flight finish
/// and are journaled, and the exit code says which signal it was.
#[test]
fn a_signal_without_a_terminal_reports_the_tables_in_flight_once_and_the_journal_resumes() {
    for (signal, code) in [
        (rustix::process::Signal::INT, 130),
        (rustix::process::Signal::TERM, 143),
    ] {
        stopped_by(signal, code);
    }
}

/// A sweep of six slow tables, stopped by `signal` with two in flight, exits `code`; the rerun
/// does the other three.
fn stopped_by(signal: rustix::process::Signal, code: i32) {
    let server = MockServer::start();
    let settings = updated_settings();
    let mocks = slow_catalog(&server, 6, "POST", &settings, Duration::from_millis(1500));
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("sweep.jsonl");
    let journal_arg = journal.to_str().expect("a UTF-8 path");
    let args = [
        &UPDATE[..],
        &["--concurrency", "2", "--journal", journal_arg],
    ]
    .concat();

    let (mut child, lines, stderr) = spawn_at(&server.base_url(), &args);
    let first = lines
        .recv_timeout(Duration::from_secs(20))
        .expect("t0's line");
    // t0 done, t1 in flight, and t2 started in its place: then the signal.
    wait_until_asked(&mocks[2]);
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, signal).expect("the child takes the signal");
    let (exited, _) = wait(&mut child);
    let printed: String = std::iter::once(first).chain(lines.iter()).collect();
    let stderr = stderr.join().expect("stderr");

    assert_eq!(exited, Some(code), "{signal:?}: {stderr}");
    assert_eq!(asked(&mocks), ["t0", "t1", "t2"]);
    let reported = by_table(&json_lines(&printed));
    let expected: BTreeMap<_, _> = ["t0", "t1", "t2"]
        .iter()
        .map(|table| {
            (
                ("a".to_owned(), (*table).to_owned()),
                ok_line("a", table, UPDATE_KEY, settings.clone()),
            )
        })
        .collect();
    assert_eq!(reported, expected);
    let (summary, stopped) = stderr.split_once('\n').expect("two lines");
    assert_eq!(
        untimed(&format!("{summary}\n")),
        "Updated the maintenance of 3 table(s)"
    );
    assert_eq!(stopped, STOPPED_WITH_JOURNAL);
    assert_eq!(
        std::fs::read_to_string(&journal).expect("the journal"),
        printed
    );

    // The same command again goes on with the tables never started.
    let resumed = run(&server, &args);

    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}",
        support::stderr(&resumed)
    );
    assert_eq!(
        untimed(&support::stderr(&resumed)),
        "Updated the maintenance of 3 table(s); 3 skipped, done in an earlier run"
    );
    let lines = by_table(&json_lines(&stdout(&resumed)));
    assert_eq!(
        lines
            .keys()
            .map(|(_, table)| table.as_str())
            .collect::<Vec<_>>(),
        ["t3", "t4", "t5"]
    );
    for mock in &mocks {
        assert_eq!(mock.calls(), 1, "each table updated once over both runs");
    }
}

#[test]
fn a_second_ctrl_c_stops_at_once_without_waiting_for_the_tables_in_flight() {
    let server = MockServer::start();
    let settings = updated_settings();
    let slow = Duration::from_secs(6);
    let mocks = slow_catalog(&server, 4, "POST", &settings, slow);
    let args = [&UPDATE[..], &["--concurrency", "2"]].concat();

    let (mut child, lines, stderr) = spawn_at(&server.base_url(), &args);
    let first = lines
        .recv_timeout(Duration::from_secs(20))
        .expect("t0's line");
    wait_until_asked(&mocks[2]);
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    let (code, waited) = wait(&mut child);
    let printed: String = std::iter::once(first).chain(lines.iter()).collect();
    let stderr = stderr.join().expect("stderr");

    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        waited < Duration::from_secs(3),
        "the second Ctrl-C waited {waited:?} for the tables in flight; printed {printed:?}, {stderr:?}"
    );
    assert_eq!(
        json_lines(&printed),
        [ok_line("a", "t0", UPDATE_KEY, settings)]
    );
    assert_eq!(
        stderr,
        "interrupted: a change already sent may have been made; read the state back before doing it again\n"
    );
}
