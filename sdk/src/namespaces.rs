//! Namespaces of a catalog: one page at a time, or every page as a stream.

use futures_util::Stream;

use crate::engine::Engine;
use crate::envelope::Response;
use crate::error::Error;
use crate::generated::types::{NamespaceIdentifier, NamespacePage};
use crate::paging::{ListOptions, ListedNamespace, follow, items};
use crate::validate::{AccountId, BucketName, Input, Namespace, ValidationError};

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

/// Namespace operations; from [`crate::Client::namespaces`].
#[derive(Debug, Clone, Copy)]
pub struct Namespaces<'a> {
    engine: &'a Engine,
}

impl<'a> Namespaces<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        Self { engine }
    }

    /// One page of the namespaces directly under `parent` (top-level ones when `None`).
    pub async fn list(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        parent: Option<&Namespace>,
        options: &ListOptions,
    ) -> Result<Response<NamespacePage>, Error> {
        let (account_id, bucket) = (account_id.into_valid()?, bucket.into_valid()?);
        let parent = parent.map(Namespace::to_wire);
        let token = options.page_token.as_deref();
        self.page(&account_id, &bucket, parent.as_deref(), options, token)
            .await
    }

    /// Every namespace under `parent`, one by one, each with its UUID and details when
    /// `options` ask for them: [`Namespaces::pages`] as items ([`NamespacePage::into_items`]).
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::ListOptions;
    /// use futures_util::TryStreamExt;
    ///
    /// let account = "0123456789abcdef0123456789abcdef";
    /// let options = ListOptions::new().with_uuids();
    /// let mut namespaces = std::pin::pin!(client.namespaces().items(account, "my-data-bucket", None, options));
    /// while let Some(listed) = namespaces.try_next().await? {
    ///     println!("{:?} {:?}", listed.namespace, listed.uuid);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        parent: Option<&Namespace>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ListedNamespace, Error>> + 'a {
        items(
            self.pages(account_id, bucket, parent, options),
            NamespacePage::into_items,
        )
    }

    /// Every page of the namespaces under `parent`, fetched lazily as the stream is polled,
    /// starting at `options`' page token; each page is retried as a call of its own. Invalid
    /// input is the stream's first and only item.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::ListOptions;
    /// use futures_util::TryStreamExt;
    ///
    /// let account = "0123456789abcdef0123456789abcdef";
    /// let pages = client.namespaces().pages(account, "my-data-bucket", None, ListOptions::new());
    /// let all: Vec<_> = pages
    ///     .map_ok(|page| page.namespaces)
    ///     .try_concat()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pages(
        &self,
        account_id: impl Input<AccountId>,
        bucket: impl Input<BucketName>,
        parent: Option<&Namespace>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<NamespacePage, Error>> + 'a {
        let this = *self;
        let inputs = (|| {
            Ok((
                account_id.into_valid()?,
                bucket.into_valid()?,
                parent.map(Namespace::to_wire),
            ))
        })();
        follow(
            inputs,
            options,
            move |(account_id, bucket, parent), options, cursor| async move {
                let (parent, cursor) = (parent.as_deref(), cursor.as_deref());
                this.page(&account_id, &bucket, parent, &options, cursor)
                    .await
            },
        )
    }

    async fn page(
        &self,
        account_id: &AccountId,
        bucket: &BucketName,
        parent: Option<&str>,
        options: &ListOptions,
        page_token: Option<&str>,
    ) -> Result<Response<NamespacePage>, Error> {
        let (return_uuids, return_details) = options.flags();
        let api = self.engine.api();
        self.engine
            .send(|| {
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
}
