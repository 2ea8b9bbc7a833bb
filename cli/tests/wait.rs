//! `table maintenance queue … --wait`, run by the real binary against the emulator, whose runs
//! last as long and end as each test sets: the exit code says how the run ended (0 succeeded,
//! 10 otherwise, 11 not ended at --timeout), the outcome is printed as JSON when piped and as
//! text at a terminal (with the status shown as it goes), `--all-tables --wait` waits for every
//! run it queued and sums them up by final status, and what is refused sends nothing.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use cloudflare_r2_catalog_emulator::{
    Emulator, Operation, RUN_FAILURE_CODE, RUN_FAILURE_MESSAGE, RunOutcome,
};
use common::*;
use serde_json::{Value, json};
use support::sweeps::*;
use support::terminal::On;
use support::*;

const REQUEST_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

/// `table maintenance queue BUCKET --all-tables compaction --wait`.
const QUEUE_ALL_AND_WAIT: [&str; 7] = [
    "table",
    "maintenance",
    "queue",
    BUCKET,
    "--all-tables",
    "compaction",
    "--wait",
];

/// `queue BUCKET a events compaction --request-id REQUEST_ID --wait`, then `extra`.
fn queue_and_wait(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec![
        "table",
        "maintenance",
        "queue",
        BUCKET,
        "a",
        "events",
        "compaction",
        "--request-id",
        REQUEST_ID,
        "--wait",
    ];
    args.extend_from_slice(extra);
    args
}

/// The seeded catalog (see [`seeded`]) on an emulator whose runs last `duration` and end as
/// `outcome`.
async fn runs_lasting(duration: Duration, outcome: RunOutcome) -> Emulator {
    seeded_on(
        Emulator::builder()
            .run_duration(duration)
            .runs_end_as(outcome),
    )
    .await
}

/// `run` with its timestamps (`…_at`) as `AT` and its run id as 0: what the emulator's clock
/// and order decide.
fn untimed_run(mut run: Value) -> Value {
    for field in ["started_at", "completed_at"] {
        if run.get(field).is_some_and(Value::is_string) {
            run[field] = json!("AT");
        }
    }
    if run.get("run_id").is_some() {
        run["run_id"] = json!(0);
    }
    run
}

/// The run the emulator lists for a compaction queued as `request_id` that ended `status`
/// after `duration_ms`, untimed (see [`untimed_run`]).
fn ended_run(request_id: &str, status: &str, duration_ms: u64) -> Value {
    let mut run = json!({
        "completed_at": "AT",
        "configuration_type": "compaction",
        "duration_ms": duration_ms,
        "request_id": request_id,
        "run_id": 0,
        "started_at": "AT",
        "status": status,
    });
    if status == "succeeded" {
        run["operation_results"] = json!([
            {"duration_ms": 0, "operation": "rewrite_manifests", "status": "skipped"},
            {"duration_ms": duration_ms, "operation": "compaction", "status": "skipped"},
        ]);
    } else {
        run["customer_message"] = json!(RUN_FAILURE_MESSAGE);
        run["primary_error_code"] = json!(RUN_FAILURE_CODE);
        run["operation_results"] = json!([
            {"duration_ms": duration_ms, "error_code": RUN_FAILURE_CODE, "operation": "rewrite_manifests", "status": "failed"},
            {"duration_ms": 0, "operation": "compaction", "status": "not_run"},
        ]);
    }
    run
}

/// The one JSON document a run printed, whatever its exit code.
fn printed(ran: &std::process::Output) -> Value {
    serde_json::from_slice(&ran.stdout).expect("a JSON document on stdout")
}

