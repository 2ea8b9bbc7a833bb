//! `Sweep::report`: every table's maintenance and last runs, with what calls for attention,
//! against the emulator seeded with a run history ([`report_seed`]). Pinned by exact reports
//! and findings, and by the emulator's request log: two reads a table, its configuration then
//! the first 100 of its runs, and the sweep's `within` and `skip` kept.

mod common;

use std::collections::BTreeMap;

use cloudflare_r2_catalog::{
    Client, Error, ListOptions, MaintenanceKind,
    input::{Namespace, TableName},
    models::{MaintenanceRun, MaintenanceRunPage, MaintenanceState, RunStatus},
    report::{Finding, TableReport},
    sweep::{Sweep, Swept},
};
use cloudflare_r2_catalog_emulator::{Emulator, Fault, Operation};
use common::*;
use futures_util::StreamExt;

/// What a report sweep gave: each table's report (or error), and how many listings failed.
struct Reported {
    tables: BTreeMap<(String, String), Result<TableReport, cloudflare_r2_catalog::Error>>,
    unlisted: usize,
}

async fn reported(sweep: Sweep) -> Reported {
    let mut reports = sweep.report();
    let mut got = Reported {
        tables: BTreeMap::new(),
        unlisted: 0,
    };
    while let Some(item) = reports.next().await {
        match item {
            Swept::Table { table, outcome } => {
                let key = (table.namespace().to_string(), table.name().to_string());
                assert!(got.tables.insert(key, outcome).is_none(), "reported twice");
            }
            Swept::Unlisted { .. } => got.unlisted += 1,
            _ => {}
        }
    }
    got
}

/// The report of `namespace.table` as read apart from the sweep: its configuration, and the
/// latest of each kind among its runs.
async fn read_apart(client: &Client, namespace: &str, table: &str) -> TableReport {
    let table = catalog(client)
        .table(namespace, table)
        .expect("a valid table");
    let config = table.maintenance().get().await.expect("read");
    let runs = table
        .maintenance()
        .runs()
        .list(ListOptions::new().page_size(100))
        .await
        .expect("listed");
    TableReport::from_page(config.result.maintenance_config, &runs.result)
}

/// `(run_id, status, started_at)` of a run, if any.
fn told(run: Option<&MaintenanceRun>) -> Option<(i64, RunStatus, &str)> {
    run.map(|run| (run.run_id, run.status.clone(), run.started_at.as_str()))
}

fn the_failed_clicks_run() -> Finding {
    Finding::LastRunFailed {
        kind: MaintenanceKind::Compaction,
        run_id: 2,
        status: RunStatus::Failed,
        error_code: Some(50002),
        customer_message: Some("Compaction failed: \u{1b}[31mno credential".to_owned()),
    }
}

