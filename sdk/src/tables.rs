//! Tables: one table's details and maintenance (its settings, queueing a run, the runs it
//! made), and the listing of a namespace's tables.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::codes;
use crate::engine::{Change, Engine, MadeWhen};
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{
    MaintenanceRun, MaintenanceRunPage, MaintenanceUpdate, QueueMaintenanceBody, QueuedMaintenance,
    Table, TableMaintenance, TableMaintenanceConfig, TablePage,
};
use crate::maintenance::checked;
use crate::pace::SweepBudget;
use crate::paging::{ListOptions, ListedTable, PageBound, Paginated, follow, items};
use crate::scope::CatalogScope;
use crate::status::MaintenanceKind;
use crate::validate::{AccountId, BucketName, Namespace, RequestId, TableName, ValidationError};

/// One table of a catalog; from [`CatalogHandle::table`](crate::handles::CatalogHandle::table) or
/// [`NamespaceHandle::table`](crate::handles::NamespaceHandle::table), which check its namespace and
/// name once. Cheap to clone.
///
/// Nested namespace levels are joined the way the API expects (`%1F` on the wire), and every
/// path segment is percent-encoded, so a table named `a/b c` reaches the server as one segment.
#[derive(Debug, Clone)]
pub struct TableHandle {
    catalog: CatalogScope,
    namespace: Arc<Namespace>,
    name: Arc<TableName>,
}

impl TableHandle {
    pub(crate) fn new(catalog: CatalogScope, namespace: Namespace, name: TableName) -> Self {
        Self::within(catalog, Arc::new(namespace), name)
    }

    /// The table `name` of a namespace already shared by the handle or listing it came from.
    pub(crate) fn within(
        catalog: CatalogScope,
        namespace: Arc<Namespace>,
        name: TableName,
    ) -> Self {
        Self {
            catalog,
            namespace,
            name: Arc::new(name),
        }
    }

    /// The account the table belongs to.
    pub fn account_id(&self) -> &AccountId {
        &self.catalog.account_id
    }

    /// The bucket whose catalog holds the table.
    pub fn bucket(&self) -> &BucketName {
        &self.catalog.bucket
    }

    /// The table's namespace.
    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// The table's name.
    pub fn name(&self) -> &TableName {
        &self.name
    }

    /// What a call on this table passes to the generated client: the engine, the account, the
    /// bucket, the namespace as the API joins its levels, and the table's name.
    fn parts(&self) -> (&Engine, &AccountId, &BucketName, String, &str) {
        let (engine, account_id, bucket) = self.catalog.parts();
        (
            engine,
            account_id,
            bucket,
            self.namespace.to_wire(),
            (*self.name).as_ref(),
        )
    }

    /// This table reached through an engine whose calls also keep to `budget`.
    pub(crate) fn under(&self, budget: Arc<SweepBudget>) -> Self {
        Self {
            catalog: self.catalog.under(budget),
            ..self.clone()
        }
    }

    /// Waits `duration` with the client's sleeper (tokio's timer, or a test's).
    pub(crate) fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.catalog.engine.policy().retry.sleep(duration)
    }

    /// The table's identifier, UUID, snapshot counts and Iceberg metadata.
    pub async fn get(&self) -> Result<Response<Table>, Error> {
        let (engine, account_id, bucket, namespace, name) = self.parts();
        let api = engine.api();
        engine
            .read(|| api.get_table(account_id, bucket, &namespace, name))
            .await
    }

    /// The table's own maintenance: its settings, queueing a run, and the runs it made.
    pub fn maintenance(&self) -> TableMaintenanceHandle {
        TableMaintenanceHandle {
            table: self.clone(),
        }
    }
}

/// A table's own maintenance; from [`TableHandle::maintenance`]. Cheap to clone; it can be kept
/// or moved into a task.
#[derive(Debug, Clone)]
pub struct TableMaintenanceHandle {
    table: TableHandle,
}

impl TableMaintenanceHandle {
    /// The table whose maintenance this is.
    pub fn table(&self) -> &TableHandle {
        &self.table
    }

    /// The table's maintenance configuration.
    pub async fn get(&self) -> Result<Response<TableMaintenance>, Error> {
        let (engine, account_id, bucket, namespace, name) = self.table.parts();
        let api = engine.api();
        engine
            .read(|| api.get_table_maintenance_config(account_id, bucket, &namespace, name))
            .await
    }

