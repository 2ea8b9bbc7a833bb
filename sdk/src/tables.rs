//! Tables of a namespace: listing (one page or all), details, table-level maintenance, queueing
//! it, and the runs it made.

use futures_util::Stream;

use crate::codes;
use crate::engine::{Engine, MadeWhen};
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{
    MaintenanceRunPage, MaintenanceUpdate, QueueMaintenanceBody, QueuedMaintenance, Table,
    TableMaintenance, TableMaintenanceConfig, TablePage,
};
use crate::maintenance::checked;
use crate::paging::{ListOptions, ListedTable, follow, items};
use crate::status::MaintenanceKind;
use crate::validate::{
    AccountId, BucketName, Input, Namespace, RequestId, TableName, ValidationError,
};

/// The largest page of maintenance runs the API serves.
const MAX_RUNS_PAGE: u64 = 100;

/// Table operations; from [`crate::Client::tables`].
///
/// A namespace is given as a [`Namespace`] (or its single level as text); nested levels are
/// joined the way the API expects (`%1F` on the wire), and every path segment is
/// percent-encoded, so a table named `a/b c` reaches the server as one segment.
#[derive(Debug, Clone, Copy)]
pub struct Tables<'a> {
    engine: &'a Engine,
}

/// The validated path of one table.
#[derive(Clone)]
struct TablePath {
    account_id: AccountId,
    bucket: BucketName,
    namespace: String,
    table: TableName,
}

impl TablePath {
    fn new(
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            account_id: account_id.into_valid()?,
            bucket: bucket.into_valid()?,
            namespace: namespace.into_valid()?.to_wire(),
            table: table.into_valid()?,
        })
    }
}

