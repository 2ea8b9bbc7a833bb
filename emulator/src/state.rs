//! What the emulator remembers: buckets, each account's catalog on them with its namespaces and
//! tables, the tables' maintenance runs and queue counts, and the book of run ids.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::SystemTime;

use cloudflare_r2_catalog::{
    RequestId,
    input::{BucketName, Namespace, TableName},
    models::MaintenanceConfig,
};

use crate::clock::rfc3339;
use crate::defaults::default_maintenance;
use crate::run::{PastRun, RecordedRun, RunPlan};

/// A random version 4 UUID in canonical text form: a new catalog's, namespace's or table's id,
/// or a queued run's request id when the request named none.
pub(crate) fn random_uuid() -> String {
    RequestId::random().to_string()
}

/// How many runs a table keeps, the oldest dropped first: Cloudflare lists "recent" runs, and a
/// long-running emulator stays bounded in memory.
pub(crate) const RUNS_KEPT: usize = 1000;

/// Every bucket the emulator knows, by name, and the book of maintenance runs.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) buckets: BTreeMap<String, Bucket>,
    pub(crate) runs: RunBook,
}

/// What queueing maintenance needs beyond one table: the limit rule, and the run ids.
#[derive(Debug)]
pub(crate) struct RunBook {
    /// Accepted queue requests per table per UTC day; the next is refused (429, 42901).
    pub(crate) daily_limit: Option<u32>,
    /// The id of the next run, across every table: ids only grow.
    pub(crate) next_run_id: i64,
    /// How long each queued run runs, and how it ends.
    pub(crate) plan: RunPlan,
}

impl RunBook {
    pub(crate) fn take_run_id(&mut self) -> i64 {
        let id = self.next_run_id;
        self.next_run_id = self.next_run_id.saturating_add(1);
        id
    }
}

/// A bucket: what was seeded into it, and what each account that used it holds there.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    pub(crate) seeded: Contents,
    pub(crate) accounts: HashMap<String, Holding>,
}

/// One account's view of a bucket: its catalog (absent until enabled) and the catalog's
/// namespaces and tables.
#[derive(Debug)]
pub(crate) struct Holding {
    pub(crate) catalog: Option<CatalogRecord>,
    pub(crate) contents: Contents,
}

#[derive(Debug)]
pub(crate) struct CatalogRecord {
    pub(crate) id: String,
    pub(crate) active: bool,
    pub(crate) has_credential: bool,
    pub(crate) maintenance: MaintenanceConfig,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Contents {
    pub(crate) namespaces: BTreeMap<Vec<String>, Entry>,
    pub(crate) tables: BTreeMap<(Vec<String>, String), TableRecord>,
}

impl Contents {
    pub(crate) fn add_namespace(&mut self, namespace: &Namespace) {
        self.namespaces
            .entry(namespace.levels().to_vec())
            .or_insert_with(Entry::new);
    }