    /// Changes the table's maintenance settings present in `update`; the others stay. Returns
    /// the table's configuration after the change, or `None` when Cloudflare answers success
    /// without it (the change is applied all the same).
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::models::{MaintenanceState, MaintenanceUpdate, SnapshotExpirationUpdate};
    ///
    /// let update = MaintenanceUpdate {
    ///     snapshot_expiration: Some(SnapshotExpirationUpdate {
    ///         state: Some(MaintenanceState::Enabled),
    ///         ..SnapshotExpirationUpdate::default()
    ///     }),
    ///     ..MaintenanceUpdate::default()
    /// };
    /// let events = client.catalog("my-data-bucket")?.table("bronze", "events")?;
    /// events.maintenance().update(&update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        &self,
        update: &MaintenanceUpdate,
    ) -> Result<Response<Option<TableMaintenanceConfig>>, Error> {
        checked(update)?;
        let (engine, account_id, bucket, namespace, name) = self.table.parts();
        let api = engine.api();
        engine
            .change(Change::PLAIN, || {
                api.update_table_maintenance_config(account_id, bucket, &namespace, name, update)
            })
            .await
    }

    /// Queues `kind` of maintenance for the table: the scheduler runs it when it next polls
    /// (this does not start a run). Cloudflare answers 202 with whether it was queued.
    ///
    /// `request_id` marks the run it queues, so it can be found in
    /// the table's [`runs`](TableMaintenanceHandle::runs): make one with [`RequestId::random`], or pass your own to
    /// correlate with your records. A retry of this call sends the same id. Cloudflare does not
    /// say that it deduplicates by it, so a retry after a lost answer may queue twice, which
    /// queues the same maintenance for the same poll. Its two refusals are not retried: the
    /// table is assigned to an executor (409, [`Error::is_queue_conflict`]) and the daily limit
    /// is reached (429, [`Error::is_daily_limit_reached`]). After an attempt whose answer was
    /// lost, the daily limit may be that attempt's own doing (it took the last slot), so the
    /// call then succeeds with [`Response::already_applied`]: a guess, as the attempt may also
    /// have been refused; look for `request_id` among the runs once the scheduler has polled.
    /// The executor's 409 says nothing of the kind (queueing starts no run) and stays an error.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::{MaintenanceKind, RequestId};
    ///
    /// let events = client.catalog("my-data-bucket")?.table("bronze", "events")?;
    /// let request_id = RequestId::random();
    /// let queued = events
    ///     .maintenance()
    ///     .queue(MaintenanceKind::Compaction, &request_id)
    ///     .await?;
    /// println!("queued as {request_id}: {:?}", queued.result.map(|queued| queued.queued));
    /// # Ok(()) }
    /// ```
    pub async fn queue(
        &self,
        kind: MaintenanceKind,
        request_id: &RequestId,
    ) -> Result<Response<Option<QueuedMaintenance>>, Error> {
        kind.known()?;
        let body = QueueMaintenanceBody {
            request_id: Some(request_id.to_string()),
        };
        let (engine, account_id, bucket, namespace, name) = self.table.parts();
        let api = engine.api();
        // The table is with an executor (409): another attempt would only repeat it. The
        // day's limit (429, code 42901) is never retried, whatever the call; any other 429 is
        // Cloudflare's rate limit, waited out as every call's is.
        let queueing = Change {
            final_statuses: &[StatusCode::CONFLICT],
            already_made: Some(MadeWhen::Code(codes::DAILY_QUEUE_LIMIT)),
        };
        engine
            .change(queueing, || {
                api.queue_table_maintenance(account_id, bucket, &namespace, name, &kind, &body)
            })
            .await
    }

    /// The table's recent maintenance runs, newest first.
    pub fn runs(&self) -> RunListing {
        RunListing {
            table: self.table.clone(),
        }
    }
}

impl MaintenanceRun {
    /// Whether the run is over: its status is a final one ([`RunStatus::is_final`](crate::models::RunStatus::is_final)), or one
    /// this SDK does not know while the run has a `completed_at` (Cloudflare may add statuses,
    /// before a run starts as after it ends, and only an ended run has a completion time).
    pub fn is_over(&self) -> bool {
        self.status.is_final() || (!self.status.is_known() && self.completed_at.is_some())
    }
}

/// The latest of `runs`: the highest `run_id`, and of runs with one id the first listed (the
/// newest, as Cloudflare lists them), whatever order a server lists them in.
pub(crate) fn latest<R: std::borrow::Borrow<MaintenanceRun>>(
    runs: impl DoubleEndedIterator<Item = R>,
) -> Option<R> {
    // `max_by_key` keeps the last of equals: read backwards, that is the first listed.
    runs.rev().max_by_key(|run| run.borrow().run_id)
}

