//! `catalog report BUCKET`: the real binary against the emulator seeded with a run history
//! ([`report_seed`]): the exact JSON document piped, the exact text at a terminal, the exit
//! code a monitor acts on (0 healthy, 10 a last run failed, 12 a table never ran with
//! maintenance on, 8 a table not read; a catalog or namespace that cannot be listed fails as
//! any command does), no dry run, and no secret in any output.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use cloudflare_r2_catalog_emulator::{Emulator, Fault, Operation};
use common::*;
use httpmock::{Method, MockServer};
use serde_json::{Value, json};
use support::sweeps::{at_terminal_env, cli, cli_at_terminal, namespace_a_listings};
use support::terminal::{CTRL_C, On, run_at_terminal};
use support::*;

const MESSAGE: &str = "Compaction failed: \u{1b}[31mno credential";

/// A table's entry in the document: compaction's state and last run, expiration's last run
/// (its state is off on every seeded table), and the findings.
fn entry(
    namespace: &str,
    table: &str,
    compaction: &str,
    last_compaction: Value,
    last_expiration: Value,
    findings: Value,
) -> Value {
    json!({
        "namespace": namespace,
        "table": table,
        "compaction": {"state": compaction, "target_size_mb": "128", "next_eligible_at": null,
                       "last_run": last_compaction},
        "snapshot_expiration": {"max_snapshot_age": "7d", "min_snapshots_to_keep": 100,
                                "state": "disabled", "next_eligible_at": null,
                                "last_run": last_expiration},
        "findings": findings,
    })
}

/// A run as the document shows it.
fn run(id: i64, status: &str, started: &str, completed: Option<&str>, took: Option<i64>) -> Value {
    json!({"run_id": id, "status": status, "started_at": started, "completed_at": completed,
           "duration_ms": took, "primary_error_code": null, "customer_message": null,
           "request_id": null})
}

fn verdict(tables: u64, failed: u64, never: u64, unread: u64) -> Value {
    json!({"healthy": failed + never + unread == 0, "tables": tables, "last_run_failed": failed,
           "never_ran": never, "unread": unread, "stopped": false})
}

/// Runs `catalog report BUCKET extra…` piped: its exit code, its document, and stderr; with
/// no secret in either.
async fn report_piped(emulator: &Emulator, extra: &[&str]) -> (Option<i32>, Value, String) {
    let mut args = vec!["catalog", "report", BUCKET];
    args.extend_from_slice(extra);
    let output = cli(emulator.base_url(), &args).await;
    let (out, err) = (stdout(&output), stderr(&output));
    assert!(!out.contains(API_TOKEN) && !err.contains(API_TOKEN));
    let document = serde_json::from_str(&out).unwrap_or_else(|_| panic!("one document: {out}"));
    (output.status.code(), document, err)
}

