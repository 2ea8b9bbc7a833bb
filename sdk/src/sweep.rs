//! Sweeps: one table operation run over every table of a catalog, or of a namespace and the
//! namespaces under it, following the listings' pages as they arrive, a bounded number of
//! tables at a time, at a share of the client's rate limit and with one budget of retries for
//! all of its calls.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt, stream};

use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{
    MaintenanceRunPage, MaintenanceUpdate, NamespacePage, QueuedMaintenance, TableMaintenance,
    TableMaintenanceConfig, TablePage,
};
use crate::maintenance::checked;
use crate::namespaces::NamespaceListing;
use crate::pace::{DEFAULT_RATE_SHARE, RateShare, SweepBudget};
use crate::paging::{ListOptions, Paginated, Streamed};
use crate::scope::CatalogScope;
use crate::status::MaintenanceKind;
use crate::tables::{TableHandle, TableListing, check_runs_options};
use crate::validate::{Namespace, RequestId, TableName, ValidationError};

/// How many tables a sweep works on at once unless told otherwise. Over HTTP/2 they share one
/// connection; on the emulator over TLS (`cargo xtask bench -- --sweep`), a sweep of 1,000
/// tables takes 0.24 s one at a time, 0.063 s 16 at a time, 0.049 s 32 at a time and 0.043 s
/// 64 at a time: past 32 the gain is small, and Cloudflare's rate limit is met sooner.
pub const DEFAULT_SWEEP_CONCURRENCY: NonZeroUsize = NonZeroUsize::new(32).expect("not zero");

/// How many retries all the calls of a sweep may make together unless told otherwise.
pub const DEFAULT_SWEEP_RETRY_BUDGET: u32 = 100;

/// How long a sweep's call waits for Cloudflare's rate limit unless told otherwise: long
/// enough for Cloudflare's block (300 s) and a window's reset, with room to spare.
pub const DEFAULT_SWEEP_MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// One table operation over many tables; from [`CatalogHandle::sweep`](crate::handles::CatalogHandle::sweep).
///
/// The sweep lists the catalog's namespaces (or those under [`Sweep::within`]) and their
/// tables, page by page, and runs the operation on each table as its page arrives,
/// [`Sweep::concurrency`] at a time; [`Swept::Listed`] tells how many tables it has found so
/// far. Each table's outcome comes once, as it ends ([`Swept::Table`]); a listing that fails
/// is reported in place of the tables it would have given ([`Swept::Unlisted`]).
///
/// **Pace.** Its calls, listings included, keep to the client's pace
/// ([`Client::rate_limit`](crate::Client::rate_limit)) and take at most
/// [`Sweep::rate_share`] of the token's quota: they send while more of the window's quota
/// remains than the others' share of its time left, and wait otherwise, so a sweep alone uses
/// the quota fully and never meets a 429, and one beside other users of the token leaves them
/// room. When Cloudflare says to wait (a 429, `Retry-After`), no call of the client is sent
/// until the wait is over; a sweep waits out a block of up to [`Sweep::max_wait`] (the token's
/// 300 s block included) without spending its retries on it. Together its calls make at most
/// [`Sweep::retry_budget`] retries (each call also keeps to the client's own
/// [`RetryConfig`](crate::config::RetryConfig)).
///
/// **Memory** is bounded whatever a server lists: the walk goes depth first, holding one page
/// of each listing it is inside (at most 17 levels; a page with more than the 1,000 items
/// asked for is refused, and each page is no larger than the client's
/// [body limit](crate::ClientBuilder::max_response_bytes)), and a keyed 8-byte hash of each
/// table and namespace listed, so that one listed twice is acted on once, up to
/// [`MAX_SWEEP_LISTED`]; besides, at most [`Sweep::concurrency`] tables in flight and
/// [`Sweep::skip`]'s tables.
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
/// use cloudflare_r2_catalog::{models::{MaintenanceState, MaintenanceUpdate, SnapshotExpirationUpdate}, sweep::Swept};
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
/// let mut swept = catalog.sweep().within("bronze".parse()?).update_maintenance(update)?;
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
    rate_share: RateShare,
    max_wait: Duration,
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
            .field("rate_share", &self.rate_share)
            .field("max_wait", &self.max_wait)
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
        /// retries and pace, not to the sweep's share and budget, which end with the sweep.
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
    /// How far the listing has come: `tables` tables found to act on so far (those not
    /// skipped), and whether the walk over the listings is over, when `tables` is the total
    /// of what it found (a listing that failed or was cut short is a [`Swept::Unlisted`] of
    /// its own). Comes after each page of tables and once at the end.
    Listed {
        /// Tables found so far.
        tables: u64,
        /// Whether the walk over the listings is over.
        complete: bool,
    },
}

