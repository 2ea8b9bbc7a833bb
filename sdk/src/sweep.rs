//! Sweeps: one table operation run over every table of a catalog, or of a namespace and the
//! namespaces under it, following the listings' pages, a bounded number of tables at a time,
//! with one pace and one budget of retries for all of its calls.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt, TryStreamExt, stream};

use crate::engine::Policy;
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{
    MaintenanceRunPage, MaintenanceUpdate, QueuedMaintenance, TableMaintenance,
    TableMaintenanceConfig,
};
use crate::maintenance::checked;
use crate::namespaces::NamespaceListing;
use crate::paging::ListOptions;
use crate::retry::Pace;
use crate::scope::CatalogScope;
use crate::status::MaintenanceKind;
use crate::tables::{TableHandle, TableListing, runs_options};
use crate::validate::{Namespace, PageSize, RequestId, TableName, ValidationError};

/// How many tables a sweep works on at once unless told otherwise. Over HTTP/2 they share one
/// connection; on the emulator over TLS (`cargo xtask bench -- --sweep`), a sweep of 1,000
/// tables takes 0.24 s one at a time, 0.063 s 16 at a time, 0.049 s 32 at a time and 0.043 s
/// 64 at a time: past 32 the gain is small, and Cloudflare's rate limit is met sooner.
pub const DEFAULT_SWEEP_CONCURRENCY: NonZeroUsize = NonZeroUsize::new(32).expect("not zero");

/// How many retries all the calls of a sweep may make together unless told otherwise.
pub const DEFAULT_SWEEP_RETRY_BUDGET: u32 = 100;

/// One table operation over many tables; from [`CatalogHandle::sweep`](crate::CatalogHandle::sweep).
///
/// The sweep lists the catalog's namespaces (or those under [`Sweep::within`]) and their
/// tables, page by page, and runs the operation on each table, [`Sweep::concurrency`] at a time.
/// Its calls, listings included, keep to one pace: when the server tells any of them to wait
/// (HTTP 429, `Retry-After`), no call starts another attempt until that wait is over; and
/// together they make at most [`Sweep::retry_budget`] retries (each call also keeps to the
/// client's own [`RetryConfig`](crate::RetryConfig)). Each table's outcome comes once, as it
/// ends ([`Swept::Table`]); a listing that fails is reported in place of the tables it would
/// have given ([`Swept::Unlisted`]).
///
/// **Resuming.** Keep the tables whose outcome was a success, and hand them to
/// [`Sweep::skip`] in the next run: it lists again and acts on every other table, those that
/// failed or were never reached. To stop a sweep without losing outcomes, give it
/// [`Sweep::stop_when`]: no table starts once the signal comes, and those in flight finish
/// and are reported. Dropping the stream instead cancels the calls in flight, which may or may
/// not have reached the server.
///
/// **Dry runs.** On a [dry-run client](crate::Client::with_dry_run), a sweep sends its
/// listings (reading changes nothing) and plans the rest: each table's outcome is
/// `Err(Error::DryRun(plan))`, the request its operation would have sent, as that call on the
/// dry-run client gives it.
///
/// ```no_run
/// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
/// use cloudflare_r2_catalog::{MaintenanceState, MaintenanceUpdate, SnapshotExpirationUpdate, Swept};
/// use futures_util::StreamExt;
///
/// let update = MaintenanceUpdate {
///     snapshot_expiration: Some(SnapshotExpirationUpdate {
///         state: Some(MaintenanceState::Enabled),
///         ..SnapshotExpirationUpdate::default()
///     }),
///     ..MaintenanceUpdate::default()
/// };
/// let catalog = client.catalog("my-data-bucket")?;
/// let mut swept = std::pin::pin!(catalog.sweep().within("bronze".parse()?).update_maintenance(update)?);
/// while let Some(item) = swept.next().await {
///     match item {
///         Swept::Table { table, outcome: Ok(_) } => println!("{} updated", table.name()),
///         Swept::Table { table, outcome: Err(error) } => eprintln!("{}: {error}", table.name()),
///         Swept::Unlisted { namespace, error } => eprintln!("{namespace:?} not listed: {error}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use = "a sweep does nothing until one of its operations is called and its stream polled"]
pub struct Sweep {
    catalog: CatalogScope,
    within: Option<Namespace>,
    concurrency: NonZeroUsize,
    retry_budget: u32,
    skip: HashSet<(Namespace, TableName)>,
    stop: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl fmt::Debug for Sweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sweep")
            .field("bucket", &self.catalog.bucket)
            .field("within", &self.within)
            .field("concurrency", &self.concurrency)
            .field("retry_budget", &self.retry_budget)
            .field("skip", &self.skip.len())
            .field("stop_when", &self.stop.is_some())
            .finish()
    }
}

