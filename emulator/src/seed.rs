//! Seeding: the shape of a [`Seed`], and the rule every seeded namespace keeps. The API lists a
//! namespace only under its parent, so a nested namespace whose parent is not seeded would be
//! stored and never listed: it is refused instead, naming it. A seed is checked whole before
//! any of it is applied, so a refused one leaves the emulator as it was. A table's past runs
//! are user input too: each is checked, and a seed with one the API could not list is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use cloudflare_r2_catalog::{
    MaintenanceKind,
    input::{BucketName, Namespace, TableName},
    models::RunStatus,
};

use crate::clock::parse_rfc3339;
use crate::error::EmulatorError;
use crate::run::{MAX_RUN_DURATION, PastRun};
use crate::state::{RUNS_KEPT, Store};

/// What the emulator's buckets hold at start: the `--seed` file of `r2-catalog emulate`.
///
/// ```json
/// {"buckets": {"my-data-bucket": {
///     "namespaces": [["bronze"], ["bronze", "raw"]],
///     "tables": [{"namespace": ["bronze"], "name": "events", "runs": [
///         {"kind": "compaction", "status": "failed", "started_at": "2026-11-24T14:30:45Z",
///          "duration_ms": 4200, "error_code": 50002, "customer_message": "no credential"},
///         {"kind": "snapshot_expiration", "status": "succeeded",
///          "started_at": "2026-11-24T02:00:00Z", "duration_ms": 1500}
///     ]}]
/// }}}
/// ```
///
/// A nested namespace's parent must be in the seed too (or already in the emulator), whether the
/// namespace is listed or only holds a table: [`Emulator::seed`](crate::Emulator::seed) refuses the
/// whole seed otherwise, with [`EmulatorError::MissingParent`]; and a table's runs must be
/// ones the API could list ([`RunSeed`]), or the whole seed is refused with
/// [`EmulatorError::InvalidSeedRun`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Seed {
    /// Buckets by name; each exists, with what it holds.
    #[serde(default)]
    pub buckets: BTreeMap<String, BucketSeed>,
}

/// One bucket of a [`Seed`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BucketSeed {
    /// Namespaces, each as its levels (`["bronze", "raw"]` is `bronze.raw`, and needs
    /// `["bronze"]`).
    #[serde(default)]
    pub namespaces: Vec<Vec<String>>,
    /// Tables; their namespaces need not be listed too (a table's namespace is seeded with it),
    /// but a nested one's parent must be.
    #[serde(default)]
    pub tables: Vec<TableSeed>,
}

/// One table of a [`BucketSeed`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TableSeed {
    /// Its namespace's levels.
    pub namespace: Vec<String>,
    /// Its name.
    pub name: String,
    /// Its past maintenance runs, newest first as the API lists them (at most 1,000, as a
    /// table keeps); runs queued later are listed before them.
    #[serde(default)]
    pub runs: Vec<RunSeed>,
}

/// One past maintenance run of a [`TableSeed`], listed as it is whatever the clock says: an
/// ended one keeps its outcome, and a `running` one runs on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RunSeed {
    /// Its `configuration_type`: `compaction` or `snapshot_expiration`.
    pub kind: MaintenanceKind,
    /// Its `status`: one the SDK knows (`running`, `succeeded`, `failed`, `interrupted`,
    /// `timed_out`, `cancelled`).
    pub status: RunStatus,
    /// When it started, in UTC to the second as the API writes it: `2026-11-24T14:30:45Z`. No
    /// later than the run listed before it.
    pub started_at: String,
    /// How long it ran, in milliseconds (at most a day): required once it is over, refused
    /// while it runs. Its `completed_at` is its start plus this.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// Its `primary_error_code` (and its first step's `error_code`): only for a run that is
    /// over without succeeding.
    #[serde(default)]
    pub error_code: Option<i32>,
    /// Its `customer_message`: only for a run that is over without succeeding.
    #[serde(default)]
    pub customer_message: Option<String>,
}

/// What a seed adds to one bucket, every name and run checked; each table's runs oldest first.
struct Planting {
    bucket: BucketName,
    namespaces: Vec<Namespace>,
    tables: Vec<(Namespace, TableName, Vec<PastRun>)>,
}

impl Seed {
    /// Adds everything the seed names to `store`, or, if any of it is refused, nothing.
    pub(crate) fn apply(&self, store: &mut Store) -> Result<(), EmulatorError> {
        let plantings = self
            .buckets
            .iter()
            .map(|(bucket, contents)| contents.checked(bucket, store))
            .collect::<Result<Vec<_>, _>>()?;
        for Planting {
            bucket,
            namespaces,
            tables,
        } in &plantings
        {
            store.add_bucket(bucket);
            for namespace in namespaces {
                store.add_namespace(bucket, namespace);
            }
            for (namespace, table, runs) in tables {
                store.add_table(bucket, namespace, table);
                store.add_past_runs(bucket, namespace, table, runs);
            }
        }
        Ok(())
    }
}

