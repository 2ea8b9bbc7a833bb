//! The handles calls are made on, each naming what it acts on and owning it (cheap to clone,
//! `Send`, `Sync` and `'static`), and the listings and streams they give. They come from a
//! [`Client`](crate::Client): [`Client::catalog`](crate::Client::catalog) and what it leads to.

pub use crate::account::AccountHandle;
pub use crate::catalogs::{CatalogHandle, DeleteCatalog};
pub use crate::credentials::CredentialHandle;
pub use crate::maintenance::CatalogMaintenanceHandle;
pub use crate::namespaces::{NamespaceHandle, NamespaceListing};
pub use crate::paging::{Paginated, Streamed};
pub use crate::tables::{RunListing, TableHandle, TableListing, TableMaintenanceHandle};