impl<'a> Tables<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        Self { engine }
    }

    /// One page of the tables in `namespace`.
    pub async fn list(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        options: &ListOptions,
    ) -> Result<Response<TablePage>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let namespace = namespace.into_valid()?.to_wire();
        self.page(
            &account_id,
            &bucket,
            &namespace,
            options,
            options.page_token.as_deref(),
        )
        .await
    }

    /// Every page of the tables in `namespace`, fetched lazily as the stream is polled,
    /// starting at `options`' page token; each page is retried as a call of its own. Invalid
    /// input is the stream's first and only item.
    pub fn pages(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<TablePage, Error>> + 'a {
        let this = *self;
        let inputs = (|| {
            Ok((
                account_id.into_valid()?,
                bucket.into_valid()?,
                namespace.into_valid()?.to_wire(),
            ))
        })();
        follow(
            inputs,
            options,
            move |(account_id, bucket, namespace), options, cursor| async move {
                this.page(
                    &account_id,
                    &bucket,
                    &namespace,
                    &options,
                    cursor.as_deref(),
                )
                .await
            },
        )
    }

    /// Every table in `namespace`, one by one, each with its UUID and details when `options`
    /// ask for them: [`Tables::pages`] as items ([`TablePage::into_items`]).
    pub fn items(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ListedTable, Error>> + 'a {
        items(
            self.pages(account_id, bucket, namespace, options),
            TablePage::into_items,
        )
    }

    /// A table's identifier, UUID, snapshot counts and Iceberg metadata.
    pub async fn get(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
    ) -> Result<Response<Table>, Error> {
        let path = TablePath::new(account_id, bucket, namespace, table)?;
        let api = self.engine.api();
        self.engine
            .send(|| {
                api.get_table(
                    &path.account_id,
                    &path.bucket,
                    &path.namespace,
                    path.table.as_ref(),
                )
            })
            .await
    }

    /// A table's own maintenance configuration.
    pub async fn maintenance(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
    ) -> Result<Response<TableMaintenance>, Error> {
        let path = TablePath::new(account_id, bucket, namespace, table)?;
        let api = self.engine.api();
        self.engine
            .send(|| {
                api.get_table_maintenance_config(
                    &path.account_id,
                    &path.bucket,
                    &path.namespace,
                    path.table.as_ref(),
                )
            })
            .await
    }

    /// Changes the table's maintenance settings present in `update`; the others stay. Returns
    /// the table's configuration after the change, or `None` when Cloudflare answers success
    /// without it (the change is applied all the same).
    pub async fn update_maintenance(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
        update: &MaintenanceUpdate,
    ) -> Result<Response<Option<TableMaintenanceConfig>>, Error> {
        let path = TablePath::new(account_id, bucket, namespace, table)?;
        checked(update)?;
        let api = self.engine.api();
        self.engine
            .send(|| {
                api.update_table_maintenance_config(
                    &path.account_id,
                    &path.bucket,
                    &path.namespace,
                    path.table.as_ref(),
                    update,
                )
            })
            .await
    }

    /// Queues `kind` of maintenance for the table: the scheduler runs it when it next polls
    /// (this does not start a run). Cloudflare answers 202 with whether it was queued.
    ///
    /// `request_id` marks the run it queues, so it can be found in [`Tables::maintenance_runs`]:
    /// make one with [`RequestId::random`], or pass your own to correlate with your records. A
    /// retry of this call sends the same id. Cloudflare does not say that it deduplicates by
    /// it, so a retry after a lost answer may queue twice, which queues the same maintenance
    /// for the same poll. Its two refusals are not retried: the table is assigned to an
    /// executor (409, [`Error::is_queue_conflict`]) and the daily limit is reached (429,
    /// [`Error::is_daily_limit_reached`]). After an attempt whose answer was lost, the daily
    /// limit may be that attempt's own doing (it took the last slot), so the call then succeeds
    /// with [`Response::already_applied`]: a guess, as the attempt may also have been refused;
    /// look for `request_id` among the runs once the scheduler has polled. The executor's 409
    /// says nothing of the kind (queueing starts no run) and stays an error.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::{MaintenanceKind, RequestId};
    ///
    /// let request_id = RequestId::random();
    /// let queued = client
    ///     .tables()
    ///     .queue_maintenance(
    ///         "0123456789abcdef0123456789abcdef",
    ///         "my-data-bucket",
    ///         "bronze",
    ///         "events",
    ///         MaintenanceKind::Compaction,
    ///         &request_id,
    ///     )
    ///     .await?;
    /// println!("queued as {request_id}: {:?}", queued.result.map(|queued| queued.queued));
    /// # Ok(()) }
    /// ```
    pub async fn queue_maintenance(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
        kind: MaintenanceKind,
        request_id: &RequestId,
    ) -> Result<Response<Option<QueuedMaintenance>>, Error> {
        let path = TablePath::new(account_id, bucket, namespace, table)?;
        kind.known()?;
        let body = QueueMaintenanceBody {
            request_id: Some(request_id.to_string()),
        };
        let api = self.engine.api();
        self.engine
            .send_change(
                || {
                    api.queue_table_maintenance(
                        &path.account_id,
                        &path.bucket,
                        &path.namespace,
                        path.table.as_ref(),
                        &kind,
                        &body,
                    )
                },
                MadeWhen::Code(codes::DAILY_QUEUE_LIMIT),
            )
            .await
    }

    /// One page of the table's recent maintenance runs, newest first. Of `options`, the page
    /// size (at most 100 here) and token count; asking for UUIDs or details, which runs do not
    /// have, is refused before sending.
    pub async fn maintenance_runs(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
        options: &ListOptions,
    ) -> Result<Response<MaintenanceRunPage>, Error> {
        let path = TablePath::new(account_id, bucket, namespace, table)?;
        runs_options(options)?;
        self.runs_page(&path, options, options.page_token.as_deref())
            .await
    }

    /// Every page of the table's recent maintenance runs, as [`Tables::pages`] does for tables.
    pub fn maintenance_run_pages(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<MaintenanceRunPage, Error>> + 'a {
        let this = *self;
        let inputs = TablePath::new(account_id, bucket, namespace, table)
            .and_then(|path| runs_options(&options).map(|()| path));
        follow(inputs, options, move |path, options, cursor| async move {
            this.runs_page(&path, &options, cursor.as_deref()).await
        })
    }

    async fn runs_page(
        &self,
        path: &TablePath,
        options: &ListOptions,
        page_token: Option<&str>,
    ) -> Result<Response<MaintenanceRunPage>, Error> {
        let api = self.engine.api();
        self.engine
            .send(|| {
                api.list_table_maintenance_runs(
                    &path.account_id,
                    &path.bucket,
                    &path.namespace,
                    path.table.as_ref(),
                    options.page_size.map(|size| size.as_non_zero()),
                    page_token,
                )
            })
            .await
    }

    async fn page(
        &self,
        account_id: &AccountId,
        bucket: &BucketName,
        namespace: &str,
        options: &ListOptions,
        page_token: Option<&str>,
    ) -> Result<Response<TablePage>, Error> {
        let (return_uuids, return_details) = options.flags();
        let api = self.engine.api();
        self.engine
            .send(|| {
                api.list_tables(
                    account_id,
                    bucket,
                    namespace,
                    options.page_size.map(|size| size.as_non_zero()),
                    page_token,
                    return_details,
                    return_uuids,
                )
            })
            .await
    }
}

/// `options` if they fit the runs listing: its pages are smaller than those of tables and
/// namespaces, and it has no UUIDs or details to add.
fn runs_options(options: &ListOptions) -> Result<(), ValidationError> {
    if options
        .page_size
        .is_some_and(|size| size.get() > MAX_RUNS_PAGE)
    {
        return Err(ValidationError::new(
            "page size",
            "must be between 1 and 100 for maintenance runs",
        ));
    }
    if options.flags() != (None, None) {
        return Err(ValidationError::new(
            "list options",
            "maintenance runs have no UUIDs or details to ask for",
        ));
    }
    Ok(())
}