impl<T> Swept<T> {
    /// This item with a table's result made into another by `to`: what a sweep's caller keeps
    /// of each result, the rest of the item as it is.
    pub fn map<U>(self, to: impl FnOnce(T) -> U) -> Swept<U> {
        match self {
            Self::Table { table, outcome } => Swept::Table {
                table,
                outcome: outcome.map(to),
            },
            Self::Unlisted { namespace, error } => Swept::Unlisted { namespace, error },
            Self::Listed { tables, complete } => Swept::Listed { tables, complete },
        }
    }
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
            rate_share: DEFAULT_RATE_SHARE,
            max_wait: DEFAULT_SWEEP_MAX_WAIT,
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

    /// How much of the token's quota the sweep may take (default [`DEFAULT_RATE_SHARE`], 75%):
    /// at any moment it leaves the token's other users the rest of the window's quota in
    /// proportion to the time left, and it takes what they leave unused; 100% leaves them only
    /// a margin (1% of the quota). Two sweeps on one token each count the other among the
    /// others.
    pub fn rate_share(mut self, share: RateShare) -> Self {
        self.rate_share = share;
        self
    }

    /// How long a call waits for Cloudflare's rate limit (default [`DEFAULT_SWEEP_MAX_WAIT`]):
    /// a block or a spent quota that lasts longer is the outcome of the tables it holds up
    /// ([`Error::RateLimited`]). The wait is not counted in the calls' operation timeout.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
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
    pub fn get_maintenance(self) -> Streamed<Swept<Response<TableMaintenance>>> {
        self.run(|table| async move { table.maintenance().get().await })
    }

    /// Changes each table's maintenance settings present in `update`, as
    /// [`TableMaintenanceHandle::update`](crate::handles::TableMaintenanceHandle::update) does; an
    /// invalid `update` is refused before anything is sent.
    pub fn update_maintenance(
        self,
        update: MaintenanceUpdate,
    ) -> Result<Streamed<Swept<Response<Option<TableMaintenanceConfig>>>>, ValidationError> {
        checked(&update)?;
        let update = Arc::new(update);
        Ok(self.run(move |table| {
            let update = Arc::clone(&update);
            async move { table.maintenance().update(&update).await }
        }))
    }

    /// Queues `kind` of maintenance for each table, as
    /// [`TableMaintenanceHandle::queue`](crate::handles::TableMaintenanceHandle::queue) does, each
    /// with a request id of its own; an unknown `kind` is refused before anything is sent.
    pub fn queue_maintenance(
        self,
        kind: MaintenanceKind,
    ) -> Result<Streamed<Swept<SweptQueue>>, ValidationError> {
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
    /// [`TableMaintenanceHandle::runs`](crate::handles::TableMaintenanceHandle::runs) asks with
    /// `options`; options the runs listing does not take are refused before anything is sent.
    pub fn runs(
        self,
        options: ListOptions,
    ) -> Result<Streamed<Swept<Response<MaintenanceRunPage>>>, ValidationError> {
        check_runs_options(&options)?;
        Ok(self.run(move |table| {
            let options = options.clone();
            async move { table.maintenance().runs().list(options).await }
        }))
    }

    /// Runs `operation` on each table: any call of its [`TableHandle`], which carries the
    /// sweep's share and budget (the handle reported in [`Swept::Table`] does not).
    pub fn run<T, F, Fut>(self, operation: F) -> Streamed<Swept<T>>
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
            rate_share,
            max_wait,
            skip,
            stop,
        } = self;
        let paced = catalog.under(Arc::new(SweepBudget::new(
            retry_budget,
            rate_share,
            max_wait,
        )));
        // Listing changes nothing: on a dry-run client the sweep still lists, and plans only
        // what it would do to each table.
        let listing = CatalogScope {
            engine: paced.engine.planning(false),
            ..paced.clone()
        };
        let stop = stop.unwrap_or_else(|| Box::pin(std::future::pending()));
        let swept = tables_under(listing, within, skip)
            .take_until(stop)
            .map(move |listed| {
                let acted = match listed {
                    Listed::Table(namespace, name) => {
                        let acting =
                            TableHandle::new(paced.clone(), namespace.clone(), name.clone());
                        // The handle reported is the client's own: the sweep's share and what is
                        // left of its budget end with the sweep, not with the handle.
                        let table = TableHandle::new(catalog.clone(), namespace, name);
                        Ok((operation(acting), table))
                    }
                    Listed::Unlisted(namespace, error) => Err(Swept::Unlisted { namespace, error }),
                    Listed::Count { tables, done } => Err(Swept::Listed {
                        tables,
                        complete: done,
                    }),
                };
                async move {
                    match acted {
                        Ok((outcome, table)) => Swept::Table {
                            table,
                            outcome: outcome.await,
                        },
                        Err(listed) => listed,
                    }
                }
            })
            .buffer_unordered(concurrency.get());
        Streamed::new(swept)
    }
}

