//! Tables of a namespace: listing (one page or all), details, and table-level maintenance.

use futures_util::Stream;

use crate::engine::Engine;
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{
    MaintenanceUpdate, Table, TableMaintenance, TableMaintenanceConfig, TablePage,
};
use crate::paging::{ListOptions, follow};
use crate::validate::{AccountId, BucketName, Input, Namespace, TableName};

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
    ) -> Result<Self, Error> {
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