/// What a sweep reports, one item at a time as each ends.
#[derive(Debug)]
#[non_exhaustive]
pub enum Swept<T> {
    /// One table's outcome: what the operation returned, or why it failed once its retries
    /// (within the sweep's budget) were spent.
    Table {
        /// The table, on the client the sweep came from: its calls keep to the client's own
        /// retries, not to the sweep's pace and budget, which end with the sweep.
        table: TableHandle,
        /// What the operation came to.
        outcome: Result<T, Error>,
    },
    /// A listing failed: the namespaces under `namespace` (the catalog's top-level ones when
    /// `None`), or its tables, were not reached. A resumed sweep lists them again.
    Unlisted {
        /// The namespace whose listing failed.
        namespace: Option<Namespace>,
        /// Why.
        error: Error,
    },
}

/// What queueing maintenance for one table of a sweep answered, and the request id it sent
/// (one made afresh for each table), by which the run can be found among the table's runs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SweptQueue {
    /// The id the request carried.
    pub request_id: RequestId,
    /// Cloudflare's answer.
    pub response: Response<Option<QueuedMaintenance>>,
}

impl Sweep {
    pub(crate) fn new(catalog: CatalogScope) -> Self {
        Self {
            catalog,
            within: None,
            concurrency: DEFAULT_SWEEP_CONCURRENCY,
            retry_budget: DEFAULT_SWEEP_RETRY_BUDGET,
            skip: HashSet::new(),
            stop: None,
        }
    }

    /// Only the tables of `namespace` and of the namespaces under it, at any depth.
    pub fn within(mut self, namespace: Namespace) -> Self {
        self.within = Some(namespace);
        self
    }

    /// At most `tables` at once (default [`DEFAULT_SWEEP_CONCURRENCY`]).
    pub fn concurrency(mut self, tables: NonZeroUsize) -> Self {
        self.concurrency = tables;
        self
    }

    /// At most `retries` retries for all the sweep's calls together (default
    /// [`DEFAULT_SWEEP_RETRY_BUDGET`]); once spent, a call's failure is its outcome.
    pub fn retry_budget(mut self, retries: u32) -> Self {
        self.retry_budget = retries;
        self
    }

    /// Lists these tables but does not act on them: those an earlier run reported done.
    pub fn skip(mut self, done: impl IntoIterator<Item = (Namespace, TableName)>) -> Self {
        self.skip.extend(done);
        self
    }

    /// Starts no table once `signal` completes; the tables in flight finish and are reported,
    /// then the stream ends.
    pub fn stop_when(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.stop = Some(Box::pin(signal));
        self
    }