#[tokio::test]
async fn a_report_gives_each_tables_maintenance_its_last_runs_and_its_findings() {
    let (emulator, client) = reported_catalog(Emulator::builder()).await;
    let before = emulator.requests().len();
    let got = reported(catalog(&client).sweep()).await;
    let requests = emulator.requests()[before..].to_vec();
    assert_eq!(got.unlisted, 0);

    let mut summary = Vec::new();
    for ((namespace, table), report) in &got.tables {
        let report = report.as_ref().expect("read");
        assert_eq!(
            *report,
            read_apart(&client, namespace, table).await,
            "{namespace}.{table}"
        );
        summary.push((
            format!("{namespace}.{table}"),
            report.state(&MaintenanceKind::Compaction).cloned(),
            told(report.last_compaction.as_ref()),
            told(report.last_snapshot_expiration.as_ref()),
            report.findings(),
        ));
    }
    let on = Some(MaintenanceState::Enabled);
    let off = Some(MaintenanceState::Disabled);
    assert_eq!(
        summary,
        [
            (
                "bronze.clicks".to_owned(),
                on.clone(),
                Some((2, RunStatus::Failed, "2026-11-24T14:30:45Z")),
                None,
                vec![the_failed_clicks_run()],
            ),
            (
                "bronze.events".to_owned(),
                on.clone(),
                Some((3, RunStatus::Succeeded, "2026-11-24T14:00:00Z")),
                Some((4, RunStatus::Succeeded, "2026-11-24T15:00:00Z")),
                vec![],
            ),
            (
                "gold.live".to_owned(),
                on.clone(),
                Some((6, RunStatus::Running, "2026-11-24T16:00:00Z")),
                None,
                vec![],
            ),
            ("silver.archive".to_owned(), off, None, None, vec![]),
            (
                "silver.orders".to_owned(),
                on,
                None,
                None,
                vec![Finding::NeverRan {
                    kind: MaintenanceKind::Compaction
                }],
            ),
        ]
    );

    // Two reads a table, in this order; besides them, the seven listings (the catalog's
    // namespaces, then each namespace's tables and namespaces).
    let mut per_table: BTreeMap<String, Vec<(String, String, Option<String>)>> = BTreeMap::new();
    let mut listings = 0;
    for request in &requests {
        match request.operation {
            Some(Operation::GetTableMaintenanceConfig | Operation::ListTableMaintenanceRuns) => {
                let rest = request.path.split_once("/namespaces/").expect("a table").1;
                let table = rest.split("/maintenance-").next().expect("a table");
                let tail = rest[table.len()..].to_owned();
                per_table.entry(table.to_owned()).or_default().push((
                    request.method.clone(),
                    tail,
                    request.query.clone(),
                ));
            }
            Some(Operation::ListNamespaces | Operation::ListTables) => listings += 1,
            other => panic!("an unexpected request: {other:?}"),
        }
    }
    assert_eq!(listings, 7);
    let both = vec![
        ("GET".to_owned(), "/maintenance-configs".to_owned(), None),
        (
            "GET".to_owned(),
            "/maintenance-runs".to_owned(),
            Some("page_size=100".to_owned()),
        ),
    ];
    assert_eq!(
        per_table,
        BTreeMap::from(
            [
                "bronze/tables/clicks",
                "bronze/tables/events",
                "gold/tables/live",
                "silver/tables/archive",
                "silver/tables/orders",
            ]
            .map(|table| (table.to_owned(), both.clone()))
        )
    );
}

#[tokio::test]
async fn a_report_keeps_to_within_and_skip() {
    let (emulator, client) = reported_catalog(Emulator::builder()).await;
    let silver: Namespace = "silver".parse().expect("valid");
    let done = (silver.clone(), TableName::new("archive").expect("valid"));
    let before = emulator.requests().len();
    let got = reported(catalog(&client).sweep().within(silver).skip([done])).await;
    let keys: Vec<_> = got.tables.keys().cloned().collect();
    assert_eq!(keys, [("silver".to_owned(), "orders".to_owned())]);
    let acted: Vec<_> = emulator.requests()[before..]
        .iter()
        .filter(|request| request.path.contains("/tables/"))
        .map(|request| {
            request
                .path
                .rsplit_once("/namespaces/")
                .expect("a table")
                .1
                .to_owned()
        })
        .collect();
    assert_eq!(
        acted,
        [
            "silver/tables/orders/maintenance-configs",
            "silver/tables/orders/maintenance-runs"
        ]
    );
}

#[tokio::test]
async fn a_table_that_cannot_be_read_is_its_error_and_the_others_are_still_reported() {
    let (emulator, client) = reported_catalog(Emulator::builder()).await;
    let forbidden = Fault::failure(403, 10000, "Authentication error").expect("a failure");
    emulator.inject(forbidden.only(Operation::ListTableMaintenanceRuns));
    let got = reported(catalog(&client).sweep()).await;
    let (refused, read): (Vec<_>, Vec<_>) =
        got.tables.values().partition(|outcome| outcome.is_err());
    assert_eq!((refused.len(), read.len()), (1, 4));
    assert!(
        refused[0].as_ref().is_err_and(|error| error.is_auth()),
        "{:?}",
        refused[0]
    );
}

#[tokio::test]
async fn a_dry_run_report_plans_each_tables_first_read_as_every_sweep_does() {
    let (emulator, client) = reported_catalog(Emulator::builder()).await;
    let dry = client.with_dry_run();
    let before = emulator.requests().len();
    let got = reported(
        catalog(&dry)
            .sweep()
            .within("silver".parse().expect("valid")),
    )
    .await;
    for (table, outcome) in &got.tables {
        let Err(Error::DryRun(plan)) = outcome else {
            panic!("{table:?} not planned: {outcome:?}");
        };
        assert_eq!(plan.method.as_str(), "GET");
        assert!(plan.url.ends_with("/maintenance-configs"), "{}", plan.url);
    }
    assert_eq!(got.tables.len(), 2);
    // The listings are read; no table's.
    let reads = emulator.requests()[before..]
        .iter()
        .filter(|request| request.path.contains("/tables/"))
        .count();
    assert_eq!(reads, 0);
}