/// The maintenance runs of one table, newest first; from [`TableMaintenanceHandle::runs`]. Like
/// every listing: [`list`](Self::list) one page, [`pages`](Self::pages) or
/// [`items`](Self::items) as a stream. Of [`ListOptions`], the page size (at most 100 here),
/// the page token and the page count apply; asking for UUIDs or details, which runs do not
/// have, is refused before sending.
#[derive(Debug, Clone)]
pub struct RunListing {
    table: TableHandle,
}

impl RunListing {
    /// One page of the runs, starting at `options`' page token.
    pub async fn list(&self, options: ListOptions) -> Result<Response<MaintenanceRunPage>, Error> {
        check_runs_options(&options)?;
        runs_page(&self.table, &options, options.page_token.as_deref()).await
    }

    /// Every page of the runs, fetched lazily as the stream is polled, as
    /// [`TableListing::pages`] does for tables.
    pub fn pages(&self, options: ListOptions) -> Paginated<MaintenanceRunPage> {
        let checked = check_runs_options(&options).map(|()| self.table.clone());
        Paginated::new(follow(
            checked,
            options,
            |table, options, cursor| async move { runs_page(&table, &options, cursor.as_deref()).await },
        ))
    }

    /// Every run, one by one: [`RunListing::pages`] as items.
    pub fn items(&self, options: ListOptions) -> Paginated<MaintenanceRun> {
        Paginated::new(items(self.pages(options), |page: MaintenanceRunPage| {
            page.runs.into_iter()
        }))
    }
}

async fn runs_page(
    table: &TableHandle,
    options: &ListOptions,
    page_token: Option<&str>,
) -> Result<Response<MaintenanceRunPage>, Error> {
    let (engine, account_id, bucket, namespace, name) = table.parts();
    let api = engine.api();
    engine
        .read(|| {
            api.list_table_maintenance_runs(
                account_id,
                bucket,
                &namespace,
                name,
                options.wire_page_size(),
                page_token,
            )
        })
        .await
}

/// The tables of one namespace; from [`NamespaceHandle::tables`](crate::handles::NamespaceHandle::tables).
/// Like every listing: [`list`](Self::list) one page, [`pages`](Self::pages) or
/// [`items`](Self::items) as a stream.
#[derive(Debug, Clone)]
pub struct TableListing {
    catalog: CatalogScope,
    namespace: Arc<Namespace>,
}

impl TableListing {
    pub(crate) fn new(catalog: CatalogScope, namespace: Arc<Namespace>) -> Self {
        Self { catalog, namespace }
    }

    /// One page of the tables, starting at `options`' page token.
    pub async fn list(&self, options: ListOptions) -> Result<Response<TablePage>, Error> {
        options.check(PageBound::ITEMS)?;
        let namespace = self.namespace.to_wire();
        let token = options.page_token.as_deref();
        tables_page(&self.catalog, &namespace, &options, token).await
    }

    /// Every page of the tables, fetched lazily as the stream is polled, starting at `options`'
    /// page token; each page is retried as a call of its own.
    pub fn pages(&self, options: ListOptions) -> Paginated<TablePage> {
        let inputs = options
            .check(PageBound::ITEMS)
            .map(|()| (self.catalog.clone(), self.namespace.to_wire()));
        Paginated::new(follow(
            inputs,
            options,
            |(catalog, namespace), options, cursor| async move {
                tables_page(&catalog, &namespace, &options, cursor.as_deref()).await
            },
        ))
    }

    /// Every table, one by one, each with its UUID and details when `options` ask for them:
    /// [`TableListing::pages`] as items ([`TablePage::into_items`]).
    pub fn items(&self, options: ListOptions) -> Paginated<ListedTable> {
        Paginated::new(items(self.pages(options), TablePage::into_items))
    }
}

async fn tables_page(
    catalog: &CatalogScope,
    namespace: &str,
    options: &ListOptions,
    page_token: Option<&str>,
) -> Result<Response<TablePage>, Error> {
    let (return_uuids, return_details) = options.flags();
    let (engine, account_id, bucket) = catalog.parts();
    let api = engine.api();
    engine
        .read(|| {
            api.list_tables(
                account_id,
                bucket,
                namespace,
                options.wire_page_size(),
                page_token,
                return_details,
                return_uuids,
            )
        })
        .await
}

/// Whether `options` fit the runs listing: its pages are smaller than those of tables and
/// namespaces, and it has no UUIDs or details to add.
pub(crate) fn check_runs_options(options: &ListOptions) -> Result<(), ValidationError> {
    options.check(PageBound::RUNS)?;
    if options.flags() != (None, None) {
        return Err(ValidationError::new(
            "list options",
            "maintenance runs have no UUIDs or details to ask for",
        ));
    }
    Ok(())
}