    /// Each table's maintenance configuration.
    pub fn get_maintenance(
        self,
    ) -> impl Stream<Item = Swept<Response<TableMaintenance>>> + Send + 'static {
        self.run(|table| async move { table.maintenance().get().await })
    }

    /// Changes each table's maintenance settings present in `update`, as
    /// [`TableMaintenanceHandle::update`](crate::TableMaintenanceHandle::update) does; an
    /// invalid `update` is refused before anything is sent.
    pub fn update_maintenance(
        self,
        update: MaintenanceUpdate,
    ) -> Result<
        impl Stream<Item = Swept<Response<Option<TableMaintenanceConfig>>>> + Send + 'static,
        ValidationError,
    > {
        checked(&update)?;
        let update = Arc::new(update);
        Ok(self.run(move |table| {
            let update = Arc::clone(&update);
            async move { table.maintenance().update(&update).await }
        }))
    }

    /// Queues `kind` of maintenance for each table, as
    /// [`TableMaintenanceHandle::queue`](crate::TableMaintenanceHandle::queue) does, each
    /// with a request id of its own; an unknown `kind` is refused before anything is sent.
    pub fn queue_maintenance(
        self,
        kind: MaintenanceKind,
    ) -> Result<impl Stream<Item = Swept<SweptQueue>> + Send + 'static, ValidationError> {
        kind.known()?;
        Ok(self.run(move |table| {
            let kind = kind.clone();
            async move {
                let request_id = RequestId::random();
                let response = table.maintenance().queue(kind, &request_id).await?;
                Ok(SweptQueue {
                    request_id,
                    response,
                })
            }
        }))
    }

    /// The first page of each table's recent maintenance runs, as
    /// [`TableMaintenanceHandle::runs`](crate::TableMaintenanceHandle::runs) asks with
    /// `options`; options the runs listing does not take are refused before anything is sent.
    pub fn runs(
        self,
        options: ListOptions,
    ) -> Result<
        impl Stream<Item = Swept<Response<MaintenanceRunPage>>> + Send + 'static,
        ValidationError,
    > {
        runs_options(&options)?;
        let options = Arc::new(options);
        Ok(self.run(move |table| {
            let options = Arc::clone(&options);
            async move { table.maintenance().runs(&options).await }
        }))
    }

    /// Runs `operation` on each table: any call of its [`TableHandle`], which carries the
    /// sweep's pace and budget (the handle reported in [`Swept::Table`] does not).
    pub fn run<T, F, Fut>(self, operation: F) -> impl Stream<Item = Swept<T>> + Send + 'static
    where
        T: Send + 'static,
        F: Fn(TableHandle) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let Self {
            catalog,
            within,
            concurrency,
            retry_budget,
            skip,
            stop,
        } = self;
        let policy = Policy {
            pace: Some(Arc::new(Pace::new(retry_budget))),
            ..catalog.engine.policy().clone()
        };
        let paced = CatalogScope {
            engine: catalog.engine.with_policy(policy),
            ..catalog.clone()
        };
        // Listing changes nothing: on a dry-run client the sweep still lists, and plans only
        // what it would do to each table.
        let listing = CatalogScope {
            engine: paced.engine.planning(false),
            ..paced.clone()
        };
        let stop = stop.unwrap_or_else(|| Box::pin(std::future::pending()));
        tables_under(listing, within)
            .filter(move |listed| {
                let done = matches!(listed, Listed::Table(namespace, name)
                    if skip.contains(&(namespace.clone(), name.clone())));
                std::future::ready(!done)
            })
            .take_until(stop)
            .map(move |listed| {
                let acted = match listed {
                    Listed::Table(namespace, name) => {
                        let acting =
                            TableHandle::new(paced.clone(), namespace.clone(), name.clone());
                        // The handle reported is the client's own: the sweep's pace and what is
                        // left of its budget end with the sweep, not with the handle.
                        let table = TableHandle::new(catalog.clone(), namespace, name);
                        Ok((operation(acting), table))
                    }
                    Listed::Unlisted(namespace, error) => Err(Swept::Unlisted { namespace, error }),
                };
                async move {
                    match acted {
                        Ok((outcome, table)) => Swept::Table {
                            table,
                            outcome: outcome.await,
                        },
                        Err(unlisted) => unlisted,
                    }
                }
            })
            .buffer_unordered(concurrency.get())
    }
}

