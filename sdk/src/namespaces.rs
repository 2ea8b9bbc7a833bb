//! Namespaces: one namespace of a catalog (its tables, its nested namespaces), and the listing
//! of namespaces one page at a time or as a stream.

use futures_util::Stream;

use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{NamespaceIdentifier, NamespacePage};
use crate::paging::{ListOptions, ListedNamespace, follow, items};
use crate::scope::CatalogScope;
use crate::tables::{TableHandle, TableListing};
use crate::validate::{AccountId, BucketName, Input, Namespace, TableName, ValidationError};

/// A listed namespace, passed straight back to a call: its levels are checked as any
/// namespace's (a server could list one that breaks the rules, such as a `..` level).
///
/// ```
/// use cloudflare_r2_catalog::{Namespace, NamespaceIdentifier};
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

/// One namespace of a catalog; from [`CatalogHandle::namespace`](crate::CatalogHandle::namespace),
/// which checks its levels once. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NamespaceHandle {
    catalog: CatalogScope,
    namespace: Namespace,
}

impl NamespaceHandle {
    pub(crate) fn new(catalog: CatalogScope, namespace: Namespace) -> Self {
        Self { catalog, namespace }
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
    pub fn namespaces(&self) -> NamespaceListing<'_> {
        NamespaceListing::new(&self.catalog, Some(&self.namespace))
    }

    /// The tables of this namespace.
    pub fn tables(&self) -> TableListing<'_> {
        TableListing::new(&self.catalog, &self.namespace)
    }

    /// The table `name` of this namespace, checked now: a name the API would refuse is an
    /// error here, before any call.
    pub fn table(&self, name: impl Input<TableName>) -> Result<TableHandle, ValidationError> {
        Ok(TableHandle::new(
            self.catalog.clone(),
            self.namespace.clone(),
            name.into_valid()?,
        ))
    }
}

/// The namespaces of a catalog, top-level ones or those directly under one namespace; from
/// [`CatalogHandle::namespaces`](crate::CatalogHandle::namespaces) or
/// [`NamespaceHandle::namespaces`].
#[derive(Debug, Clone, Copy)]
pub struct NamespaceListing<'a> {
    catalog: &'a CatalogScope,
    parent: Option<&'a Namespace>,
}

impl<'a> NamespaceListing<'a> {
    pub(crate) fn new(catalog: &'a CatalogScope, parent: Option<&'a Namespace>) -> Self {
        Self { catalog, parent }
    }

    /// One page of the namespaces, starting at `options`' page token.
    pub async fn list(self, options: &ListOptions) -> Result<Response<NamespacePage>, Error> {
        let parent = self.parent.map(Namespace::to_wire);
        let token = options.page_token.as_deref();
        namespaces_page(self.catalog, parent.as_deref(), options, token).await
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
    /// let mut namespaces = std::pin::pin!(catalog.namespaces().items(ListOptions::new().with_uuids()));
    /// while let Some(listed) = namespaces.try_next().await? {
    ///     println!("{:?} {:?}", listed.namespace, listed.uuid);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items(
        self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ListedNamespace, Error>> + Send + 'static {
        items(self.pages(options), NamespacePage::into_items)
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
    pub fn pages(
        self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<NamespacePage, Error>> + Send + 'static {
        let inputs = Ok((self.catalog.clone(), self.parent.map(Namespace::to_wire)));
        follow(
            inputs,
            options,
            |(catalog, parent), options, cursor| async move {
                let (parent, cursor) = (parent.as_deref(), cursor.as_deref());
                namespaces_page(&catalog, parent, &options, cursor).await
            },
        )
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
                options.page_size.map(|size| size.as_non_zero()),
                page_token,
                parent,
                return_details,
                return_uuids,
            )
        })
        .await
}