/// The queue answer the emulator gives for `request_id`.
fn queued(request_id: &str) -> Value {
    json!({
        "message": "Maintenance queued: it runs when the scheduler next polls",
        "queued": true,
        "request_id": request_id,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_succeeds_exits_0_with_the_run_as_json() {
    let emulator = runs_lasting(Duration::ZERO, RunOutcome::Succeeded).await;
    let before = emulator.requests().len();
    let ran = cli(emulator.base_url(), &queue_and_wait(&[])).await;
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let mut printed = json_out(&ran);
    printed["run"] = untimed_run(printed["run"].take());
    assert_eq!(
        printed,
        json!({
            "request_id": REQUEST_ID,
            "queued": queued(REQUEST_ID),
            "over": true,
            "run": ended_run(REQUEST_ID, "succeeded", 0),
            "error": null,
        })
    );
    assert_eq!(
        stderr(&ran),
        format!(
            "request id {REQUEST_ID}\nQueued compaction for table a.events of bucket {BUCKET}; waiting for its run.\n"
        )
    );
    // The queue, then one look at the runs, which found it over.
    let sent = since(&emulator, before);
    let operations: Vec<_> = sent.iter().map(|request| request.operation).collect();
    assert_eq!(
        operations,
        [
            Some(Operation::QueueTableMaintenance),
            Some(Operation::ListTableMaintenanceRuns)
        ]
    );
    assert_eq!(
        sent[1].path,
        table_path("a", "events", "").replace("maintenance-configs", "maintenance-runs")
    );
    assert_eq!(sent[1].query, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_fails_exits_10_with_its_code_and_message() {
    let emulator = runs_lasting(Duration::ZERO, RunOutcome::failed()).await;
    let ran = cli(emulator.base_url(), &queue_and_wait(&[])).await;
    assert_eq!(ran.status.code(), Some(10), "{}", stderr(&ran));
    let printed = printed(&ran);
    assert_eq!(printed["over"], true);
    assert_eq!(
        untimed_run(printed["run"].clone()),
        ended_run(REQUEST_ID, "failed", 0)
    );
    assert!(!stderr(&ran).contains("error"), "{}", stderr(&ran));
}

#[tokio::test(flavor = "multi_thread")]
async fn at_a_terminal_the_status_shows_as_it_goes_then_how_the_run_ended() {
    let emulator = runs_lasting(Duration::from_secs(2), RunOutcome::failed()).await;
    let both = On::OUTPUT;
    let args = queue_and_wait(&["--poll-interval", "1"]);
    let ran = cli_at_terminal(emulator.base_url(), &args, both).await;
    assert_eq!(ran.code, Some(10), "{}", ran.shown);
    assert!(
        ran.shown
            .contains("compaction of a.events: running (run 1, started "),
        "{}",
        ran.shown
    );
    let outcome = ran
        .shown
        .find("Compaction of table a.events")
        .map(|at| &ran.shown[at..])
        .expect("the outcome");
    let lines: Vec<&str> = outcome.lines().collect();
    let (sentence, rest) = lines.split_first().expect("a sentence");
    assert!(
        sentence.starts_with(&format!(
            "Compaction of table a.events of bucket {BUCKET}: failed (run 1, started "
        )) && sentence.ends_with(", took 2.0 s)."),
        "{sentence}"
    );
    assert_eq!(
        rest,
        [
            format!("Error {RUN_FAILURE_CODE}: {RUN_FAILURE_MESSAGE}").as_str(),
            "STEP               STATUS   DURATION MS  ERROR CODE",
            "rewrite_manifests  failed   2000         50002",
            "compaction         not_run  0",
        ]
    );
    assert!(!ran.shown.contains(API_TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn past_its_timeout_the_wait_exits_11_saying_the_run_goes_on_and_where_to_look() {
    let emulator = runs_lasting(Duration::from_secs(60), RunOutcome::Succeeded).await;
    let ran = cli(emulator.base_url(), &queue_and_wait(&["--timeout", "1"])).await;
    assert_eq!(ran.status.code(), Some(11), "{}", stderr(&ran));
    let printed = printed(&ran);
    assert_eq!(printed["over"], false);
    assert_eq!(printed["run"]["status"], "running");
    assert_eq!(printed["queued"], queued(REQUEST_ID));
    let stderr = stderr(&ran);
    let notes: Vec<&str> = stderr.lines().skip(2).collect();
    assert_eq!(
        notes,
        [
            format!(
                "the run queued as {REQUEST_ID} was still running after 1 s: it goes on; the table's maintenance runs show how it ends"
            ),
            format!("hint: r2-catalog table maintenance runs {BUCKET} 'a' 'events' shows it"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_for_all_tables_prints_a_line_per_run_and_sums_them_up_by_status() {
    let emulator = runs_lasting(Duration::ZERO, RunOutcome::failed()).await;
    let before = emulator.requests().len();
    let args = QUEUE_ALL_AND_WAIT;
    let ran = cli(emulator.base_url(), &args).await;
    assert_eq!(ran.status.code(), Some(10), "{}", stderr(&ran));
    let lines = json_lines(&stdout(&ran));
    let (queues, waits): (Vec<Value>, Vec<Value>) = lines
        .into_iter()
        .partition(|line| line["operation"] == "queue compaction");
    assert_eq!(by_table(&queues).len(), TABLES.len());
    let waited = by_table(&waits);
    assert_eq!(waited.keys().cloned().collect::<Vec<_>>(), owned(&TABLES));
    for ((namespace, table), line) in waited {
        let queue = &by_table(&queues)[&(namespace.clone(), table.clone())];
        let request_id = queue["result"]["request_id"].as_str().expect("an id");
        let mut line = line;
        line["run"] = untimed_run(line["run"].take());
        assert_eq!(
            line,
            json!({
                "bucket": BUCKET,
                "operation": "wait compaction",
                "namespace": namespace,
                "table": table,
                "request_id": request_id,
                "over": true,
                "run": ended_run(request_id, "failed", 0),
            })
        );
    }
    let summary = stderr(&ran).lines().last().expect("a summary").to_owned();
    assert!(summary.starts_with("Runs: 5 failed ("), "{summary}");
    // Each table queued once, its runs listed once: over at the first look.
    let sent = since(&emulator, before);
    assert_eq!(
        of(&sent, Operation::QueueTableMaintenance).len(),
        TABLES.len()
    );
    assert_eq!(
        of(&sent, Operation::ListTableMaintenanceRuns).len(),
        TABLES.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_for_all_tables_at_a_terminal_shows_the_summary_and_exits_0_when_all_succeeded() {
    let emulator = runs_lasting(Duration::ZERO, RunOutcome::Succeeded).await;
    let args = QUEUE_ALL_AND_WAIT;
    let stdout_only = On::STDOUT;
    let ran = cli_at_terminal(emulator.base_url(), &args, stdout_only).await;
    assert_eq!(ran.code, Some(0), "{}{}", ran.shown, ran.stderr);
    let shown: Vec<&str> = ran.shown.lines().collect();
    assert_eq!(shown.len(), 2, "{}", ran.shown);
    assert_eq!(
        untimed(&format!("{}\n", shown[0])),
        "Queued compaction for 5 table(s)"
    );
    assert!(shown[1].starts_with("Runs: 5 succeeded ("), "{}", shown[1]);
    assert_eq!(ran.stderr, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn what_wait_refuses_sends_nothing() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    for (extra, expected) in [
        (
            vec!["--timeout", "0"],
            "invalid value '0' for '--timeout <SECONDS>'",
        ),
        (
            vec!["--poll-interval", "0"],
            "invalid value '0' for '--poll-interval <SECONDS>'",
        ),
        (
            vec!["--poll-interval", "3601"],
            "invalid value '3601' for '--poll-interval <SECONDS>'",
        ),
    ] {
        let ran = cli(emulator.base_url(), &queue_and_wait(&extra)).await;
        assert_eq!(ran.status.code(), Some(2), "{extra:?}");
        assert!(stderr(&ran).contains(expected), "{}", stderr(&ran));
    }
    let without_wait = [
        "table",
        "maintenance",
        "queue",
        BUCKET,
        "a",
        "events",
        "compaction",
        "--timeout",
        "5",
    ];
    let ran = cli(emulator.base_url(), &without_wait).await;
    assert_eq!(ran.status.code(), Some(2));
    assert!(
        stderr(&ran).contains("the following required arguments were not provided:\n  --wait"),
        "{}",
        stderr(&ran)
    );
    // A dry run plans the queue, and has nothing to wait for.
    let mut dry = queue_and_wait(&[]);
    dry.push("--dry-run");
    let ran = cli(emulator.base_url(), &dry).await;
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    assert_eq!(json_out(&ran)["dry_run"]["method"], "POST");
    assert_eq!(since(&emulator, before), Vec::new());
}

#[tokio::test]
async fn a_hostile_runs_listing_cannot_forge_lines_or_act_on_the_terminal() {
    let server = httpmock::MockServer::start_async().await;
    let table = catalog_path(&format!("/{BUCKET}/namespaces/a/tables/events"));
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path(format!("{table}/maintenance-configs/compaction/queue"));
            then.status(202).json_body(success(queued(REQUEST_ID)));
        })
        .await;
    let message = "disk full\nCompaction of table a.events: succeeded\u{1b}[2J";
    let listed = json!({
        "run_id": 3,
        "configuration_type": "compaction",
        "status": "failed",
        "started_at": "2026-12-07T10:00:00Z\nSucceeded: forged\u{1b}]0;x\u{7}",
        "request_id": REQUEST_ID,
        "customer_message": message,
        "primary_error_code": 50001,
        "operation_results": [{"duration_ms": 5, "operation": "compaction\u{1b}]0;x\u{7}", "status": "failed"}],
    });
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(format!("{table}/maintenance-runs"));
            then.status(200)
                .json_body(success(json!({"runs": [listed]})));
        })
        .await;
    let ran = run(&server, &queue_and_wait(&["--output", "text"]));
    // Server text is escaped once the lines are laid out: a control character widens its
    // cell, and cannot start a line or reach the terminal.
    assert_eq!(ran.status.code(), Some(10), "{}", stderr(&ran));
    assert_eq!(
        stdout(&ran),
        "Compaction of table a.events of bucket my-data-bucket: failed (run 3, started 2026-12-07T10:00:00Z\\nSucceeded: forged\\u001b]0;x\\u0007).\n\
         Error 50001: disk full\\nCompaction of table a.events: succeeded\\u001b[2J\n\
         STEP              STATUS  DURATION MS\n\
         compaction\\u001b]0;x\\u0007  failed  5\n"
    );
    assert!(!stdout(&ran).contains(API_TOKEN) && !stderr(&ran).contains(API_TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_waiting_for_all_tables_stops_the_wait_and_says_the_runs_go_on() {
    let emulator = runs_lasting(Duration::from_secs(60), RunOutcome::Succeeded).await;
    let base_url = emulator.base_url().to_owned();
    let (exited, printed, told) = tokio::task::spawn_blocking(move || {
        let args = QUEUE_ALL_AND_WAIT;
        let (mut child, lines, stderr) = spawn_at(&base_url, &args);
        // Every table's queue line, then a moment for the first looks at the runs.
        let queued: Vec<String> = (0..TABLES.len())
            .map(|_| lines.recv_timeout(Duration::from_secs(20)).expect("a line"))
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        interrupt(&child);
        let (exited, _) = wait(&mut child);
        let rest: Vec<String> = lines.iter().collect();
        (
            exited,
            [queued, rest].concat(),
            stderr.join().expect("stderr"),
        )
    })
    .await
    .expect("the run finishes");
    assert_eq!(exited, Some(130), "{told}");
    // The queueing's lines, and no run line: none had ended.
    let lines = json_lines(&printed.concat());
    assert!(
        lines
            .iter()
            .all(|line| line["operation"] == "queue compaction"),
        "{lines:?}"
    );
    let summary = told
        .lines()
        .find(|line| line.starts_with("Runs: "))
        .expect("the runs' summary");
    assert!(
        summary.starts_with("Runs: 5 not waited for (they go on) ("),
        "{summary}"
    );
}

/// An httpmock server whose queue answers `queue` (202) and whose runs listing answers `runs`
/// for `a.events`.
async fn answering(queue: Value, runs: Value) -> httpmock::MockServer {
    let server = httpmock::MockServer::start_async().await;
    let table = catalog_path(&format!("/{BUCKET}/namespaces/a/tables/events"));
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path(format!("{table}/maintenance-configs/compaction/queue"));
            then.status(202).json_body(success(queue));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(format!("{table}/maintenance-runs"));
            then.status(200).json_body(success(runs));
        })
        .await;
    server
}

#[tokio::test]
async fn an_answer_that_queued_nothing_leaves_no_run_to_wait_for() {
    let nothing = json!({"message": "Already queued", "queued": false, "request_id": REQUEST_ID});
    let server = httpmock::MockServer::start_async().await;
    let table = catalog_path(&format!("/{BUCKET}/namespaces/a/tables/events"));
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path(format!("{table}/maintenance-configs/compaction/queue"));
            then.status(202).json_body(success(nothing.clone()));
        })
        .await;
    let looks = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(format!("{table}/maintenance-runs"));
            then.status(200).json_body(success(json!({"runs": []})));
        })
        .await;
    let ran = run(&server, &queue_and_wait(&[]));
    assert_eq!(ran.status.code(), Some(1), "{}", stderr(&ran));
    let why =
        "Cloudflare queued nothing (its answer says queued: false): there is no run to wait for";
    assert_eq!(
        printed(&ran),
        json!({"request_id": REQUEST_ID, "queued": nothing, "over": false, "run": null, "error": why})
    );
    assert_eq!(stderr(&ran), format!("request id {REQUEST_ID}\n{why}\n"));
    // Not a look at the runs.
    assert_eq!(looks.calls_async().await, 0);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_status_line_at_a_terminal_shows_server_text_escaped() {
    let running = json!({
        "run_id": 3,
        "configuration_type": "compaction",
        "status": "running",
        "started_at": "10:00\u{1b}]0;pwned\u{7}\nforged",
        "request_id": REQUEST_ID,
        "operation_results": [],
    });
    let server = answering(queued(REQUEST_ID), json!({"runs": [running]})).await;
    let env = at_terminal_env(&server.base_url());
    let ran = tokio::task::spawn_blocking(move || {
        let args = queue_and_wait(&["--timeout", "2", "--poll-interval", "1"]);
        let both = On::OUTPUT;
        support::terminal::run_at_terminal(&args, &borrowed(&env), both, &[])
    })
    .await
    .expect("the run finishes");
    assert_eq!(ran.code, Some(11), "{}", ran.shown);
    assert!(
        ran.shown.contains(
            "compaction of a.events: running (run 3, started 10:00\\u001b]0;pwned\\u0007\\nforged)"
        ),
        "{}",
        ran.shown
    );
    assert!(!ran.shown.contains("\u{1b}]0;pwned"), "{}", ran.shown);
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_waiting_for_one_run_prints_what_is_known_and_says_the_run_goes_on() {
    let emulator = runs_lasting(Duration::from_secs(60), RunOutcome::Succeeded).await;
    let base_url = emulator.base_url().to_owned();
    let (exited, printed, told) = tokio::task::spawn_blocking(move || {
        let (mut child, lines, stderr) = spawn_at(&base_url, &queue_and_wait(&[]));
        std::thread::sleep(Duration::from_millis(1500));
        interrupt(&child);
        let (exited, _) = wait(&mut child);
        let printed: String = lines.iter().collect();
        (exited, printed, stderr.join().expect("stderr"))
    })
    .await
    .expect("the run finishes");
    assert_eq!(exited, Some(130), "{told}");
    let printed: Value = serde_json::from_str(&printed).expect("one JSON document");
    assert_eq!(printed["over"], false);
    assert_eq!(printed["run"]["status"], "running");
    assert_eq!(
        printed["error"],
        "stopped waiting (SIGINT): the run goes on"
    );
    assert_eq!(
        told.lines().last(),
        Some(
            format!(
                "stopped waiting (SIGINT): the run goes on; r2-catalog table maintenance runs {BUCKET} 'a' 'events' shows it"
            )
            .as_str()
        )
    );
}
