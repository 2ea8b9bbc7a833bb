//! Cursor paging for the list operations: options shared by every list call, and the stream
//! that follows `next_page_token` to the last page.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroU64;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;

use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{
    MaintenanceRunPage, NamespaceDetails, NamespaceIdentifier, NamespacePage, TableDetails,
    TableIdentifier, TablePage,
};
use crate::validate::ValidationError;

/// Options of a list call; the defaults ask for the server's default page (100) from the start.
///
/// The setters take plain values; one the API would refuse (a page size of 0, say) is reported
/// by the call the options are given to, as [`Error::InvalidInput`], before anything is sent.
///
/// ```
/// use cloudflare_r2_catalog::ListOptions;
///
/// let options = ListOptions::new().page_size(500).with_details();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListOptions {
    page_size: Option<u64>,
    pub(crate) page_token: Option<String>,
    return_uuids: bool,
    return_details: bool,
    max_pages: u64,
}

impl Default for ListOptions {
    fn default() -> Self {
        Self {
            page_size: None,
            page_token: None,
            return_uuids: false,
            return_details: false,
            max_pages: Self::DEFAULT_MAX_PAGES,
        }
    }
}

impl ListOptions {
    /// The largest page the API serves for namespaces and tables.
    pub const MAX_PAGE_SIZE: u64 = PageBound::ITEMS.largest;

    /// How many pages a paged stream follows unless told otherwise: ten million items at the
    /// largest page size, far more than a catalog holds, yet an end to a server that keeps
    /// minting new cursors.
    pub const DEFAULT_MAX_PAGES: u64 = 10_000;

    /// The defaults: first page, server-chosen size, no UUIDs, no details, and paged streams
    /// that follow at most [`ListOptions::DEFAULT_MAX_PAGES`] pages.
    pub fn new() -> Self {
        Self::default()
    }

    /// The most pages a `pages(…)` or `items(…)` stream follows (default
    /// [`ListOptions::DEFAULT_MAX_PAGES`]; at least 1). When the last of them still has a
    /// `next_page_token`, the stream ends with [`Error::PageLimit`]; that token, on the last
    /// page yielded, is where to resume from.
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = pages;
        self
    }

    /// At most `size` items per page: 1 to [`ListOptions::MAX_PAGE_SIZE`], 1 to 100 for
    /// maintenance runs.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Start from the page a previous response's `next_page_token` points at.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Also return each item's UUID (`namespace_uuids` / `table_uuids`).
    pub fn with_uuids(mut self) -> Self {
        self.return_uuids = true;
        self
    }

    /// Also return each item's details: timestamps, and locations for tables.
    pub fn with_details(mut self) -> Self {
        self.return_details = true;
        self
    }

    /// Whether these options fit a listing whose pages are `bound`.
    pub(crate) fn check(&self, bound: PageBound) -> Result<(), ValidationError> {
        if self
            .page_size
            .is_some_and(|size| !(1..=bound.largest).contains(&size))
        {
            return Err(ValidationError::new("page size", bound.rule));
        }
        if self.max_pages == 0 {
            return Err(ValidationError::new("max pages", "must be at least 1"));
        }
        Ok(())
    }

    /// The page size as the generated client takes it, once `check` passed.
    pub(crate) fn wire_page_size(&self) -> Option<NonZeroU64> {
        self.page_size.and_then(NonZeroU64::new)
    }

    /// The flags as the generated client takes them: sent only when asked for.
    pub(crate) fn flags(&self) -> (Option<bool>, Option<bool>) {
        (
            self.return_uuids.then_some(true),
            self.return_details.then_some(true),
        )
    }
}

/// The page sizes a listing serves, and how a size outside them is refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageBound {
    pub(crate) largest: u64,
    rule: &'static str,
}

impl PageBound {
    /// Namespaces and tables.
    pub(crate) const ITEMS: Self = Self {
        largest: 1000,
        rule: "must be between 1 and 1000",
    };

