//! Namespaces: one namespace of a catalog (its tables, its nested namespaces), and the listing
//! of namespaces one page at a time or as a stream.

use std::fmt;
use std::sync::Arc;

use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{NamespaceIdentifier, NamespacePage, TableIdentifier};
use crate::paging::{ListOptions, ListedNamespace, PageBound, Paginated, follow, items};
use crate::scope::CatalogScope;
use crate::tables::{TableHandle, TableListing};
use crate::validate::{
    AccountId, BucketName, Input, Namespace, TableName, ValidationError, write_dotted,
};

/// A listed namespace, passed straight back to a call: its levels are checked as any
/// namespace's (a server could list one that breaks the rules, such as a `..` level).
///
/// ```
/// use cloudflare_r2_catalog::{input::Namespace, models::NamespaceIdentifier};
///
/// let listed: NamespaceIdentifier = serde_json::from_str(r#"["bronze", "raw"]"#)?;
/// assert_eq!(Namespace::try_from(&listed)?.to_string(), "bronze.raw");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl TryFrom<&NamespaceIdentifier> for Namespace {
    type Error = ValidationError;
    fn try_from(listed: &NamespaceIdentifier) -> Result<Self, ValidationError> {
        Namespace::new(listed.0.iter().map(String::as_str))
    }
}

/// A listed namespace, by value, checked as by reference.
impl TryFrom<NamespaceIdentifier> for Namespace {
    type Error = ValidationError;
    fn try_from(listed: NamespaceIdentifier) -> Result<Self, ValidationError> {
        Namespace::new(listed.0)
    }
}

/// The levels joined with `.` as [`Namespace`]'s `Display` writes them (`bronze.raw`), each
/// `.` and `\` inside a level escaped with `\`, so [`Namespace::parse_dotted`] reads it back.
/// Server text is written as sent: escape it before a terminal shows it.
///
/// ```
/// use cloudflare_r2_catalog::models::NamespaceIdentifier;
///
/// let listed: NamespaceIdentifier = serde_json::from_str(r#"["bronze", "raw.v2"]"#)?;
/// assert_eq!(listed.to_string(), r"bronze.raw\.v2");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl fmt::Display for NamespaceIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_dotted(f, self.0.iter().map(String::as_str))
    }
}

/// The namespace, then the name, joined with `.` and escaped as [`NamespaceIdentifier`]'s
/// `Display` does: `bronze.raw.events`.
///
/// ```
/// use cloudflare_r2_catalog::models::TableIdentifier;
///
/// let listed: TableIdentifier =
///     serde_json::from_str(r#"{"namespace": ["bronze", "raw"], "name": "events.v2"}"#)?;
/// assert_eq!(listed.to_string(), r"bronze.raw.events\.v2");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl fmt::Display for TableIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let levels = self.namespace.0.iter().map(String::as_str);
        write_dotted(f, levels.chain([self.name.as_str()]))
    }
}

/// One namespace of a catalog; from [`CatalogHandle::namespace`](crate::handles::CatalogHandle::namespace),
/// which checks its levels once. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NamespaceHandle {
    catalog: CatalogScope,
    namespace: Arc<Namespace>,
}

impl NamespaceHandle {
    pub(crate) fn new(catalog: CatalogScope, namespace: Namespace) -> Self {
        Self {
            catalog,
            namespace: Arc::new(namespace),
        }
    }

    /// The account the namespace belongs to.
    pub fn account_id(&self) -> &AccountId {
        &self.catalog.account_id
    }

    /// The bucket whose catalog holds the namespace.
    pub fn bucket(&self) -> &BucketName {
        &self.catalog.bucket
    }

    /// The namespace's levels.
    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// The namespaces directly under this one.
    pub fn namespaces(&self) -> NamespaceListing {
        NamespaceListing::new(self.catalog.clone(), Some(Arc::clone(&self.namespace)))
    }

