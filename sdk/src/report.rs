//! Reports: what maintenance each table of a sweep has, how its last run of each kind went,
//! and what calls for attention, read table by table as the sweep reaches it.

use serde::Serialize;

use crate::generated::types::{MaintenanceRun, MaintenanceRunPage, TableMaintenanceConfig};
use crate::paging::{ListOptions, Streamed};
use crate::status::{MaintenanceKind, MaintenanceState, RunStatus};
use crate::sweep::{Sweep, Swept};
use crate::tables::latest;

/// How many of a table's latest runs a report reads: the runs listing's largest page, so one
/// call a table. A kind with no run among them counts as never run.
pub const REPORT_RUNS: u64 = 100;

/// One table's maintenance: its configuration and its last run of each kind; from
/// [`Sweep::report`]. [`TableReport::findings`] says what in it calls for attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TableReport {
    /// The table's maintenance configuration: each kind's state and `next_eligible_at`.
    pub maintenance: TableMaintenanceConfig,
    /// Its latest compaction run among its [`REPORT_RUNS`] latest runs, if any.
    pub last_compaction: Option<MaintenanceRun>,
    /// Its latest snapshot-expiration run among its [`REPORT_RUNS`] latest runs, if any.
    pub last_snapshot_expiration: Option<MaintenanceRun>,
    /// Whether the table has runs older than those read (its runs listing has a next page): a
    /// kind with no run among those read may then have run before them, and is not called out
    /// as never run.
    pub older_runs: bool,
}

/// What in a [`TableReport`] calls for attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Finding {
    /// The last run of `kind` is over ([`MaintenanceRun::is_over`]) and did not succeed:
    /// failed, interrupted, timed out, cancelled, or ended as a status this SDK does not know.
    LastRunFailed {
        /// The kind of maintenance.
        kind: MaintenanceKind,
        /// The run's id.
        run_id: i64,
        /// How it ended.
        status: RunStatus,
        /// Cloudflare's error code for it, if it gave one.
        error_code: Option<i32>,
        /// Cloudflare's message for it, if it gave one: server text, to be shown escaped.
        customer_message: Option<String>,
    },
    /// `kind` is enabled for the table and has no run at all: none among its runs, which were
    /// all read (no older ones).
    NeverRan {
        /// The kind of maintenance.
        kind: MaintenanceKind,
    },
}

impl TableReport {
    /// A report of `maintenance` with these last runs, and no older runs: for tests of code
    /// that takes reports (set [`TableReport::older_runs`] afterwards if it has some).
    pub fn new(
        maintenance: TableMaintenanceConfig,
        last_compaction: Option<MaintenanceRun>,
        last_snapshot_expiration: Option<MaintenanceRun>,
    ) -> Self {
        Self {
            maintenance,
            last_compaction,
            last_snapshot_expiration,
            older_runs: false,
        }
    }

    /// The report of a table with `maintenance` whose latest runs are `page`: the last run of
    /// each kind is its latest ([`MaintenanceRun`]s with the highest `run_id`, as a wait
    /// reads a run), whatever order a server lists them in; and whether the page has a next
    /// one says whether the table has older runs.
    pub fn from_page(maintenance: TableMaintenanceConfig, page: &MaintenanceRunPage) -> Self {
        let last = |kind: MaintenanceKind| {
            latest(
                page.runs
                    .iter()
                    .filter(|run| run.configuration_type == kind),
            )
            .cloned()
        };
        Self {
            older_runs: page.next_page_token.is_some(),
            ..Self::new(
                maintenance,
                last(MaintenanceKind::Compaction),
                last(MaintenanceKind::SnapshotExpiration),
            )
        }
    }

    /// The last run of `kind`, if one is among the latest runs (none for a kind this SDK does
    /// not know).
    pub fn last_run(&self, kind: &MaintenanceKind) -> Option<&MaintenanceRun> {
        match kind {
            MaintenanceKind::Compaction => self.last_compaction.as_ref(),
            MaintenanceKind::SnapshotExpiration => self.last_snapshot_expiration.as_ref(),
            _ => None,
        }
    }

    /// The state of `kind` for the table, if its configuration has that kind.
    pub fn state(&self, kind: &MaintenanceKind) -> Option<&MaintenanceState> {
        let maintenance = &self.maintenance;
        match kind {
            MaintenanceKind::Compaction => maintenance.compaction.as_ref().map(|c| &c.state),
            MaintenanceKind::SnapshotExpiration => {
                maintenance.snapshot_expiration.as_ref().map(|s| &s.state)
            }
            _ => None,
        }
    }

    /// What calls for attention, compaction first: a last run that is over without
    /// succeeding, or a kind that is enabled and never ran (no run of it, and no older runs
    /// unread). A last run still running is neither. Only [`MaintenanceState::Enabled`] counts as on: a state this SDK does not
    /// know is not taken to promise runs, so it is never reported as never run.
    pub fn findings(&self) -> Vec<Finding> {
        [
            MaintenanceKind::Compaction,
            MaintenanceKind::SnapshotExpiration,
        ]
        .into_iter()
        .filter_map(|kind| match self.last_run(&kind) {
            Some(run) if run.is_over() && run.status != RunStatus::Succeeded => {
                Some(Finding::LastRunFailed {
                    run_id: run.run_id,
                    status: run.status.clone(),
                    error_code: run.primary_error_code,
                    customer_message: run.customer_message.clone(),
                    kind,
                })
            }
            Some(_) => None,
            None => (!self.older_runs && self.state(&kind) == Some(&MaintenanceState::Enabled))
                .then_some(Finding::NeverRan { kind }),
        })
        .collect()
    }
}

impl Sweep {
    /// Each table's [`TableReport`]: two calls a table, its maintenance configuration, then
    /// the first page of its runs ([`REPORT_RUNS`] of them), both at the sweep's pace. On a
    /// dry-run client, as every sweep operation, each table's outcome is the plan of its first
    /// call.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::sweep::Swept;
    /// use futures_util::StreamExt;
    ///
    /// let mut reports = client.catalog("my-data-bucket")?.sweep().report();
    /// while let Some(item) = reports.next().await {
    ///     if let Swept::Table { table, outcome: Ok(report) } = item {
    ///         for finding in report.findings() {
    ///             println!("{}: {finding:?}", table.name());
    ///         }
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn report(self) -> Streamed<Swept<TableReport>> {
        self.run(|table| async move {
            let maintenance = table.maintenance();
            let config = maintenance.get().await?.result.maintenance_config;
            let newest = ListOptions::new().page_size(REPORT_RUNS);
            let runs = maintenance.runs().list(newest).await?.result;
            Ok(TableReport::from_page(config, &runs))
        })
    }
}