    /// A table's maintenance runs.
    pub(crate) const RUNS: Self = Self {
        largest: 100,
        rule: "must be between 1 and 100 for maintenance runs",
    };
}

/// A page of a cursor-paged list.
pub trait Page {
    /// The cursor of the next page; `None` on the last page.
    fn next_page_token(&self) -> Option<&str>;
}

impl Page for NamespacePage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

impl Page for TablePage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

impl Page for MaintenanceRunPage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

/// A stream the SDK hands out: `Unpin`, so `.next().await` (of [`futures_util::StreamExt`])
/// works without pinning it first, and `Send + 'static`, so it can be kept or moved into a task.
/// The combinators of `StreamExt` and `TryStreamExt` (`try_next`, `try_collect`, …) work on it
/// too. A listing's pages or items are a [`Paginated`]; a sweep's outcomes a
/// `Streamed<Swept<T>>`.
#[must_use = "a stream does nothing until it is polled"]
pub struct Streamed<I> {
    stream: Pin<Box<dyn Stream<Item = I> + Send>>,
}

/// A listing's pages or items, fetched lazily as the stream is polled; an error ends it.
///
/// ```no_run
/// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
/// use cloudflare_r2_catalog::ListOptions;
/// use futures_util::StreamExt as _;
///
/// let mut namespaces = client.catalog("my-data-bucket")?.namespaces().items(ListOptions::new());
/// while let Some(listed) = namespaces.next().await {
///     println!("{}", listed?.namespace);
/// }
/// # Ok(()) }
/// ```
pub type Paginated<T> = Streamed<Result<T, Error>>;

impl<I> Streamed<I> {
    pub(crate) fn new(stream: impl Stream<Item = I> + Send + 'static) -> Self {
        Self {
            stream: Box::pin(stream),
        }
    }
}

impl<I> Stream for Streamed<I> {
    type Item = I;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<I>> {
        self.stream.as_mut().poll_next(context)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl<I> fmt::Debug for Streamed<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streamed").finish_non_exhaustive()
    }
}

/// One namespace of a listing, with what the listing carried about it: its UUID when asked for
/// ([`ListOptions::with_uuids`]), its details when asked for ([`ListOptions::with_details`]).
/// A page holds these as parallel lists; this is one row of them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListedNamespace {
    /// The namespace, which can be passed straight back to a call.
    pub namespace: NamespaceIdentifier,
    /// Its UUID.
    pub uuid: Option<String>,
    /// Its timestamps and UUID.
    pub details: Option<NamespaceDetails>,
}

/// One table of a listing, with its UUID and details when asked for (see [`ListedNamespace`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListedTable {
    /// The table's namespace and name.
    pub identifier: TableIdentifier,
    /// Its UUID.
    pub uuid: Option<String>,
    /// Its timestamps, location and UUID.
    pub details: Option<TableDetails>,
}

impl NamespacePage {
    /// The page's namespaces, each with its UUID and details. A UUID is taken by position (the
    /// spec says the lists correspond); details by the namespace they name, so a server that
    /// orders them differently, or leaves one out, gives `None` rather than another's.
    pub fn into_items(self) -> impl Iterator<Item = ListedNamespace> {
        rows(
            self.namespaces,
            self.namespace_uuids,
            self.details,
            |details| &details.namespace,
        )
        .map(|(namespace, uuid, details)| ListedNamespace {
            namespace,
            uuid,
            details,
        })
    }
}

impl TablePage {
    /// The page's tables, each with its UUID and details, matched as
    /// [`NamespacePage::into_items`] does.
    pub fn into_items(self) -> impl Iterator<Item = ListedTable> {
        rows(
            self.identifiers,
            self.table_uuids,
            self.details,
            |details| &details.identifier,
        )
        .map(|(identifier, uuid, details)| ListedTable {
            identifier,
            uuid,
            details,
        })
    }
}