    /// The tables of this namespace.
    pub fn tables(&self) -> TableListing {
        TableListing::new(self.catalog.clone(), Arc::clone(&self.namespace))
    }

    /// The table `name` of this namespace, checked now: a name the API would refuse is an
    /// error here, before any call.
    pub fn table(&self, name: impl Input<TableName>) -> Result<TableHandle, ValidationError> {
        Ok(TableHandle::within(
            self.catalog.clone(),
            Arc::clone(&self.namespace),
            name.into_valid()?,
        ))
    }
}

/// The namespaces of a catalog, top-level ones or those directly under one namespace; from
/// [`CatalogHandle::namespaces`](crate::handles::CatalogHandle::namespaces) or
/// [`NamespaceHandle::namespaces`]. Like every listing: [`list`](Self::list) one page,
/// [`pages`](Self::pages) or [`items`](Self::items) as a stream.
#[derive(Debug, Clone)]
pub struct NamespaceListing {
    catalog: CatalogScope,
    parent: Option<Arc<Namespace>>,
}

impl NamespaceListing {
    pub(crate) fn new(catalog: CatalogScope, parent: Option<Arc<Namespace>>) -> Self {
        Self { catalog, parent }
    }

    /// One page of the namespaces, starting at `options`' page token.
    pub async fn list(&self, options: ListOptions) -> Result<Response<NamespacePage>, Error> {
        options.check(PageBound::ITEMS)?;
        let parent = self.parent.as_deref().map(Namespace::to_wire);
        let token = options.page_token.as_deref();
        namespaces_page(&self.catalog, parent.as_deref(), &options, token).await
    }

    /// Every namespace, one by one, each with its UUID and details when `options` ask for
    /// them: [`NamespaceListing::pages`] as items ([`NamespacePage::into_items`]).
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::ListOptions;
    /// use futures_util::TryStreamExt;
    ///
    /// let catalog = client.catalog("my-data-bucket")?;
    /// let mut namespaces = catalog.namespaces().items(ListOptions::new().with_uuids());
    /// while let Some(listed) = namespaces.try_next().await? {
    ///     println!("{} {:?}", listed.namespace, listed.uuid);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items(&self, options: ListOptions) -> Paginated<ListedNamespace> {
        Paginated::new(items(self.pages(options), NamespacePage::into_items))
    }

    /// Every page of the namespaces, fetched lazily as the stream is polled, starting at
    /// `options`' page token; each page is retried as a call of its own.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::ListOptions;
    /// use futures_util::TryStreamExt;
    ///
    /// let catalog = client.catalog("my-data-bucket")?;
    /// let all: Vec<_> = catalog
    ///     .namespaces()
    ///     .pages(ListOptions::new())
    ///     .map_ok(|page| page.namespaces)
    ///     .try_concat()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, options: ListOptions) -> Paginated<NamespacePage> {
        let inputs = options.check(PageBound::ITEMS).map(|()| {
            let parent = self.parent.as_deref().map(Namespace::to_wire);
            (self.catalog.clone(), parent)
        });
        Paginated::new(follow(
            inputs,
            options,
            |(catalog, parent), options, cursor| async move {
                let (parent, cursor) = (parent.as_deref(), cursor.as_deref());
                namespaces_page(&catalog, parent, &options, cursor).await
            },
        ))
    }
}

async fn namespaces_page(
    catalog: &CatalogScope,
    parent: Option<&str>,
    options: &ListOptions,
    page_token: Option<&str>,
) -> Result<Response<NamespacePage>, Error> {
    let (return_uuids, return_details) = options.flags();
    let (engine, account_id, bucket) = catalog.parts();
    let api = engine.api();
    engine
        .read(|| {
            api.list_namespaces(
                account_id,
                bucket,
                options.wire_page_size(),
                page_token,
                parent,
                return_details,
                return_uuids,
            )
        })
        .await
}