/// What the walk over a catalog's namespaces gives: a table, a namespace whose listing failed
/// and why, or how many tables it has given so far (`done` once the walk is over).
enum Listed {
    Table(Namespace, TableName),
    Unlisted(Option<Namespace>, Error),
    Count { tables: u64, done: bool },
}

/// The most tables and namespaces a sweep lists: each is remembered as a keyed 8-byte hash, so
/// that one listed twice is acted on once, and this bounds them to about 18 MiB of hash table
/// (27 MiB for a moment as it grows) whatever a server lists. A listing past it ends the walk
/// with [`Swept::Unlisted`], for it and for each namespace found and not walked.
pub const MAX_SWEEP_LISTED: usize = 1_000_000;

/// One namespace the walk is inside (or the catalog's top, `None`): the listing it is reading,
/// its tables first, then the namespaces under it, and what it has read of that listing's
/// current page and not given out yet.
struct Frame {
    namespace: Option<Namespace>,
    tables: Option<Paginated<TablePage>>,
    namespaces: Option<Paginated<NamespacePage>>,
    pending: VecDeque<Pending>,
}

/// An item of a page the walk read, not given out yet.
enum Pending {
    Table(TableName),
    Namespace(Namespace),
    Unlisted(Error),
}

/// The walk over a catalog's namespaces: depth first, one page at a time, so that tables are
/// acted on as their pages arrive and what the walk holds is bounded by the depth of
/// namespaces (a page per level), not by what a server lists.
struct Walk {
    catalog: CatalogScope,
    frames: Vec<Frame>,
    keys: Keys,
    seen: HashSet<u64>,
    skip: HashSet<(Namespace, TableName)>,
    tables: u64,
    /// Whether the walk has listed all a sweep lists ([`MAX_SWEEP_LISTED`]): it reads no
    /// further page.
    full: bool,
    over: bool,
}

impl Frame {
    /// The frame of `namespace`: its tables (none at the catalog's top), then the namespaces
    /// under it.
    fn new(catalog: &CatalogScope, namespace: Option<Namespace>) -> Self {
        let shared = namespace.clone().map(Arc::new);
        let tables = shared.as_ref().map(|namespace| {
            TableListing::new(catalog.clone(), Arc::clone(namespace)).pages(listing_options())
        });
        let namespaces = NamespaceListing::new(catalog.clone(), shared).pages(listing_options());
        Self {
            namespace,
            tables,
            namespaces: Some(namespaces),
            pending: VecDeque::new(),
        }
    }
}

impl Walk {
    /// The next item of the walk; `None` once it has given its last count.
    async fn next(&mut self) -> Option<Listed> {
        loop {
            let Some(frame) = self.frames.last_mut() else {
                if std::mem::replace(&mut self.over, true) {
                    return None;
                }
                return Some(Listed::Count {
                    tables: self.tables,
                    done: true,
                });
            };
            match frame.pending.pop_front() {
                Some(Pending::Table(name)) => {
                    let namespace = frame.namespace.clone()?;
                    self.tables += 1;
                    return Some(Listed::Table(namespace, name));
                }
                // Past what a sweep lists, no listing is started: each namespace found and not
                // walked is told.
                Some(Pending::Namespace(child)) if self.full => {
                    return Some(Listed::Unlisted(Some(child), past_the_most()));
                }
                Some(Pending::Namespace(child)) => {
                    let child = Frame::new(&self.catalog, Some(child));
                    self.frames.push(child);
                    continue;
                }
                Some(Pending::Unlisted(error)) => {
                    return Some(Listed::Unlisted(frame.namespace.clone(), error));
                }
                None => {}
            }
            if self.full {
                frame.tables = None;
                frame.namespaces = None;
            }
            if let Some(tables) = &mut frame.tables {
                match tables.next().await {
                    Some(Ok(page)) => {
                        let namespace = frame.namespace.clone()?;
                        let names = page.identifiers.into_iter().map(|listed| {
                            let name = TableName::new(listed.name)?;
                            Ok((self.keys.table(&namespace, &name), name))
                        });
                        // What an earlier run did is not done again, nor counted.
                        let skip = &self.skip;
                        let to_act = |name: TableName| {
                            let done = skip.contains(&(namespace.clone(), name.clone()));
                            (!done).then_some(Pending::Table(name))
                        };
                        let read = read_page(&mut frame.pending, &mut self.seen, names, to_act);
                        if read != PageRead::Read {
                            frame.tables = None;
                        }
                        self.full |= read == PageRead::Full;
                        return Some(Listed::Count {
                            tables: self.tables + count_tables(&frame.pending),
                            done: false,
                        });
                    }
                    Some(Err(error)) => frame.pending.push_back(Pending::Unlisted(error)),
                    None => frame.tables = None,
                }
                continue;
            }
            if let Some(namespaces) = &mut frame.namespaces {
                match namespaces.next().await {
                    Some(Ok(page)) => {
                        let parent = frame.namespace.clone();
                        let children = page.namespaces.iter().map(|listed| {
                            let child = child_of(parent.as_ref(), listed)?;
                            Ok((self.keys.namespace(&child), child))
                        });
                        let read =
                            read_page(&mut frame.pending, &mut self.seen, children, |child| {
                                Some(Pending::Namespace(child))
                            });
                        if read != PageRead::Read {
                            frame.namespaces = None;
                        }
                        self.full |= read == PageRead::Full;
                    }
                    Some(Err(error)) => frame.pending.push_back(Pending::Unlisted(error)),
                    None => frame.namespaces = None,
                }
                continue;
            }
            self.frames.pop();
        }
    }
}