impl BucketSeed {
    /// Its names checked, and each namespace's parent found in the seed or already in `store`:
    /// the seed's own order does not matter.
    fn checked(&self, bucket: &str, store: &Store) -> Result<Planting, EmulatorError> {
        let bucket = BucketName::new(bucket)?;
        let namespaces = self
            .namespaces
            .iter()
            .map(|levels| Namespace::new(levels.iter().cloned()))
            .collect::<Result<Vec<_>, _>>()?;
        let tables = self
            .tables
            .iter()
            .map(|table| {
                let namespace = Namespace::new(table.namespace.iter().cloned())?;
                let name = TableName::new(table.name.as_str())?;
                let runs = past_runs(&table.runs).map_err(|(position, reason)| {
                    EmulatorError::InvalidSeedRun {
                        bucket: bucket.clone(),
                        namespace: namespace.clone(),
                        table: name.clone(),
                        position,
                        reason,
                    }
                })?;
                Ok((namespace, name, runs))
            })
            .collect::<Result<Vec<_>, EmulatorError>>()?;
        let mut listed = BTreeSet::new();
        for (namespace, name, _) in &tables {
            if !listed.insert((namespace.levels(), name.as_ref())) {
                return Err(EmulatorError::DuplicateSeedTable {
                    bucket: bucket.clone(),
                    namespace: namespace.clone(),
                    table: name.clone(),
                });
            }
        }
        let seeded = || {
            let of_tables = tables.iter().map(|(namespace, _, _)| namespace);
            namespaces.iter().chain(of_tables)
        };
        let levels: BTreeSet<&[String]> = seeded().map(Namespace::levels).collect();
        for namespace in seeded() {
            check_parent(&bucket, namespace, |parent| {
                levels.contains(parent) || store.seeded_namespace(&bucket, parent) == Some(true)
            })?;
        }
        Ok(Planting {
            bucket,
            namespaces,
            tables,
        })
    }
}

/// `runs`, listed newest first, checked and turned oldest first; or the position (from 1) of
/// the first refused and why.
fn past_runs(runs: &[RunSeed]) -> Result<Vec<PastRun>, (usize, &'static str)> {
    if runs.len() > RUNS_KEPT {
        return Err((
            RUNS_KEPT + 1,
            "is one too many: a table keeps at most 1000 runs",
        ));
    }
    let mut checked: Vec<PastRun> = Vec::with_capacity(runs.len());
    for (index, run) in runs.iter().enumerate() {
        let past = past_run(run).map_err(|reason| (index + 1, reason))?;
        if checked
            .last()
            .is_some_and(|newer| past.started_at > newer.started_at)
        {
            return Err((
                index + 1,
                "started after the run listed before it: list runs newest first",
            ));
        }
        checked.push(past);
    }
    checked.reverse();
    Ok(checked)
}

/// `run` checked: what the API could list.
fn past_run(run: &RunSeed) -> Result<PastRun, &'static str> {
    if !run.kind.is_known() {
        return Err("has a kind other than compaction or snapshot_expiration");
    }
    if !run.status.is_known() {
        return Err(
            "has a status other than running, succeeded, failed, interrupted, timed_out or cancelled",
        );
    }
    let started_at = parse_rfc3339(&run.started_at)
        .ok_or("has a started_at other than a UTC time to the second, as 2026-11-24T14:30:45Z")?;
    let failure_told = run.error_code.is_some() || run.customer_message.is_some();
    let duration = match (&run.status, run.duration_ms) {
        (RunStatus::Running, Some(_)) => return Err("is running, so has no duration_ms yet"),
        (RunStatus::Running, None) => None,
        (_, None) => return Err("is over, so needs its duration_ms"),
        (_, Some(millis)) => {
            let duration = Duration::from_millis(millis);
            if duration > MAX_RUN_DURATION {
                return Err("has a duration_ms over a day (86400000)");
            }
            // Its completed_at must be a time the API writes, as its started_at is.
            let ends_in_time = parse_rfc3339(LAST_TIME_WRITTEN).is_some_and(|last| {
                started_at
                    .checked_add(duration)
                    .is_some_and(|end| end <= last)
            });
            if !ends_in_time {
                return Err("ends after 9999-12-31T23:59:59Z, the last time the API writes");
            }
            Some(duration)
        }
    };
    if failure_told && matches!(run.status, RunStatus::Running | RunStatus::Succeeded) {
        return Err(
            "has an error_code or customer_message, which only a run over without succeeding has",
        );
    }
    Ok(PastRun {
        kind: run.kind.clone(),
        status: run.status.clone(),
        started_at,
        duration,
        error_code: run.error_code,
        customer_message: run.customer_message.clone(),
    })
}

/// The last time a timestamp of the API can say.
const LAST_TIME_WRITTEN: &str = "9999-12-31T23:59:59Z";

/// Refuses a nested `namespace` of `bucket` whose parent is not `present`.
pub(crate) fn check_parent(
    bucket: &BucketName,
    namespace: &Namespace,
    present: impl Fn(&[String]) -> bool,
) -> Result<(), EmulatorError> {
    match namespace.levels().split_last() {
        Some((_, parent)) if !parent.is_empty() && !present(parent) => {
            Err(EmulatorError::MissingParent {
                bucket: bucket.clone(),
                namespace: namespace.clone(),
                parent: Namespace::new(parent.iter().cloned())?,
            })
        }
        _ => Ok(()),
    }
}

/// Refuses `namespace` when it is nested and its parent is not seeded in `bucket`; an unknown
/// bucket passes, for the caller to refuse as such.
pub(crate) fn require_seeded_parent(
    store: &Store,
    bucket: &BucketName,
    namespace: &Namespace,
) -> Result<(), EmulatorError> {
    check_parent(bucket, namespace, |parent| {
        store.seeded_namespace(bucket, parent).unwrap_or(true)
    })
}
