//! The [`Client`] users hold: it shares one engine and hands out the operation groups.

use std::fmt;
use std::sync::Arc;

use crate::auth::Credentials;
use crate::catalogs::Catalogs;
use crate::credentials::CatalogCredentials;
use crate::engine::Engine;
use crate::maintenance::Maintenance;
use crate::namespaces::Namespaces;
use crate::retry::RetryConfig;
use crate::tables::Tables;
use crate::tls;
use crate::wire::PathFamily;

/// A client for the Basin Catalog (formerly R2 Data Catalog) API. Cheap to clone: clones share one connection pool.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]; reach the operations through the
/// group methods: [`Client::catalogs`], [`Client::credentials`], [`Client::maintenance`],
/// [`Client::namespaces`], [`Client::tables`].
#[derive(Clone)]
pub struct Client {
    engine: Arc<Engine>,
}

impl Client {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Self { engine }
    }

    /// This client with another retry policy, for the calls that need one: it shares this
    /// client's connections, credentials and every other setting, and costs one allocation.
    ///
    /// ```no_run
    /// # async fn demo(client: cloudflare_r2_catalog::Client) -> Result<(), cloudflare_r2_catalog::Error> {
    /// use cloudflare_r2_catalog::RetryConfig;
    ///
    /// // A health check that must answer now, not after backing off.
    /// let once = client.with_retry(RetryConfig::disabled());
    /// once.catalogs().list("0123456789abcdef0123456789abcdef").await?;
    /// # Ok(()) }
    /// ```
    pub fn with_retry(&self, retry: RetryConfig) -> Client {
        Client::new(self.engine.with_retry(retry))
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        self.engine.base_url()
    }

    /// The path family requests go out under (see [`crate::ClientBuilder::paths`]).
    pub fn paths(&self) -> PathFamily {
        self.engine.paths()
    }

    /// Which credential scheme the client uses: `"api token"` or `"api key"`.
    pub fn auth_scheme(&self) -> &'static str {
        match self.engine.credentials() {
            Credentials::ApiToken(_) => "api token",
            Credentials::ApiKey { .. } => "api key",
        }
    }

    /// Catalogs: list, get, enable, disable, delete.
    pub fn catalogs(&self) -> Catalogs<'_> {
        Catalogs::new(&self.engine)
    }

    /// Catalog credentials: the token the catalog uses for maintenance jobs, and whether it works.
    pub fn credentials(&self) -> CatalogCredentials<'_> {
        CatalogCredentials::new(&self.engine)
    }

    /// Catalog-wide maintenance: compaction and snapshot expiration.
    pub fn maintenance(&self) -> Maintenance<'_> {
        Maintenance::new(&self.engine)
    }

    /// Namespaces: list, one page or all of them.
    pub fn namespaces(&self) -> Namespaces<'_> {
        Namespaces::new(&self.engine)
    }

    /// Tables: list, get, and table-level maintenance.
    pub fn tables(&self) -> Tables<'_> {
        Tables::new(&self.engine)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("auth_scheme", &self.auth_scheme())
            .field("tls", &tls::BACKEND)
            .field("max_response_bytes", &self.engine.body_limit())
            .field("retry", self.engine.retry())
            .finish_non_exhaustive()
    }
}