/// What the walk over a catalog's namespaces gives: a table, or a namespace whose listing
/// failed and why.
enum Listed {
    Table(Namespace, TableName),
    Unlisted(Option<Namespace>, Error),
}

/// What the walk over a catalog's namespaces lists next.
enum Step {
    /// The namespaces directly under one (or the top-level ones).
    Namespaces(Option<Namespace>),
    /// One namespace's tables.
    Tables(Namespace),
}

/// Every table under `within` (the whole catalog when `None`), each listing read whole before
/// its items go out, breadth first, each namespace and table once however often a server lists
/// it. A listed namespace that is not directly under the one listed is not followed (a server
/// going round in a cycle), and reported; the depth of namespaces is bounded by their
/// validation, their number by each listing's page limit.
fn tables_under(
    catalog: CatalogScope,
    within: Option<Namespace>,
) -> impl Stream<Item = Listed> + Send + 'static {
    let mut steps = VecDeque::new();
    if let Some(namespace) = &within {
        steps.push_back(Step::Tables(namespace.clone()));
    }
    steps.push_back(Step::Namespaces(within));
    let walked = HashSet::new();
    stream::unfold(
        (catalog, steps, walked),
        |(catalog, mut steps, mut walked)| async move {
            let step = steps.pop_front()?;
            let found = match step {
                Step::Namespaces(parent) => {
                    let listing = NamespaceListing::new(&catalog, parent.as_ref());
                    match listing
                        .items(listing_options())
                        .try_collect::<Vec<_>>()
                        .await
                    {
                        Ok(children) => children
                            .iter()
                            .filter_map(|listed| {
                                match child_of(parent.as_ref(), &listed.namespace) {
                                    Ok(child) => {
                                        if walked.insert(child.clone()) {
                                            steps.push_back(Step::Tables(child.clone()));
                                            steps.push_back(Step::Namespaces(Some(child)));
                                        }
                                        None
                                    }
                                    Err(error) => {
                                        Some(Listed::Unlisted(parent.clone(), Error::from(error)))
                                    }
                                }
                            })
                            .collect(),
                        Err(error) => vec![Listed::Unlisted(parent, error)],
                    }
                }
                Step::Tables(namespace) => {
                    let listing = TableListing::new(&catalog, &namespace);
                    match listing
                        .items(listing_options())
                        .try_collect::<Vec<_>>()
                        .await
                    {
                        Ok(tables) => {
                            let mut listed_before = HashSet::new();
                            tables
                                .into_iter()
                                .filter_map(|listed| match TableName::new(listed.identifier.name) {
                                    Ok(name) => listed_before
                                        .insert(name.clone())
                                        .then(|| Listed::Table(namespace.clone(), name)),
                                    Err(error) => Some(Listed::Unlisted(
                                        Some(namespace.clone()),
                                        Error::from(error),
                                    )),
                                })
                                .collect()
                        }
                        Err(error) => vec![Listed::Unlisted(Some(namespace), error)],
                    }
                }
            };
            Some((stream::iter(found), (catalog, steps, walked)))
        },
    )
    .flatten()
}

/// The largest pages: a sweep reads every item anyway.
fn listing_options() -> ListOptions {
    ListOptions::new().page_size(PageSize::new(PageSize::MAX).expect("the largest page size"))
}

/// `listed`, a namespace the server listed under `parent`, checked as any namespace is and
/// required to sit directly under `parent`.
fn child_of(
    parent: Option<&Namespace>,
    listed: &crate::generated::types::NamespaceIdentifier,
) -> Result<Namespace, ValidationError> {
    let child = Namespace::try_from(listed)?;
    let levels = child.levels();
    let directly_under = match parent {
        None => levels.len() == 1,
        Some(parent) => {
            levels.len() == parent.levels().len() + 1 && levels.starts_with(parent.levels())
        }
    };
    if !directly_under {
        return Err(ValidationError::new(
            "listed namespace",
            "is not directly under the namespace listed; not followed",
        ));
    }
    Ok(child)
}