#[tokio::test(flavor = "multi_thread")]
async fn piped_the_report_is_one_json_document_and_a_failed_last_run_exits_10() {
    let (emulator, _) = reported_catalog(Emulator::builder()).await;
    // One table at a time, so that the tables come in the listing's order.
    let (code, document, err) = report_piped(&emulator, &["--concurrency", "1"]).await;
    let failed = json!({"run_id": 2, "status": "failed", "started_at": "2026-11-24T14:30:45Z",
                        "completed_at": "2026-11-24T14:30:49Z", "duration_ms": 4200,
                        "primary_error_code": 50002, "customer_message": MESSAGE,
                        "request_id": null});
    let expected = json!({
        "bucket": BUCKET,
        "tables": [
            entry("bronze", "clicks", "enabled", failed, Value::Null, json!([
                {"finding": "last_run_failed", "kind": "compaction", "run_id": 2,
                 "status": "failed", "error_code": 50002, "customer_message": MESSAGE},
            ])),
            entry("bronze", "events", "enabled",
                run(3, "succeeded", "2026-11-24T14:00:00Z", Some("2026-11-24T14:01:01Z"), Some(61000)),
                run(4, "succeeded", "2026-11-24T15:00:00Z", Some("2026-11-24T15:00:00Z"), Some(800)),
                json!([])),
            entry("gold", "live", "enabled",
                run(6, "running", "2026-11-24T16:00:00Z", None, None), Value::Null, json!([])),
            entry("silver", "archive", "disabled", Value::Null, Value::Null, json!([])),
            entry("silver", "orders", "enabled", Value::Null, Value::Null,
                json!([{"finding": "never_ran", "kind": "compaction"}])),
        ],
        "unlisted": [],
        "unlisted_left_out": 0,
        "verdict": verdict(5, 1, 1, 0),
    });
    assert_eq!((code, document, err), (Some(10), expected, String::new()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_that_never_ran_exits_12_a_healthy_namespace_0_and_no_dry_run() {
    let (emulator, _) = reported_catalog(Emulator::builder()).await;
    let (code, document, err) = report_piped(&emulator, &["--namespace", "silver"]).await;
    assert_eq!(
        (code, &document["verdict"], err),
        (Some(12), &verdict(2, 0, 1, 0), String::new())
    );
    let before = emulator.requests().len();
    let dry = cli(
        emulator.base_url(),
        &["catalog", "report", BUCKET, "--dry-run"],
    )
    .await;
    assert_eq!(dry.status.code(), Some(2));
    assert_eq!(
        stderr(&dry),
        "error: `catalog report` only reads, two requests a table: it has no --dry-run\n"
    );
    assert_eq!(emulator.requests().len(), before);
    let (code, document, err) = report_piped(&emulator, &["--namespace", "gold"]).await;
    assert_eq!(
        (code, &document["verdict"], err),
        (Some(0), &verdict(1, 0, 0, 0), String::new())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_not_read_makes_the_report_incomplete_and_exits_8() {
    let (emulator, _) = reported_catalog(Emulator::builder()).await;
    let forbidden = Fault::failure(403, 10000, "Authentication error").expect("a failure");
    emulator.inject(forbidden.only(Operation::ListTableMaintenanceRuns));
    let (code, document, err) = report_piped(&emulator, &["--namespace", "gold"]).await;
    let live = &document["tables"][0];
    assert_eq!(
        (live["namespace"].as_str(), live["table"].as_str()),
        (Some("gold"), Some("live"))
    );
    assert_eq!(
        (&live["error"]["status"], &live["error"]["codes"]),
        (&json!(403), &json!([10000]))
    );
    assert_eq!(
        (code, &document["verdict"], err),
        (Some(8), &verdict(0, 0, 0, 1), String::new())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn at_a_terminal_the_report_is_a_table_its_call_outs_and_a_verdict() {
    let (emulator, _) = reported_catalog(Emulator::builder()).await;
    let got = cli_at_terminal(
        emulator.base_url(),
        &["catalog", "report", BUCKET],
        On::STDOUT,
    )
    .await;
    assert_eq!(got.code, Some(10), "{}", got.stderr);
    assert!(!got.shown.contains(API_TOKEN) && !got.stderr.contains(API_TOKEN));
    assert_eq!(
        got.shown,
        "\
NAMESPACE  TABLE    COMPACTION  LAST COMPACTION                        NEXT COMPACTION  SNAPSHOT EXPIRATION  LAST EXPIRATION                       NEXT EXPIRATION
bronze     clicks   enabled     failed 2026-11-24T14:30:45Z 4.2 s                       disabled             none in last 100
bronze     events   enabled     succeeded 2026-11-24T14:00:00Z 61.0 s                   disabled             succeeded 2026-11-24T15:00:00Z 0.8 s
gold       live     enabled     running 2026-11-24T16:00:00Z                            disabled             none in last 100
silver     archive  disabled    none in last 100                                        disabled             none in last 100
silver     orders   enabled     none in last 100                                        disabled             none in last 100
✗ bronze.clicks: last compaction run failed (run 2, code 50002): Compaction failed: \\u001b[31mno credential
✗ silver.orders: compaction is enabled and has never run
Verdict: needs attention: 5 table(s) read: 1 whose last run failed, 1 that never ran with maintenance on
"
    );
}

#[test]
fn ctrl_c_reports_the_tables_read_and_a_verdict_that_says_it_stopped_then_exits_130() {
    // One namespace, `a`, of six tables with compaction on and no run; each table's runs
    // answer at once for `t0` and after 2 s for the others.
    let server = MockServer::start();
    let names: Vec<String> = (0..6).map(|n| format!("t{n}")).collect();
    let maintenance = json!({"maintenance_config": {
        "compaction": {"state": "enabled", "target_size_mb": "128"},
        "snapshot_expiration": {"max_snapshot_age": "7d", "min_snapshots_to_keep": 100,
                                "state": "disabled"},
    }});
    let no_runs = json!({"runs": [], "next_page_token": null});
    namespace_a(
        &server,
        &names,
        &maintenance,
        &no_runs,
        Duration::from_secs(2),
    );
    let env = at_terminal_env(&server.base_url());
    let on_both = On::OUTPUT;

    // Two at a time: t0 is read at once, t1 and t2 are in flight when Ctrl-C comes.
    let ran = run_at_terminal(
        &["catalog", "report", BUCKET, "--concurrency", "2"],
        &borrowed(&env),
        on_both,
        &[("tables: 1 read", CTRL_C)],
    );

    assert_eq!(ran.code, Some(130), "{}", ran.shown);
    let verdict = ran
        .shown
        .lines()
        .find(|line| line.starts_with("Verdict: "))
        .unwrap_or_else(|| panic!("no verdict in {:?}", ran.shown));
    let read = ran.shown.matches("✗ a.t").count();
    assert!(
        (2..=3).contains(&read),
        "t0, t1 and maybe t2: {}",
        ran.shown
    );
    assert_eq!(
        verdict,
        format!(
            "Verdict: needs attention: {read} table(s) read: {read} that never ran with maintenance on, stopped by SIGINT before every table was read"
        )
    );
}

/// Answers on `server` for a catalog of one namespace, `a`, holding `names`: each table's
/// maintenance is `maintenance` and its runs `runs`, answered at once for the first table and
/// after `delay` for the others.
fn namespace_a(
    server: &MockServer,
    names: &[String],
    maintenance: &Value,
    runs: &Value,
    delay: Duration,
) {
    namespace_a_listings(server, names);
    let table = |name: &str, tail: &str| {
        catalog_path(&format!("/{BUCKET}/namespaces/a/tables/{name}/{tail}"))
    };
    for (n, name) in names.iter().enumerate() {
        server.mock(|when, then| {
            when.method(Method::GET)
                .path(table(name, "maintenance-configs"));
            then.status(200).json_body(success(maintenance.clone()));
        });
        server.mock(|when, then| {
            when.method(Method::GET)
                .path(table(name, "maintenance-runs"));
            let then = then.status(200).json_body(success(runs.clone()));
            if n > 0 {
                then.delay(delay);
            }
        });
    }
}

#[tokio::test]
async fn when_the_scheduler_may_next_run_each_kind_shows_as_cloudflare_says() {
    let server = MockServer::start_async().await;
    let maintenance = json!({"maintenance_config": {
        "compaction": {"state": "enabled", "target_size_mb": "128",
                       "next_eligible_at": "2026-12-08T01:00:00Z"},
        "interval": "1h",
        "snapshot_expiration": {"max_snapshot_age": "7d", "min_snapshots_to_keep": 100,
                                "state": "enabled", "next_eligible_at": "2026-12-08T01:30:00Z"},
    }});
    let runs = json!({"runs": [
        {"run_id": 2, "configuration_type": "snapshot_expiration", "status": "succeeded",
         "started_at": "2026-12-08T00:30:00Z", "completed_at": "2026-12-08T00:30:01Z",
         "duration_ms": 800, "operation_results": []},
        {"run_id": 1, "configuration_type": "compaction", "status": "succeeded",
         "started_at": "2026-12-08T00:00:00Z", "completed_at": "2026-12-08T00:01:00Z",
         "duration_ms": 60000, "operation_results": []},
    ]});
    namespace_a(
        &server,
        &["t0".to_owned()],
        &maintenance,
        &runs,
        Duration::ZERO,
    );
    let base_url = server.base_url();
    let text = tokio::task::spawn_blocking(move || {
        run_at(
            &base_url,
            &["catalog", "report", BUCKET, "--output", "text"],
        )
    })
    .await
    .expect("the run finishes");
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    assert_eq!(
        stdout(&text),
        "NAMESPACE  TABLE  COMPACTION  LAST COMPACTION                        NEXT COMPACTION       SNAPSHOT EXPIRATION  LAST EXPIRATION                       NEXT EXPIRATION\n\
         a          t0     enabled     succeeded 2026-12-08T00:00:00Z 60.0 s  2026-12-08T01:00:00Z  enabled              succeeded 2026-12-08T00:30:00Z 0.8 s  2026-12-08T01:30:00Z\n\
         Verdict: healthy: 1 table(s), no failed last run, none that never ran\n"
    );
    let base_url = server.base_url();
    let piped =
        tokio::task::spawn_blocking(move || run_at(&base_url, &["catalog", "report", BUCKET]))
            .await
            .expect("the run finishes");
    let document: Value = serde_json::from_slice(&piped.stdout).expect("one JSON document");
    let table = &document["tables"][0];
    assert_eq!(
        (
            &table["compaction"]["next_eligible_at"],
            &table["snapshot_expiration"]["next_eligible_at"]
        ),
        (
            &json!("2026-12-08T01:00:00Z"),
            &json!("2026-12-08T01:30:00Z")
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_or_namespace_that_cannot_be_listed_fails_as_any_command_does() {
    let (emulator, _) = reported_catalog(Emulator::builder()).await;
    // No such namespace: 404, exit 3, and nothing on stdout.
    let nope = cli(
        emulator.base_url(),
        &["catalog", "report", BUCKET, "--namespace", "nope"],
    )
    .await;
    assert_eq!(nope.status.code(), Some(3), "{}", stderr(&nope));
    assert_eq!(stdout(&nope), "");
    assert!(stderr(&nope).starts_with("error: "), "{}", stderr(&nope));
    // No catalog on the bucket: 40401, exit 3, and the hint to enable it.
    emulator.add_bucket("empty-bucket").expect("a bucket");
    let none = cli(emulator.base_url(), &["catalog", "report", "empty-bucket"]).await;
    assert_eq!(none.status.code(), Some(3), "{}", stderr(&none));
    assert_eq!(stdout(&none), "");
    assert!(
        stderr(&none).contains("hint: turn the catalog on: r2-catalog catalog enable empty-bucket"),
        "{}",
        stderr(&none)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_catalog_is_healthy_and_its_document_whole() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    let (code, document, err) = report_piped(&emulator, &[]).await;
    assert_eq!(
        (code, document, err),
        (
            Some(0),
            json!({"bucket": BUCKET, "tables": [], "unlisted": [], "unlisted_left_out": 0,
                   "verdict": verdict(0, 0, 0, 0)}),
            String::new()
        )
    );
}

#[test]
fn ctrl_c_twice_piped_stops_at_once_and_the_document_stays_whole() {
    let server = MockServer::start();
    let names: Vec<String> = (0..4).map(|n| format!("t{n}")).collect();
    let maintenance = json!({"maintenance_config": {
        "compaction": {"state": "enabled", "target_size_mb": "128"},
    }});
    let no_runs = json!({"runs": [], "next_page_token": null});
    namespace_a(
        &server,
        &names,
        &maintenance,
        &no_runs,
        Duration::from_secs(30),
    );
    let args = ["catalog", "report", BUCKET, "--concurrency", "2"];
    let (mut child, lines, stderr) = spawn_at(&server.base_url(), &args);
    // t0's entry comes at once, after the opening's line; t1 and t2 take 30 s.
    let first = lines
        .recv_timeout(Duration::from_secs(20))
        .expect("the opening");
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    let (exited, took) = wait(&mut child);
    let printed: String = std::iter::once(first).chain(lines.iter()).collect();
    let told = stderr.join().expect("stderr");
    assert_eq!(exited, Some(130), "{told}");
    assert!(took < Duration::from_secs(10), "stopped at once: {took:?}");
    let document: Value = serde_json::from_str(&printed)
        .unwrap_or_else(|error| panic!("one JSON document ({error}): {printed}"));
    assert_eq!(document["tables"].as_array().map(Vec::len), Some(1));
    assert_eq!(document["verdict"]["stopped"], true);
}