/// Puts a page's `items` (each with its key in `seen`) in `pending` as `pending_as` says (or
/// not at all, when it says `None`), each once however often a server lists it; an item that
/// breaks the API's rules in its place, as an error. A page with more items than a sweep asks for (a server that does not keep to
/// the page size), or one past [`MAX_SWEEP_LISTED`], is not taken: an error in its place.
fn read_page<T>(
    pending: &mut VecDeque<Pending>,
    seen: &mut HashSet<u64>,
    items: impl ExactSizeIterator<Item = Result<(u64, T), ValidationError>>,
    pending_as: impl Fn(T) -> Option<Pending>,
) -> PageRead {
    if items.len() as u64 > ListOptions::MAX_PAGE_SIZE {
        pending.push_back(Pending::Unlisted(Error::from(ValidationError::new(
            "listed page",
            "holds more items than the 1000 asked for; not followed",
        ))));
        return PageRead::Refused;
    }
    if seen.len().saturating_add(items.len()) > MAX_SWEEP_LISTED {
        pending.push_back(Pending::Unlisted(past_the_most()));
        return PageRead::Full;
    }
    for item in items {
        match item {
            Ok((key, item)) => {
                if seen.insert(key) {
                    pending.extend(pending_as(item));
                }
            }
            Err(error) => pending.push_back(Pending::Unlisted(Error::from(error))),
        }
    }
    PageRead::Read
}

/// What became of a page: read, or refused, when its listing ends there, or past what a
/// sweep lists, when the whole walk ends.
#[derive(PartialEq)]
enum PageRead {
    Read,
    Refused,
    Full,
}

/// Why a listing is not read past [`MAX_SWEEP_LISTED`].
fn past_the_most() -> Error {
    Error::from(ValidationError::new(
        "listing",
        "goes past the 1,000,000 tables and namespaces a sweep lists; not followed",
    ))
}

/// How many of `pending` are tables.
fn count_tables(pending: &VecDeque<Pending>) -> u64 {
    pending
        .iter()
        .filter(|pending| matches!(pending, Pending::Table(_)))
        .count() as u64
}

/// How a walk keys the tables and namespaces it has listed: keyed hashes, eight bytes each
/// however long their names, and no collision a server can aim for.
#[derive(Default)]
struct Keys(RandomState);

impl Keys {
    fn table(&self, namespace: &Namespace, name: &TableName) -> u64 {
        self.0.hash_one((0u8, namespace.levels(), name.as_ref()))
    }

    fn namespace(&self, namespace: &Namespace) -> u64 {
        self.0.hash_one((1u8, namespace.levels()))
    }
}

/// Every table under `within` (the whole catalog when `None`) but those in `skip`, with the
/// count of tables so far after each page of them and once at the end (see [`Walk`]). A
/// listed namespace that is not directly under the one listed is not followed (a server going
/// round in a cycle), and reported; the depth of namespaces is bounded by their validation.
fn tables_under(
    catalog: CatalogScope,
    within: Option<Namespace>,
    skip: HashSet<(Namespace, TableName)>,
) -> impl Stream<Item = Listed> + Send + 'static {
    let frames = vec![Frame::new(&catalog, within)];
    let walk = Walk {
        catalog,
        frames,
        keys: Keys::default(),
        seen: HashSet::new(),
        skip,
        tables: 0,
        full: false,
        over: false,
    };
    stream::unfold(walk, |mut walk| async move {
        let listed = walk.next().await?;
        Some((listed, walk))
    })
}

/// The largest pages: a sweep reads every item anyway.
fn listing_options() -> ListOptions {
    ListOptions::new().page_size(ListOptions::MAX_PAGE_SIZE)
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