/// A page's parallel lists as rows: each of `items` with the UUID at its position and the
/// details that name it (`named`).
fn rows<I: PartialEq, D>(
    items: Vec<I>,
    uuids: Option<Vec<String>>,
    details: Option<Vec<D>>,
    named: impl Fn(&D) -> &I,
) -> impl Iterator<Item = (I, Option<String>, Option<D>)> {
    let mut uuids = uuids.unwrap_or_default().into_iter();
    let mut details = details.unwrap_or_default();
    items.into_iter().map(move |item| {
        let position = details.iter().position(|details| named(details) == &item);
        let details = position.map(|at| details.swap_remove(at));
        (item, uuids.next(), details)
    })
}

/// Every item of the pages of `pages`, in order; an error ends it as it ends the pages.
pub(crate) fn items<'a, P, I>(
    pages: impl Stream<Item = Result<P, Error>> + 'a,
    into_items: impl Fn(P) -> I + 'a,
) -> impl Stream<Item = Result<I::Item, Error>> + 'a
where
    I: Iterator + 'a,
{
    use futures_util::TryStreamExt;
    pages
        .map_ok(move |page| futures_util::stream::iter(into_items(page).map(Ok)))
        .try_flatten()
}

/// Every page of a list call, fetched one after the other and lazily: `fetch` is called with
/// the validated inputs, the options and the cursor of the next page only when the stream is
/// polled past the current one. The stream starts at `options`' page token and ends after a
/// page without a cursor, or with the first error; invalid `inputs` are its first and only item.
/// A page whose cursor the stream has already followed (a server going round in a cycle) ends
/// it with [`Error::RepeatedCursor`] in that page's place, instead of fetching the same pages
/// again forever; a cursor after the last page `options` allow ends it with [`Error::PageLimit`]
/// instead of being followed (a server minting new cursors forever).
pub(crate) fn follow<'a, I, P, F, Fut>(
    inputs: Result<I, ValidationError>,
    options: ListOptions,
    fetch: F,
) -> impl Stream<Item = Result<P, Error>> + 'a
where
    I: Clone + 'a,
    P: Page + 'a,
    F: Fn(I, ListOptions, Option<String>) -> Fut + 'a,
    Fut: Future<Output = Result<Response<P>, Error>> + 'a,
{
    let mut followed = Cursors::default();
    if let Some(first) = &options.page_token {
        followed.first_time(first);
    }
    let start = Following {
        next: Some(options.page_token.clone()),
        followed,
        pages: 0,
    };
    futures_util::stream::try_unfold(start, move |mut state| {
        let over_limit = matches!(state.next, Some(Some(_))) && state.pages >= options.max_pages;
        let pages = state.pages;
        let fetched = state.next.take().filter(|_| !over_limit).map(|cursor| {
            let inputs = inputs.clone();
            inputs.map(|inputs| fetch(inputs, options.clone(), cursor))
        });
        async move {
            if over_limit {
                return Err(Error::PageLimit { pages });
            }
            let Some(fetched) = fetched else {
                return Ok(None);
            };
            let page = fetched?.await?.result;
            match page.next_page_token().filter(|token| !token.is_empty()) {
                Some(cursor) if !state.followed.first_time(cursor) => {
                    return Err(Error::RepeatedCursor { pages: state.pages });
                }
                Some(cursor) => state.next = Some(Some(cursor.to_owned())),
                None => {}
            }
            state.pages = state.pages.saturating_add(1);
            Ok(Some((page, state)))
        }
    })
}

/// Where a paged stream stands: the cursor to ask with next (`None` once the last page is out,
/// `Some(None)` for the first page), the cursors followed so far, and the pages yielded.
struct Following {
    next: Option<Option<String>>,
    followed: Cursors,
    pages: u64,
}

/// The cursors a stream has followed, as keyed hashes: eight bytes each however long the
/// server makes them, and no collision a server can aim for.
#[derive(Default)]
struct Cursors {
    hasher: RandomState,
    seen: HashSet<u64>,
}

impl Cursors {
    /// Notes `cursor`; false when it was noted before.
    fn first_time(&mut self, cursor: &str) -> bool {
        self.seen.insert(self.hasher.hash_one(cursor))
    }
}