    pub(crate) fn add_table(&mut self, namespace: &Namespace, table: &TableName) {
        self.add_namespace(namespace);
        self.tables
            .entry((namespace.levels().to_vec(), table.to_string()))
            .or_insert_with(|| TableRecord {
                entry: Entry::new(),
                maintenance: default_maintenance(),
                runs: VecDeque::new(),
                queued: QueueCount::default(),
            });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.namespaces.is_empty() && self.tables.is_empty()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) uuid: String,
    pub(crate) created_at: String,
}

impl Entry {
    pub(crate) fn new() -> Self {
        Self {
            uuid: random_uuid(),
            created_at: rfc3339(SystemTime::now()),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TableRecord {
    pub(crate) entry: Entry,
    /// Kept in the catalog's type, which has the same fields: one update applies to both.
    pub(crate) maintenance: MaintenanceConfig,
    /// Its maintenance runs, oldest first, at most [`RUNS_KEPT`].
    pub(crate) runs: VecDeque<RecordedRun>,
    /// The queue requests it accepted today, for the daily limit.
    pub(crate) queued: QueueCount,
}

impl TableRecord {
    /// Counts one more accepted queue request on `day` (the count starts afresh each day),
    /// unless `limit` requests were already accepted that day.
    pub(crate) fn admit_queue_request(&mut self, limit: Option<u32>, day: u64) -> bool {
        if self.queued.day != day {
            self.queued = QueueCount { day, accepted: 0 };
        }
        if limit.is_some_and(|limit| self.queued.accepted >= limit) {
            return false;
        }
        self.queued.accepted = self.queued.accepted.saturating_add(1);
        true
    }

    /// The request id, as first sent, of the run it queued for `request_id`, if it still
    /// lists one. UUIDs are compared without regard to case, as a UUID is the same in either.
    pub(crate) fn run_requested_as(&self, request_id: &str) -> Option<&str> {
        self.runs
            .iter()
            .filter_map(RecordedRun::request_id)
            .find(|id| id.eq_ignore_ascii_case(request_id))
    }

    pub(crate) fn record_run(&mut self, run: RecordedRun) {
        if self.runs.len() == RUNS_KEPT {
            self.runs.pop_front();
        }
        self.runs.push_back(run);
    }
}

/// Queue requests accepted on one UTC day (days since 1970-01-01).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct QueueCount {
    day: u64,
    accepted: u32,
}

impl Store {
    /// An empty store; `daily_queue_limit` caps the queue requests each table accepts a day,
    /// `plan` says how its queued runs go.
    pub(crate) fn new(daily_queue_limit: Option<u32>, plan: RunPlan) -> Self {
        Self {
            buckets: BTreeMap::new(),
            runs: RunBook {
                daily_limit: daily_queue_limit,
                next_run_id: 1,
                plan,
            },
        }
    }

    pub(crate) fn add_bucket(&mut self, bucket: &BucketName) {
        self.buckets.entry(bucket.to_string()).or_default();
    }

    /// Seeds `namespace` into `bucket` for every account, now and later.
    pub(crate) fn add_namespace(&mut self, bucket: &BucketName, namespace: &Namespace) -> bool {
        self.seed(bucket, |contents| contents.add_namespace(namespace))
    }

    /// Seeds `table` (and its namespace) into `bucket` for every account, now and later.
    pub(crate) fn add_table(
        &mut self,
        bucket: &BucketName,
        namespace: &Namespace,
        table: &TableName,
    ) -> bool {
        self.seed(bucket, |contents| contents.add_table(namespace, table))
    }

    /// Records `runs` (oldest first) as past runs of `table` of `bucket`, seeded before, for
    /// every account, now and later; each numbered from the run book, so that ids grow with
    /// time as queued runs' do.
    pub(crate) fn add_past_runs(
        &mut self,
        bucket: &BucketName,
        namespace: &Namespace,
        table: &TableName,
        runs: &[PastRun],
    ) -> bool {
        let recorded: Vec<RecordedRun> = runs
            .iter()
            .map(|run| RecordedRun::past(self.runs.take_run_id(), run))
            .collect();
        let key = (namespace.levels().to_vec(), table.to_string());
        self.seed(bucket, |contents| {
            if let Some(record) = contents.tables.get_mut(&key) {
                recorded
                    .iter()
                    .cloned()
                    .for_each(|run| record.record_run(run));
            }
        })
    }

    /// Whether `bucket` has the namespace of `levels` seeded; `None` if there is no such bucket.
    pub(crate) fn seeded_namespace(&self, bucket: &BucketName, levels: &[String]) -> Option<bool> {
        let bucket = self.buckets.get(bucket.as_ref())?;
        Some(bucket.seeded.namespaces.contains_key(levels))
    }

    fn seed(&mut self, bucket: &BucketName, mut add: impl FnMut(&mut Contents)) -> bool {
        let Some(bucket) = self.buckets.get_mut(bucket.as_ref()) else {
            return false;
        };
        add(&mut bucket.seeded);
        bucket
            .accounts
            .values_mut()
            .for_each(|holding| add(&mut holding.contents));
        true
    }

    /// The name (`{account}_{bucket}`, its Iceberg warehouse) of the catalog on `bucket` in
    /// `account`, if it is there and active; `None` for a bucket that does not exist or has
    /// no catalog (never enabled, deleted) or a disabled one. Changes nothing.
    pub(crate) fn active_warehouse(&self, account: &str, bucket: &BucketName) -> Option<String> {
        let holding = self.buckets.get(bucket.as_ref())?.accounts.get(account)?;
        holding
            .catalog
            .as_ref()
            .filter(|catalog| catalog.active)
            .map(|_| catalog_name(account, bucket.as_ref()))
    }
}

/// As Cloudflare names a catalog (and its Iceberg warehouse).
pub(crate) fn catalog_name(account: &str, bucket: &str) -> String {
    format!("{account}_{bucket}")
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use cloudflare_r2_catalog::MaintenanceKind;

    use super::*;

    fn table() -> TableRecord {
        let mut contents = Contents::default();
        let (namespace, name) = (Namespace::new(["n"]).unwrap(), TableName::new("t").unwrap());
        contents.add_table(&namespace, &name);
        contents.tables.into_values().next().unwrap()
    }

    #[test]
    fn the_daily_queue_limit_counts_per_day_and_starts_afresh() {
        let mut table = table();
        assert!(table.admit_queue_request(Some(2), 100));
        assert!(table.admit_queue_request(Some(2), 100));
        assert!(!table.admit_queue_request(Some(2), 100));
        assert!(
            !table.admit_queue_request(Some(2), 100),
            "refusals are not counted in"
        );
        assert!(table.admit_queue_request(Some(2), 101), "a new day");
        assert!(!table.admit_queue_request(Some(0), 102));
        assert!((0..1000).all(|_| table.admit_queue_request(None, 103)));
    }

    #[test]
    fn runs_are_kept_up_to_a_bound_oldest_dropped_first() {
        let mut table = table();
        for id in 0..=i64::try_from(RUNS_KEPT).unwrap() {
            let (kind, plan) = (MaintenanceKind::Compaction, RunPlan::default());
            table.record_run(RecordedRun::queued(
                id,
                kind,
                "id",
                SystemTime::UNIX_EPOCH,
                &plan,
            ));
        }
        assert_eq!(table.runs.len(), RUNS_KEPT);
        assert_eq!(table.runs.front().map(RecordedRun::run_id), Some(1));
    }
}