#[test]
fn findings_follow_each_kinds_last_run_and_state() {
    use cloudflare_r2_catalog::models::{
        TableCompactionConfig, TableMaintenanceConfig, TableSnapshotExpirationConfig,
        TargetFileSize,
    };
    let run = |kind: MaintenanceKind, status: RunStatus, completed: bool| {
        let mut run = MaintenanceRun::new(
            kind,
            Vec::new(),
            7,
            "2026-11-24T14:30:45Z".to_owned(),
            status,
        );
        run.completed_at = completed.then(|| "2026-11-24T14:30:46Z".to_owned());
        run
    };
    let config = |compaction: MaintenanceState, expiration: MaintenanceState| {
        let mut config = TableMaintenanceConfig::new();
        config.compaction = Some(TableCompactionConfig::new(
            compaction,
            TargetFileSize::Mb128,
        ));
        config.snapshot_expiration = Some(TableSnapshotExpirationConfig::new(
            "7d".to_owned(),
            100,
            expiration,
        ));
        config
    };
    let enabled = || config(MaintenanceState::Enabled, MaintenanceState::Enabled);
    let never_compacted = Finding::NeverRan {
        kind: MaintenanceKind::Compaction,
    };
    let never_expired = Finding::NeverRan {
        kind: MaintenanceKind::SnapshotExpiration,
    };
    assert_eq!(
        TableReport::new(enabled(), None, None).findings(),
        [never_compacted.clone(), never_expired.clone()]
    );
    let paused = MaintenanceState::from("paused");
    assert_eq!(
        TableReport::new(config(paused.clone(), paused), None, None).findings(),
        [],
        "a state this SDK does not know is not taken as enabled"
    );
    let timed_out = run(MaintenanceKind::Compaction, RunStatus::TimedOut, true);
    let running = run(
        MaintenanceKind::SnapshotExpiration,
        RunStatus::Running,
        false,
    );
    assert_eq!(
        TableReport::new(enabled(), Some(timed_out), Some(running)).findings(),
        [Finding::LastRunFailed {
            kind: MaintenanceKind::Compaction,
            run_id: 7,
            status: RunStatus::TimedOut,
            error_code: None,
            customer_message: None,
        }]
    );
    let unknown_over = run(
        MaintenanceKind::Compaction,
        RunStatus::from("aborted"),
        true,
    );
    let unknown_on = run(
        MaintenanceKind::Compaction,
        RunStatus::from("queued"),
        false,
    );
    assert_eq!(
        TableReport::new(enabled(), Some(unknown_over), None).findings()[0],
        Finding::LastRunFailed {
            kind: MaintenanceKind::Compaction,
            run_id: 7,
            status: RunStatus::from("aborted"),
            error_code: None,
            customer_message: None,
        },
        "an unknown status with an end is over, and not a success"
    );
    assert_eq!(
        TableReport::new(enabled(), Some(unknown_on), None).findings(),
        [never_expired],
        "an unknown status without an end is not over"
    );
    let newest_first = [
        run(
            MaintenanceKind::SnapshotExpiration,
            RunStatus::Succeeded,
            true,
        ),
        run(MaintenanceKind::Compaction, RunStatus::Succeeded, true),
        run(MaintenanceKind::Compaction, RunStatus::Failed, true),
    ];
    let report = TableReport::from_page(enabled(), &MaintenanceRunPage::new(newest_first.to_vec()));
    assert_eq!(report.last_compaction.as_ref(), Some(&newest_first[1]));
    assert_eq!(
        report.last_snapshot_expiration.as_ref(),
        Some(&newest_first[0])
    );
    assert_eq!(report.findings(), []);
    // Listed out of order: the last run is the one with the highest id.
    let mut older = run(MaintenanceKind::Compaction, RunStatus::Succeeded, true);
    older.run_id = 6;
    let mut newer = run(MaintenanceKind::Compaction, RunStatus::Failed, true);
    newer.run_id = 9;
    let report = TableReport::from_page(
        enabled(),
        &MaintenanceRunPage::new(vec![older, newer.clone()]),
    );
    assert_eq!(report.last_compaction, Some(newer));
    // A kind with no run among those read is not called out while older runs are unread.
    let mut page = MaintenanceRunPage::new(Vec::new());
    page.next_page_token = Some("older".to_owned());
    let report = TableReport::from_page(enabled(), &page);
    assert!(report.older_runs);
    assert_eq!(report.findings(), []);
}
